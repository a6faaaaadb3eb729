//! Parser and builder of the vector description language (see `corpus/README.md`).

use crate::gen;
use crate::lzma_enc::{props_byte, LzmaModel, Op, RangeEncoder};
use crate::{ErrorClass, Expect, Format, Vector};
use sha2::Digest;

/// A token of a description line.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Tok {
    /// A bare word such as `block`, `dist=5` or `text:1:100`.
    Word(String),
    /// A quoted string with escapes decoded.
    Str(Vec<u8>),
}

fn tokenize(line: &str) -> Result<Vec<Tok>, String> {
    let mut toks = Vec::new();
    let b = line.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
        } else if c == b'#' {
            break;
        } else if c == b'"' {
            i += 1;
            let mut s = Vec::new();
            loop {
                let Some(&c) = b.get(i) else { return Err("unterminated string".into()) };
                i += 1;
                match c {
                    b'"' => break,
                    b'\\' => {
                        let Some(&e) = b.get(i) else { return Err("bad escape".into()) };
                        i += 1;
                        match e {
                            b'n' => s.push(b'\n'),
                            b't' => s.push(b'\t'),
                            b'r' => s.push(b'\r'),
                            b'0' => s.push(0),
                            b'\\' => s.push(b'\\'),
                            b'"' => s.push(b'"'),
                            b'x' => {
                                let h = line.get(i..i + 2).ok_or("bad \\x escape")?;
                                s.push(u8::from_str_radix(h, 16).map_err(|e| e.to_string())?);
                                i += 2;
                            }
                            _ => return Err(format!("unknown escape \\{}", e as char)),
                        }
                    }
                    _ => s.push(c),
                }
            }
            toks.push(Tok::Str(s));
        } else {
            let start = i;
            while i < b.len() && !b[i].is_ascii_whitespace() {
                i += 1;
            }
            toks.push(Tok::Word(line[start..i].to_string()));
        }
    }
    Ok(toks)
}

/// Parses a number: decimal, `0x` hex, `2^N`, with an optional `KiB`/`MiB`/`GiB` suffix,
/// and `a+b` / `a-b` of such terms (`2^63-1`).
pub fn parse_num(s: &str) -> Result<u64, String> {
    if let Some(p) = s.rfind(['+', '-']).filter(|&p| p > 0) {
        let a = parse_num(&s[..p])?;
        let b = parse_num(&s[p + 1..])?;
        return if &s[p..=p] == "+" { a.checked_add(b) } else { a.checked_sub(b) }
            .ok_or_else(|| format!("overflow in {s}"));
    }
    let (body, mul) = if let Some(x) = s.strip_suffix("KiB") {
        (x, 1u64 << 10)
    } else if let Some(x) = s.strip_suffix("MiB") {
        (x, 1 << 20)
    } else if let Some(x) = s.strip_suffix("GiB") {
        (x, 1 << 30)
    } else {
        (s, 1)
    };
    let v = if let Some((a, e)) = body.split_once('^') {
        let a = parse_num(a)?;
        let e: u32 = e.parse().map_err(|_| format!("bad exponent in {s}"))?;
        a.checked_pow(e).ok_or_else(|| format!("overflow in {s}"))?
    } else if let Some(h) = body.strip_prefix("0x") {
        u64::from_str_radix(h, 16).map_err(|_| format!("bad number {s}"))?
    } else {
        body.parse().map_err(|_| format!("bad number {s}"))?
    };
    v.checked_mul(mul).ok_or_else(|| format!("overflow in {s}"))
}

struct Line {
    toks: Vec<Tok>,
    no: usize,
}

impl Line {
    fn word(&self, i: usize) -> Option<&str> {
        match self.toks.get(i) {
            Some(Tok::Word(w)) => Some(w),
            _ => None,
        }
    }
    fn kv(&self, key: &str) -> Option<&str> {
        self.toks.iter().find_map(|t| match t {
            Tok::Word(w) => w.strip_prefix(key).and_then(|r| r.strip_prefix('=')),
            _ => None,
        })
    }
    fn num(&self, key: &str) -> Result<Option<u64>, String> {
        self.kv(key).map(parse_num).transpose()
    }
    fn flag(&self, f: &str) -> bool {
        self.toks.iter().any(|t| matches!(t, Tok::Word(w) if w == f))
    }
    /// Data items from token `from` on: quoted strings and generator specs (`zeros:N`...);
    /// `key=value` words are skipped.
    fn data(&self, from: usize) -> Result<Vec<u8>, String> {
        let mut v = Vec::new();
        for t in self.toks.iter().skip(from) {
            match t {
                Tok::Str(s) => v.extend_from_slice(s),
                // `key=value` options and bare flags (`reset-dict`) are not data.
                Tok::Word(w) if w.contains('=') || !w.contains(':') => {}
                Tok::Word(w) => {
                    v.extend(gen::item(w).ok_or_else(|| format!("unknown data item {w}"))?)
                }
            }
        }
        Ok(v)
    }
}

