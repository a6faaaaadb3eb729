//! Tests of the LZ encoder layer: every finder against brute force on generated data,
//! window moves, normalization, chunked filling and flushing.

use super::*;

const ALL: [MatchFinder; 5] = [
    MatchFinder::Hc3,
    MatchFinder::Hc4,
    MatchFinder::Bt2,
    MatchFinder::Bt3,
    MatchFinder::Bt4,
];

/// A small deterministic generator (64-bit LCG, high bits out).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u32 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) as u32
    }
    fn below(&mut self, n: u32) -> u32 {
        self.next() % n
    }
}

/// Test data with plenty of matches: literals from a small alphabet, copies of earlier
/// stretches (near and far, short and long, some mutated) and byte runs.
fn gen_data(seed: u64, len: usize) -> Vec<u8> {
    let mut r = Lcg(seed);
    let mut d = Vec::with_capacity(len);
    while d.len() < len {
        match r.below(10) {
            0..=3 => {
                let n = 1 + r.below(12);
                let alphabet = 2 + r.below(30);
                for _ in 0..n {
                    d.push(b'a' + r.below(alphabet) as u8);
                }
            }
            4..=7 if d.len() > 8 => {
                let far = r.below(4) == 0;
                let max_back = if far { d.len() } else { d.len().min(600) };
                let back = 1 + r.below(max_back as u32) as usize;
                let cap = if r.below(8) == 0 { 400 } else { 40 };
                let n = 2 + r.below(cap) as usize;
                let start = d.len() - back;
                for i in 0..n {
                    let b = d[start + i];
                    d.push(b);
                }
                if r.below(3) == 0 {
                    let b = r.next() as u8;
                    d.push(b);
                }
            }
            8 => {
                let b = r.next() as u8;
                for _ in 0..1 + r.below(300) {
                    d.push(b);
                }
            }
            _ => d.push(r.next() as u8),
        }
    }
    d.truncate(len);
    d
}

fn cfg(mf: MatchFinder, dict_size: u32, nice_len: u32, depth: u32) -> MfConfig {
    MfConfig {
        dict_size,
        before_size: 4096,
        after_size: 4097,
        match_len_max: 273,
        nice_len,
        mf,
        depth,
    }
}

/// What one `find` returned, at absolute input position `pos`.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Found {
    pos: u64,
    avail: u32,
    len_best: u32,
    matches: Vec<Match>,
}

/// Asserts two runs found the same (ignoring `avail`, which depends on the chunking),
/// reporting only the first difference.
#[track_caller]
fn assert_same(a: &[Found], b: &[Found], what: &str) {
    for (x, y) in a.iter().zip(b) {
        if (x.pos, x.len_best, &x.matches) != (y.pos, y.len_best, &y.matches) {
            panic!("{what}: first difference:\n{x:?}\n{y:?}");
        }
    }
    assert_eq!(a.len(), b.len(), "{what}: different numbers of finds");
}

/// Drives a finder like an LZ encoder would: fills the window in the given chunk sizes
/// (cycled), then calls `find` or `skip` as a pseudo-random, data-independent pattern
/// decides, until all input is processed with `end` as the final action.
fn drive(mf: &mut Mf, data: &[u8], chunks: &[usize], end: Action, seed: u64) -> Vec<Found> {
    let mut r = Lcg(seed);
    let mut fed = 0usize;
    let mut chunk_i = 0;
    let mut out = Vec::new();
    let mut matches = [Match::default(); MATCH_ARRAY_LEN];
    loop {
        if mf.action() == Action::Run && mf.read_pos() >= mf.read_limit() {
            let n = chunks[chunk_i % chunks.len()].min(data.len() - fed);
            chunk_i += 1;
            let last = fed + n == data.len();
            let consumed =
                mf.fill_window(&data[fed..fed + n], if last { end } else { Action::Run });
            fed += consumed;
            continue;
        }
        if mf.read_pos() >= mf.read_limit() {
            // Ended (flush or finish): everything is processed once avail is 0.
            if mf.avail() == 0 {
                break;
            }
        }
        let abs = (fed - mf.avail() as usize) as u64;
        if r.below(3) == 0 {
            let k = (1 + r.below(20)).min(mf.avail());
            mf.skip(k);
        } else {
            let avail = mf.avail();
            let (count, len_best) = mf.find(&mut matches);
            out.push(Found {
                pos: abs,
                avail,
                len_best,
                matches: matches[..count as usize].to_vec(),
            });
            // Skip over part of a long match, as an encoder does.
            if len_best > 1 && r.below(2) == 0 {
                let k = (len_best - 1).min(mf.avail());
                mf.skip(k);
            }
        }
        mf.read_ahead = 0;
    }
    out
}

