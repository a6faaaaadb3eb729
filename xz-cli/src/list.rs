//! `xz --list`: reads the Stream Footers, Indexes and (at `-vv`) Block Headers of .xz files
//! from the end, and prints them in the layouts of XZ Utils 5.8.

use std::ffi::OsStr;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::sync::Mutex;

use lzma_core::filter::BcjArch;
use lzma_core::{Filter, LzmaOptions};

use crate::args::{Config, Format};
use crate::message::{self, Verbosity};
use crate::util::{nice, nicestr, ratio, round_up_to_mib, Unit};

/// Writes to stdout (list output and `-lv` file headers share it).
pub fn stdout_write(b: &[u8]) {
    message::stdout_write(b);
}

const CHECK_NAMES: [&str; 16] = [
    "None",
    "CRC32",
    "Unknown-2",
    "Unknown-3",
    "CRC64",
    "Unknown-5",
    "Unknown-6",
    "Unknown-7",
    "Unknown-8",
    "Unknown-9",
    "SHA-256",
    "Unknown-11",
    "Unknown-12",
    "Unknown-13",
    "Unknown-14",
    "Unknown-15",
];

fn check_size(id: u8) -> u64 {
    match id {
        0 => 0,
        1..=3 => 4,
        4..=6 => 8,
        7..=9 => 16,
        10..=12 => 32,
        _ => 64,
    }
}

/// One block as the Index describes it (plus header details at `-vv`).
#[derive(Debug, Default, Clone)]
pub struct BlockInfo {
    /// Number in its stream (1-based).
    pub number_in_stream: u64,
    /// Number in the file (1-based).
    pub number_in_file: u64,
    /// File offset of the block header.
    pub comp_offset: u64,
    /// Uncompressed offset in the file.
    pub uncomp_offset: u64,
    /// Unpadded size.
    pub unpadded: u64,
    /// Uncompressed size.
    pub uncompressed: u64,
}

impl BlockInfo {
    fn total_size(&self) -> u64 {
        (self.unpadded + 3) & !3
    }
}

/// One stream.
#[derive(Debug, Default, Clone)]
pub struct StreamInfo {
    /// Number (1-based).
    pub number: u64,
    /// Check ID.
    pub check: u8,
    /// File offset of the stream header.
    pub comp_offset: u64,
    /// Uncompressed offset.
    pub uncomp_offset: u64,
    /// Size from stream header to end of footer.
    pub comp_size: u64,
    /// Uncompressed size.
    pub uncomp_size: u64,
    /// Stream padding after this stream.
    pub padding: u64,
    /// Blocks.
    pub blocks: Vec<BlockInfo>,
}

/// A whole file.
#[derive(Debug, Default)]
pub struct FileInfo {
    /// Streams in file order.
    pub streams: Vec<StreamInfo>,
    /// File size.
    pub file_size: u64,
}

impl FileInfo {
    fn block_count(&self) -> u64 {
        self.streams.iter().map(|s| s.blocks.len() as u64).sum()
    }
    fn uncompressed(&self) -> u64 {
        self.streams
            .iter()
            .fold(0u64, |a, s| a.wrapping_add(s.uncomp_size))
    }
    fn checks(&self) -> u32 {
        self.streams.iter().fold(0, |a, s| a | (1 << s.check))
    }
    fn padding(&self) -> u64 {
        self.streams.iter().map(|s| s.padding).sum()
    }
}

/// Parse failures, printed as xz prints liblzma's errors.
#[derive(Debug)]
enum ListError {
    Lib(lzma_core::Error),
    Io(String),
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn read_vli(buf: &[u8], pos: &mut usize) -> Result<u64, ListError> {
    let mut v = 0u64;
    for i in 0..9 {
        let Some(&b) = buf.get(*pos) else {
            return Err(ListError::Lib(lzma_core::Error::Corrupt(
                "truncated integer",
            )));
        };
        *pos += 1;
        v |= u64::from(b & 0x7F) << (7 * i);
        if b & 0x80 == 0 {
            if b == 0 && i > 0 {
                return Err(ListError::Lib(lzma_core::Error::Corrupt(
                    "non-minimal integer",
                )));
            }
            return Ok(v);
        }
    }
    Err(ListError::Lib(lzma_core::Error::Corrupt(
        "integer too long",
    )))
}

fn corrupt(what: &'static str) -> ListError {
    ListError::Lib(lzma_core::Error::Corrupt(what))
}

struct Reader<'a> {
    file: &'a mut File,
    name: &'a str,
}

