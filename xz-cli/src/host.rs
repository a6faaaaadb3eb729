//! What the command learns about its host from `/proc` (XZ Utils asks libc: `sysconf`,
//! `sched_getaffinity`, `sigaction`, `getuid`; safe Rust reads the same facts from the
//! kernel's text files instead).
//!
//! Every start of `xz` pays for these reads, so each file is read with one `read` call into
//! a buffer large enough for it (`read_to_string` would start small and grow by doubling,
//! several calls per file, since `/proc` files report a size of 0), and
//! `/proc/self/status` is read once for the three facts taken from it.

use std::io::Read;
use std::sync::OnceLock;

/// The contents of a small `/proc` file, read with (usually) a single `read` call.
fn read_small(path: &str) -> Option<String> {
    let mut file = std::fs::File::open(path).ok()?;
    let mut buf = Vec::with_capacity(8 << 10);
    file.read_to_end(&mut buf).ok()?;
    String::from_utf8(buf).ok()
}

/// The value after `key` on the first line that starts with it.
fn field<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    text.lines()
        .find_map(|l| l.strip_prefix(key))
        .map(str::trim)
}

/// `/proc/self/status`, read once per process (it is only asked about facts that do not
/// change while the command runs: ignored signals at start, user, CPU affinity).
fn status() -> Option<&'static str> {
    static STATUS: OnceLock<Option<String>> = OnceLock::new();
    STATUS
        .get_or_init(|| read_small("/proc/self/status"))
        .as_deref()
}

/// Total physical memory in bytes (`MemTotal`, what `sysconf(_SC_PHYS_PAGES)` counts), if
/// known.
pub fn physical_memory() -> Option<u64> {
    let text = read_small("/proc/meminfo")?;
    let kb: u64 = field(&text, "MemTotal:")?
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    kb.checked_mul(1024)
}

/// The lowest soft limit of the data segment and the address space, if any is set
/// (`/proc/self/limits`).
pub fn address_space_limit() -> Option<u64> {
    let text = read_small("/proc/self/limits")?;
    text.lines()
        .filter(|l| l.starts_with("Max data size") || l.starts_with("Max address space"))
        .filter_map(|l| l.split_whitespace().nth(3)?.parse::<u64>().ok())
        .min()
}

/// Signals ignored when the process started (`SigIgn`, a hexadecimal mask with bit N-1 for
/// signal N); 0 if unknown.
pub fn ignored_signals() -> u64 {
    status()
        .and_then(|s| field(s, "SigIgn:"))
        .and_then(|v| u64::from_str_radix(v, 16).ok())
        .unwrap_or(0)
}

/// Whether the effective user is root (`Uid`: real, effective, saved, filesystem).
pub fn is_root() -> bool {
    status()
        .and_then(|s| field(s, "Uid:"))
        .and_then(|v| v.split_whitespace().nth(1)?.parse::<u32>().ok())
        == Some(0)
}

/// The number of CPUs this process may run on: its affinity mask (`Cpus_allowed_list`), as
/// XZ Utils counts them (`sched_getaffinity`; no cgroup quota). Falls back to the standard
/// library's count where `/proc` is missing.
pub fn cpu_threads() -> u32 {
    status()
        .and_then(|s| field(s, "Cpus_allowed_list:"))
        .and_then(count_cpu_list)
        .or_else(|| {
            std::thread::available_parallelism()
                .ok()
                .map(|n| u32::try_from(n.get()).unwrap_or(u32::MAX))
        })
        .unwrap_or(1)
        .max(1)
}

/// Counts the CPUs of a kernel CPU list such as `0-3,8,10-11`; `None` if malformed.
fn count_cpu_list(list: &str) -> Option<u32> {
    let mut n = 0u32;
    for part in list.split(',') {
        let (a, b) = match part.split_once('-') {
            Some((a, b)) => (a.parse::<u32>().ok()?, b.parse::<u32>().ok()?),
            None => {
                let a = part.parse::<u32>().ok()?;
                (a, a)
            }
        };
        n = n.checked_add(b.checked_sub(a)?.checked_add(1)?)?;
    }
    (n > 0).then_some(n)
}

/// The `flags:` of `/proc/self/fdinfo/1` (octal), if known.
pub fn stdout_flags() -> Option<u64> {
    let text = read_small("/proc/self/fdinfo/1")?;
    u64::from_str_radix(field(&text, "flags:")?, 8).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_lists() {
        assert_eq!(count_cpu_list("0"), Some(1));
        assert_eq!(count_cpu_list("0-1"), Some(2));
        assert_eq!(count_cpu_list("0-3,8,10-11"), Some(7));
        assert_eq!(count_cpu_list(""), None);
        assert_eq!(count_cpu_list("3-1"), None);
        assert_eq!(count_cpu_list("x"), None);
    }

    #[test]
    fn fields() {
        let text = "Name:\txz\nSigIgn:\t0000000000001000\nUid:\t1000\t0\t0\t0\n";
        assert_eq!(field(text, "SigIgn:"), Some("0000000000001000"));
        assert_eq!(field(text, "Uid:"), Some("1000\t0\t0\t0"));
        assert_eq!(field(text, "Gid:"), None);
    }

    #[test]
    fn this_host() {
        // Whatever the machine, these are self-consistent.
        assert!(cpu_threads() >= 1);
        if let Some(m) = physical_memory() {
            assert!(m > 0);
        }
        assert_eq!(status(), status());
    }
}