/// A vector as written, before building.
struct RawVector {
    name: String,
    family: &'static str,
    header: Line,
    body: Vec<Line>,
}

/// Encodes a VLI, optionally padded to `min_bytes` with non-minimal continuation bytes.
fn vli(mut v: u64, min_bytes: usize) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let b = (v & 0x7F) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            break;
        }
        out.push(b | 0x80);
    }
    while out.len() < min_bytes {
        let last = out.len() - 1;
        out[last] |= 0x80;
        out.push(0);
    }
    out
}

fn crc32(d: &[u8]) -> u32 {
    crc32fast::hash(d)
}

fn check_size(id: u8) -> usize {
    match id {
        0 => 0,
        1..=3 => 4,
        4..=6 => 8,
        7..=9 => 16,
        10..=12 => 32,
        _ => 64,
    }
}

fn check_value(id: u8, data: &[u8]) -> Vec<u8> {
    match id {
        0 => vec![],
        1 => crc32(data).to_le_bytes().to_vec(),
        4 => {
            let mut d = crc64fast::Digest::new();
            d.write(data);
            d.sum64().to_le_bytes().to_vec()
        }
        10 => sha2::Sha256::digest(data).to_vec(),
        // Reserved check IDs: the field is there but its content is not defined; zeros.
        other => vec![0; check_size(other)],
    }
}

fn check_id(name: &str) -> Result<u8, String> {
    Ok(match name {
        "none" => 0,
        "crc32" => 1,
        "crc64" => 4,
        "sha256" => 10,
        n => u8::try_from(parse_num(n)?).map_err(|_| format!("bad check {n}"))?,
    })
}

/// The smallest LZMA2 dictionary-size byte whose size is at least `dict`.
fn lzma2_dict_byte(dict: u64) -> u8 {
    for b in 0u8..40 {
        let size = (2u64 | u64::from(b & 1)) << (b / 2 + 11);
        if size >= dict {
            return b;
        }
    }
    40
}

fn lzip_dict_byte(dict: u64) -> u8 {
    // Smallest coded size >= dict: 2^n - f * 2^(n-4).
    let mut best = (u64::MAX, 0x1D);
    for n in 12u8..=29 {
        for f in 0u8..8 {
            if n == 12 && f > 0 {
                continue;
            }
            let size = (1u64 << n) - (u64::from(f) << (n - 4));
            if size >= dict && size < best.0 {
                best = (size, (f << 5) | n);
            }
        }
    }
    best.1
}

#[derive(Clone, Debug)]
enum FilterSpec {
    Lzma2(u8),
    Delta(u32),
    Bcj { id: u64, start: Option<u32> },
    Other { id: u64, props: Vec<u8> },
}

struct Chunk {
    reset: u8,
    props: (u32, u32, u32),
    rc: RangeEncoder,
    hist_start: usize,
    header_line: Line,
}

struct Block {
    line: Line,
    filters: Vec<FilterSpec>,
    payload: Vec<u8>,
    chunk_regions: Vec<(usize, usize)>,
    output: Vec<u8>,
    chunk: Option<Chunk>,
}

struct Builder {
    out: Vec<u8>,
    regions: Vec<(String, usize, usize)>,
    content: Vec<u8>,
    model: LzmaModel,
    // .xz
    check: u8,
    flags: [u8; 2],
    records: Vec<(u64, u64)>,
    index_start: Option<usize>,
    block: Option<Block>,
    // .lzma / lzip data
    data_rc: Option<(RangeEncoder, usize, Line)>,
    lzma_size_at: Option<usize>,
    lzip: Option<(u8, usize, usize)>,
}

fn bcj_id(name: &str) -> Option<u64> {
    Some(match name {
        "x86" => 4,
        "powerpc" => 5,
        "ia64" => 6,
        "arm" => 7,
        "armthumb" => 8,
        "sparc" => 9,
        "arm64" => 10,
        "riscv" => 11,
        _ => return None,
    })
}

impl Builder {
    fn new() -> Self {
        Builder {
            out: Vec::new(),
            regions: Vec::new(),
            content: Vec::new(),
            model: LzmaModel::new(3, 0, 2),
            check: 1,
            flags: [0, 1],
            records: Vec::new(),
            index_start: None,
            block: None,
            data_rc: None,
            lzma_size_at: None,
            lzip: None,
        }
    }

    fn region(&mut self, name: &str, start: usize) {
        self.regions.push((name.to_string(), start, self.out.len()));
    }

    fn emit(&mut self, name: &str, bytes: &[u8]) {
        let s = self.out.len();
        self.out.extend_from_slice(bytes);
        self.region(name, s);
    }