impl Reader<'_> {
    fn pread(&mut self, pos: u64, len: usize) -> Result<Vec<u8>, ListError> {
        let name = message::mask(self.name);
        self.file.seek(SeekFrom::Start(pos)).map_err(|e| {
            ListError::Io(format!(
                "{name}: Error seeking the file: {}",
                crate::io::strerror(&e)
            ))
        })?;
        let mut buf = vec![0u8; len];
        let mut got = 0;
        while got < len {
            match self.file.read(&mut buf[got..]) {
                Ok(0) => return Err(ListError::Io(format!("{name}: Unexpected end of file"))),
                Ok(n) => got += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    return Err(ListError::Io(format!(
                        "{name}: Read error: {}",
                        crate::io::strerror(&e)
                    )))
                }
            }
        }
        Ok(buf)
    }
}

const HEADER_MAGIC: [u8; 6] = [0xFD, b'7', b'z', b'X', b'Z', 0];

fn parse_file(r: &mut Reader<'_>, size: u64) -> Result<FileInfo, ListError> {
    // liblzma first checks that the file starts like .xz; problems found later, from the
    // end of the file, are data errors.
    let head = r.pread(0, 12)?;
    if head[..6] != HEADER_MAGIC {
        return Err(ListError::Lib(lzma_core::Error::Format("no header magic")));
    }
    parse_streams(r, size).map_err(|e| match e {
        ListError::Lib(lzma_core::Error::Format(w)) => ListError::Lib(lzma_core::Error::Corrupt(w)),
        other => other,
    })
}