fn lcp(data: &[u8], a: usize, b: usize, cap: usize) -> usize {
    data[a..]
        .iter()
        .zip(&data[b..])
        .take(cap)
        .take_while(|(x, y)| x == y)
        .count()
}

/// Checks what a finder returned against the data; with `exhaustive`, also that the
/// longest match (of at least the hashed bytes) was found, by brute force.
fn check(cfg: &MfConfig, data: &[u8], found: &[Found], exhaustive: bool) {
    let nice = cfg.nice_len.max(cfg.mf.hash_bytes());
    for f in found {
        let p = f.pos as usize;
        let len_limit = nice.min(f.avail);
        let mut prev_len = 0;
        for m in &f.matches {
            let back = m.dist as usize + 1;
            assert!(back <= p, "{:?} at {p}: match before the start", cfg.mf);
            assert!(
                back <= cfg.dict_size as usize,
                "{:?} at {p}: beyond the dictionary",
                cfg.mf
            );
            assert!(
                m.len > prev_len,
                "{:?} at {p}: lengths not increasing: {:?}",
                cfg.mf,
                f.matches
            );
            assert!(
                m.len >= 2 && m.len <= len_limit,
                "{:?} at {p}: bad length {m:?}",
                cfg.mf
            );
            let real = lcp(data, p, p - back, len_limit as usize) as u32;
            assert_eq!(
                real, m.len,
                "{:?} at {p}: {m:?} is not the maximal match there",
                cfg.mf
            );
            prev_len = m.len;
        }
        let last = f.matches.last().map_or(0, |m| m.len);
        if let Some(m) = f.matches.last().filter(|m| m.len == nice) {
            let cap = (f.avail.min(cfg.match_len_max)) as usize;
            let want = lcp(data, p, p - m.dist as usize - 1, cap) as u32;
            assert_eq!(f.len_best, want, "{:?} at {p}: extension", cfg.mf);
        } else {
            assert_eq!(f.len_best, last, "{:?} at {p}", cfg.mf);
        }
        if exhaustive {
            let lo = p.saturating_sub(cfg.dict_size as usize);
            let best = (lo..p)
                .map(|q| lcp(data, p, q, len_limit as usize))
                .max()
                .unwrap_or(0) as u32;
            if best >= cfg.mf.hash_bytes() {
                assert_eq!(last, best, "{:?} at {p}: longest match missed", cfg.mf);
            } else {
                assert!(last <= best);
            }
        }
    }
}

#[test]
fn finders_find_real_maximal_matches_and_the_longest_with_unlimited_depth() {
    for (i, &kind) in ALL.iter().enumerate() {
        for (j, &nice) in [kind.hash_bytes(), 5, 16, 64, 273].iter().enumerate() {
            let data = gen_data(1 + i as u64 * 10 + j as u64, 24_000);
            let c = cfg(kind, 4096, nice, u32::MAX);
            let mut mf = Mf::new(&c).unwrap();
            let found = drive(&mut mf, &data, &[data.len()], Action::Finish, 7);
            assert!(found.iter().filter(|f| !f.matches.is_empty()).count() > 300);
            check(&c, &data, &found, true);
        }
    }
}

#[test]
fn finders_with_default_depth_return_valid_matches() {
    for (i, &kind) in ALL.iter().enumerate() {
        for &nice in &[8, 32, 273] {
            let data = gen_data(100 + i as u64, 60_000);
            let c = cfg(kind, 8192, nice, 0);
            let mut mf = Mf::new(&c).unwrap();
            let found = drive(&mut mf, &data, &[1000, 7, 30_000], Action::Finish, 3);
            check(&c, &data, &found, false);
        }
    }
}

#[test]
fn depth_defaults_and_nice_len_rules() {
    let mf = Mf::new(&cfg(MatchFinder::Bt4, 1 << 20, 64, 0)).unwrap();
    assert_eq!(mf.depth(), 48);
    let mf = Mf::new(&cfg(MatchFinder::Hc4, 1 << 20, 273, 0)).unwrap();
    assert_eq!(mf.depth(), 4 + 273 / 4);
    let mf = Mf::new(&cfg(MatchFinder::Bt4, 1 << 20, 2, 0)).unwrap();
    assert_eq!(mf.nice_len(), 4);
    assert_eq!(mf.depth(), 16 + 2);
    let mf = Mf::new(&cfg(MatchFinder::Hc3, 1 << 20, 2, 7)).unwrap();
    assert_eq!((mf.nice_len(), mf.depth()), (3, 7));
    assert!(Mf::new(&cfg(MatchFinder::Bt4, 4095, 64, 0)).is_err());
    assert!(Mf::new(&cfg(MatchFinder::Bt4, (3 << 29) + 1, 64, 0)).is_err());
    let mut c = cfg(MatchFinder::Bt4, 1 << 20, 274, 0);
    assert!(Mf::new(&c).is_err());
    c.nice_len = 200;
    c.match_len_max = 100;
    assert!(Mf::new(&c).is_err());
}