    fn ops_target(&mut self) -> Option<&mut RangeEncoder> {
        if let Some(b) = self.block.as_mut() {
            if let Some(c) = b.chunk.as_mut() {
                return Some(&mut c.rc);
            }
        }
        self.data_rc.as_mut().map(|d| &mut d.0)
    }

    fn line(&mut self, l: Line) -> Result<(), String> {
        let cmd = l.word(0).ok_or("line must start with a keyword")?.to_string();
        // Operations inside an LZMA chunk or LZMA data section.
        let op = match cmd.as_str() {
            "lit" => Some(Op::Lit(l.data(1)?)),
            "auto" => Some(Op::Auto(l.data(1)?)),
            "match" => Some(Op::Match {
                dist: u32::try_from(l.num("dist")?.ok_or("match needs dist=")?)
                    .map_err(|_| "dist too big")?,
                len: l.num("len")?.ok_or("match needs len=")? as usize,
            }),
            "rep0" | "rep1" | "rep2" | "rep3" => Some(Op::Rep {
                which: usize::from(cmd.as_bytes()[3] - b'0'),
                len: l.num("len")?.ok_or("rep needs len=")? as usize,
            }),
            "shortrep" => Some(Op::ShortRep),
            "eopm" => Some(Op::Eopm),
            _ => None,
        };
        if let Some(op) = op {
            let mut model = std::mem::replace(&mut self.model, LzmaModel::new(0, 0, 0));
            let r = match self.ops_target() {
                Some(rc) => model.op(rc, &op),
                None => Err(format!("`{cmd}` outside an LZMA chunk or data section")),
            };
            self.model = model;
            return r;
        }
        match cmd.as_str() {
            "stream-header" => {
                let id = check_id(l.kv("check").unwrap_or("crc32"))?;
                self.check = id;
                self.flags = [0, id];
                if let Some(f) = l.num("flags0")? {
                    self.flags[0] = f as u8;
                }
                if let Some(f) = l.num("flags1")? {
                    self.flags[1] = f as u8;
                }
                self.records.clear();
                let mut h = vec![0xFD, b'7', b'z', b'X', b'Z', 0, self.flags[0], self.flags[1]];
                let c = crc32(&self.flags);
                h.extend_from_slice(&c.to_le_bytes());
                self.emit("stream-header", &h);
            }
            "empty-stream" => {
                let check = l.kv("check").unwrap_or("crc32").to_string();
                self.line(mkline(&format!("stream-header check={check}"), l.no))?;
                self.line(mkline("index", l.no))?;
                self.line(mkline("stream-footer", l.no))?;
            }
            "block" => {
                if self.block.is_some() {
                    return Err("block inside block".into());
                }
                self.model = LzmaModel::new(3, 0, 2);
                self.block = Some(Block {
                    line: l,
                    filters: Vec::new(),
                    payload: Vec::new(),
                    chunk_regions: Vec::new(),
                    output: Vec::new(),
                    chunk: None,
                });
            }
            "filter" => {
                let b = self.block.as_mut().ok_or("filter outside block")?;
                let kind = l.word(1).ok_or("filter needs a kind")?;
                let f = if kind == "lzma2" {
                    let byte = match (l.num("dict")?, l.num("props")?) {
                        (_, Some(p)) => p as u8,
                        (Some(d), None) => lzma2_dict_byte(d),
                        (None, None) => lzma2_dict_byte(8 << 20),
                    };
                    FilterSpec::Lzma2(byte)
                } else if kind == "delta" {
                    FilterSpec::Delta(l.num("dist")?.unwrap_or(1) as u32)
                } else if let Some(id) = bcj_id(kind) {
                    FilterSpec::Bcj { id, start: l.num("start")?.map(|s| s as u32) }
                } else if let Some(id) = l.num("id")? {
                    let mut props = vec![0; l.num("props-size")?.unwrap_or(0) as usize];
                    if let Some(p) = l.kv("props") {
                        props = p
                            .split(',')
                            .map(|x| parse_num(x).map(|v| v as u8))
                            .collect::<Result<_, _>>()?;
                    }
                    FilterSpec::Other { id, props }
                } else {
                    return Err(format!("unknown filter {kind}"));
                };
                b.filters.push(f);
            }
            "chunk" => self.chunk(l)?,
            "end-chunk" => self.end_chunk()?,
            "data" => {
                let d = l.data(1)?;
                let b = self.block.as_mut().ok_or("data outside block")?;
                b.payload.extend_from_slice(&d);
            }
            "end-block" => self.end_block(&l)?,
            "index" => self.index(&l)?,
            "stream-footer" => {
                let flags = [
                    l.num("flags0")?.map(|v| v as u8).unwrap_or(self.flags[0]),
                    match l.kv("check") {
                        Some(c) => check_id(c)?,
                        None => self.flags[1],
                    },
                ];
                let idx_size = match self.index_start {
                    Some(s) => (self.out.len() - s) as u64,
                    None => 8,
                };
                let backward = match l.num("backward")? {
                    Some(b) => b as u32,
                    None => (idx_size / 4).saturating_sub(1) as u32,
                };
                let mut body = backward.to_le_bytes().to_vec();
                body.extend_from_slice(&flags);
                let mut f = crc32(&body).to_le_bytes().to_vec();
                f.extend_from_slice(&body);
                f.extend_from_slice(b"YZ");
                self.emit("stream-footer", &f);
            }
            "stream-padding" => {
                let n = l.word(1).map(parse_num).transpose()?.ok_or("stream-padding needs a size")?;
                self.emit("stream-padding", &vec![0; n as usize]);
            }
            "garbage" => {
                let d = l.data(1)?;
                self.emit("garbage", &d);
            }
            "lzma-header" => {
                let (lc, lp, pb) = lclppb(&l)?;
                let pbyte = l.num("props-byte")?.map(|v| v as u8).unwrap_or(props_byte(lc, lp, pb));
                let dict = l.num("dict")?.unwrap_or(1 << 20) as u32;
                let mut h = vec![pbyte];
                h.extend_from_slice(&dict.to_le_bytes());
                self.lzma_size_at = None;
                match l.kv("size").unwrap_or("auto") {
                    "auto" => {
                        self.lzma_size_at = Some(self.out.len() + 5);
                        h.extend_from_slice(&[0; 8]);
                    }
                    "unknown" => h.extend_from_slice(&u64::MAX.to_le_bytes()),
                    n => h.extend_from_slice(&parse_num(n)?.to_le_bytes()),
                }
                self.emit("lzma-header", &h);
                self.model = LzmaModel::new(lc, lp, pb);
            }
            "lzip-header" => {
                let version = l.num("version")?.unwrap_or(1) as u8;
                let db = match (l.num("dict-byte")?, l.num("dict")?) {
                    (Some(b), _) => b as u8,
                    (None, Some(d)) => lzip_dict_byte(d),
                    (None, None) => lzip_dict_byte(1 << 20),
                };
                let magic = match l.data(1)? {
                    m if m.is_empty() => b"LZIP".to_vec(),
                    m => m,
                };
                let start = self.out.len();
                let mut h = magic;
                h.push(version);
                h.push(db);
                self.emit("lzip-header", &h);
                self.lzip = Some((version, start, self.content.len()));
                self.model = LzmaModel::new(3, 0, 2);
            }
            "lzma-data" => {
                if l.kv("lc").is_some() {
                    let (lc, lp, pb) = lclppb(&l)?;
                    self.model = LzmaModel::new(lc, lp, pb);
                }
                self.model.reset_dict();
                self.data_rc = Some((RangeEncoder::new(), self.out.len(), l));
            }
            "end-data" => {
                let (rc, _start, _) = self.data_rc.take().ok_or("end-data without lzma-data")?;
                let bytes = rc.finish();
                self.emit("lzma-data", &bytes);
                let new = self.model.take_new();
                self.content.extend_from_slice(&new);
                if let Some(at) = self.lzma_size_at.take() {
                    let n = new.len() as u64;
                    self.out[at..at + 8].copy_from_slice(&n.to_le_bytes());
                }
            }
            "lzip-trailer" => {
                let (version, start, cstart) = self.lzip.take().ok_or("lzip-trailer without header")?;
                let data = &self.content[cstart..];
                let crc = l.num("crc")?.map(|v| v as u32).unwrap_or(crc32(data));
                let size = l.num("data-size")?.unwrap_or(data.len() as u64);
                let mut t = crc.to_le_bytes().to_vec();
                t.extend_from_slice(&size.to_le_bytes());
                if version != 0 || l.flag("member-size") {
                    let member = (self.out.len() - start + 20) as u64;
                    let m = l.num("member-size")?.unwrap_or(member);
                    t.extend_from_slice(&m.to_le_bytes());
                }
                self.emit("lzip-trailer", &t);
            }
            other => return Err(format!("unknown statement `{other}`")),
        }
        Ok(())
    }