fn parse_streams(r: &mut Reader<'_>, size: u64) -> Result<FileInfo, ListError> {
    let mut streams_rev: Vec<StreamInfo> = Vec::new();
    let mut pos = size;
    let mut padding = 0u64;
    while pos > 0 {
        if pos < 12 {
            return Err(ListError::Lib(lzma_core::Error::Format("too small")));
        }
        let footer = r.pread(pos - 12, 12)?;
        if footer[8..12] == [0, 0, 0, 0] && &footer[10..12] != b"YZ" {
            // Stream Padding (only whole 4-byte words of zeros).
            pos -= 4;
            padding += 4;
            continue;
        }
        if &footer[10..12] != b"YZ" {
            return Err(ListError::Lib(lzma_core::Error::Format("no footer magic")));
        }
        if crc32(&footer[4..10]) != u32::from_le_bytes([footer[0], footer[1], footer[2], footer[3]])
        {
            return Err(corrupt("footer CRC32"));
        }
        if footer[8] != 0 || footer[9] > 0x0F {
            return Err(ListError::Lib(lzma_core::Error::Unsupported(
                "stream flags",
            )));
        }
        let check = footer[9];
        let backward = (u64::from(u32::from_le_bytes([
            footer[4], footer[5], footer[6], footer[7],
        ])) + 1)
            * 4;
        if pos < 12 + backward + 12 {
            return Err(corrupt("index does not fit"));
        }
        let index_pos = pos - 12 - backward;
        let index = r.pread(index_pos, backward as usize)?;
        let mut p = 0usize;
        if index.first() != Some(&0) {
            return Err(corrupt("index indicator"));
        }
        p += 1;
        let count = read_vli(&index, &mut p)?;
        if count.saturating_mul(16) > crate::host::physical_memory().unwrap_or(u64::MAX) {
            // liblzma preallocates the records and fails with LZMA_MEM_ERROR.
            return Err(ListError::Io(format!(
                "{}: Cannot allocate memory",
                message::mask(r.name)
            )));
        }
        let mut blocks = Vec::new();
        let mut blocks_size = 0u64;
        let mut uncomp = 0u64;
        for i in 0..count {
            let unpadded = read_vli(&index, &mut p)?;
            let uncompressed = read_vli(&index, &mut p)?;
            if unpadded == 0 || p > index.len() {
                return Err(corrupt("index record"));
            }
            blocks.push(BlockInfo {
                number_in_stream: i + 1,
                unpadded,
                uncompressed,
                ..Default::default()
            });
            blocks_size = blocks_size
                .checked_add((unpadded + 3) & !3)
                .ok_or_else(|| corrupt("index sizes"))?;
            uncomp = uncomp
                .checked_add(uncompressed)
                .ok_or_else(|| corrupt("index sizes"))?;
        }
        while p % 4 != 0 {
            if index.get(p) != Some(&0) {
                return Err(corrupt("index padding"));
            }
            p += 1;
        }
        if p + 4 != index.len() {
            return Err(corrupt("index size"));
        }
        if crc32(&index[..p])
            != u32::from_le_bytes([index[p], index[p + 1], index[p + 2], index[p + 3]])
        {
            return Err(corrupt("index CRC32"));
        }
        let stream_size = 12 + blocks_size + backward + 12;
        if pos < stream_size {
            return Err(corrupt("stream does not fit"));
        }
        let start = pos - stream_size;
        let header = r.pread(start, 12)?;
        if header[..6] != HEADER_MAGIC {
            return Err(corrupt("stream header magic"));
        }
        if crc32(&header[6..8])
            != u32::from_le_bytes([header[8], header[9], header[10], header[11]])
        {
            return Err(corrupt("header CRC32"));
        }
        if header[6..8] != footer[8..10] {
            return Err(corrupt("header and footer flags differ"));
        }
        let mut off = start + 12;
        for b in &mut blocks {
            b.comp_offset = off;
            off += b.total_size();
        }
        streams_rev.push(StreamInfo {
            check,
            comp_offset: start,
            comp_size: stream_size,
            uncomp_size: uncomp,
            padding,
            blocks,
            ..Default::default()
        });
        padding = 0;
        pos = start;
    }
    if padding != 0 {
        return Err(ListError::Lib(lzma_core::Error::Format(
            "padding at the start",
        )));
    }
    streams_rev.reverse();
    let mut uoff = 0u64;
    let mut nfile = 0u64;
    for (i, s) in streams_rev.iter_mut().enumerate() {
        s.number = i as u64 + 1;
        s.uncomp_offset = uoff;
        let mut bu = uoff;
        for b in &mut s.blocks {
            nfile += 1;
            b.number_in_file = nfile;
            b.uncomp_offset = bu;
            bu = bu.wrapping_add(b.uncompressed);
        }
        uoff = uoff.wrapping_add(s.uncomp_size);
    }
    Ok(FileInfo {
        streams: streams_rev,
        file_size: size,
    })
}

/// Details from a Block Header (`-vv`).
struct Details {
    header_size: u64,
    flags: String,
    comp_size: u64,
    memusage: u64,
    chain: String,
    check_value: String,
    min_version: u32,
    has_sizes: bool,
}