#[test]
fn table_sizes_and_memusage_equal_liblzma() {
    // Sizes computed by liblzma 5.8's lz_encoder_prepare for these options.
    let l = Layout::new(&cfg(MatchFinder::Bt4, 8 << 20, 64, 0)).unwrap();
    assert_eq!(l.hash_mask, (4 << 20) - 1);
    assert_eq!(l.hash_count, (4 << 20) + 1024 + 65536);
    assert_eq!(l.sons_count, 2 * ((8 << 20) + 1));
    let l = Layout::new(&cfg(MatchFinder::Hc3, 256 << 10, 128, 4)).unwrap();
    assert_eq!(l.hash_mask, (128 << 10) - 1);
    assert_eq!(l.hash_count, (128 << 10) + 1024);
    assert_eq!(l.sons_count, (256 << 10) + 1);
    // Above 2^24 entries: HC3/BT3 cap at 2^24 - 1, the others halve.
    let l = Layout::new(&cfg(MatchFinder::Bt3, 64 << 20, 64, 0)).unwrap();
    assert_eq!(l.hash_mask, (1 << 24) - 1);
    let l = Layout::new(&cfg(MatchFinder::Bt4, 64 << 20, 64, 0)).unwrap();
    assert_eq!(l.hash_mask, (1 << 24) - 1);
    let l = Layout::new(&cfg(MatchFinder::Bt4, (64 << 20) + 1, 64, 0)).unwrap();
    assert_eq!(l.hash_mask, (1 << 25) - 1);
    let l = Layout::new(&cfg(MatchFinder::Bt2, 64 << 20, 64, 0)).unwrap();
    assert_eq!((l.hash_mask, l.hash_count), (0xFFFF, 0x10000));
    // Small dictionaries still get 64 Ki main-hash entries.
    let l = Layout::new(&cfg(MatchFinder::Hc4, 4096, 64, 0)).unwrap();
    assert_eq!(l.hash_mask, 0xFFFF);
    // Window size: keep_before + reserve + keep_after.
    let l = Layout::new(&cfg(MatchFinder::Bt4, 8 << 20, 64, 0)).unwrap();
    let reserve = (4 << 20) + (4096 + 273 + 4097) / 2 + (1 << 19);
    assert_eq!(l.size, (8 << 20) + 4096 + reserve + 4097 + 273);
    let c = cfg(MatchFinder::Bt4, 8 << 20, 64, 0);
    assert_eq!(
        Mf::memusage(&c),
        (u64::from(l.hash_count) + u64::from(l.sons_count)) * 4 + u64::from(l.size) + 240
    );
    assert_eq!(Mf::memusage(&cfg(MatchFinder::Bt4, 1, 64, 0)), u64::MAX);
}

#[test]
fn chunked_filling_equals_one_shot() {
    for (i, &kind) in ALL.iter().enumerate() {
        let data = gen_data(200 + i as u64, 300_000);
        let c = cfg(kind, 1 << 16, 32, 0);
        let one = drive(
            &mut Mf::new(&c).unwrap(),
            &data,
            &[data.len()],
            Action::Finish,
            11,
        );
        for chunks in [
            &[1usize][..],
            &[4096, 1, 3, 70_000],
            &[13, 9000, 128 * 1024],
        ] {
            // One byte at a time is slow: only for a prefix-sized run of the data.
            let d = if chunks == [1] {
                &data[..40_000]
            } else {
                &data[..]
            };
            let a = drive(&mut Mf::new(&c).unwrap(), d, &[d.len()], Action::Finish, 11);
            let b = drive(&mut Mf::new(&c).unwrap(), d, chunks, Action::Finish, 11);
            assert_same(&a, &b, &format!("{kind:?} {chunks:?}"));
        }
        check(&c, &data, &one, false);
    }
}

#[test]
fn window_moves_across_many_mib_with_small_dictionaries() {
    for (i, &kind) in ALL.iter().enumerate() {
        let data = gen_data(300 + i as u64, 5 << 20);
        let c = MfConfig {
            before_size: 0,
            ..cfg(kind, 4096, 24, 0)
        };
        let mut mf = Mf::new(&c).unwrap();
        let size = mf.size as usize;
        let found = drive(&mut mf, &data, &[100_000, 333_333], Action::Finish, 5);
        assert!(data.len() > 8 * size, "the window must move several times");
        check(&c, &data, &found, false);
        // And the same with one-shot filling (the window moves at other points).
        let mut mf2 = Mf::new(&c).unwrap();
        let found2 = drive(&mut mf2, &data, &[data.len()], Action::Finish, 5);
        assert_same(&found, &found2, &format!("{kind:?}"));
    }
}