    fn chunk(&mut self, l: Line) -> Result<(), String> {
        let kind = l.word(1).ok_or("chunk needs a kind")?.to_string();
        let b = self.block.as_mut().ok_or("chunk outside block")?;
        if b.chunk.is_some() {
            return Err("chunk inside chunk (missing end-chunk)".into());
        }
        let start = b.payload.len();
        match kind.as_str() {
            "end" => b.payload.push(0),
            "control" => {
                let c = l.num("value")?.ok_or("chunk control needs value=")?;
                b.payload.push(c as u8);
            }
            "stored" => {
                let d = l.data(2)?;
                let reset = l.flag("reset-dict");
                let size = l.num("size")?.unwrap_or(d.len() as u64);
                let s1 = size.checked_sub(1).ok_or("stored chunk can't be empty")?;
                b.payload.push(if reset { 1 } else { 2 });
                b.payload.extend_from_slice(&(s1 as u16).to_be_bytes());
                b.payload.extend_from_slice(&d);
                if reset {
                    self.model.reset_dict();
                }
                self.model.append_stored(&d);
            }
            "lzma" => {
                let reset = match l.kv("reset").unwrap_or("none") {
                    "none" => 0,
                    "state" => 1,
                    "props" => 2,
                    "dict" => 3,
                    r => return Err(format!("bad reset {r}")),
                };
                let props = if l.kv("lc").is_some() { lclppb(&l)? } else { (3, 0, 2) };
                if reset == 3 {
                    self.model.reset_dict();
                }
                if reset >= 1 {
                    self.model.reset_state(props.0, props.1, props.2);
                }
                let hist_start = self.model.history.len();
                b.chunk = Some(Chunk { reset, props, rc: RangeEncoder::new(), hist_start, header_line: l });
                return Ok(());
            }
            k => return Err(format!("unknown chunk kind {k}")),
        }
        let end = b.payload.len();
        b.chunk_regions.push((start, end));
        Ok(())
    }

