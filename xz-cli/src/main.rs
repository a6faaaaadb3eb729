//! `xz`: a drop-in replacement for XZ Utils' command, on `lzma-core`.
//!
//! Module map (mirroring XZ Utils' `src/xz/`):
//! - [`getopt`]: a GNU `getopt_long` work-alike; [`args`]: options, environment variables,
//!   command names, presets and filter chains, memory-limit adjustment;
//!   [`options`]: filter option syntaxes; [`memusage`]: liblzma's memory figures;
//! - [`coder`]: one file through a decoder or encoder (all `lzma-core` coder calls are in
//!   `coder::lib`); [`io`]: input checks, exclusive output creation, metadata, fsync, sparse
//!   output, removal of partial output; [`suffix`]: output names; [`signals`]: stop
//!   signals (partial output removed, then death by the same signal) and progress signals;
//! - [`list`]: `--list`; [`message`]: messages, exit status and progress; [`util`]:
//!   number parsing and formatting; [`host`]: what the process reads from `/proc`.
#![forbid(unsafe_code)]

mod args;
mod coder;
mod getopt;
mod host;
mod io;
mod list;
mod memusage;
mod message;
mod options;
mod signals;
mod suffix;
mod util;

use std::ffi::OsString;
use std::io::Read;

use args::{Config, OpMode};
use message::Verbosity;

/// Reads the next name from `--files`/`--files0` input; `None` at the end or on error.
fn read_name(
    cfg: &Config,
    reader: &mut dyn Read,
    pending: &mut Vec<u8>,
    eof: &mut bool,
) -> Option<OsString> {
    let files = cfg.files.as_ref()?;
    let delim = files.delim;
    let mut name: Vec<u8> = Vec::new();
    loop {
        if pending.is_empty() {
            if *eof {
                if !name.is_empty() {
                    message::error(&format!(
                        "{}: Unexpected end of input when reading filenames",
                        message::mask(&files.display)
                    ));
                }
                return None;
            }
            let mut buf = vec![0u8; 8192];
            match reader.read(&mut buf) {
                Ok(0) => *eof = true,
                Ok(n) => {
                    buf.truncate(n);
                    pending.extend(buf.into_iter().rev());
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    message::error(&format!(
                        "{}: Error reading filenames: {}",
                        message::mask(&files.display),
                        io::strerror(&e)
                    ));
                    return None;
                }
            }
            continue;
        }
        // `pending` holds unread bytes in reverse order.
        let Some(c) = pending.pop() else { continue };
        if c == delim {
            if name.is_empty() {
                continue;
            }
            use std::os::unix::ffi::OsStringExt;
            return Some(OsString::from_vec(name));
        }
        if c == 0 {
            message::error(&format!(
                "{}: Null character found when reading filenames; maybe you meant to use '--files0' instead of '--files'?",
                message::mask(&files.display)
            ));
            return None;
        }
        name.push(c);
    }
}

fn main() {
    let argv: Vec<OsString> = std::env::args_os().collect();
    let progname = argv
        .first()
        .map_or_else(|| "xz".to_string(), |a| a.to_string_lossy().into_owned());
    message::set_progname(progname);
    message::init();
    signals::init();
    let mut cfg = args::parse(argv);

    if cfg.mode != OpMode::List && message::robot() {
        message::fatal("Compression and decompression with --robot are not supported yet.");
    }
    if cfg.mode == OpMode::List {
        message::set_list_mode();
    } else {
        signals::hook_stop_signals();
    }
    message::set_files(if cfg.files.is_some() {
        None
    } else {
        Some(cfg.operands.len() as u32)
    });

    if cfg.mode == OpMode::Compress
        && (cfg.stdout || (cfg.operands.len() == 1 && cfg.operands[0] == "-"))
        && io::stdout_is_tty()
    {
        message::error("Compressed data cannot be written to a terminal");
        message::try_help();
        message::exit(message::E_ERROR, false);
    }

    let files_from_stdin = cfg.files.as_ref().is_some_and(|f| f.path.is_none());
    let operands = std::mem::take(&mut cfg.operands);
    let count = operands.len();
    cfg.operands = Vec::new();
    let run = |cfg: &Config, name: &std::ffi::OsStr, is_stdin: bool| {
        if cfg.mode == OpMode::List {
            list::list_file(cfg, name, is_stdin);
        } else {
            coder::run_file(cfg, name, is_stdin);
        }
    };
    for op in &operands {
        if signals::aborted().is_some() {
            break;
        }
        if op == "-" {
            if cfg.mode == OpMode::Compress {
                if io::stdout_is_tty() {
                    message::error("Compressed data cannot be written to a terminal");
                    continue;
                }
            } else if io::stdin_is_tty() {
                message::error("Compressed data cannot be read from a terminal");
                continue;
            }
            if files_from_stdin {
                message::error(
                    "Cannot read data from standard input when reading filenames from standard input",
                );
                continue;
            }
            run(&cfg, op, true);
        } else {
            run(&cfg, op, false);
        }
    }
    let _ = count;
    if cfg.files.is_some() {
        let mut pending = Vec::new();
        let mut eof = false;
        let mut reader: Box<dyn Read> = match cfg.files.as_mut().and_then(|f| f.file.take()) {
            Some(f) => Box::new(f),
            None => Box::new(std::io::stdin()),
        };
        while signals::aborted().is_none() {
            let Some(name) = read_name(&cfg, reader.as_mut(), &mut pending, &mut eof) else {
                break;
            };
            run(&cfg, &name, false);
        }
    }
    if cfg.mode == OpMode::List {
        list::totals();
    }
    let _ = Verbosity::Silent;
    // A stop signal ends the process by that signal, as in xz.
    signals::exit_if_aborted();
    message::exit_final();
}
