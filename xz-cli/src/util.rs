//! Number parsing and formatting helpers shared by the whole command.

use crate::message;

/// Parses an integer option value the way xz does: leading blanks skipped, `max` meaning
/// `max`, decimal digits, then an optional `k`/`m`/`g` multiplier optionally followed by
/// `i`, `iB` or `B`. Errors are fatal, with xz's messages.
pub fn str_to_u64(name: &str, value: &str, min: u64, max: u64) -> u64 {
    match parse_u64(value, min, max) {
        Ok(v) => v,
        Err(IntError::NotInteger(rest)) => message::fatal(&format!(
            "{}: Value is not a non-negative decimal integer",
            message::mask(&rest)
        )),
        Err(IntError::BadSuffix(rest)) => {
            message::error_only(&format!(
                "{}: Invalid multiplier suffix",
                message::mask(&rest)
            ));
            message::fatal("Valid suffixes are 'KiB' (2^10), 'MiB' (2^20), and 'GiB' (2^30).")
        }
        Err(IntError::Range) => message::fatal(&format!(
            "Value of the option '{name}' must be in the range [{min}, {max}]"
        )),
    }
}

/// Why [`parse_u64`] rejected a value.
#[derive(Debug, PartialEq, Eq)]
pub enum IntError {
    /// The value does not start with a digit; carries the value after blanks.
    NotInteger(String),
    /// The multiplier suffix is unknown; carries the suffix.
    BadSuffix(String),
    /// The value is outside `min..=max` or overflows.
    Range,
}

/// The non-exiting core of [`str_to_u64`].
pub fn parse_u64(value: &str, min: u64, max: u64) -> Result<u64, IntError> {
    let v = value.trim_start_matches([' ', '\t']);
    if v == "max" {
        return Ok(max);
    }
    let digits = v.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return Err(IntError::NotInteger(v.to_string()));
    }
    let mut result: u64 = 0;
    for b in v[..digits].bytes() {
        result = result
            .checked_mul(10)
            .and_then(|r| r.checked_add(u64::from(b - b'0')))
            .ok_or(IntError::Range)?;
    }
    let suffix = &v[digits..];
    if !suffix.is_empty() {
        let mut chars = suffix.chars();
        let shift = match chars.next() {
            Some('k' | 'K') => 10,
            Some('m' | 'M') => 20,
            Some('g' | 'G') => 30,
            _ => 0,
        };
        let rest = chars.as_str();
        if shift == 0 || !matches!(rest, "" | "i" | "iB" | "B") {
            return Err(IntError::BadSuffix(suffix.to_string()));
        }
        result = result.checked_mul(1u64 << shift).ok_or(IntError::Range)?;
    }
    if result < min || result > max {
        return Err(IntError::Range);
    }
    Ok(result)
}

/// Rounds a byte count up to whole MiB.
pub fn round_up_to_mib(n: u64) -> u64 {
    (n >> 20) + u64::from(n & ((1 << 20) - 1) != 0)
}

/// Units of [`nicestr`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[allow(dead_code)]
pub enum Unit {
    /// Bytes.
    B,
    /// KiB.
    KiB,
    /// MiB.
    MiB,
    /// GiB.
    GiB,
    /// TiB.
    TiB,
}

/// xz's `uint64_to_nicestr` in the C locale: `3040 B`, `19.1 MiB`, optionally with
/// ` (N B)` appended when the value is at least 10000.
pub fn nicestr(value: u64, unit_min: Unit, unit_max: Unit, also_bytes: bool) -> String {
    const NAMES: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut s;
    let mut unit = 0usize;
    if (unit_min == Unit::B && value < 10000) || unit_max == Unit::B {
        s = format!("{}", value as u32);
    } else {
        let mut d = value as f64;
        loop {
            d /= 1024.0;
            unit += 1;
            if !(unit < unit_min as usize || (d > 9999.9 && unit < unit_max as usize)) {
                break;
            }
        }
        s = format!("{d:.1}");
    }
    s.push(' ');
    s.push_str(NAMES[unit]);
    if also_bytes && value >= 10000 {
        s.push_str(&format!(" ({value} B)"));
    }
    s
}

/// `nicestr` with the defaults used by `--list`: B..TiB.
pub fn nice(value: u64) -> String {
    nicestr(value, Unit::B, Unit::TiB, false)
}

/// The compression ratio as `--list` prints it: three decimals, or `---`.
pub fn ratio(compressed: u64, uncompressed: u64) -> String {
    if uncompressed == 0 {
        return "---".to_string();
    }
    let r = compressed as f64 / uncompressed as f64;
    if r > 9.999 {
        "---".to_string()
    } else {
        format!("{r:.3}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers() {
        assert_eq!(parse_u64(" 12", 0, 100), Ok(12));
        assert_eq!(parse_u64("max", 0, 77), Ok(77));
        assert_eq!(parse_u64("1KiB", 0, u64::MAX), Ok(1024));
        assert_eq!(parse_u64("2m", 0, u64::MAX), Ok(2 << 20));
        assert_eq!(parse_u64("3GB", 0, u64::MAX), Ok(3 << 30));
        assert_eq!(parse_u64("3Gi", 0, u64::MAX), Ok(3 << 30));
        assert_eq!(parse_u64("1x", 0, 9), Err(IntError::BadSuffix("x".into())));
        assert_eq!(
            parse_u64("1KiBx", 0, 9),
            Err(IntError::BadSuffix("KiBx".into()))
        );
        assert_eq!(
            parse_u64("abc", 0, 9),
            Err(IntError::NotInteger("abc".into()))
        );
        assert_eq!(parse_u64("10", 0, 9), Err(IntError::Range));
        assert_eq!(
            parse_u64("99999999999999999999", 0, u64::MAX),
            Err(IntError::Range)
        );
        assert_eq!(
            parse_u64("16777216T", 0, u64::MAX),
            Err(IntError::BadSuffix("T".into()))
        );
    }

    #[test]
    fn nice_strings() {
        assert_eq!(nice(3040), "3040 B");
        assert_eq!(
            nicestr(51316, Unit::B, Unit::TiB, true),
            "50.1 KiB (51316 B)"
        );
        assert_eq!(nice(20_000_000), "19.1 MiB");
        assert_eq!(nicestr(0, Unit::MiB, Unit::TiB, false), "0.0 MiB");
        assert_eq!(ratio(92, 13), "7.077");
        assert_eq!(ratio(1, 0), "---");
        assert_eq!(round_up_to_mib((1 << 20) + 1), 2);
    }
}