fn decode_filter(id: u64, props: &[u8]) -> Result<Filter, ListError> {
    let unsupported = || ListError::Lib(lzma_core::Error::Unsupported("filter"));
    match id {
        0x21 => {
            let [b] = props else {
                return Err(unsupported());
            };
            if *b > 40 {
                return Err(unsupported());
            }
            let dict = if *b == 40 {
                u32::MAX
            } else {
                (2 | u32::from(b & 1)) << (b / 2 + 11)
            };
            Ok(Filter::Lzma2(LzmaOptions {
                dict_size: dict,
                ..LzmaOptions::default()
            }))
        }
        0x03 => {
            let [b] = props else {
                return Err(unsupported());
            };
            Ok(Filter::Delta {
                distance: u32::from(*b) + 1,
            })
        }
        _ => {
            let arch = BcjArch::from_filter_id(id).ok_or_else(unsupported)?;
            let start = match props {
                [] => 0,
                [a, b, c, d] => u32::from_le_bytes([*a, *b, *c, *d]),
                _ => return Err(unsupported()),
            };
            if start % arch.alignment() != 0 {
                return Err(unsupported());
            }
            Ok(Filter::Bcj {
                arch,
                start_offset: start,
            })
        }
    }
}

fn parse_details(r: &mut Reader<'_>, s: &StreamInfo, b: &BlockInfo) -> Result<Details, ListError> {
    let first = r.pread(b.comp_offset, 1)?;
    let hsize = (u64::from(first[0]) + 1) * 4;
    if first[0] == 0 || hsize > b.unpadded {
        return Err(corrupt("block header size"));
    }
    let h = r.pread(b.comp_offset, hsize as usize)?;
    let n = h.len();
    if crc32(&h[..n - 4]) != u32::from_le_bytes([h[n - 4], h[n - 3], h[n - 2], h[n - 1]]) {
        return Err(corrupt("block header CRC32"));
    }
    let flags = h[1];
    if flags & 0x3C != 0 {
        return Err(ListError::Lib(lzma_core::Error::Unsupported("block flags")));
    }
    let mut p = 2usize;
    let body = &h[..n - 4];
    let mut comp = None;
    let mut uncomp = None;
    if flags & 0x40 != 0 {
        comp = Some(read_vli(body, &mut p)?);
    }
    if flags & 0x80 != 0 {
        uncomp = Some(read_vli(body, &mut p)?);
    }
    let mut chain = Vec::new();
    for _ in 0..(flags & 3) + 1 {
        let id = read_vli(body, &mut p)?;
        let psize = read_vli(body, &mut p)? as usize;
        let props = body
            .get(p..p + psize)
            .ok_or_else(|| corrupt("filter properties"))?;
        p += psize;
        chain.push(decode_filter(id, props)?);
    }
    if body[p.min(body.len())..].iter().any(|&x| x != 0) || p > body.len() {
        return Err(ListError::Lib(lzma_core::Error::Unsupported(
            "header padding",
        )));
    }
    let csize = check_size(s.check);
    let comp_size = b.unpadded - hsize - csize;
    if comp.is_some_and(|c| c != comp_size) || uncomp.is_some_and(|u| u != b.uncompressed) {
        return Err(corrupt("block sizes"));
    }
    let check_value = if csize == 0 {
        "---".to_string()
    } else {
        let v = r.pread(b.comp_offset + b.total_size() - csize, csize as usize)?;
        match csize {
            4 => format!("{:08x}", u32::from_le_bytes([v[0], v[1], v[2], v[3]])),
            8 => format!(
                "{:016x}",
                u64::from_le_bytes([v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]])
            ),
            _ => v.iter().map(|x| format!("{x:02x}")).collect(),
        }
    };
    let mut min_version = 50000002u32;
    if b.uncompressed == 0 && chain.iter().any(|f| matches!(f, Filter::Lzma2(_))) {
        min_version = min_version.max(50000022);
    }
    for f in &chain {
        if let Filter::Bcj { arch, .. } = f {
            if *arch == BcjArch::Arm64 {
                min_version = min_version.max(50040002);
            }
            if *arch == BcjArch::RiscV {
                min_version = min_version.max(50060002);
            }
        }
    }
    Ok(Details {
        header_size: hsize,
        flags: format!(
            "{}{}",
            if comp.is_some() { 'c' } else { '-' },
            if uncomp.is_some() { 'u' } else { '-' }
        ),
        comp_size,
        // liblzma does not validate the order here; an impossible chain needs "UINT64_MAX".
        memusage: if crate::options::chain_is_valid(&chain) {
            crate::memusage::decoder_for_header(&chain)
        } else {
            u64::MAX
        },
        chain: crate::options::filters_to_string(&chain, false),
        check_value,
        min_version,
        has_sizes: comp.is_some() && uncomp.is_some(),
    })
}

