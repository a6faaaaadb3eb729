//! Signals, handled as XZ Utils' `signals.c` and `message.c` handle them.
//!
//! - SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGXCPU and SIGXFSZ ask the command to stop: the
//!   partial output file is removed (never the input) and the process then dies from the
//!   same signal, with its default action, so a shell sees 130, 143, 129, 141… as with xz.
//!   As in xz, a signal that the parent left ignored stays ignored (SIGPIPE excepted: the
//!   Rust runtime ignores it before `main`, so the parent's choice cannot be known; it is
//!   always handled, as xz does under a shell, and from the start, see [`init`]).
//! - SIGUSR1 and SIGALRM ask for one progress line on stderr (see
//!   [`crate::message::progress_update`]); they never stop the command.
//!
//! Safe Rust cannot install a signal handler, so the handlers are `signal-hook`'s: they set
//! the flags [`ABORT`] and [`PROGRESS`], and a stop signal also wakes a thread of ours
//! ([`signal_hook::iterator::Signals`]), which acts outside signal context when nobody else
//! will. The thread is started only when first needed, before an operation that may block
//! for ever (see [`blocking`]): a run that never blocks (regular files in and out, the
//! common case) does not pay for a thread start, about a tenth of a millisecond, more than the
//! rest of this module's set-up.
//!
//! Who cleans up: while the coding loop runs and can look at [`aborted`] between two
//! buffers, it is *watching* (see [`watch`]); a stop request then only sets the flag, and the
//! loop ends the file as a failure (removing the partial output, printing the `-v` summary
//! as xz does), after which [`exit_if_aborted`] re-raises the signal. Around every read or
//! write that may block for ever (a pipe, a terminal, a FIFO: see [`blocking`]), nobody is
//! watching, and the signal thread itself removes the registered partial output
//! ([`crate::io::emergency_cleanup`]) and ends the process. A lock makes the two cases
//! exclusive, so exactly one of them acts. Between files, and before the signal thread has
//! started, the main thread finds the request at its next check ([`aborted`], at every file
//! and before every blocking operation): nothing in between can wait for ever.

use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

use signal_hook::consts::signal::{
    SIGALRM, SIGHUP, SIGINT, SIGPIPE, SIGTERM, SIGUSR1, SIGXCPU, SIGXFSZ,
};
use signal_hook::iterator::{Handle, Signals};

/// The signals that stop the command (xz's `signals_init`).
const STOP_SIGNALS: [i32; 6] = [SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGXCPU, SIGXFSZ];

/// The signals that ask for a progress line (xz's `message_progress_sigs`).
const PROGRESS_SIGNALS: [i32; 2] = [SIGALRM, SIGUSR1];

/// The last stop signal received (0: none), like xz's `exit_signal`; set by the handler
/// itself, so it is set before the signal thread wakes, and whether it runs or not.
static ABORT: AtomicUsize = AtomicUsize::new(0);

/// A progress line was asked for and not printed yet (set by the handler).
static PROGRESS: AtomicBool = AtomicBool::new(false);

/// Whether the main thread is watching [`ABORT`] (see the module documentation).
static WATCHING: Mutex<bool> = Mutex::new(false);

/// The handle of the signal thread's registrations, to add the stop signals later.
static HANDLE: OnceLock<Handle> = OnceLock::new();

/// The stop-signal registrations, until the signal thread is started and takes them
/// ([`start_thread`]).
static UNSTARTED: Mutex<Option<Signals>> = Mutex::new(None);

/// Makes stop signal `sig` set [`ABORT`] and then wake the signal thread (`signal-hook` runs
/// a signal's actions in the order they were registered).
fn register_stop(sig: i32) {
    let _ = signal_hook::flag::register_usize(sig, &ABORT, sig as usize);
    if let Some(handle) = HANDLE.get() {
        let _ = handle.add_signal(sig);
    }
}

fn watching() -> std::sync::MutexGuard<'static, bool> {
    WATCHING.lock().unwrap_or_else(|e| e.into_inner())
}

fn is_ignored(mask: u64, sig: i32) -> bool {
    (1..=64).contains(&sig) && mask & (1u64 << (sig - 1)) != 0
}

/// Handles the progress signals (xz's `message_init`), and SIGPIPE, which the Rust runtime
/// ignores before `main` while xz leaves it at its default action (death) until
/// [`hook_stop_signals`]: a closed pipe on `--list` or `--help` output ends the process by
/// SIGPIPE, as with xz. Call once, early; a failure is silent. The signal thread is not
/// started yet (see [`start_thread`]).
pub fn init() {
    for sig in PROGRESS_SIGNALS {
        let _ = signal_hook::flag::register(sig, &PROGRESS);
    }
    let Ok(signals) = Signals::new(std::iter::empty::<i32>()) else {
        return;
    };
    let _ = HANDLE.set(signals.handle());
    *UNSTARTED.lock().unwrap_or_else(|e| e.into_inner()) = Some(signals);
    register_stop(SIGPIPE);
}

