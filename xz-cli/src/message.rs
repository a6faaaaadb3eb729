//! Messages on stderr, verbosity, the exit status, and the `-v` progress display.
//!
//! Everything here is process-global (like xz's `message.c`), kept in atomics and a mutex so
//! that no `unsafe` is needed.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Instant;

use crate::util::{nicestr, Unit};

/// How much is printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u8)]
pub enum Verbosity {
    /// `-qq`: nothing.
    Silent = 0,
    /// `-q`: errors only.
    Error = 1,
    /// Default: errors and warnings.
    Warning = 2,
    /// `-v`: progress and summaries.
    Verbose = 3,
    /// `-vv`: debugging details.
    Debug = 4,
}

/// Exit statuses.
pub const E_SUCCESS: u8 = 0;
/// An error happened.
pub const E_ERROR: u8 = 1;
/// Only warnings happened.
pub const E_WARNING: u8 = 2;

static VERBOSITY: AtomicU8 = AtomicU8::new(Verbosity::Warning as u8);
static EXIT_STATUS: AtomicU8 = AtomicU8::new(E_SUCCESS);
static NO_WARN: AtomicBool = AtomicBool::new(false);
static ROBOT: AtomicBool = AtomicBool::new(false);
static LIST_MODE: AtomicBool = AtomicBool::new(false);
static PROGNAME: OnceLock<String> = OnceLock::new();
static UTF8_LOCALE: OnceLock<bool> = OnceLock::new();

/// Sets the program name used as message prefix (argv\[0\] as given).
pub fn set_progname(name: String) {
    let _ = PROGNAME.set(name);
}

/// The program name as given in argv\[0\].
pub fn progname() -> &'static str {
    PROGNAME.get().map(String::as_str).unwrap_or("xz")
}

/// Current verbosity.
pub fn verbosity() -> Verbosity {
    match VERBOSITY.load(Ordering::Relaxed) {
        0 => Verbosity::Silent,
        1 => Verbosity::Error,
        2 => Verbosity::Warning,
        3 => Verbosity::Verbose,
        _ => Verbosity::Debug,
    }
}

/// `-v`.
pub fn verbosity_increase() {
    let v = VERBOSITY.load(Ordering::Relaxed);
    if v < Verbosity::Debug as u8 {
        VERBOSITY.store(v + 1, Ordering::Relaxed);
    }
}

/// `-q`.
pub fn verbosity_decrease() {
    let v = VERBOSITY.load(Ordering::Relaxed);
    if v > 0 {
        VERBOSITY.store(v - 1, Ordering::Relaxed);
    }
}

/// `-Q`.
pub fn set_no_warn() {
    NO_WARN.store(true, Ordering::Relaxed);
}

/// `--robot`.
pub fn set_robot() {
    ROBOT.store(true, Ordering::Relaxed);
}

/// Whether `--robot` was given.
pub fn robot() -> bool {
    ROBOT.load(Ordering::Relaxed)
}

/// Tells the progress code that `--list` is running (file headers go to stdout).
pub fn set_list_mode() {
    LIST_MODE.store(true, Ordering::Relaxed);
}

/// Records a warning or an error; an error is never downgraded.
pub fn set_exit_status(status: u8) {
    if EXIT_STATUS.load(Ordering::Relaxed) != E_ERROR {
        EXIT_STATUS.store(status, Ordering::Relaxed);
    }
}

/// The status the process should exit with now.
pub fn final_status() -> u8 {
    let s = EXIT_STATUS.load(Ordering::Relaxed);
    if s == E_WARNING && NO_WARN.load(Ordering::Relaxed) {
        E_SUCCESS
    } else {
        s
    }
}

/// Replaces non-printable characters by `?` as xz 5.8 does in messages.
pub fn mask(s: &str) -> String {
    let utf8 = *UTF8_LOCALE.get_or_init(|| {
        let var = ["LC_ALL", "LC_CTYPE", "LANG"]
            .iter()
            .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
            .unwrap_or_default()
            .to_ascii_lowercase();
        var.contains("utf-8") || var.contains("utf8")
    });
    s.chars()
        .map(|c| {
            if c.is_control() || (!utf8 && !c.is_ascii()) || c == '\u{fffd}' {
                '?'
            } else {
                c
            }
        })
        .collect()
}