#[test]
fn window_move_keeps_position_low_bits() {
    let c = MfConfig {
        before_size: 0,
        ..cfg(MatchFinder::Hc4, 4096, 24, 0)
    };
    let mut mf = Mf::new(&c).unwrap();
    let data = gen_data(9, 3 << 20);
    let mut fed = 0;
    let mut done = 0u64;
    while fed < data.len() {
        if mf.read_pos() >= mf.read_limit() {
            fed += mf.fill_window(&data[fed..(fed + 77_777).min(data.len())], Action::Run);
            continue;
        }
        mf.skip(1);
        mf.read_ahead = 0;
        done += 1;
        assert_eq!(u64::from(mf.position()) & 15, done & 15);
    }
}

#[test]
fn normalization_changes_nothing() {
    for (i, &kind) in ALL.iter().enumerate() {
        let data = gen_data(400 + i as u64, 1 << 20);
        let c = cfg(kind, 1 << 16, 48, 0);
        let plain = drive(
            &mut Mf::new(&c).unwrap(),
            &data,
            &[50_000],
            Action::Finish,
            1,
        );
        for start in [
            u32::MAX - 300_000,
            u32::MAX - (1 << 16) - 2,
            u32::MAX - 700_000,
        ] {
            let mut mf = Mf::new(&c).unwrap();
            mf.set_offset_for_test(start);
            let shifted = drive(&mut mf, &data, &[50_000], Action::Finish, 1);
            assert_same(&plain, &shifted, &format!("{kind:?} from {start}"));
            assert!(
                mf.read_pos.wrapping_add(mf.offset) < start,
                "normalization happened"
            );
        }
    }
}

#[test]
fn sync_flush_then_more_input_gives_valid_matches() {
    for (i, &kind) in ALL.iter().enumerate() {
        let data = gen_data(500 + i as u64, 200_000);
        let c = cfg(kind, 1 << 16, 64, 0);
        let mut mf = Mf::new(&c).unwrap();
        let mut found = Vec::new();
        let mut start = 0;
        for (n, stop) in [1usize, 2, 3, 5, 100, 1000, 50_000, 149_000, 200_000]
            .iter()
            .enumerate()
        {
            let piece = &data[start..*stop];
            let mut f = drive(&mut mf, piece, &[piece.len()], Action::SyncFlush, n as u64);
            for x in &mut f {
                x.pos += start as u64;
            }
            found.extend(f);
            // Pretend the encoder ended the flush: the driver resets the action.
            mf.action = Action::Run;
            start = *stop;
        }
        check(&c, &data, &found, false);
    }
}

#[test]
fn tiny_and_empty_inputs_do_not_panic() {
    for &kind in &ALL {
        for len in 0..12 {
            for end in [Action::Finish, Action::SyncFlush] {
                let data = gen_data(len as u64, len);
                let c = cfg(kind, 4096, 8, 0);
                let mut mf = Mf::new(&c).unwrap();
                let found = drive(&mut mf, &data, &[1], end, 0);
                check(&c, &data, &found, true);
            }
        }
    }
}

#[test]
fn preset_dictionary_is_searched() {
    for &kind in &ALL {
        let dict = gen_data(77, 10_000);
        let c = cfg(kind, 1 << 16, 32, u32::MAX);
        let mut mf = Mf::with_preset_dict(&c, &dict).unwrap();
        assert_eq!(mf.read_ahead, 0);
        let tail = dict[5000..5100].to_vec();
        mf.fill_window(&tail, Action::Finish);
        let mut matches = [Match::default(); MATCH_ARRAY_LEN];
        let (count, len) = mf.find(&mut matches);
        assert!(count > 0, "{kind:?}");
        assert_eq!(len, 100, "{kind:?}");
    }
}

/// A trivial LZ-based encoder for the driver: writes each byte of input as it passes
/// the finder, and a marker byte at the end.
struct Echo {
    ended: bool,
}