    fn end_chunk(&mut self) -> Result<(), String> {
        let b = self.block.as_mut().ok_or("end-chunk outside block")?;
        let c = b.chunk.take().ok_or("end-chunk without chunk")?;
        let data = c.rc.finish();
        let usize_ = (self.model.history.len() - c.hist_start) as u64;
        let l = &c.header_line;
        let u = l.num("usize")?.unwrap_or(usize_);
        let cs = l.num("csize")?.unwrap_or(data.len() as u64);
        let u1 = u.checked_sub(1).ok_or("empty LZMA chunk")?;
        let c1 = cs.checked_sub(1).ok_or("empty LZMA chunk")?;
        if u1 >= 1 << 21 || c1 >= 1 << 16 {
            return Err(format!("LZMA chunk too big: {u} -> {cs}"));
        }
        let start = b.payload.len();
        let control = l.num("control")?.map(|v| v as u8).unwrap_or(0x80 | (c.reset << 5) | (u1 >> 16) as u8);
        b.payload.push(control);
        b.payload.extend_from_slice(&(u1 as u16).to_be_bytes());
        b.payload.extend_from_slice(&(c1 as u16).to_be_bytes());
        if c.reset >= 2 || l.kv("props-byte").is_some() {
            let p = l.num("props-byte")?.map(|v| v as u8).unwrap_or(props_byte(c.props.0, c.props.1, c.props.2));
            b.payload.push(p);
        }
        b.payload.extend_from_slice(&data);
        b.chunk_regions.push((start, b.payload.len()));
        Ok(())
    }

    fn end_block(&mut self, end: &Line) -> Result<(), String> {
        let mut b = self.block.take().ok_or("end-block without block")?;
        if b.chunk.is_some() {
            return Err("end-block inside a chunk".into());
        }
        // What LZMA2 produced, then the other filters' decoders (delta; BCJ must be identity
        // on the data chosen: the reference check of the unit tests confirms it).
        let mut data = self.model.take_new();
        for f in b.filters.iter().rev() {
            if let FilterSpec::Delta(dist) = f {
                let d = *dist as usize;
                for i in d..data.len() {
                    data[i] = data[i].wrapping_add(data[i - d]);
                }
            }
        }
        b.output = data;
        let l = &b.line;
        let mut h = vec![0u8, 0u8];
        let nf = l.num("nfilters")?.unwrap_or(b.filters.len() as u64);
        let mut flags = (nf.saturating_sub(1) & 3) as u8;
        let csize_actual = b.payload.len() as u64;
        let csize = if l.flag("csize") { Some(csize_actual) } else { l.num("csize")? };
        let usize_ = if l.flag("usize") { Some(b.output.len() as u64) } else { l.num("usize")? };
        if csize.is_some() {
            flags |= 0x40;
        }
        if usize_.is_some() {
            flags |= 0x80;
        }
        if let Some(r) = l.num("reserved-bits")? {
            flags |= (r as u8) << 2;
        }
        h[1] = flags;
        let csize_bytes = l.num("csize-bytes")?.unwrap_or(0) as usize;
        let usize_bytes = l.num("usize-bytes")?.unwrap_or(0) as usize;
        if let Some(c) = csize {
            h.extend(vli(c, csize_bytes));
        }
        if let Some(u) = usize_ {
            h.extend(vli(u, usize_bytes));
        }
        for f in &b.filters {
            let (id, props) = match f {
                FilterSpec::Lzma2(p) => (0x21, vec![*p]),
                FilterSpec::Delta(d) => (3, vec![d.wrapping_sub(1) as u8]),
                FilterSpec::Bcj { id, start } => {
                    (*id, start.map(|s| s.to_le_bytes().to_vec()).unwrap_or_default())
                }
                FilterSpec::Other { id, props } => (*id, props.clone()),
            };
            h.extend(vli(id, 0));
            h.extend(vli(props.len() as u64, 0));
            h.extend(props);
        }
        let pad_byte = l.num("pad-byte")?.unwrap_or(0) as u8;
        let extra = l.num("pad")?.unwrap_or(0) as usize;
        let mut body_len = h.len().div_ceil(4) * 4 + extra;
        if let Some(hs) = l.num("header-size")? {
            body_len = (hs as usize).checked_sub(4).ok_or("header-size too small")?;
        }
        h.truncate(body_len);
        while h.len() < body_len {
            h.push(pad_byte);
        }
        h[0] = l.num("size-byte")?.map(|v| v as u8).unwrap_or(((body_len + 4) / 4 - 1) as u8);
        let c = crc32(&h);
        h.extend_from_slice(&c.to_le_bytes());
        let hdr_len = h.len();
        self.emit("block-header", &h);
        let data_start = self.out.len();
        self.out.extend_from_slice(&b.payload);
        for &(s, e) in &b.chunk_regions {
            self.regions.push(("chunk".into(), data_start + s, data_start + e));
        }
        self.region("block-data", data_start);
        let pad = (4 - b.payload.len() % 4) % 4;
        let pb = end.num("pad-byte")?.unwrap_or(0) as u8;
        self.emit("block-padding", &vec![pb; pad]);
        let chk = check_value(self.check, &b.output);
        self.emit("check", &chk);
        let unpadded = (hdr_len + b.payload.len() + chk.len()) as u64;
        self.records.push((unpadded, b.output.len() as u64));
        self.content.extend_from_slice(&b.output);
        Ok(())
    }

