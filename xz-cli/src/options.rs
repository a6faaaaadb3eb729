//! Filter options: xz's own `--lzma2=dict=...` syntax, liblzma's filter-string syntax
//! (`--filters="x86 lzma2:dict=64KiB"`), and the printing of chains (`-vv`, `--list -vv`).

use lzma_core::filter::BcjArch;
use lzma_core::{Filter, LzmaOptions, MatchFinder, Mode};

use crate::message;
use crate::util::str_to_u64;

/// Largest dictionary the encoder accepts.
pub const DICT_MAX: u64 = (1 << 30) + (1 << 29);

fn split_pairs(s: &str) -> Vec<(String, String)> {
    // xz's parser: comma-separated name=value pairs, empty items skipped.
    let mut out = Vec::new();
    for item in s.split(',') {
        if item.is_empty() {
            continue;
        }
        match item.split_once('=') {
            Some((n, v)) if !v.is_empty() => out.push((n.to_string(), v.to_string())),
            _ => message::fatal(&format!(
                "{}: Options must be 'name=value' pairs separated with commas",
                message::mask(s)
            )),
        }
    }
    out
}

fn preset_from_str(v: &str) -> Option<(u32, bool)> {
    let b = v.as_bytes();
    let level = match b.first() {
        Some(c @ b'0'..=b'9') => u32::from(c - b'0'),
        _ => return None,
    };
    match &b[1..] {
        [] => Some((level, false)),
        [b'e'] => Some((level, true)),
        _ => None,
    }
}

/// `--lzma1[=OPTS]` / `--lzma2[=OPTS]`. Errors are fatal, as in xz.
pub fn parse_lzma(s: Option<&str>) -> LzmaOptions {
    let mut o = LzmaOptions::default();
    for (name, value) in split_pairs(s.unwrap_or("")) {
        match name.as_str() {
            "preset" => {
                let bad = || -> ! {
                    message::fatal(&format!(
                        "Unsupported LZMA1/LZMA2 preset: {}",
                        message::mask(&value)
                    ))
                };
                let Some((level, extreme)) = preset_from_str(&value) else {
                    bad()
                };
                o = LzmaOptions::preset(level, extreme).unwrap_or_else(|_| bad());
            }
            "dict" => o.dict_size = str_to_u64("dict", &value, 4096, DICT_MAX) as u32,
            "lc" => o.lc = str_to_u64("lc", &value, 0, 4) as u32,
            "lp" => o.lp = str_to_u64("lp", &value, 0, 4) as u32,
            "pb" => o.pb = str_to_u64("pb", &value, 0, 4) as u32,
            "nice" => o.nice_len = str_to_u64("nice", &value, 2, 273) as u32,
            "depth" => o.depth = str_to_u64("depth", &value, 0, u64::from(u32::MAX)) as u32,
            "mode" => {
                o.mode = mode_from_str(&value).unwrap_or_else(|| {
                    message::fatal(&format!("{}: Invalid option value", message::mask(&value)))
                })
            }
            "mf" => {
                o.mf = mf_from_str(&value).unwrap_or_else(|| {
                    message::fatal(&format!("{}: Invalid option value", message::mask(&value)))
                })
            }
            _ => message::fatal(&format!("{}: Invalid option name", message::mask(&name))),
        }
    }
    if o.lc + o.lp > 4 {
        message::fatal("The sum of lc and lp must not exceed 4");
    }
    o
}

/// `--x86[=start=N]` and the other BCJ filters.
pub fn parse_bcj(arch: BcjArch, s: Option<&str>) -> Filter {
    let mut start = 0u32;
    for (name, value) in split_pairs(s.unwrap_or("")) {
        if name != "start" {
            message::fatal(&format!("{}: Invalid option name", message::mask(&name)));
        }
        start = str_to_u64("start", &value, 0, u64::from(u32::MAX)) as u32;
    }
    Filter::Bcj {
        arch,
        start_offset: start,
    }
}

/// `--delta[=dist=N]`.
pub fn parse_delta(s: Option<&str>) -> Filter {
    let mut distance = 1u32;
    for (name, value) in split_pairs(s.unwrap_or("")) {
        if name != "dist" {
            message::fatal(&format!("{}: Invalid option name", message::mask(&name)));
        }
        distance = str_to_u64("dist", &value, 1, 256) as u32;
    }
    Filter::Delta { distance }
}

fn mode_from_str(v: &str) -> Option<Mode> {
    match v {
        "fast" => Some(Mode::Fast),
        "normal" => Some(Mode::Normal),
        _ => None,
    }
}