impl LzEncode for Echo {
    fn encode(&mut self, mf: &mut Mf, out: &mut [u8], out_pos: &mut usize) -> Result<Status> {
        let mut matches = [Match::default(); MATCH_ARRAY_LEN];
        while *out_pos < out.len() {
            if mf.read_pos() >= mf.read_limit() {
                if mf.action() == Action::Run {
                    return Ok(Status::Ok);
                }
                if mf.avail() == 0 {
                    if mf.action() == Action::Finish && !self.ended {
                        out[*out_pos] = 0xEE;
                        *out_pos += 1;
                        self.ended = true;
                    }
                    return Ok(Status::StreamEnd);
                }
            }
            let b = mf.buf()[mf.read_pos()];
            mf.find(&mut matches);
            mf.read_ahead = 0;
            out[*out_pos] = b;
            *out_pos += 1;
        }
        Ok(Status::Ok)
    }
}

#[test]
fn driver_passes_all_input_through_with_any_buffer_sizes() {
    let data = gen_data(42, 700_000);
    for (in_chunk, out_chunk) in [(data.len(), 1 << 20), (1, 3), (4097, 65_536), (100_000, 1)] {
        let c = cfg(MatchFinder::Bt4, 4096, 32, 0);
        let mut lz = LzEncoder::new(
            &MfConfig {
                before_size: 0,
                ..c
            },
            Echo { ended: false },
        )
        .unwrap();
        let mut out = vec![0u8; data.len() + 1];
        let (mut ip, mut op) = (0, 0);
        // Cap the slow one-byte runs.
        let data = if in_chunk == 1 || out_chunk == 1 {
            &data[..50_000]
        } else {
            &data[..]
        };
        loop {
            let end = (ip + in_chunk).min(data.len());
            let action = if end == data.len() {
                Action::Finish
            } else {
                Action::Run
            };
            let oe = (op + out_chunk).min(data.len() + 1);
            let p = lz.code(&data[ip..end], &mut out[op..oe], action).unwrap();
            ip += p.consumed;
            op += p.produced;
            if p.status == Status::StreamEnd {
                break;
            }
        }
        assert_eq!(ip, data.len());
        assert_eq!(&out[..data.len()], data);
        assert_eq!(out[data.len()], 0xEE);
        let p = lz.code(&[], &mut out, Action::Finish).unwrap();
        assert_eq!(
            (p.consumed, p.produced, p.status),
            (0, 0, Status::StreamEnd)
        );
        assert!(lz.memusage() > 0);
    }
}

#[test]
fn driver_sync_flush_ends_and_resumes() {
    let data = gen_data(43, 100_000);
    let c = cfg(MatchFinder::Hc4, 4096, 32, 0);
    let mut lz = LzEncoder::new(&c, Echo { ended: false }).unwrap();
    let mut out = vec![0u8; data.len() + 1];
    let mut op = 0;
    let mut ip = 0;
    for stop in [10, 11, 5000, 60_000] {
        loop {
            let p = lz
                .code(&data[ip..stop], &mut out[op..], Action::SyncFlush)
                .unwrap();
            ip += p.consumed;
            op += p.produced;
            if p.status == Status::StreamEnd {
                break;
            }
        }
        assert_eq!(op, stop);
        assert_eq!(lz.mf().action(), Action::Run);
    }
    // Changing the action in the middle of a flush is misuse... but not after it ended.
    let p = lz
        .code(&data[ip..], &mut out[op..op + 10], Action::Run)
        .unwrap();
    assert_eq!(p.status, Status::Ok);
    let mut lz2 = LzEncoder::new(&c, Echo { ended: false }).unwrap();
    let p = lz2
        .code(&data[..20_000], &mut out[..5], Action::Finish)
        .unwrap();
    assert_eq!(p.status, Status::Ok);
    assert!(matches!(
        lz2.code(&data[..20_000], &mut out, Action::Run),
        Err(Error::Misuse(_))
    ));
}

/// The scripted LZ-based encoder of the differential test: the same pseudo-random
/// pattern of finds and skips as the C harness, tracing what the finder returns.
struct Tracer {
    rng: Lcg,
    trace: String,
}

impl LzEncode for Tracer {
    fn encode(&mut self, mf: &mut Mf, out: &mut [u8], out_pos: &mut usize) -> Result<Status> {
        use std::fmt::Write;
        let mut matches = [Match::default(); MATCH_ARRAY_LEN];
        while *out_pos < out.len() {
            if mf.read_pos() >= mf.read_limit() {
                if mf.action() == Action::Run {
                    return Ok(Status::Ok);
                }
                if mf.avail() == 0 {
                    return Ok(Status::StreamEnd);
                }
            }
            let avail = mf.avail();
            let r = self.rng.next();
            if r % 3 == 0 {
                let k = (1 + (r >> 8) % 20).min(avail);
                mf.skip(k);
                let _ = writeln!(self.trace, "S {k}");
            } else {
                let (count, len) = mf.find(&mut matches);
                let _ = write!(self.trace, "F {count} {len}");
                for m in &matches[..count as usize] {
                    let _ = write!(self.trace, " {}:{}", m.len, m.dist);
                }
                self.trace.push('\n');
                if len > 1 && r & 0x100 != 0 {
                    let k = (len - 1).min(mf.avail());
                    mf.skip(k);
                    let _ = writeln!(self.trace, "S {k}");
                }
            }
            mf.read_ahead = 0;
            out[*out_pos] = 0;
            *out_pos += 1;
        }
        Ok(Status::Ok)
    }
}