/// Prints `progname: text` at verbosity `v`.
pub fn message(v: Verbosity, text: &str) {
    if v <= verbosity() {
        progress_flush(false);
        let mut e = std::io::stderr().lock();
        let _ = writeln!(e, "{}: {}", progname(), text);
    }
}

/// Prints an error (V_ERROR) without changing the exit status.
pub fn error_only(text: &str) {
    message(Verbosity::Error, text);
}

/// Prints a warning and sets exit status 2 (unless an error happened).
pub fn warning(text: &str) {
    message(Verbosity::Warning, text);
    set_exit_status(E_WARNING);
}

/// Prints an error and sets exit status 1.
pub fn error(text: &str) {
    message(Verbosity::Error, text);
    set_exit_status(E_ERROR);
}

/// Prints an error and exits with status 1, removing any partial output first.
pub fn fatal(text: &str) -> ! {
    message(Verbosity::Error, text);
    crate::io::emergency_cleanup();
    exit(E_ERROR, true)
}

/// `Try 'xz --help' for more information.`
pub fn try_help() {
    message(
        Verbosity::Warning,
        &format!("Try '{} --help' for more information.", progname()),
    );
}

/// Writes text (help, version, `--list`) to standard output. A closed pipe stops the run
/// as the SIGPIPE that comes with it does in xz (the process then dies from SIGPIPE, even
/// if the signal thread has not acted yet); other errors show at exit, when stdout is
/// flushed.
pub fn stdout_write(b: &[u8]) {
    if let Err(e) = std::io::stdout().lock().write_all(b) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            crate::signals::set_aborted(crate::signals::BROKEN_PIPE);
        }
    }
}

/// Flushes stdout and exits; a stdout failure turns the status into an error.
pub fn exit(status: u8, show_error: bool) -> ! {
    let mut status = status;
    crate::signals::exit_if_aborted();
    if let Err(e) = std::io::stdout().flush() {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            // The reader has gone: xz dies from SIGPIPE (its default action) here.
            crate::signals::set_aborted(crate::signals::BROKEN_PIPE);
            crate::signals::exit_if_aborted();
        }
        if show_error {
            let mut err = std::io::stderr().lock();
            let _ = writeln!(
                err,
                "{}: Writing to standard output failed: {}",
                progname(),
                crate::io::strerror(&e)
            );
        }
        status = E_ERROR;
    }
    std::process::exit(i32::from(status))
}

/// Exits at the end of a normal run with the collected status.
pub fn exit_final() -> ! {
    exit(final_status(), verbosity() != Verbosity::Silent)
}

/// `N MiB of memory is required. The limit is M MiB.` (or `The limiter is disabled.`).
pub fn mem_needed(v: Verbosity, memusage: u64, memlimit: u64) {
    if v > verbosity() {
        return;
    }
    let need = crate::util::round_up_to_mib(memusage);
    if memlimit == u64::MAX {
        message(
            v,
            &format!("{need} MiB of memory is required. The limiter is disabled."),
        );
        return;
    }
    let lim = if memlimit < (1 << 20) {
        format!("{memlimit} B")
    } else {
        format!("{} MiB", crate::util::round_up_to_mib(memlimit))
    };
    message(
        v,
        &format!("{need} MiB of memory is required. The limit is {lim}."),
    );
}

// ---------------------------------------------------------------------------------------
// Per-file headers and progress.

struct ProgressState {
    files_total: Option<u32>,
    files_pos: u32,
    filename: String,
    is_stdin: bool,
    first_filename_printed: bool,
    current_filename_printed: bool,
    automatic: bool,
    started: bool,
    active: bool,
    compressing: bool,
    expected_in: u64,
    start: Option<Instant>,
    next_update_ms: u64,
    in_pos: u64,
    out_pos: u64,
}

static PROGRESS: Mutex<ProgressState> = Mutex::new(ProgressState {
    files_total: Some(0),
    files_pos: 0,
    filename: String::new(),
    is_stdin: false,
    first_filename_printed: false,
    current_filename_printed: false,
    automatic: false,
    started: false,
    active: false,
    compressing: false,
    expected_in: 0,
    start: None,
    next_update_ms: 0,
    in_pos: 0,
    out_pos: 0,
});