fn mf_from_str(v: &str) -> Option<MatchFinder> {
    Some(match v {
        "hc3" => MatchFinder::Hc3,
        "hc4" => MatchFinder::Hc4,
        "bt2" => MatchFinder::Bt2,
        "bt3" => MatchFinder::Bt3,
        "bt4" => MatchFinder::Bt4,
        _ => return None,
    })
}

const BCJ_NAMES: [(&str, BcjArch); 8] = [
    ("x86", BcjArch::X86),
    ("arm", BcjArch::Arm),
    ("armthumb", BcjArch::ArmThumb),
    ("arm64", BcjArch::Arm64),
    ("riscv", BcjArch::RiscV),
    ("powerpc", BcjArch::PowerPc),
    ("ia64", BcjArch::Ia64),
    ("sparc", BcjArch::Sparc),
];

/// The liblzma name of a BCJ architecture.
pub fn bcj_name(arch: BcjArch) -> &'static str {
    BCJ_NAMES
        .iter()
        .find(|(_, a)| *a == arch)
        .map_or("x86", |(n, _)| n)
}

/// A filter-string error: the message and the byte offset it points at.
pub type StrError = (&'static str, usize);

/// Parses a filter-string number; the error carries the offset inside `v` it points at.
fn parse_u32_value(
    v: &str,
    byte_suffix: bool,
    min: u32,
    max: u32,
) -> Result<u32, (&'static str, usize)> {
    let b = v.as_bytes();
    if !b.first().is_some_and(u8::is_ascii_digit) {
        return Err(("Value is not a non-negative decimal integer", 0));
    }
    let mut n: u32 = 0;
    let mut i = 0;
    while i < b.len() && b[i].is_ascii_digit() {
        n = n
            .checked_mul(10)
            .and_then(|x| x.checked_add(u32::from(b[i] - b'0')))
            .ok_or(("Value out of range", 0))?;
        i += 1;
    }
    if i < b.len() {
        let suffix_at = i;
        if !byte_suffix {
            return Err((
                "This option does not support any multiplier suffixes",
                suffix_at,
            ));
        }
        let shift = match b[i] {
            b'k' | b'K' => 10,
            b'm' | b'M' => 20,
            b'g' | b'G' => 30,
            _ => return Err(("Invalid multiplier suffix (KiB, MiB, or GiB)", suffix_at)),
        };
        i += 1;
        if i < b.len() && b[i] == b'i' {
            i += 1;
        }
        if i < b.len() && b[i] == b'B' {
            i += 1;
        }
        if i < b.len() {
            return Err(("Invalid multiplier suffix (KiB, MiB, or GiB)", suffix_at));
        }
        if n > (u32::MAX >> shift) {
            return Err(("Value out of range", 0));
        }
        n <<= shift;
    }
    if n < min || n > max {
        return Err(("Value out of range", 0));
    }
    Ok(n)
}

/// Parses `name=value,...` options of one filter in the filter-string syntax. `base` is the
/// offset of `opts` in the whole string (for the error caret).
fn parse_str_options(opts: &str, base: usize, filter: &mut Filter) -> Result<(), StrError> {
    let mut pos = 0;
    let bytes = opts.as_bytes();
    while pos < bytes.len() {
        if bytes[pos] == b',' {
            pos += 1;
            continue;
        }
        let end = opts[pos..].find(',').map_or(opts.len(), |i| pos + i);
        let item = &opts[pos..end];
        let Some(eq) = item.find('=').filter(|&e| e > 0) else {
            return Err((
                "Options must be 'name=value' pairs separated with commas",
                base + pos,
            ));
        };
        let name = &item[..eq];
        let value = &item[eq + 1..];
        let vpos = base + pos + eq + 1;
        let known: &[&str] = match filter {
            Filter::Lzma1(_) | Filter::Lzma2(_) => &[
                "preset", "dict", "lc", "lp", "pb", "mode", "nice", "mf", "depth",
            ],
            Filter::Bcj { .. } => &["start"],
            Filter::Delta { .. } => &["dist"],
        };
        if name.len() > 11 || !known.contains(&name) {
            return Err(("Unknown option name", base + pos));
        }
        if value.is_empty() {
            return Err(("Option value cannot be empty", vpos));
        }
        let r: Result<(), (&'static str, usize)> = (|| {
            match filter {
                Filter::Lzma1(o) | Filter::Lzma2(o) => match name {
                    "preset" => {
                        if !value.as_bytes()[0].is_ascii_digit() {
                            return Err(("Unsupported preset", 0));
                        }
                        if let Some(i) = value[1..].bytes().position(|c| c != b'e') {
                            return Err(("Unsupported flag in the preset", i + 1));
                        }
                        let level = u32::from(value.as_bytes()[0] - b'0');
                        let extreme = value.len() > 1;
                        *o = LzmaOptions::preset(level, extreme)
                            .map_err(|_| ("Unsupported preset", 0))?;
                    }
                    "dict" => o.dict_size = parse_u32_value(value, true, 4096, DICT_MAX as u32)?,
                    "lc" => o.lc = parse_u32_value(value, false, 0, 4)?,
                    "lp" => o.lp = parse_u32_value(value, false, 0, 4)?,
                    "pb" => o.pb = parse_u32_value(value, false, 0, 4)?,
                    "nice" => o.nice_len = parse_u32_value(value, false, 2, 273)?,
                    "depth" => o.depth = parse_u32_value(value, false, 0, u32::MAX)?,
                    "mode" => o.mode = mode_from_str(value).ok_or(("Invalid option value", 0))?,
                    _ => o.mf = mf_from_str(value).ok_or(("Invalid option value", 0))?,
                },
                Filter::Bcj { start_offset, .. } => {
                    *start_offset = parse_u32_value(value, true, 0, u32::MAX)?
                }
                Filter::Delta { distance } => *distance = parse_u32_value(value, false, 1, 256)?,
            }
            Ok(())
        })();
        r.map_err(|(m, off)| (m, vpos + off))?;
        pos = end;
    }
    if let Filter::Lzma1(o) | Filter::Lzma2(o) = filter {
        if o.lc + o.lp > 4 {
            return Err(("The sum of lc and lp must not exceed 4", base + bytes.len()));
        }
    }
    Ok(())
}