#[derive(Default)]
struct Totals {
    files: u64,
    streams: u64,
    blocks: u64,
    compressed: u64,
    uncompressed: u64,
    padding: u64,
    checks: u32,
    memusage_max: u64,
    min_version: u32,
    all_have_sizes: bool,
    headings_displayed: bool,
}

static TOTALS: Mutex<Totals> = Mutex::new(Totals {
    files: 0,
    streams: 0,
    blocks: 0,
    compressed: 0,
    uncompressed: 0,
    padding: 0,
    checks: 0,
    memusage_max: 0,
    min_version: 50000002,
    all_have_sizes: true,
    headings_displayed: false,
});

fn totals_lock() -> std::sync::MutexGuard<'static, Totals> {
    TOTALS.lock().unwrap_or_else(|e| e.into_inner())
}

fn check_names(checks: u32, spaced: bool) -> String {
    let checks = if checks == 0 { 1 } else { checks };
    let names: Vec<&str> = (0..16)
        .filter(|i| checks & (1 << i) != 0)
        .map(|i| CHECK_NAMES[i])
        .collect();
    names.join(if spaced { ", " } else { "," })
}

fn colon(label: &str, value: &str) -> String {
    format!("  {label:<18} {value}\n")
}

fn adv_block(
    streams: u64,
    blocks: u64,
    comp: u64,
    uncomp: u64,
    checks: u32,
    padding: u64,
) -> String {
    let mut o = String::new();
    o += &colon("Streams:", &streams.to_string());
    o += &colon("Blocks:", &blocks.to_string());
    o += &colon("Compressed size:", &nicestr(comp, Unit::B, Unit::TiB, true));
    o += &colon(
        "Uncompressed size:",
        &nicestr(uncomp, Unit::B, Unit::TiB, true),
    );
    o += &colon("Ratio:", &ratio(comp, uncomp));
    o += &colon("Check:", &check_names(checks, true));
    o += &colon(
        "Stream Padding:",
        &nicestr(padding, Unit::B, Unit::TiB, true),
    );
    o
}

fn version_str(v: u32) -> String {
    let major = v / 10_000_000;
    let minor = v / 10_000 % 1000;
    let patch = v / 10 % 1000;
    let stab = match v % 10 {
        0 => "alpha",
        1 => "beta",
        _ => "",
    };
    format!("{major}.{minor}.{patch}{stab}")
}