fn state() -> std::sync::MutexGuard<'static, ProgressState> {
    PROGRESS.lock().unwrap_or_else(|e| e.into_inner())
}

/// Initialises the progress display (whether stderr is a terminal).
pub fn init() {
    state().automatic = std::io::stderr().is_terminal();
}

/// Sets the number of files; `None` with `--files`.
pub fn set_files(total: Option<u32>) {
    state().files_total = total;
}

fn print_filename(st: &mut ProgressState) {
    if robot() || (st.files_total == Some(1) && st.is_stdin) {
        return;
    }
    let list = LIST_MODE.load(Ordering::Relaxed);
    let mut text = String::new();
    if st.first_filename_printed {
        text.push('\n');
    }
    st.first_filename_printed = true;
    st.current_filename_printed = true;
    match st.files_total {
        None | Some(0) => text.push_str(&format!("{} ({})\n", mask(&st.filename), st.files_pos)),
        Some(t) => text.push_str(&format!(
            "{} ({}/{})\n",
            mask(&st.filename),
            st.files_pos,
            t
        )),
    }
    if list {
        crate::list::stdout_write(text.as_bytes());
    } else {
        let _ = std::io::stderr().lock().write_all(text.as_bytes());
    }
}

/// Announces the next file (`(stdin)` for standard input).
pub fn filename(name: &str, is_stdin: bool) {
    let mut st = state();
    st.files_pos += 1;
    st.filename = name.to_string();
    st.is_stdin = is_stdin;
    if verbosity() >= Verbosity::Verbose && (st.automatic || LIST_MODE.load(Ordering::Relaxed)) {
        print_filename(&mut st);
    } else {
        st.current_filename_printed = false;
    }
}

/// Starts the progress of one file.
pub fn progress_start(compressing: bool, expected_in: u64) {
    let mut st = state();
    st.compressing = compressing;
    st.expected_in = expected_in;
    st.started = true;
    st.active = false;
    st.in_pos = 0;
    st.out_pos = 0;
    st.start = Some(Instant::now());
    st.next_update_ms = 1000;
}

fn percentage(st: &ProgressState) -> String {
    if st.expected_in == 0 || st.in_pos > st.expected_in {
        return "--- %".to_string();
    }
    format!("{:.1} %", st.in_pos as f64 / st.expected_in as f64 * 99.9)
}

fn sizes(comp: u64, uncomp: u64, final_: bool) -> String {
    let umin = if final_ { Unit::B } else { Unit::MiB };
    let mut s = format!(
        "{} / {}",
        nicestr(comp, umin, Unit::TiB, false),
        nicestr(uncomp, umin, Unit::TiB, false)
    );
    let ratio = if uncomp > 0 {
        comp as f64 / uncomp as f64
    } else {
        16.0
    };
    if ratio > 9.999 {
        s.push_str(" > 9.999");
    } else {
        s.push_str(&format!(" = {ratio:.3}"));
    }
    s
}

fn speed(uncomp: u64, elapsed: u64) -> String {
    if elapsed < 3000 {
        return String::new();
    }
    let units = ['K', 'M', 'G'];
    let mut i = 0;
    let mut sp = uncomp as f64 / (elapsed as f64 * (1024.0 / 1000.0));
    while sp > 999.0 {
        sp /= 1024.0;
        i += 1;
        if i == units.len() {
            return String::new();
        }
    }
    if sp > 9.9 {
        format!("{sp:.0} {}iB/s", units[i])
    } else {
        format!("{sp:.1} {}iB/s", units[i])
    }
}