/// liblzma's `lzma_str_to_filters`: a chain separated by spaces or `--`, each filter
/// `name[:opts]` or `name[=opts]`, or a preset `[-]N[e]`. `all_filters` also allows
/// `lzma1`.
pub fn str_to_filters(s: &str, all_filters: bool) -> Result<Vec<Filter>, StrError> {
    let b = s.as_bytes();
    let mut pos = 0;
    while pos < b.len() && b[pos] == b' ' {
        pos += 1;
    }
    if pos == b.len() {
        return Err((
            "Empty string is not allowed, try '6' if a default value is needed",
            pos,
        ));
    }
    let is_digit = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    if is_digit(pos) || (b[pos] == b'-' && is_digit(pos + 1)) {
        if b[pos] == b'-' {
            pos += 1;
        }
        let end = s[pos..].find(' ').map_or(s.len(), |i| pos + i);
        if b[end..].iter().any(|&c| c != b' ') {
            return Err(("Unsupported preset", pos));
        }
        let level = u32::from(b[pos] - b'0');
        let mut extreme = false;
        for (i, &c) in b[pos + 1..end].iter().enumerate() {
            if c != b'e' {
                return Err(("Unsupported flag in the preset", pos + 1 + i));
            }
            extreme = true;
        }
        let o = LzmaOptions::preset(level, extreme).map_err(|_| ("Unsupported preset", pos))?;
        return Ok(vec![Filter::Lzma2(o)]);
    }
    let mut chain = Vec::new();
    loop {
        if chain.len() == 4 {
            return Err(("The maximum number of filters is four", pos));
        }
        if b[pos..].starts_with(b"--") {
            pos += 2;
        }
        let mut end = pos;
        while end < b.len() && b[end] != b' ' && !b[end..].starts_with(b"--") {
            end += 1;
        }
        if end == pos {
            return Err(("Filter name is missing", pos));
        }
        let word = &s[pos..end];
        let (name, opts, opts_at) = match word.find([':', '=']) {
            Some(i) => (&word[..i], &word[i + 1..], pos + i + 1),
            None => (word, "", end),
        };
        let mut filter = match name {
            "lzma1" if all_filters => Filter::Lzma1(LzmaOptions::default()),
            "lzma1" => return Err(("This filter cannot be used in the .xz format", pos)),
            "lzma2" => Filter::Lzma2(LzmaOptions::default()),
            "delta" => Filter::Delta { distance: 1 },
            _ => match BCJ_NAMES.iter().find(|(n, _)| *n == name) {
                Some((_, arch)) => Filter::Bcj {
                    arch: *arch,
                    start_offset: 0,
                },
                None => return Err(("Unknown filter name", pos)),
            },
        };
        parse_str_options(opts, opts_at, &mut filter)?;
        chain.push(filter);
        pos = end;
        while pos < b.len() && b[pos] == b' ' {
            pos += 1;
        }
        if pos >= b.len() {
            break;
        }
    }
    if !chain_is_valid(&chain) {
        return Err(("Invalid filter chain ('lzma2' missing at the end?)", pos));
    }
    Ok(chain)
}