/// Lists one file.
pub fn list_file(cfg: &Config, operand: &OsStr, is_stdin: bool) {
    if cfg.format != Format::Xz && cfg.format != Format::Auto {
        message::message(
            Verbosity::Error,
            "--list works only on .xz files (--format=xz or --format=auto)",
        );
        if cfg.format == Format::Lzma {
            message::message(Verbosity::Error, "Try 'lzmainfo' with .lzma files.");
        }
        message::exit(message::E_ERROR, false);
    }
    let name = if is_stdin {
        crate::io::STDIN_NAME.to_string()
    } else {
        operand.to_string_lossy().into_owned()
    };
    message::filename(&name, is_stdin);
    if is_stdin {
        message::error("--list does not support reading from standard input");
        return;
    }
    // --list follows symlinks (force) and needs regular files.
    let policy = crate::io::SrcPolicy {
        follow: true,
        reg_only: true,
        strict: false,
    };
    let Some(mut src) = crate::io::open_src_with(policy, operand) else {
        return;
    };
    let size = src.size();
    let shown = message::mask(&name);
    if size == 0 {
        message::error(&format!("{shown}: File is empty"));
        return;
    }
    if size < 24 {
        message::error(&format!("{shown}: Too small to be a valid .xz file"));
        return;
    }
    let mut r = Reader {
        file: &mut src.file,
        name: &name,
    };
    let info = match parse_file(&mut r, size) {
        Ok(i) => i,
        Err(ListError::Lib(e)) => {
            message::error(&format!("{shown}: {e}"));
            return;
        }
        Err(ListError::Io(m)) => {
            message::error(&m);
            return;
        }
    };
    let verbosity = message::verbosity();
    let detailed = verbosity >= Verbosity::Debug;
    let mut out = String::new();
    let mut memusage_max = 0u64;
    let mut all_sizes = true;
    let mut min_version = 50000002u32;
    let fail = |out: &str, e: ListError| {
        stdout_write(out.as_bytes());
        match e {
            ListError::Lib(e) => message::error(&format!("{shown}: {e}")),
            ListError::Io(m) => message::error(&m),
        }
    };
    let checks = info.checks();
    if message::robot() {
        out += &format!("name\t{shown}\n");
        out += &format!(
            "file\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
            info.streams.len(),
            info.block_count(),
            info.file_size,
            info.uncompressed(),
            ratio(info.file_size, info.uncompressed()),
            check_names(checks, false),
            info.padding()
        );
        if verbosity >= Verbosity::Verbose {
            for s in &info.streams {
                out += &format!(
                    "stream\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
                    s.number,
                    s.blocks.len(),
                    s.comp_offset,
                    s.uncomp_offset,
                    s.comp_size,
                    s.uncomp_size,
                    ratio(s.comp_size, s.uncomp_size),
                    CHECK_NAMES[usize::from(s.check)],
                    s.padding
                );
            }
            for s in &info.streams {
                for b in &s.blocks {
                    let d = if detailed {
                        match parse_details(&mut r, s, b) {
                            Ok(d) => Some(d),
                            Err(e) => return fail(&out, e),
                        }
                    } else {
                        None
                    };
                    out += &format!(
                        "block\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                        s.number,
                        b.number_in_stream,
                        b.number_in_file,
                        b.comp_offset,
                        b.uncomp_offset,
                        b.total_size(),
                        b.uncompressed,
                        ratio(b.total_size(), b.uncompressed),
                        CHECK_NAMES[usize::from(s.check)]
                    );
                    if let Some(d) = d {
                        out += &format!(
                            "\t{}\t{}\t{}\t{}\t{}\t{}",
                            d.check_value, d.header_size, d.flags, d.comp_size, d.memusage, d.chain
                        );
                        memusage_max = memusage_max.max(d.memusage);
                        all_sizes &= d.has_sizes;
                        min_version = min_version.max(d.min_version);
                    }
                    out.push('\n');
                }
            }
        }
        if detailed {
            out += &format!(
                "summary\t{memusage_max}\t{}\t{min_version}\n",
                if all_sizes { "yes" } else { "no" }
            );
        }
    } else if verbosity <= Verbosity::Warning {
        let mut t = totals_lock();
        if !t.headings_displayed {
            t.headings_displayed = true;
            out += "Strms  Blocks   Compressed Uncompressed  Ratio  Check   Filename\n";
        }
        drop(t);
        out += &format!(
            "{:>5} {:>7}  {:>11}  {:>11}  {:>5}  {:<7} {}\n",
            info.streams.len(),
            info.block_count(),
            nice(info.file_size),
            nice(info.uncompressed()),
            ratio(info.file_size, info.uncompressed()),
            check_names(checks, false),
            shown
        );
    } else {
        out += &adv_block(
            info.streams.len() as u64,
            info.block_count(),
            info.file_size,
            info.uncompressed(),
            checks,
            info.padding(),
        );
        out += "  Streams:\n    Stream    Blocks      CompOffset    UncompOffset        CompSize      UncompSize  Ratio  Check      Padding\n";
        let mut check_max = 0;
        for s in &info.streams {
            out += &format!(
                "    {:>6} {:>9} {:>15} {:>15} {:>15} {:>15}  {:>5}  {:<10} {:>7}\n",
                s.number,
                s.blocks.len(),
                s.comp_offset,
                s.uncomp_offset,
                s.comp_size,
                s.uncomp_size,
                ratio(s.comp_size, s.uncomp_size),
                CHECK_NAMES[usize::from(s.check)],
                s.padding
            );
            check_max = check_max.max(check_size(s.check));
        }
        if info.block_count() > 0 {
            let cvw = (2 * check_max as usize).max(8);
            out += &format!(
                "  Blocks:\n    {:>6} {:>9} {:>15} {:>15} {:>15} {:>15}  {:>5}  {:<w$}",
                "Stream",
                "Block",
                "CompOffset",
                "UncompOffset",
                "TotalSize",
                "UncompSize",
                "Ratio",
                "Check",
                w = if detailed { 10 } else { 1 }
            );
            if detailed {
                out += &format!(
                    " {:<cvw$}  {:>6}  {:<5} {:>15} {:>11}  {}",
                    "CheckVal", "Header", "Flags", "CompSize", "MemUsage", "Filters"
                );
            }
            out.push('\n');
            for s in &info.streams {
                for b in &s.blocks {
                    let d = if detailed {
                        match parse_details(&mut r, s, b) {
                            Ok(d) => Some(d),
                            Err(e) => return fail(&out, e),
                        }
                    } else {
                        None
                    };
                    out += &format!(
                        "    {:>6} {:>9} {:>15} {:>15} {:>15} {:>15}  {:>5}  {:<w$}",
                        s.number,
                        b.number_in_stream,
                        b.comp_offset,
                        b.uncomp_offset,
                        b.total_size(),
                        b.uncompressed,
                        ratio(b.total_size(), b.uncompressed),
                        CHECK_NAMES[usize::from(s.check)],
                        w = if detailed { 10 } else { 1 }
                    );
                    if let Some(d) = d {
                        out += &format!(
                            " {:<cvw$}  {:>6}  {:<5} {:>15} {:>7} MiB  {}",
                            d.check_value,
                            d.header_size,
                            d.flags,
                            d.comp_size,
                            round_up_to_mib(d.memusage),
                            d.chain
                        );
                        memusage_max = memusage_max.max(d.memusage);
                        all_sizes &= d.has_sizes;
                        min_version = min_version.max(d.min_version);
                    }
                    out.push('\n');
                }
            }
        }
        if detailed {
            out += &colon(
                "Memory needed:",
                &format!("{} MiB", round_up_to_mib(memusage_max)),
            );
            out += &colon("Sizes in headers:", if all_sizes { "Yes" } else { "No" });
            out += &format!("  Minimum XZ Utils version: {}\n", version_str(min_version));
        }
    }
    stdout_write(out.as_bytes());
    let mut t = totals_lock();
    // A total that does not fit in 64 bits (crafted indexes claim huge sizes) is a fatal
    // error, as in XZ Utils after 5.8.3, rather than a wrapped, wrong total.
    let sums = (
        t.files.checked_add(1),
        t.streams.checked_add(info.streams.len() as u64),
        t.blocks.checked_add(info.block_count()),
        t.compressed.checked_add(info.file_size),
        t.uncompressed.checked_add(info.uncompressed()),
        t.padding.checked_add(info.padding()),
    );
    let (
        Some(files),
        Some(streams),
        Some(blocks),
        Some(compressed),
        Some(uncompressed),
        Some(padding),
    ) = sums
    else {
        drop(t);
        message::fatal(
            "Error: The total compressed or uncompressed size of the files is too large",
        );
    };
    t.files = files;
    t.streams = streams;
    t.blocks = blocks;
    t.compressed = compressed;
    t.uncompressed = uncompressed;
    t.padding = padding;
    t.checks |= checks;
    t.memusage_max = t.memusage_max.max(memusage_max);
    t.min_version = t.min_version.max(if detailed { min_version } else { 0 });
    t.all_have_sizes &= all_sizes;
}