/// Starts the signal thread, once: from then on a stop request is acted on at once, even
/// while the main thread is blocked.
fn start_thread() {
    let Some(mut signals) = UNSTARTED.lock().unwrap_or_else(|e| e.into_inner()).take() else {
        return;
    };
    // What arrived so far is already in ABORT, and is seen through it.
    for _ in signals.pending() {}
    let spawned = std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            for sig in signals.forever() {
                stop_requested(sig);
            }
        });
    let _ = spawned;
}

/// Also handles the stop signals (xz's `signals_init`, not used by `--list`), except those
/// that were ignored when the process started.
pub fn hook_stop_signals() {
    let ignored = crate::host::ignored_signals();
    for sig in STOP_SIGNALS {
        if sig == SIGPIPE || is_ignored(ignored, sig) {
            // SIGPIPE is handled from the start (see init).
            continue;
        }
        register_stop(sig);
    }
}

/// In the signal thread: a stop signal arrived (its handler has set [`ABORT`]).
fn stop_requested(sig: i32) {
    let watched = watching();
    if !*watched {
        // Nobody will look at the flag soon: clean up and die here, holding the lock so
        // that the main thread cannot start watching in between.
        die(sig);
    }
}

/// Removes the partial output and ends the process by `sig` with its default action.
fn die(sig: i32) -> ! {
    // Held until the end, so that no new output file can be created meanwhile.
    let _registration = crate::io::emergency_cleanup_hold();
    let _ = std::io::stderr().flush();
    let _ = signal_hook::low_level::emulate_default_handler(sig);
    // Only if the signal could not end the process: the status a shell would show.
    std::process::exit(128 + sig)
}

/// The stop signal received so far, if any (xz's `user_abort`).
pub fn aborted() -> Option<i32> {
    match ABORT.load(Ordering::SeqCst) {
        0 => None,
        s => i32::try_from(s).ok(),
    }
}

/// Records a stop by `sig` found without the signal, e.g. EPIPE when writing to standard
/// output (the SIGPIPE that comes with it may not have been seen yet).
pub fn set_aborted(sig: i32) {
    ABORT.store(sig as usize, Ordering::SeqCst);
}

/// SIGPIPE's number, for [`set_aborted`].
pub const BROKEN_PIPE: i32 = SIGPIPE;

/// After the work is done or abandoned: dies from the stop signal if one was received
/// (xz's `signals_exit`).
pub fn exit_if_aborted() {
    if let Some(sig) = aborted() {
        die(sig);
    }
}

/// Whether a progress line was asked for since the last call (clears the request).
pub fn take_progress_request() -> bool {
    PROGRESS.swap(false, Ordering::SeqCst)
}

/// While alive, the main thread looks at [`aborted`] between buffers, so a stop signal only
/// sets the flag. Created by [`watch`].
pub struct Watch {
    previous: bool,
}

/// Starts watching (the coding loop). If a stop signal already arrived, the caller sees it
/// through [`aborted`] at its first check.
pub fn watch() -> Watch {
    let mut w = watching();
    let previous = *w;
    *w = true;
    Watch { previous }
}

impl Drop for Watch {
    fn drop(&mut self) {
        *watching() = self.previous;
    }
}

/// Runs `op`, which may block for ever (reading a pipe, writing to a terminal, opening a
/// FIFO), without watching: a stop signal during `op` is handled by the signal thread (started
/// here if it is not running yet) at once. If one already arrived, the process ends here.
pub fn blocking<T>(op: impl FnOnce() -> T) -> T {
    start_thread();
    let previous = {
        let mut w = watching();
        if let Some(sig) = aborted() {
            drop(w);
            die(sig);
        }
        std::mem::replace(&mut *w, false)
    };
    let result = op();
    *watching() = previous;
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignored_mask_bits() {
        // SIGPIPE (13) is bit 12; SIGINT (2) is bit 1.
        assert!(is_ignored(0x1000, 13));
        assert!(!is_ignored(0x1000, 2));
        assert!(is_ignored(0x2, 2));
        assert!(!is_ignored(u64::MAX, 0));
        assert!(!is_ignored(u64::MAX, 65));
    }

    #[test]
    fn watch_nests_and_restores() {
        assert!(!*watching());
        {
            let _outer = watch();
            assert!(*watching());
            blocking(|| assert!(!*watching()));
            assert!(*watching());
            {
                let _inner = watch();
                assert!(*watching());
            }
            assert!(*watching());
        }
        assert!(!*watching());
    }

    #[test]
    fn progress_request_is_taken_once() {
        PROGRESS.store(true, Ordering::SeqCst);
        assert!(take_progress_request());
        assert!(!take_progress_request());
    }
}
