//! Removal of partial output when the process is killed, without `unsafe` and without
//! signal-handling crates.
//!
//! Safe Rust cannot install signal handlers. Instead, the first time an output file is
//! created, `xz` starts a small *guardian* copy of itself (same executable, marked by an
//! environment variable) in its own process group, so a terminal's Ctrl-C does not reach
//! it. The two are connected by a pipe: `xz` tells the guardian which file is being written
//! (path, device and inode) and when it is finished. If `xz` dies for any reason (SIGINT,
//! SIGTERM, SIGHUP, even SIGKILL), the pipe reaches end-of-file while a file is still
//! registered, and the guardian removes that file if it is still the same inode. `xz`
//! itself dies from the signal with the default action, so the shell sees the same status
//! (130, 143, 129) as with XZ Utils, which re-raises the signal after cleaning up.
//!
//! Limitation: the removal happens a moment *after* the process has died (XZ Utils removes
//! the file before re-raising), so a caller that looks at the directory in the very same
//! instant may still see the partial file.

use std::io::{BufRead, Write};
use std::os::unix::fs::MetadataExt;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::Mutex;

/// Environment variable that turns the executable into the guardian.
pub const GUARDIAN_ENV: &str = "XZ_RS_INTERNAL_GUARDIAN";

struct Guardian {
    _child: Child,
    pipe: ChildStdin,
}

static GUARDIAN: Mutex<Option<Guardian>> = Mutex::new(None);
static DISABLED: Mutex<bool> = Mutex::new(false);

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if s.len() % 2 != 0 {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

fn spawn() -> Option<Guardian> {
    if std::env::var_os("XZ_RS_NO_GUARDIAN").is_some() {
        return None;
    }
    let exe = std::env::current_exe().ok()?;
    let mut child = Command::new(exe)
        .env(GUARDIAN_ENV, "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .ok()?;
    let pipe = child.stdin.take()?;
    Some(Guardian {
        _child: child,
        pipe,
    })
}

fn send(line: &str) {
    if *DISABLED.lock().unwrap_or_else(|e| e.into_inner()) {
        return;
    }
    let mut g = GUARDIAN.lock().unwrap_or_else(|e| e.into_inner());
    if g.is_none() {
        if line.starts_with('U') {
            return;
        }
        *g = spawn();
        if g.is_none() {
            *DISABLED.lock().unwrap_or_else(|e| e.into_inner()) = true;
            return;
        }
    }
    if let Some(gd) = g.as_mut() {
        let _ = gd.pipe.write_all(line.as_bytes());
        let _ = gd.pipe.flush();
    }
}

/// Registers the output file being written.
pub fn register(path: &Path, dev_ino: Option<(u64, u64)>) {
    let Some((dev, ino)) = dev_ino else { return };
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    send(&format!(
        "R {dev} {ino} {}\n",
        hex(abs.as_os_str().as_encoded_bytes())
    ));
}

/// The registered file is complete (or already removed).
pub fn unregister() {
    send("U\n");
}

/// The guardian's main loop: returns when the parent is gone.
pub fn run_guardian() -> ! {
    let stdin = std::io::stdin();
    let mut current: Option<(u64, u64, Vec<u8>)> = None;
    for line in stdin.lock().lines() {
        let Ok(line) = line else { break };
        let mut parts = line.split(' ');
        match parts.next() {
            Some("R") => {
                let dev = parts.next().and_then(|v| v.parse().ok());
                let ino = parts.next().and_then(|v| v.parse().ok());
                let path = parts.next().and_then(unhex);
                current = match (dev, ino, path) {
                    (Some(d), Some(i), Some(p)) => Some((d, i, p)),
                    _ => None,
                };
            }
            _ => current = None,
        }
    }
    if let Some((dev, ino, path)) = current {
        use std::os::unix::ffi::OsStringExt;
        let p = std::path::PathBuf::from(std::ffi::OsString::from_vec(path));
        if let Ok(m) = std::fs::symlink_metadata(&p) {
            if m.dev() == dev && m.ino() == ino {
                let _ = std::fs::remove_file(&p);
            }
        }
    }
    std::process::exit(0)
}

/// Writing to standard output failed with EPIPE: end the process the way xz does, killed by
/// SIGPIPE. The Rust runtime ignores SIGPIPE, so the process image is replaced by a shell
/// (which starts with the default SIGPIPE action) that sends SIGPIPE to itself; the pid
/// stays the same, so the parent sees a death by SIGPIPE. Falls back to exit status 141.
pub fn broken_pipe() -> ! {
    crate::io::emergency_cleanup();
    let _ = std::io::stderr().flush();
    let err = Command::new("/bin/sh").args(["-c", "kill -PIPE $$"]).exec();
    let _ = err;
    std::process::exit(128 + 13)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_roundtrip() {
        assert_eq!(unhex(&hex(b"a/b c\n")).unwrap(), b"a/b c\n");
        assert_eq!(unhex("zz"), None);
    }
}