/// Prints the totals after all files.
pub fn totals() {
    let t = totals_lock();
    let v = message::verbosity();
    let mut out = String::new();
    if message::robot() {
        out += &format!(
            "totals\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            t.streams,
            t.blocks,
            t.compressed,
            t.uncompressed,
            ratio(t.compressed, t.uncompressed),
            check_names(t.checks, false),
            t.padding,
            t.files
        );
        if v >= Verbosity::Debug {
            out += &format!(
                "\t{}\t{}\t{}",
                t.memusage_max,
                if t.all_have_sizes { "yes" } else { "no" },
                t.min_version
            );
        }
        out.push('\n');
    } else if t.files > 1 {
        if v <= Verbosity::Warning {
            out += &"-".repeat(79);
            out.push('\n');
            out += &format!(
                "{:>5} {:>7}  {:>11}  {:>11}  {:>5}  {:<7} {} files\n",
                t.streams,
                t.blocks,
                nice(t.compressed),
                nice(t.uncompressed),
                ratio(t.compressed, t.uncompressed),
                check_names(t.checks, false),
                t.files
            );
        } else {
            out += "\nTotals:\n";
            out += &colon("Number of files:", &t.files.to_string());
            out += &adv_block(
                t.streams,
                t.blocks,
                t.compressed,
                t.uncompressed,
                t.checks,
                t.padding,
            );
            if v >= Verbosity::Debug {
                out += &colon(
                    "Memory needed:",
                    &format!("{} MiB", round_up_to_mib(t.memusage_max)),
                );
                out += &colon(
                    "Sizes in headers:",
                    if t.all_have_sizes { "Yes" } else { "No" },
                );
                out += &format!(
                    "  Minimum XZ Utils version: {}\n",
                    version_str(t.min_version)
                );
            }
        }
    }
    stdout_write(out.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_bytes(data: &[u8]) -> Result<FileInfo, ListError> {
        let dir = std::env::temp_dir().join(format!("xz-rs-list-unit-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let p = dir.join(format!("f{}", data.len()));
        std::fs::write(&p, data).expect("write");
        let mut f = File::open(&p).expect("open");
        let mut r = Reader {
            file: &mut f,
            name: "f",
        };
        let res = parse_file(&mut r, data.len() as u64);
        let _ = std::fs::remove_file(&p);
        res
    }

    #[test]
    fn streams_padding_and_offsets() {
        let a = lzma_core::compress(b"first stream", 6).expect("compress");
        let b = lzma_core::compress(b"", 6).expect("compress");
        let mut file = a.clone();
        file.extend_from_slice(&[0; 8]);
        file.extend_from_slice(&b);
        file.extend_from_slice(&[0; 4]);
        let info = parse_bytes(&file).expect("parse");
        assert_eq!(info.streams.len(), 2);
        assert_eq!(info.streams[0].padding, 8);
        assert_eq!(info.streams[1].padding, 4);
        assert_eq!(info.streams[1].comp_offset, a.len() as u64 + 8);
        assert_eq!(info.streams[0].uncomp_size, 12);
        assert_eq!(info.block_count(), 1);
        assert_eq!(info.streams[0].blocks[0].comp_offset, 12);
        // Three bytes of padding are not a multiple of four.
        let mut bad = a.clone();
        bad.extend_from_slice(&[0; 3]);
        assert!(parse_bytes(&bad).is_err());
        // Not .xz at all.
        assert!(matches!(
            parse_bytes(&[b'x'; 40]),
            Err(ListError::Lib(lzma_core::Error::Format(_)))
        ));
    }

    #[test]
    fn helpers() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(version_str(50000002), "5.0.0");
        assert_eq!(version_str(50060002), "5.6.0");
        assert_eq!(check_names(0, false), "None");
        assert_eq!(check_names((1 << 4) | (1 << 10), true), "CRC64, SHA-256");
        let mut p = 0;
        assert_eq!(read_vli(&[0x80, 0x01], &mut p).unwrap(), 128);
    }
}