fn time_str(ms: u64) -> String {
    let secs = ms / 1000;
    if secs == 0 || secs > (9999 * 60 + 59) * 60 + 59 {
        return String::new();
    }
    let (mut m, s) = (secs / 60, secs % 60);
    if m >= 60 {
        let h = m / 60;
        m %= 60;
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

fn remaining(st: &ProgressState, elapsed: u64) -> String {
    if st.expected_in == 0 || st.in_pos > st.expected_in || st.in_pos < (1 << 19) || elapsed < 8000
    {
        return String::new();
    }
    let mut r =
        ((st.expected_in - st.in_pos) as f64 * (elapsed as f64 / 1000.0) / st.in_pos as f64) as u64;
    r = r.max(1);
    if r <= 10 {
        format!("{r} s")
    } else if r <= 50 {
        format!("{} s", r.div_ceil(5) * 5)
    } else if r <= 590 {
        let r = r.div_ceil(10) * 10;
        format!("{} min {} s", r / 60, r % 60)
    } else if r <= 59 * 60 {
        format!("{} min", r.div_ceil(60))
    } else if r <= 9 * 3600 + 50 * 60 {
        let r = r.div_ceil(600) * 10;
        format!("{} h {} min", r / 60, r % 60)
    } else if r <= 23 * 3600 {
        format!("{} h", r.div_ceil(3600))
    } else if r <= 9 * 24 * 3600 + 23 * 3600 {
        let r = r.div_ceil(3600);
        format!("{} d {} h", r / 24, r % 24)
    } else if r <= 999 * 24 * 3600 {
        format!("{} d", r.div_ceil(24 * 3600))
    } else {
        String::new()
    }
}

fn comp_uncomp(st: &ProgressState) -> (u64, u64) {
    if st.compressing {
        (st.out_pos, st.in_pos)
    } else {
        (st.in_pos, st.out_pos)
    }
}

/// Updates the counters, and prints the progress line (xz's `message_progress_update`):
/// redrawn in place once a second with `-v` on a terminal, and once, on a line of its own,
/// when SIGUSR1 or SIGALRM asked for it (whatever the verbosity, as in xz).
pub fn progress_update(in_pos: u64, out_pos: u64) {
    let mut st = state();
    st.in_pos = in_pos;
    st.out_pos = out_pos;
    let automatic = st.automatic && verbosity() >= Verbosity::Verbose;
    let requested = crate::signals::take_progress_request();
    if !automatic && !requested {
        return;
    }
    let elapsed = st.start.map_or(0, |s| s.elapsed().as_millis() as u64);
    if automatic {
        if !requested && st.next_update_ms > elapsed {
            return;
        }
        st.next_update_ms = elapsed + 1000;
    }
    if !st.current_filename_printed {
        print_filename(&mut st);
    }
    let (c, u) = comp_uncomp(&st);
    let mut line = format!(
        "\r {:>6} {:>35}   {:>9} {:>10}   {:>10}\r",
        percentage(&st),
        sizes(c, u, false),
        speed(u, elapsed),
        time_str(elapsed),
        remaining(&st, elapsed)
    );
    if automatic {
        // The cursor stays on the line: a message printed next starts with a newline.
        st.active = true;
    } else {
        line.push('\n');
    }
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
}

fn progress_flush(finished: bool) {
    let mut st = state();
    if !st.started || verbosity() < Verbosity::Verbose {
        return;
    }
    let (c, u) = comp_uncomp(&st);
    if !finished && !st.active && (c == 0 || u == 0) {
        return;
    }
    st.active = false;
    let elapsed = st.start.map_or(0, |s| s.elapsed().as_millis() as u64);
    let text = if st.automatic {
        format!(
            "\r {:>6} {:>35}   {:>9} {:>10}   {:>10}\n",
            if finished {
                "100 %".to_string()
            } else {
                percentage(&st)
            },
            sizes(c, u, true),
            speed(u, elapsed),
            time_str(elapsed),
            if finished {
                String::new()
            } else {
                remaining(&st, elapsed)
            }
        )
    } else {
        let mut t = format!("{}: ", mask(&st.filename));
        if !finished {
            let p = percentage(&st);
            if !p.starts_with('-') {
                t.push_str(&p);
                t.push_str(", ");
            }
        }
        t.push_str(&sizes(c, u, true));
        let sp = speed(u, elapsed);
        if !sp.is_empty() {
            t.push_str(", ");
            t.push_str(&sp);
        }
        let ts = time_str(elapsed);
        if !ts.is_empty() {
            t.push_str(", ");
            t.push_str(&ts);
        }
        t.push('\n');
        t
    };
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

/// Ends the progress of one file, printing the final line at `-v`.
pub fn progress_end(success: bool) {
    progress_flush(success);
    state().started = false;
}