/// Runs a script of `(action, bytes)` steps through [`LzEncoder`] and a [`Tracer`],
/// producing the same trace format as the C harness.
fn rust_trace(
    c: &MfConfig,
    data: &[u8],
    script: &[(Action, usize)],
    seed: u64,
    out_size: usize,
    offset: u32,
    preset: &[u8],
) -> String {
    use std::fmt::Write;
    let mut trace = format!("M {}\n", Mf::memusage(c));
    let tracer = Tracer {
        rng: Lcg(seed),
        trace: String::new(),
    };
    let lz = if preset.is_empty() {
        LzEncoder::new(c, tracer)
    } else {
        LzEncoder::with_preset_dict(c, preset, tracer)
    };
    let mut lz = match lz {
        Ok(lz) => lz,
        Err(_) => return trace + "INIT 8\n",
    };
    if offset != 0 {
        lz.mf.set_offset_for_test(offset);
    }
    let mut out = vec![0u8; out_size];
    let mut pos = 0;
    for &(action, len) in script {
        let input = &data[pos..pos + len];
        let mut in_pos = 0;
        loop {
            let p = lz.code(&input[in_pos..], &mut out, action).unwrap();
            in_pos += p.consumed;
            let t = std::mem::take(&mut lz.inner_mut().trace);
            trace.push_str(&t);
            let ret = if p.status == Status::StreamEnd { 1 } else { 0 };
            let _ = writeln!(trace, "C {} {} {ret}", p.consumed, p.produced);
            if ret != 0 || (action == Action::Run && in_pos == len) {
                break;
            }
        }
        pos += len;
    }
    trace
}

/// The C side of the differential test (see the comment at its top).
const LIBLZMA_TRACE_C: &str = include_str!("liblzma_trace.c");

/// The C harness: `XZRS_MF_HARNESS` if set, else built with `cc` from
/// [`LIBLZMA_TRACE_C`] and a static liblzma (`XZRS_LIBLZMA_A`, by default Debian's
/// `/usr/lib/x86_64-linux-gnu/liblzma.a`). `None` if neither works.
fn liblzma_harness(dir: &std::path::Path) -> Option<String> {
    if let Ok(h) = std::env::var("XZRS_MF_HARNESS") {
        return Some(h);
    }
    let lib = std::env::var("XZRS_LIBLZMA_A")
        .unwrap_or_else(|_| "/usr/lib/x86_64-linux-gnu/liblzma.a".to_string());
    let src = dir.join("liblzma_trace.c");
    let exe = dir.join("liblzma_trace");
    std::fs::write(&src, LIBLZMA_TRACE_C).ok()?;
    let ok = std::process::Command::new("cc")
        .args(["-O2", "-o"])
        .arg(&exe)
        .arg(&src)
        .arg(&lib)
        .status()
        .ok()?
        .success();
    ok.then(|| exe.to_string_lossy().into_owned())
}