    fn index(&mut self, l: &Line) -> Result<(), String> {
        let mut recs = self.records.clone();
        for (i, r) in recs.iter_mut().enumerate() {
            if let Some(u) = l.num(&format!("unpadded.{i}"))? {
                r.0 = u;
            }
            if let Some(u) = l.num(&format!("usize.{i}"))? {
                r.1 = u;
            }
        }
        if let Some(a) = l.kv("add") {
            let (u, s) = a.split_once(':').ok_or("add=UNPADDED:USIZE")?;
            recs.push((parse_num(u)?, parse_num(s)?));
        }
        let mut ix = vec![0u8];
        ix.extend(vli(l.num("count")?.unwrap_or(recs.len() as u64), 0));
        for (u, s) in &recs {
            ix.extend(vli(*u, 0));
            ix.extend(vli(*s, 0));
        }
        let pb = l.num("pad-byte")?.unwrap_or(0) as u8;
        while ix.len() % 4 != 0 {
            ix.push(pb);
        }
        let c = crc32(&ix);
        ix.extend_from_slice(&c.to_le_bytes());
        self.index_start = Some(self.out.len());
        self.emit("index", &ix);
        Ok(())
    }

    fn edit(&mut self, l: &Line) -> Result<(), String> {
        let kind = l.word(1).ok_or("edit needs a kind")?;
        let region = |b: &Builder, spec: Option<&str>| -> Result<(usize, usize), String> {
            let spec = spec.ok_or("edit needs a region")?;
            if spec == "file" {
                return Ok((0, b.out.len()));
            }
            let (name, k) = match spec.split_once('#') {
                Some((n, k)) => (n, parse_num(k)? as usize),
                None => (spec, 0),
            };
            b.regions
                .iter()
                .filter(|r| r.0 == name)
                .nth(k)
                .map(|r| (r.1, r.2))
                .ok_or_else(|| format!("no region {spec}"))
        };
        let at = |b: &Builder| -> Result<usize, String> {
            let (s, e) = region(b, l.word(2))?;
            let off = l.kv("byte").ok_or("edit needs byte=")?;
            let pos = if let Some(neg) = off.strip_prefix('-') {
                e.checked_sub(parse_num(neg)? as usize).ok_or("byte before region")?
            } else {
                s + parse_num(off)? as usize
            };
            if pos >= b.out.len() {
                return Err(format!("edit position {pos} past end"));
            }
            Ok(pos)
        };
        match kind {
            "flip" => {
                let p = at(self)?;
                let bit = l.num("bit")?.unwrap_or(0);
                self.out[p] ^= 1 << bit;
            }
            "set" => {
                let p = at(self)?;
                self.out[p] = l.num("value")?.ok_or("set needs value=")? as u8;
            }
            "truncate" => {
                if let Some(n) = l.num("last")? {
                    let n = (n as usize).min(self.out.len());
                    self.out.truncate(self.out.len() - n);
                } else if let Some(k) = l.num("keep")? {
                    self.out.truncate(k as usize);
                } else {
                    let p = at(self)?;
                    self.out.truncate(p);
                }
            }
            "append" => {
                let d = l.data(2)?;
                self.out.extend_from_slice(&d);
            }
            "remove" => {
                let (s, e) = region(self, l.word(2))?;
                self.out.drain(s..e);
                let n = e - s;
                let shift = |p: usize| if p >= e { p - n } else if p > s { s } else { p };
                for r in &mut self.regions {
                    r.1 = shift(r.1);
                    r.2 = shift(r.2);
                }
            }
            k => return Err(format!("unknown edit {k}")),
        }
        Ok(())
    }
}

