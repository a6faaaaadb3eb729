//! Opening, reading, writing and closing files the way xz does: input checks, exclusive
//! creation of the output, metadata copy, fsync, sparse output, and removal of partial
//! output on any failure.

use std::ffi::{OsStr, OsString};
use std::fs::{File, Metadata, OpenOptions};
use std::io::{ErrorKind, IsTerminal, Read, Seek, SeekFrom, Write};
use std::os::fd::AsFd;
use std::os::unix::fs::{FileTypeExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::args::{Config, OpMode};
use crate::message;

const O_NOCTTY: i32 = 0o400;
const O_NONBLOCK: i32 = 0o4000;
#[cfg(any(target_arch = "aarch64", target_arch = "arm"))]
const O_NOFOLLOW: i32 = 0o100000;
#[cfg(not(any(target_arch = "aarch64", target_arch = "arm")))]
const O_NOFOLLOW: i32 = 0o400000;

/// The OS error text without Rust's ` (os error N)` suffix, like C's `strerror`.
pub fn strerror(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// The name printed for standard input.
pub const STDIN_NAME: &str = "(stdin)";

/// An opened input.
pub struct Source {
    /// Name for messages (the operand, or `(stdin)`).
    pub name: String,
    /// Path (None for stdin).
    pub path: Option<PathBuf>,
    /// The file (a duplicate of fd 0 for stdin).
    pub file: File,
    /// `fstat` of the input.
    pub meta: Option<Metadata>,
    /// End of input seen.
    pub eof: bool,
}

impl Source {
    /// Whether this is standard input.
    pub fn is_stdin(&self) -> bool {
        self.path.is_none()
    }

    /// Reads until `buf` is full or the input ends; `None` after printing a read error.
    pub fn read_full(&mut self, buf: &mut [u8]) -> Option<usize> {
        let mut pos = 0;
        let may_block = self.meta.as_ref().map_or(true, may_block);
        while pos < buf.len() {
            let got = if may_block {
                crate::signals::blocking(|| self.file.read(&mut buf[pos..]))
            } else {
                self.file.read(&mut buf[pos..])
            };
            match got {
                Ok(0) => {
                    self.eof = true;
                    break;
                }
                Ok(n) => pos += n,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => {
                    message::error(&format!(
                        "{}: Read error: {}",
                        message::mask(&self.name),
                        strerror(&e)
                    ));
                    return None;
                }
            }
        }
        Some(pos)
    }

    /// Steps back over unused input (for `--single-stream`), when the input is seekable.
    pub fn unread(&mut self, n: usize) {
        if n > 0 {
            let _ = self.file.seek(SeekFrom::Current(-(n as i64)));
        }
    }

    /// Size of a regular-file input (0 if unknown).
    pub fn size(&self) -> u64 {
        self.meta
            .as_ref()
            .filter(|m| m.is_file())
            .map_or(0, Metadata::len)
    }
}

fn display(p: &OsStr) -> String {
    message::mask(&p.to_string_lossy())
}

/// Which inputs are accepted.
#[derive(Clone, Copy, Debug)]
pub struct SrcPolicy {
    /// Follow symlinks (`-c`, `-f`, `-k`).
    pub follow: bool,
    /// Only regular files (not writing to stdout).
    pub reg_only: bool,
    /// Refuse setuid/setgid/sticky/hard-linked files.
    pub strict: bool,
}

impl SrcPolicy {
    /// The policy for coding with `cfg`.
    pub fn for_config(cfg: &Config) -> Self {
        SrcPolicy {
            follow: cfg.stdout || cfg.force || cfg.keep,
            reg_only: !cfg.stdout,
            strict: !cfg.stdout && !cfg.force && !cfg.keep,
        }
    }
}

/// Whether reading or writing a file of this type may block for ever (a pipe, a terminal,
/// a FIFO, a socket): anything but a regular file or `/dev/null` (character device 1:3).
fn may_block(m: &Metadata) -> bool {
    const DEV_NULL: u64 = (1 << 8) | 3;
    !(m.is_file() || (m.file_type().is_char_device() && m.rdev() == DEV_NULL))
}

/// xz's `io_open_src`: `None` after printing why the file is skipped.
pub fn open_src(cfg: &Config, operand: &OsStr) -> Option<Source> {
    open_src_with(SrcPolicy::for_config(cfg), operand)
}

/// [`open_src`] with an explicit policy.
pub fn open_src_with(policy: SrcPolicy, operand: &OsStr) -> Option<Source> {
    if operand.is_empty() {
        message::error("Empty filename, skipping");
        return None;
    }
    let name = display(operand);
    let path = PathBuf::from(operand);
    let follow = policy.follow;
    let reg_only = policy.reg_only;
    if !follow {
        match std::fs::symlink_metadata(&path) {
            Err(e) => {
                message::error(&format!("{name}: {}", strerror(&e)));
                return None;
            }
            Ok(m) if m.file_type().is_symlink() => {
                message::warning(&format!("{name}: Is a symbolic link, skipping"));
                return None;
            }
            Ok(_) => {}
        }
    }
    // As xz's io_open_src: when only regular files are accepted, the file is opened with
    // O_NONBLOCK, so that opening a FIFO does not wait for a writer (the refusal below
    // comes at once, and a writer already waiting in its open() is released, as with xz).
    // When any file is accepted (-c, -t), reading must then block: xz polls the
    // non-blocking descriptor until input arrives; safe Rust has no poll(), and neither
    // clearing O_NONBLOCK afterwards nor a blocking reopen waits for a writer the same way
    // (a reopen would miss a writer that came, wrote and left in between, and then wait
    // for ever), so the file is opened blocking from the start: open() waits for a writer
    // exactly when xz's poll() would, and a stop signal meanwhile is handled by the signal
    // thread (crate::signals).
    let mut oo = OpenOptions::new();
    oo.read(true);
    let mut flags = O_NOCTTY;
    if !follow {
        flags |= O_NOFOLLOW;
    }
    if reg_only {
        flags |= O_NONBLOCK;
    }
    oo.custom_flags(flags);
    // Only a FIFO's open() can wait (for a writer), and only without O_NONBLOCK.
    let opened = if !reg_only && std::fs::metadata(&path).is_ok_and(|m| may_block(&m)) {
        crate::signals::blocking(|| oo.open(&path))
    } else {
        oo.open(&path)
    };
    let file = match opened {
        Ok(f) => f,
        Err(e) => {
            if e.raw_os_error() == Some(40) && !follow {
                message::warning(&format!("{name}: Is a symbolic link, skipping"));
            } else {
                message::error(&format!("{name}: {}", strerror(&e)));
            }
            return None;
        }
    };
    let meta = match file.metadata() {
        Ok(m) => m,
        Err(e) => {
            message::error(&format!("{name}: {}", strerror(&e)));
            return None;
        }
    };
    if meta.is_dir() {
        message::warning(&format!("{name}: Is a directory, skipping"));
        return None;
    }
    if reg_only && !meta.is_file() {
        message::warning(&format!("{name}: Not a regular file, skipping"));
        return None;
    }
    if policy.strict {
        let mode = meta.mode();
        if mode & 0o6000 != 0 {
            message::warning(&format!(
                "{name}: File has setuid or setgid bit set, skipping"
            ));
            return None;
        }
        if mode & 0o1000 != 0 {
            message::warning(&format!("{name}: File has sticky bit set, skipping"));
            return None;
        }
        if meta.nlink() > 1 {
            message::warning(&format!(
                "{name}: Input file has more than one hard link, skipping"
            ));
            return None;
        }
    }
    Some(Source {
        name: operand.to_string_lossy().into_owned(),
        path: Some(path),
        file,
        meta: Some(meta),
        eof: false,
    })
}

/// Opens standard input as a [`Source`].
pub fn open_stdin() -> Option<Source> {
    let fd = match std::io::stdin().as_fd().try_clone_to_owned() {
        Ok(fd) => fd,
        Err(e) => {
            message::error(&format!("{STDIN_NAME}: {}", strerror(&e)));
            return None;
        }
    };
    let file = File::from(fd);
    let meta = file.metadata().ok();
    Some(Source {
        name: STDIN_NAME.to_string(),
        path: None,
        file,
        meta,
        eof: false,
    })
}

/// An opened output.
pub struct Dest {
    /// Name for messages.
    pub name: String,
    /// Path of a created file (None for stdout).
    pub path: Option<PathBuf>,
    file: File,
    dir: Option<File>,
    dev_ino: Option<(u64, u64)>,
    try_sparse: bool,
    pending_sparse: u64,
    /// Writes may block for ever (a pipe or a terminal): see [`crate::signals::blocking`].
    may_block: bool,
    /// Injected failure for tests (`XZ_RS_TEST_FAIL_WRITE_AFTER=N` bytes); see [`Dest::write`].
    fail_after: Option<u64>,
    written: u64,
}

fn stdout_append_flag() -> bool {
    // O_APPEND is 0o2000.
    crate::host::stdout_flags().map_or(true, |f| f & 0o2000 != 0)
}

fn test_fail_after() -> Option<u64> {
    std::env::var("XZ_RS_TEST_FAIL_WRITE_AFTER")
        .ok()
        .and_then(|v| v.parse().ok())
}

/// Opens standard output as the destination.
pub fn open_stdout(cfg: &Config) -> Option<Dest> {
    let fd = match std::io::stdout().as_fd().try_clone_to_owned() {
        Ok(fd) => fd,
        Err(e) => {
            message::error(&format!("(stdout): {}", strerror(&e)));
            return None;
        }
    };
    let mut file = File::from(fd);
    let mut try_sparse = false;
    let may_block = file.metadata().as_ref().map_or(true, may_block);
    if cfg.sparse && cfg.mode == OpMode::Decompress {
        if let Ok(m) = file.metadata() {
            if m.is_file() && !stdout_append_flag() && file.stream_position().ok() == Some(m.len())
            {
                try_sparse = true;
            }
        }
    }
    Some(Dest {
        name: "(stdout)".into(),
        path: None,
        file,
        dir: None,
        dev_ino: None,
        try_sparse,
        pending_sparse: 0,
        may_block,
        fail_after: test_fail_after(),
        written: 0,
    })
}

/// Creates the output file `dest_name` for `src` (exclusively, mode 0600).
pub fn open_dest_file(cfg: &Config, src: &Source, dest_name: OsString) -> Option<Dest> {
    let path = PathBuf::from(&dest_name);
    let name = display(&dest_name);
    let mut dir = None;
    if cfg.sync {
        let dir_path = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        match File::open(&dir_path) {
            Ok(d) => dir = Some(d),
            Err(e) => {
                message::error(&format!(
                    "{}: Opening the directory failed: {}",
                    display(dir_path.as_os_str()),
                    strerror(&e)
                ));
                return None;
            }
        }
    }
    if let (Ok(st), Some(sm)) = (std::fs::metadata(&path), src.meta.as_ref()) {
        if st.dev() == sm.dev() && st.ino() == sm.ino() {
            message::error(&format!(
                "{name}: Output file is the same as the input file"
            ));
            return None;
        }
    }
    if cfg.force {
        if let Err(e) = std::fs::remove_file(&path) {
            if e.kind() != ErrorKind::NotFound {
                message::error(&format!("{name}: Cannot remove: {}", strerror(&e)));
                return None;
            }
        }
    }
    let file = match OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .custom_flags(O_NOCTTY | O_NONBLOCK)
        .open(&path)
    {
        Ok(f) => f,
        Err(e) => {
            message::error(&format!("{name}: {}", strerror(&e)));
            return None;
        }
    };
    let meta = file.metadata().ok();
    let dev_ino = meta.as_ref().map(|m| (m.dev(), m.ino()));
    set_current(Some((path.clone(), dev_ino)));
    if let Some(m) = &meta {
        if !m.is_file() {
            message::error(&format!("{name}: Destination is not a regular file"));
            return None;
        }
    }
    Some(Dest {
        name,
        path: Some(path),
        file,
        dir,
        dev_ino,
        try_sparse: cfg.sparse && cfg.mode == OpMode::Decompress,
        pending_sparse: 0,
        may_block: false,
        fail_after: test_fail_after(),
        written: 0,
    })
}

/// Granularity of sparse detection: xz's I/O buffer size (8 KiB with glibc). xz tests
/// each full output buffer it writes, so its holes are the all-zero 8 KiB blocks at
/// multiples of 8 KiB of the output; ours are the same blocks, as the coding loop writes
/// whole buffers of a multiple of this size until the last.
const SPARSE_BLOCK: usize = 8 << 10;

/// A block of zeros, to compare output blocks with.
static ZERO_BLOCK: [u8; SPARSE_BLOCK] = [0; SPARSE_BLOCK];

impl Dest {
    fn write_raw(&mut self, mut buf: &[u8]) -> Result<(), std::io::Error> {
        if let Some(limit) = self.fail_after {
            if self.written + buf.len() as u64 > limit {
                return Err(std::io::Error::from_raw_os_error(28));
            }
        }
        self.written += buf.len() as u64;
        while !buf.is_empty() {
            let put = if self.may_block {
                crate::signals::blocking(|| self.file.write(buf))
            } else {
                self.file.write(buf)
            };
            match put {
                Ok(0) => return Err(std::io::Error::from(ErrorKind::WriteZero)),
                Ok(n) => buf = &buf[n..],
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    fn report(&self, e: &std::io::Error) {
        if e.kind() == ErrorKind::BrokenPipe && self.path.is_none() {
            // xz prints nothing here: the SIGPIPE that came with EPIPE stops the command,
            // which then dies from it (see crate::signals).
            crate::signals::set_aborted(crate::signals::BROKEN_PIPE);
            return;
        }
        message::error(&format!("{}: Write error: {}", self.name, strerror(e)));
    }

    fn flush_sparse(&mut self) -> bool {
        if self.pending_sparse > 0 {
            if let Err(e) = self
                .file
                .seek(SeekFrom::Current(self.pending_sparse as i64))
            {
                message::error(&format!(
                    "{}: Seeking failed when trying to create a sparse file: {}",
                    self.name,
                    strerror(&e)
                ));
                return false;
            }
            self.pending_sparse = 0;
        }
        true
    }

    /// Ends a pending hole at the end of the output: seeks over all of it but one byte and
    /// writes that byte, which gives the file its size. Returns false after printing an
    /// error.
    fn end_sparse(&mut self) -> bool {
        if self.pending_sparse == 0 {
            return true;
        }
        self.pending_sparse -= 1;
        self.flush_sparse() && self.write(&[0])
    }

    /// Writes `buf`, seeking over whole zero blocks when sparse output is allowed.
    /// Returns false after printing an error.
    pub fn write(&mut self, buf: &[u8]) -> bool {
        if !self.try_sparse {
            return match self.write_raw(buf) {
                Ok(()) => true,
                Err(e) => {
                    self.report(&e);
                    false
                }
            };
        }
        // Runs of data blocks go out in one write each; zero blocks become a pending hole.
        let mut rest = buf;
        while !rest.is_empty() {
            let zeros = rest
                .chunks(SPARSE_BLOCK)
                .take_while(|c| *c == &ZERO_BLOCK[..])
                .count();
            self.pending_sparse += (zeros * SPARSE_BLOCK) as u64;
            rest = &rest[zeros * SPARSE_BLOCK..];
            let data = rest
                .chunks(SPARSE_BLOCK)
                .take_while(|c| *c != &ZERO_BLOCK[..])
                .map(<[u8]>::len)
                .sum::<usize>();
            if data == 0 {
                continue;
            }
            if !self.flush_sparse() {
                return false;
            }
            if let Err(e) = self.write_raw(&rest[..data]) {
                self.report(&e);
                return false;
            }
            rest = &rest[data..];
        }
        true
    }

    /// xz's `io_close` for the output side. Returns the final success.
    pub fn close(mut self, src: &Source, cfg: &Config, mut success: bool) -> bool {
        if success && !self.end_sparse() {
            success = false;
        }
        let Some(path) = self.path.clone() else {
            return success;
        };
        if success {
            self.copy_attrs(src);
            if cfg.sync {
                if let Err(e) = self.file.sync_all() {
                    message::error(&format!(
                        "{}: Synchronizing the file failed: {}",
                        self.name,
                        strerror(&e)
                    ));
                    success = false;
                } else if let Some(Err(e)) = self.dir.as_ref().map(File::sync_all) {
                    message::error(&format!(
                        "{}: Synchronizing the directory of the file failed: {}",
                        self.name,
                        strerror(&e)
                    ));
                    success = false;
                }
            }
        }
        drop(self.file);
        // Under the lock of the registration, so that the signal thread never removes the
        // file at the same time (see crate::signals).
        let mut current = CURRENT.lock().unwrap_or_else(|e| e.into_inner());
        if !success && current.is_some() {
            unlink_checked(&path, self.dev_ino, true);
        }
        *current = None;
        success
    }

    fn copy_attrs(&self, src: &Source) {
        let Some(sm) = src.meta.as_ref() else { return };
        let fchown_ok = std::os::unix::fs::fchown(&self.file, Some(sm.uid()), None).is_ok();
        if !fchown_ok && crate::host::is_root() {
            message::warning(&format!(
                "{}: Cannot set the file owner: {}",
                self.name,
                strerror(&std::io::Error::last_os_error())
            ));
        }
        let dest_gid = self.file.metadata().map(|m| m.gid()).unwrap_or(sm.gid());
        let mut mode = sm.mode() & 0o777;
        if dest_gid != sm.gid() {
            if let Err(e) = std::os::unix::fs::fchown(&self.file, None, Some(sm.gid())) {
                message::warning(&format!(
                    "{}: Cannot set the file group: {}",
                    self.name,
                    strerror(&e)
                ));
                let m = ((sm.mode() & 0o070) >> 3) & (sm.mode() & 0o007);
                mode = (sm.mode() & 0o700) | (m << 3) | m;
            }
        }
        if let Err(e) = self
            .file
            .set_permissions(std::fs::Permissions::from_mode(mode))
        {
            message::warning(&format!(
                "{}: Cannot set the file permissions: {}",
                self.name,
                strerror(&e)
            ));
        }
        let mut times = std::fs::FileTimes::new();
        if let Ok(a) = sm.accessed() {
            times = times.set_accessed(a);
        }
        if let Ok(m) = sm.modified() {
            times = times.set_modified(m);
        }
        let _ = self.file.set_times(times);
    }
}

/// Removes `path` only if it is still the file we know (same device and inode).
fn unlink_checked(path: &Path, dev_ino: Option<(u64, u64)>, follow: bool) {
    let st = if follow {
        std::fs::metadata(path)
    } else {
        std::fs::symlink_metadata(path)
    };
    let same = match (st, dev_ino) {
        (Ok(m), Some((d, i))) => m.dev() == d && m.ino() == i,
        _ => false,
    };
    let name = display(path.as_os_str());
    if !same {
        message::warning(&format!(
            "{name}: File seems to have been moved, not removing"
        ));
    } else if let Err(e) = std::fs::remove_file(path) {
        message::warning(&format!("{name}: Cannot remove: {}", strerror(&e)));
    }
}

/// xz's `io_close` for the input side: deletes the input after success unless kept.
pub fn close_src(src: Source, cfg: &Config, success: bool) {
    let Source {
        path, file, meta, ..
    } = src;
    drop(file);
    if let (Some(p), Some(m)) = (path, meta) {
        if success && !cfg.keep {
            unlink_checked(&p, Some((m.dev(), m.ino())), cfg.force);
        }
    }
}

/// Whether stdin is a terminal (compressed data must not be read from it).
pub fn stdin_is_tty() -> bool {
    std::io::stdin().is_terminal()
}

/// Whether stdout is a terminal (compressed data must not be written to it).
pub fn stdout_is_tty() -> bool {
    std::io::stdout().is_terminal()
}

/// The output file being written (path, device and inode), for removal on fatal errors.
pub type Current = Option<(PathBuf, Option<(u64, u64)>)>;
static CURRENT: Mutex<Current> = Mutex::new(None);

fn set_current(v: Current) {
    *CURRENT.lock().unwrap_or_else(|e| e.into_inner()) = v;
}

/// Removes the partial output file, if one is being written (before exiting on a fatal
/// error or a stop signal). Silent; the file is removed only if it is still ours (same
/// device and inode).
pub fn emergency_cleanup() {
    drop(emergency_cleanup_hold());
}

/// [`emergency_cleanup`], returning the held lock of the registration: while it is held,
/// no other thread can register (create) a new output file. The signal thread keeps it
/// until the process has died.
pub fn emergency_cleanup_hold() -> std::sync::MutexGuard<'static, Current> {
    let mut current = CURRENT.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((p, di)) = current.take() {
        if let (Ok(m), Some((d, i))) = (std::fs::symlink_metadata(&p), di) {
            if m.dev() == d && m.ino() == i {
                let _ = std::fs::remove_file(&p);
            }
        }
    }
    current
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn which_files_may_block() {
        // Regular files and /dev/null never block (no signal thread is started for them);
        // other devices, pipes and FIFOs may.
        let exe = std::env::current_exe().expect("test binary");
        assert!(!may_block(&std::fs::metadata(exe).expect("metadata")));
        if let Ok(m) = std::fs::metadata("/dev/null") {
            assert!(!may_block(&m));
        }
        if let Ok(m) = std::fs::metadata("/dev/zero") {
            assert!(may_block(&m));
        }
    }

    /// A sparse-capable destination writing to a new scratch file.
    fn scratch_dest(tag: &str) -> (Dest, PathBuf) {
        let path = std::env::temp_dir().join(format!("xz-rs-io-{tag}-{}", std::process::id()));
        let file = File::create(&path).expect("scratch file");
        let dest = Dest {
            name: tag.into(),
            path: None,
            file,
            dir: None,
            dev_ino: None,
            try_sparse: true,
            pending_sparse: 0,
            may_block: false,
            fail_after: None,
            written: 0,
        };
        (dest, path)
    }

    #[test]
    fn sparse_writes_keep_the_content() {
        let block = SPARSE_BLOCK;
        let data = |n: usize, seed: u8| -> Vec<u8> {
            (0..n).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed) | 1).collect()
        };
        // Data, two zero blocks, a block half zeros (not a hole), a zero block cut by the
        // buffer boundary, data, and zero blocks up to the end (a trailing hole).
        let mut whole = Vec::new();
        whole.extend(data(block, 1));
        whole.extend(vec![0; 2 * block]);
        whole.extend(vec![0; block / 2]);
        whole.extend(data(block / 2, 2));
        whole.extend(vec![0; block]);
        whole.extend(data(100, 3));
        whole.extend(vec![0; block - 100]);
        whole.extend(vec![0; 3 * block]);
        // Written in buffers of four blocks, as the coding loop does, the last one short.
        let (mut dest, path) = scratch_dest("sparse");
        for buf in whole.chunks(4 * block) {
            assert!(dest.write(buf));
        }
        assert!(dest.end_sparse());
        drop(dest);
        let back = std::fs::read(&path).expect("read back");
        let _ = std::fs::remove_file(&path);
        assert_eq!(back.len(), whole.len());
        assert!(back == whole, "content differs");
    }

    #[test]
    fn zero_block_detection() {
        let (mut dest, path) = scratch_dest("zero-only");
        assert!(dest.write(&vec![0; 3 * SPARSE_BLOCK]));
        assert_eq!(dest.pending_sparse, 3 * SPARSE_BLOCK as u64);
        // A short block of zeros is data (xz tests full buffers only).
        assert!(dest.write(&[0; 10]));
        assert_eq!(dest.pending_sparse, 0);
        drop(dest);
        let len = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        let _ = std::fs::remove_file(&path);
        assert_eq!(len, 3 * SPARSE_BLOCK as u64 + 10);
    }
}