/// Differential test against liblzma's own LZ layer: runs random scripts (data, match
/// finder options, chunking, sync flushes, output sizes, start offsets near `u32::MAX`)
/// through liblzma's `lz_encode` and through [`LzEncoder`] with the same scripted
/// encoder, and compares the traces of every find, skip and code call.
/// `XZRS_MF_CASES` sets the number of cases (default 40).
#[test]
#[ignore = "needs a C compiler and a static liblzma (or XZRS_MF_HARNESS)"]
fn same_trace_as_liblzma() {
    let dir = std::env::temp_dir().join(format!("xzrs-mfdiff-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let Some(harness) = liblzma_harness(&dir) else {
        eprintln!("skipped: no C harness (set XZRS_MF_HARNESS or XZRS_LIBLZMA_A)");
        return;
    };
    let cases: u64 = std::env::var("XZRS_MF_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(40);
    for case in 0..cases {
        let mut r = Lcg(case * 7919 + 1);
        let kind = ALL[case as usize % 5];
        let dict = [4096, 4096, 65536, 1 << 20, 300_000][r.below(5) as usize];
        let nice = [2, 3, 4, 5, 8, 16, 32, 64, 128, 273][r.below(10) as usize];
        let depth = [0, 0, 1, 4, 20, 100][r.below(6) as usize];
        let (before, after) = [
            (4096, 4097),
            (0, 4097),
            (65536 - dict.min(65536), 4097),
            (100, 300),
        ][r.below(4) as usize];
        let len = [0, 1, 5, 100, 5000, 200_000, 1_500_000, 6_000_000][r.below(8) as usize];
        let preset = if r.below(4) == 0 {
            gen_data(case + 7, [1, 3, 100, 5000, 300_000][r.below(5) as usize])
        } else {
            Vec::new()
        };
        // (The offset hook applies to a fresh window only, so not with a preset dictionary.)
        let offset = if r.below(3) == 0 && preset.is_empty() {
            u32::MAX - r.below(8_000_000)
        } else {
            0
        };
        let data = gen_data(case + 1000, len);
        let mut script = Vec::new();
        let mut left = len;
        while left > 0 {
            let cap = [10, 1000, 100_000, 2_000_000][r.below(4) as usize];
            let n = (1 + r.below(cap) as usize).min(left);
            left -= n;
            let a = match r.below(8) {
                0 | 1 => Action::SyncFlush,
                _ => Action::Run,
            };
            script.push((a, n));
        }
        script.push((Action::Finish, 0));
        let seed = case + 5;
        let out_size = [1usize, 7, 1 << 20][r.below(3) as usize];
        let c = MfConfig {
            dict_size: dict,
            before_size: before,
            after_size: after,
            match_len_max: 273,
            nice_len: nice,
            mf: kind,
            depth,
        };
        let data_path = dir.join("data");
        let script_path = dir.join("script");
        let trace_path = dir.join("trace");
        std::fs::write(&data_path, &data).unwrap();
        let preset_path = dir.join("preset");
        std::fs::write(&preset_path, &preset).unwrap();
        let s: String = script
            .iter()
            .map(|(a, n)| {
                format!(
                    "{} {n}\n",
                    match a {
                        Action::Run => 'R',
                        Action::SyncFlush => 'S',
                        _ => 'F',
                    }
                )
            })
            .collect();
        std::fs::write(&script_path, s).unwrap();
        let id = match kind {
            MatchFinder::Hc3 => 3,
            MatchFinder::Hc4 => 4,
            MatchFinder::Bt2 => 0x12,
            MatchFinder::Bt3 => 0x13,
            MatchFinder::Bt4 => 0x14,
        };
        let st = std::process::Command::new(&harness)
            .env(
                "PRESET_DICT",
                if preset.is_empty() {
                    std::path::Path::new("")
                } else {
                    &preset_path
                },
            )
            .arg("trace")
            .args([data_path.to_str().unwrap(), script_path.to_str().unwrap()])
            .args(
                [id, dict, nice.max(kind.hash_bytes()), depth, before, after]
                    .map(|v| v.to_string()),
            )
            .args([
                seed.to_string(),
                out_size.to_string(),
                trace_path.to_str().unwrap().to_string(),
            ])
            .arg(offset.to_string())
            .status()
            .unwrap();
        assert!(st.success());
        let want = std::fs::read_to_string(&trace_path).unwrap();
        let got = rust_trace(&c, &data, &script, seed, out_size, offset, &preset);
        if want != got {
            let line = want
                .lines()
                .zip(got.lines())
                .position(|(a, b)| a != b)
                .unwrap_or(0);
            let w: Vec<_> = want.lines().skip(line.saturating_sub(3)).take(6).collect();
            let g: Vec<_> = got.lines().skip(line.saturating_sub(3)).take(6).collect();
            panic!("case {case} ({c:?}, {len} bytes, out {out_size}): traces differ at line {line}\nliblzma: {w:#?}\nours:    {g:#?}");
        }
        eprintln!("case {case}: {kind:?} dict {dict} nice {nice} depth {depth} len {len} offset {offset} preset {}: {} lines equal",
            preset.len(), want.lines().count());
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Finds at every position and skips over matches longer than `skip_over`, like the C
/// harness's benchmark mode; returns `(finds, checksum)`.
struct BenchEnc {
    skip_over: u32,
    finds: u64,
    sum: u64,
}

impl LzEncode for BenchEnc {
    fn encode(&mut self, mf: &mut Mf, out: &mut [u8], out_pos: &mut usize) -> Result<Status> {
        let mut matches = [Match::default(); MATCH_ARRAY_LEN];
        while *out_pos < out.len() {
            if mf.read_pos() >= mf.read_limit() {
                if mf.action() == Action::Run {
                    return Ok(Status::Ok);
                }
                if mf.avail() == 0 {
                    return Ok(Status::StreamEnd);
                }
            }
            let (count, len) = mf.find(&mut matches);
            self.finds += 1;
            let first = if count > 0 {
                u64::from(matches[0].dist)
            } else {
                0
            };
            self.sum = self
                .sum
                .wrapping_mul(31)
                .wrapping_add(u64::from(len) * 7 + u64::from(count) + first);
            if len > self.skip_over {
                mf.skip((len - 1).min(mf.avail()));
            }
            mf.read_ahead = 0;
            out[*out_pos] = 0;
            *out_pos += 1;
        }
        Ok(Status::Ok)
    }
}

/// Speed check (no assertion): `XZRS_MF_BENCH=file[,mf,dict,nice,depth,skip_over]`,
/// run with `cargo test --release ... mf_speed -- --ignored --nocapture`. The C harness
/// (`liblzma_trace.c`) does the same with liblzma in its `bench` mode, and both print
/// the same checksum.
#[test]
#[ignore = "benchmark; needs XZRS_MF_BENCH"]
fn mf_speed() {
    let Ok(spec) = std::env::var("XZRS_MF_BENCH") else {
        return;
    };
    let parts: Vec<&str> = spec.split(',').collect();
    let data = std::fs::read(parts[0]).unwrap();
    let num = |i: usize, d: u32| parts.get(i).and_then(|s| s.parse().ok()).unwrap_or(d);
    let kind = match parts.get(1).copied().unwrap_or("bt4") {
        "hc3" => MatchFinder::Hc3,
        "hc4" => MatchFinder::Hc4,
        "bt2" => MatchFinder::Bt2,
        "bt3" => MatchFinder::Bt3,
        _ => MatchFinder::Bt4,
    };
    let c = cfg(kind, num(2, 8 << 20), num(3, 64), num(4, 0));
    let start = std::time::Instant::now();
    let enc = BenchEnc {
        skip_over: num(5, 32),
        finds: 0,
        sum: 0,
    };
    let mut lz = LzEncoder::new(&c, enc).unwrap();
    let mut out = vec![0u8; 1 << 20];
    let mut pos = 0;
    loop {
        let p = lz.code(&data[pos..], &mut out, Action::Finish).unwrap();
        pos += p.consumed;
        if p.status == Status::StreamEnd {
            break;
        }
    }
    let e = lz.inner();
    eprintln!(
        "finds {} sum {} time {:.3}",
        e.finds,
        e.sum,
        start.elapsed().as_secs_f64()
    );
}

mod props {
    use super::*;
    use proptest::prelude::*;

    fn kind() -> impl Strategy<Value = MatchFinder> {
        prop::sample::select(ALL.to_vec())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        /// Any options, data and chunking: no panic, and every match is real and maximal.
        #[test]
        fn any_input_gives_valid_matches(
            kind in kind(),
            nice in 2u32..=273,
            depth in prop::sample::select(vec![0u32, 1, 2, 7, 1000]),
            seed in any::<u64>(),
            len in 0usize..20_000,
            alphabet in 1u8..=255,
            chunks in prop::collection::vec(1usize..5000, 1..5),
            end in prop::sample::select(vec![Action::Finish, Action::SyncFlush]),
        ) {
            let mut r = Lcg(seed);
            let data: Vec<u8> = if alphabet == 255 {
                gen_data(seed, len)
            } else {
                (0..len).map(|_| (r.next() % u32::from(alphabet)) as u8).collect()
            };
            let c = cfg(kind, 4096, nice, depth);
            let mut mf = Mf::new(&c).unwrap();
            let found = drive(&mut mf, &data, &chunks, end, seed);
            check(&c, &data, &found, false);
        }

        /// Any options are either rejected with an error or accepted; never a panic.
        #[test]
        fn any_options_are_accepted_or_rejected(
            kind in kind(),
            dict in prop::sample::select(vec![0u32, 1, 4095, 4096, 5000, 1 << 20, (3 << 29) + 1, u32::MAX]),
            before in prop::sample::select(vec![0u32, 4096, u32::MAX]),
            after in prop::sample::select(vec![0u32, 4097, u32::MAX]),
            mlm in prop::sample::select(vec![0u32, 2, 100, 273, 274]),
            nice in 0u32..300,
        ) {
            let c = MfConfig { dict_size: dict, before_size: before, after_size: after,
                               match_len_max: mlm, nice_len: nice, mf: kind, depth: 0 };
            let usage = Mf::memusage(&c);
            let ok = Layout::new(&c).is_ok();
            prop_assert_eq!(usage == u64::MAX, !ok);
            if ok && dict <= 1 << 20 {
                let mut mf = Mf::new(&c).unwrap();
                let data = gen_data(u64::from(nice), 3000);
                let found = drive(&mut mf, &data, &[777], Action::Finish, 1);
                check(&c, &data, &found, false);
            }
        }
    }
}