fn error_class(s: &str) -> Result<ErrorClass, String> {
    Ok(match s {
        "format" => ErrorClass::Format,
        "corrupt" => ErrorClass::Corrupt,
        "truncated" => ErrorClass::Truncated,
        "unsupported" => ErrorClass::Unsupported,
        "memlimit" => ErrorClass::MemLimit,
        other => return Err(format!("unknown error class {other:?}")),
    })
}

fn lclppb(l: &Line) -> Result<(u32, u32, u32), String> {
    let lc = l.num("lc")?.unwrap_or(3) as u32;
    let lp = l.num("lp")?.unwrap_or(0) as u32;
    let pb = l.num("pb")?.unwrap_or(2) as u32;
    if lc > 8 || lp > 4 || pb > 4 {
        return Err("lc/lp/pb out of range".into());
    }
    Ok((lc, lp, pb))
}

fn mkline(s: &str, no: usize) -> Line {
    Line { toks: tokenize(s).unwrap_or_default(), no }
}

fn split(family: &'static str, text: &str) -> Result<Vec<RawVector>, String> {
    let mut out: Vec<RawVector> = Vec::new();
    let mut default_format: Option<String> = None;
    for (i, raw) in text.lines().enumerate() {
        let no = i + 1;
        let toks = tokenize(raw).map_err(|e| format!("{family}:{no}: {e}"))?;
        if toks.is_empty() {
            continue;
        }
        let line = Line { toks, no };
        match line.word(0) {
            Some("defaults") => default_format = line.kv("format").map(str::to_string),
            Some("vector") => {
                let name = line.word(1).ok_or(format!("{family}:{no}: vector needs a name"))?;
                let mut header = line_clone(&line);
                if header.kv("format").is_none() {
                    if let Some(f) = &default_format {
                        header.toks.push(Tok::Word(format!("format={f}")));
                    }
                }
                out.push(RawVector { name: name.to_string(), family, header, body: Vec::new() });
            }
            _ => out
                .last_mut()
                .ok_or(format!("{family}:{no}: statement before the first vector"))?
                .body
                .push(line),
        }
    }
    Ok(out)
}

fn line_clone(l: &Line) -> Line {
    Line { toks: l.toks.clone(), no: l.no }
}

fn is_meta(l: &Line) -> bool {
    matches!(l.word(0), Some("expect") | Some("note"))
}

fn resolve<'a>(
    all: &'a [RawVector],
    v: &'a RawVector,
    depth: usize,
) -> Result<Vec<&'a Line>, String> {
    if depth > 16 {
        return Err(format!("{}: like= chain too deep", v.name));
    }
    let mut lines = Vec::new();
    if let Some(base) = v.header.kv("like") {
        let b = all.iter().find(|x| x.name == base).ok_or(format!("{}: no vector {base}", v.name))?;
        lines.extend(resolve(all, b, depth + 1)?.into_iter().filter(|l| !is_meta(l)));
    }
    lines.extend(v.body.iter());
    Ok(lines)
}