/// liblzma's `lzma_validate_chain`: 1–4 filters, LZMA1/2 exactly at the end.
pub fn chain_is_valid(chain: &[Filter]) -> bool {
    let is_last_kind = |f: &Filter| matches!(f, Filter::Lzma1(_) | Filter::Lzma2(_));
    match chain.split_last() {
        Some((last, rest)) => {
            chain.len() <= 4 && is_last_kind(last) && !rest.iter().any(is_last_kind)
        }
        None => false,
    }
}

fn size_str(v: u32) -> String {
    if v == 0 {
        return "0".to_string();
    }
    let mut v = v;
    let mut unit = 0;
    while v & 1023 == 0 && unit < 3 {
        v >>= 10;
        unit += 1;
    }
    format!("{v}{}", ["", "KiB", "MiB", "GiB"][unit])
}

/// liblzma's `lzma_str_from_filters` with `LZMA_STR_GETOPT_LONG` and either
/// `LZMA_STR_ENCODER` (all options) or `LZMA_STR_DECODER` (only what a decoder needs).
pub fn filters_to_string(chain: &[Filter], encoder: bool) -> String {
    let mut parts = Vec::new();
    for f in chain {
        let s = match f {
            Filter::Lzma1(o) | Filter::Lzma2(o) => {
                let name = if matches!(f, Filter::Lzma1(_)) {
                    "lzma1"
                } else {
                    "lzma2"
                };
                let mut s = format!("--{name}=dict={}", size_str(o.dict_size));
                let lzma1 = matches!(f, Filter::Lzma1(_));
                if encoder || lzma1 {
                    s.push_str(&format!(",lc={},lp={},pb={}", o.lc, o.lp, o.pb));
                }
                if encoder {
                    let mode = match o.mode {
                        Mode::Fast => "fast",
                        Mode::Normal => "normal",
                    };
                    let mf = match o.mf {
                        MatchFinder::Hc3 => "hc3",
                        MatchFinder::Hc4 => "hc4",
                        MatchFinder::Bt2 => "bt2",
                        MatchFinder::Bt3 => "bt3",
                        MatchFinder::Bt4 => "bt4",
                    };
                    s.push_str(&format!(
                        ",mode={mode},nice={},mf={mf},depth={}",
                        o.nice_len, o.depth
                    ));
                }
                s
            }
            Filter::Bcj { arch, start_offset } => {
                let mut s = format!("--{}", bcj_name(*arch));
                if *start_offset != 0 {
                    s.push_str(&format!("=start={}", size_str(*start_offset)));
                }
                s
            }
            Filter::Delta { distance } => format!("--delta=dist={distance}"),
        };
        parts.push(s);
    }
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_strings() {
        let c = str_to_filters("x86 lzma2:dict=64KiB,nice=32", false).unwrap();
        assert_eq!(filters_to_string(&c, false), "--x86 --lzma2=dict=64KiB");
        let c = str_to_filters("--delta=dist=3--lzma2", false).unwrap();
        assert_eq!(
            filters_to_string(&c, false),
            "--delta=dist=3 --lzma2=dict=8MiB"
        );
        let c = str_to_filters("6e", false).unwrap();
        assert_eq!(
            filters_to_string(&c, true),
            "--lzma2=dict=8MiB,lc=3,lp=0,pb=2,mode=normal,nice=273,mf=bt4,depth=512"
        );
        assert_eq!(
            str_to_filters("lzma2:dict=1x", false),
            Err(("Invalid multiplier suffix (KiB, MiB, or GiB)", 12))
        );
        assert_eq!(
            str_to_filters("x86 lzma2:foo=3", false),
            Err(("Unknown option name", 10))
        );
        assert_eq!(str_to_filters("x86", false).unwrap_err().1, 3);
        assert_eq!(str_to_filters("", false).unwrap_err().1, 0);
        let c = str_to_filters("arm64:start=4194300KiB lzma2:dict=64KiB", false).unwrap();
        assert_eq!(
            filters_to_string(&c, false),
            "--arm64=start=4194300KiB --lzma2=dict=64KiB"
        );
    }
}
