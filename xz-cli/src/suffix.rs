//! Output file names: adding `.xz`/`.lzma`/`-S` suffixes, and stripping them.

use std::ffi::{OsStr, OsString};

use crate::args::{Config, Format, OpMode};
use crate::message;

/// Length of `name` without `suffix` if it ends with it, is strictly longer, and the
/// character before the suffix is not `/`.
fn test_suffix(suffix: &[u8], name: &[u8]) -> Option<usize> {
    if name.len() <= suffix.len() {
        return None;
    }
    let cut = name.len() - suffix.len();
    if name[cut - 1] == b'/' || &name[cut..] != suffix {
        return None;
    }
    Some(cut)
}

fn display(name: &OsStr) -> String {
    message::mask(&name.to_string_lossy())
}

fn uncompressed_name(cfg: &Config, src: &OsStr) -> Option<OsString> {
    const MAP: [(&str, &str); 5] = [
        (".xz", ""),
        (".txz", ".tar"),
        (".lzma", ""),
        (".tlz", ".tar"),
        (".lz", ""),
    ];
    let name = src.as_encoded_bytes();
    let mut found: Option<(usize, &str)> = None;
    if cfg.format != Format::Raw {
        found = MAP
            .iter()
            .find_map(|(c, u)| test_suffix(c.as_bytes(), name).map(|len| (len, *u)));
    }
    if found.is_none() {
        if let Some(s) = &cfg.suffix {
            found = test_suffix(s.as_bytes(), name).map(|len| (len, ""));
        }
    }
    let Some((len, new_suffix)) = found else {
        message::warning(&format!(
            "{}: Filename has an unknown suffix, skipping",
            display(src)
        ));
        return None;
    };
    let mut out = name[..len].to_vec();
    out.extend_from_slice(new_suffix.as_bytes());
    Some(bytes_to_os(out))
}

fn bytes_to_os(b: Vec<u8>) -> OsString {
    use std::os::unix::ffi::OsStringExt;
    OsString::from_vec(b)
}

fn compressed_name(cfg: &Config, src: &OsStr) -> Option<OsString> {
    let name = src.as_encoded_bytes();
    let known: &[&str] = match cfg.format {
        Format::Xz => &[".xz", ".txz"],
        Format::Lzma => &[".lzma", ".tlz"],
        _ => &[],
    };
    let skip = |suf: &str| {
        message::warning(&format!(
            "{}: File already has '{}' suffix, skipping",
            display(src),
            message::mask(suf)
        ));
    };
    for s in known {
        if test_suffix(s.as_bytes(), name).is_some() {
            skip(s);
            return None;
        }
    }
    if let Some(s) = &cfg.suffix {
        if test_suffix(s.as_bytes(), name).is_some() {
            skip(s);
            return None;
        }
    }
    let suffix = cfg
        .suffix
        .as_deref()
        .or(known.first().copied())
        .unwrap_or("");
    let mut out = name.to_vec();
    out.extend_from_slice(suffix.as_bytes());
    Some(bytes_to_os(out))
}

/// The output name for `src`, or `None` after printing the warning.
pub fn dest_name(cfg: &Config, src: &OsStr) -> Option<OsString> {
    if cfg.mode == OpMode::Compress {
        compressed_name(cfg, src)
    } else {
        uncompressed_name(cfg, src)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suffix_rules() {
        assert_eq!(test_suffix(b".xz", b"a.xz"), Some(1));
        assert_eq!(test_suffix(b".xz", b".xz"), None);
        assert_eq!(test_suffix(b".xz", b"d/.xz"), None);
        assert_eq!(test_suffix(b".xz", b"a.txz"), None);
    }
}