fn build(all: &[RawVector], v: &RawVector) -> Result<Vector, String> {
    let lines = resolve(all, v, 0)?;
    let mut b = Builder::new();
    let mut expect = None;
    let mut note = String::new();
    let mut edits = Vec::new();
    let ctx = |l: &Line, e: String| format!("{}:{}: {}: {e}", v.family, l.no, v.name);
    for l in &lines {
        match l.word(0) {
            Some("expect") => {
                let e = match l.word(1) {
                    Some("ok") => Expect::Output(l.data(2).map_err(|e| ctx(l, e))?),
                    Some("unsupported-check") => {
                        Expect::UnsupportedCheck(l.data(2).map_err(|e| ctx(l, e))?)
                    }
                    Some("error") => {
                        Expect::Error(error_class(l.word(2).unwrap_or("")).map_err(|e| ctx(l, e))?)
                    }
                    other => return Err(ctx(l, format!("unknown expectation {other:?}"))),
                };
                expect = Some(e);
            }
            Some("note") => {
                if !note.is_empty() {
                    note.push(' ');
                }
                note.push_str(&l.data(1).map(|d| String::from_utf8_lossy(&d).into_owned()).unwrap_or_default());
            }
            Some("edit") => edits.push(*l),
            _ => b.line(line_clone(l)).map_err(|e| ctx(l, e))?,
        }
    }
    if b.block.is_some() || b.data_rc.is_some() {
        return Err(format!("{}: unterminated block or data section", v.name));
    }
    for l in edits {
        b.edit(l).map_err(|e| ctx(l, e))?;
    }
    let expect = expect.ok_or(format!("{}: no expect line", v.name))?;
    if let Expect::Output(o) | Expect::UnsupportedCheck(o) = &expect {
        if *o != b.content {
            return Err(format!(
                "{}: the description implies {} output bytes that differ from the expected {}: {:?}",
                v.name,
                b.content.len(),
                o.len(),
                String::from_utf8_lossy(&b.content[..b.content.len().min(300)])
            ));
        }
    }
    let format = match v.header.kv("format").unwrap_or("xz") {
        "xz" => Format::Xz,
        "lzma" => Format::Lzma,
        "lzip" => Format::Lzip,
        "auto" => Format::Auto,
        f => return Err(format!("{}: unknown format {f}", v.name)),
    };
    Ok(Vector {
        name: v.name.clone(),
        family: v.family,
        format,
        bytes: b.out,
        expect,
        memlimit: v.header.num("memlimit").map_err(|e| format!("{}: {e}", v.name))?,
        single_stream: v.header.flag("single-stream"),
        note,
        cli_expect: v.header.kv("cli").map(error_class).transpose().map_err(|e| format!("{}: {e}", v.name))?,
        since: match v.header.kv("since") {
            Some(s) => {
                let (a, b) = s.split_once('.').ok_or(format!("{}: since=MAJOR.MINOR", v.name))?;
                Some((parse_num(a)? as u32, parse_num(b)? as u32))
            }
            None => None,
        },
    })
}

/// Builds every vector of the given families; an error names the file, line and vector.
pub(crate) fn build_all(families: &[(&'static str, &'static str)]) -> Result<Vec<Vector>, String> {
    let mut raws = Vec::new();
    for (fam, text) in families {
        raws.extend(split(fam, text)?);
    }
    let mut seen = std::collections::HashSet::new();
    for r in &raws {
        if !seen.insert(r.name.as_str()) {
            return Err(format!("duplicate vector name {}", r.name));
        }
    }
    let mut out = Vec::new();
    for r in &raws {
        out.push(build(&raws, r)?);
        // Sweeps: every truncation point of a vector.
        if let Some(step) = r.header.num("truncations").map_err(|e| format!("{}: {e}", r.name))? {
            let base = out.last().cloned().ok_or("no vector")?;
            let class = error_class(r.header.kv("truncations-expect").unwrap_or("truncated"))?;
            let mut k = 0usize;
            while k < base.bytes.len() {
                out.push(Vector {
                    name: format!("{}-cut{k}", base.name),
                    bytes: base.bytes[..k].to_vec(),
                    // The decoders wait for a whole header (an .xz prefix shorter than its
                    // 12-byte stream header is truncated, as in liblzma).
                    expect: Expect::Error(class),
                    note: format!("{} cut to its first {k} bytes", base.name),
                    // The xz command checks the magic bytes before decoding: a prefix shorter
                    // than them is not recognisable.
                    cli_expect: (k < match base.format {
                        Format::Xz => 6,
                        Format::Lzip => 4,
                        Format::Lzma | Format::Auto => 13,
                    })
                    .then_some(ErrorClass::Format),
                    ..base.clone()
                });
                k += step.max(1) as usize;
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(parse_num("2^63").unwrap(), 1 << 63);
        assert_eq!(parse_num("2^63-1").unwrap(), (1 << 63) - 1);
        assert_eq!(parse_num("64KiB").unwrap(), 65536);
        assert_eq!(parse_num("0x7F").unwrap(), 127);
        assert_eq!(parse_num("8MiB+1").unwrap(), (8 << 20) + 1);
        assert!(parse_num("2^64").is_err());
    }

    #[test]
    fn vlis() {
        assert_eq!(vli(0, 0), [0]);
        assert_eq!(vli(0x80, 0), [0x80, 1]);
        assert_eq!(vli(13, 2), [0x8D, 0]);
        assert_eq!(vli(u64::MAX >> 1, 0).len(), 9);
    }

    #[test]
    fn strings() {
        let t = tokenize(r#"lit "a\"b\n\x00" match dist=1 # c"#).unwrap();
        assert_eq!(t[1], Tok::Str(b"a\"b\n\0".to_vec()));
        assert_eq!(t.len(), 4);
    }

    #[test]
    fn dict_bytes() {
        assert_eq!(lzma2_dict_byte(4096), 0);
        assert_eq!(lzma2_dict_byte(8 << 20), 22);
        assert_eq!(lzip_dict_byte(1 << 20), 20);
        assert_eq!(lzip_dict_byte(4096), 12);
    }
}
