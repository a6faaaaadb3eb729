//! Command-line and environment parsing into a [`Config`].

use std::ffi::{OsStr, OsString};
use std::io::Write;

use lzma_core::filter::BcjArch;
use lzma_core::{Check, Filter, LzmaOptions};

use crate::getopt::{Getopt, HasArg, Item, LongOpt};
use crate::message::{self, Verbosity};
use crate::options;
use crate::util::str_to_u64;

/// What the run does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpMode {
    /// `-z`.
    Compress,
    /// `-d`.
    Decompress,
    /// `-t`.
    Test,
    /// `-l`.
    List,
}

/// `--format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Detect (decompression only).
    Auto,
    /// `.xz`.
    Xz,
    /// `.lzma` (LZMA_Alone).
    Lzma,
    /// `.lz` (decompression only).
    Lzip,
    /// Raw filter chain.
    Raw,
}

/// Where `--files`/`--files0` read names from.
#[derive(Debug)]
pub struct FilesSource {
    /// `None` means standard input.
    pub path: Option<OsString>,
    /// The name used in messages (`(stdin)` for standard input).
    pub display: String,
    /// `\n` or `\0`.
    pub delim: u8,
    /// The opened file (when not stdin).
    pub file: Option<std::fs::File>,
}

/// One `--block-list` entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockEntry {
    /// Filter chain number 0..=9.
    pub chain: usize,
    /// Uncompressed size (`u64::MAX` for "the rest").
    pub size: u64,
}

/// Everything the options decided.
#[derive(Debug)]
pub struct Config {
    /// Operation.
    pub mode: OpMode,
    /// Container format.
    pub format: Format,
    /// `-c` (also implied by `-t`).
    pub stdout: bool,
    /// `-f`.
    pub force: bool,
    /// `-k` (also implied by `-c`, `-t`, `--single-stream`).
    pub keep: bool,
    /// fsync before removing the input (not `--no-sync`, not keeping).
    pub sync: bool,
    /// `--single-stream`.
    pub single_stream: bool,
    /// Sparse output when decompressing.
    pub sparse: bool,
    /// `--ignore-check`.
    pub ignore_check: bool,
    /// `-S`.
    pub suffix: Option<String>,
    /// `--files`/`--files0`.
    pub files: Option<FilesSource>,
    /// `-C`.
    pub check: Check,
    check_default: bool,
    preset_level: u32,
    preset_extreme: bool,
    /// Custom chain 0 from filter options (empty = use the preset).
    chain0: Vec<Filter>,
    string_used: bool,
    /// `--filters1..9`.
    extra_chains: [Option<Vec<Filter>>; 10],
    /// The final filter chains (index 0 always set after [`finish`]).
    pub chains: [Option<Vec<Filter>>; 10],
    /// Thread count (`-T`), resolved (0 → hardware threads).
    pub threads: u32,
    /// `-T0` was used (automatic).
    pub threads_auto: bool,
    /// Multi-threaded mode even with one thread (`-T0`, `-T+1`).
    pub mt_one: bool,
    /// `--block-size` (0 = default).
    pub block_size: u64,
    /// Block size of the threaded encoder after defaults.
    pub mt_block_size: u64,
    /// Threads after memory-limit reductions.
    pub threads_effective: u32,
    /// `--block-list`.
    pub block_list: Option<Vec<BlockEntry>>,
    block_list_largest: u64,
    block_list_chain_mask: u32,
    /// `--flush-timeout` in ms.
    pub flush_timeout: u64,
    /// Compression limit (0 = none).
    pub memlimit_compress: u64,
    /// Decompression limit (0 = none).
    pub memlimit_decompress: u64,
    /// MT decompression limit (0 = default).
    pub memlimit_mtdec: u64,
    /// Default MT limit (a quarter of RAM).
    pub memlimit_mt_default: u64,
    /// `--no-adjust` clears it.
    pub auto_adjust: bool,
    /// Physical memory.
    pub total_ram: u64,
    /// Hardware threads.
    pub cpu_threads: u32,
    /// Operands (files); `-` for stdin.
    pub operands: Vec<OsString>,
}

const SHORT: &str = "cC:defF:hHlkM:qQrS:tT:vVz0123456789";

const O_FILTERS: i32 = 1000;
const O_FILTERS_HELP: i32 = 1010;
const O_X86: i32 = 1011;
const O_POWERPC: i32 = 1012;
const O_IA64: i32 = 1013;
const O_ARM: i32 = 1014;
const O_ARMTHUMB: i32 = 1015;
const O_ARM64: i32 = 1016;
const O_SPARC: i32 = 1017;
const O_RISCV: i32 = 1018;
const O_DELTA: i32 = 1019;
const O_LZMA1: i32 = 1020;
const O_LZMA2: i32 = 1021;
const O_NO_SYNC: i32 = 1022;
const O_SINGLE_STREAM: i32 = 1023;
const O_NO_SPARSE: i32 = 1024;
const O_FILES: i32 = 1025;
const O_FILES0: i32 = 1026;
const O_BLOCK_SIZE: i32 = 1027;
const O_BLOCK_LIST: i32 = 1028;
const O_MEM_COMPRESS: i32 = 1029;
const O_MEM_DECOMPRESS: i32 = 1030;
const O_MEM_MT_DECOMPRESS: i32 = 1031;
const O_NO_ADJUST: i32 = 1032;
const O_INFO_MEMORY: i32 = 1033;
const O_ROBOT: i32 = 1034;
const O_FLUSH_TIMEOUT: i32 = 1035;
const O_IGNORE_CHECK: i32 = 1036;

const fn c(b: u8) -> i32 {
    b as i32
}

const fn lo(name: &'static str, has_arg: HasArg, val: i32) -> LongOpt {
    LongOpt { name, has_arg, val }
}

use HasArg::{No, Optional, Required};

const LONG: &[LongOpt] = &[
    lo("compress", No, c(b'z')),
    lo("decompress", No, c(b'd')),
    lo("uncompress", No, c(b'd')),
    lo("test", No, c(b't')),
    lo("list", No, c(b'l')),
    lo("keep", No, c(b'k')),
    lo("force", No, c(b'f')),
    lo("stdout", No, c(b'c')),
    lo("to-stdout", No, c(b'c')),
    lo("no-sync", No, O_NO_SYNC),
    lo("single-stream", No, O_SINGLE_STREAM),
    lo("no-sparse", No, O_NO_SPARSE),
    lo("suffix", Required, c(b'S')),
    lo("files", Optional, O_FILES),
    lo("files0", Optional, O_FILES0),
    lo("format", Required, c(b'F')),
    lo("check", Required, c(b'C')),
    lo("ignore-check", No, O_IGNORE_CHECK),
    lo("block-size", Required, O_BLOCK_SIZE),
    lo("block-list", Required, O_BLOCK_LIST),
    lo("memlimit-compress", Required, O_MEM_COMPRESS),
    lo("memlimit-decompress", Required, O_MEM_DECOMPRESS),
    lo("memlimit-mt-decompress", Required, O_MEM_MT_DECOMPRESS),
    lo("memlimit", Required, c(b'M')),
    lo("memory", Required, c(b'M')),
    lo("no-adjust", No, O_NO_ADJUST),
    lo("threads", Required, c(b'T')),
    lo("flush-timeout", Required, O_FLUSH_TIMEOUT),
    lo("extreme", No, c(b'e')),
    lo("fast", No, c(b'0')),
    lo("best", No, c(b'9')),
    lo("filters", Required, O_FILTERS),
    lo("filters1", Required, O_FILTERS + 1),
    lo("filters2", Required, O_FILTERS + 2),
    lo("filters3", Required, O_FILTERS + 3),
    lo("filters4", Required, O_FILTERS + 4),
    lo("filters5", Required, O_FILTERS + 5),
    lo("filters6", Required, O_FILTERS + 6),
    lo("filters7", Required, O_FILTERS + 7),
    lo("filters8", Required, O_FILTERS + 8),
    lo("filters9", Required, O_FILTERS + 9),
    lo("filters-help", No, O_FILTERS_HELP),
    lo("lzma1", Optional, O_LZMA1),
    lo("lzma2", Optional, O_LZMA2),
    lo("x86", Optional, O_X86),
    lo("powerpc", Optional, O_POWERPC),
    lo("ia64", Optional, O_IA64),
    lo("arm", Optional, O_ARM),
    lo("armthumb", Optional, O_ARMTHUMB),
    lo("arm64", Optional, O_ARM64),
    lo("sparc", Optional, O_SPARC),
    lo("riscv", Optional, O_RISCV),
    lo("delta", Optional, O_DELTA),
    lo("quiet", No, c(b'q')),
    lo("verbose", No, c(b'v')),
    lo("no-warn", No, c(b'Q')),
    lo("robot", No, O_ROBOT),
    lo("info-memory", No, O_INFO_MEMORY),
    lo("help", No, c(b'h')),
    lo("long-help", No, c(b'H')),
    lo("version", No, c(b'V')),
];

/// The soft data-segment or address-space limit less a 64 MiB margin, if one is set.
fn rlimit_cap() -> Option<u64> {
    crate::host::address_space_limit().map(|v| v.checked_sub(64 << 20).unwrap_or(1).max(1))
}

impl Config {
    fn new() -> Config {
        let total_ram = crate::host::physical_memory().unwrap_or(128 << 20);
        let mut mt_default = total_ram / 4;
        if let Some(cap) = rlimit_cap() {
            mt_default = mt_default.min(cap);
        }
        let cpu_threads = crate::host::cpu_threads();
        Config {
            mode: OpMode::Compress,
            format: Format::Auto,
            stdout: false,
            force: false,
            keep: false,
            sync: true,
            single_stream: false,
            sparse: true,
            ignore_check: false,
            suffix: None,
            files: None,
            check: Check::Crc64,
            check_default: true,
            preset_level: 6,
            preset_extreme: false,
            chain0: Vec::new(),
            string_used: false,
            extra_chains: Default::default(),
            chains: Default::default(),
            threads: cpu_threads,
            threads_auto: true,
            mt_one: true,
            block_size: 0,
            mt_block_size: 0,
            threads_effective: cpu_threads,
            block_list: None,
            block_list_largest: 0,
            block_list_chain_mask: 0,
            flush_timeout: 0,
            memlimit_compress: 0,
            memlimit_decompress: 0,
            memlimit_mtdec: 0,
            memlimit_mt_default: mt_default,
            auto_adjust: true,
            total_ram,
            cpu_threads,
            operands: Vec::new(),
        }
    }

    /// Whether the multi-threaded (block-splitting) encoder format is used.
    pub fn threads_is_mt(&self) -> bool {
        self.threads > 1 || self.mt_one
    }

    fn set_threads(&mut self, n: u32, plus: bool) {
        self.threads_auto = false;
        self.mt_one = false;
        if n == 0 {
            self.threads_auto = true;
            self.mt_one = true;
            self.threads = self.cpu_threads;
        } else if n == 1 && plus {
            self.mt_one = true;
            self.threads = 1;
        } else {
            self.threads = n;
        }
    }

    /// The memory limit for the mode (`u64::MAX` = none).
    pub fn memlimit(&self, mode: OpMode) -> u64 {
        let m = if mode == OpMode::Compress {
            self.memlimit_compress
        } else {
            self.memlimit_decompress
        };
        if m == 0 {
            u64::MAX
        } else {
            m
        }
    }

    /// The limit for multi-threaded compression.
    pub fn memlimit_mtenc(&self) -> u64 {
        if self.memlimit_mtenc_is_default() {
            self.memlimit_mt_default
        } else {
            self.memlimit(OpMode::Compress)
        }
    }

    /// Whether the MT encoder limit is the automatic default.
    pub fn memlimit_mtenc_is_default(&self) -> bool {
        self.memlimit_compress == 0 && self.threads_auto
    }

    /// The MT decompression limit in force.
    pub fn memlimit_mtdec_get(&self) -> u64 {
        let mut m = if self.memlimit_mtdec != 0 {
            self.memlimit_mtdec
        } else {
            self.memlimit_mt_default
        };
        if self.memlimit_decompress != 0 && m > self.memlimit_decompress {
            m = self.memlimit_decompress;
        }
        m
    }

    fn set_memlimit(&mut self, name: &str, arg: &str, which: (bool, bool, bool)) {
        let value = if let Some(pct) = arg.strip_suffix('%') {
            let p = str_to_u64(&format!("{name}%"), pct, 1, 100);
            (p as u128 * u128::from(self.total_ram) / 100) as u64
        } else {
            str_to_u64(name, arg, 0, u64::MAX)
        };
        if which.0 {
            self.memlimit_compress = value;
            // A 32-bit process cannot use more, so xz caps the limit there.
            if cfg!(target_pointer_width = "32") {
                let cap = if cfg!(target_arch = "mips") {
                    2000u64 << 20
                } else {
                    4020u64 << 20
                };
                if value != u64::MAX && value > cap {
                    self.memlimit_compress = cap;
                }
            }
        }
        if which.1 {
            self.memlimit_decompress = value;
        }
        if which.2 {
            self.memlimit_mtdec = value;
        }
    }

    fn forget_chain(&mut self) {
        self.chain0.clear();
        self.string_used = false;
    }

    fn add_filter(&mut self, f: Filter) {
        if self.chain0.len() == 4 {
            message::fatal("Maximum number of filters is four");
        }
        if self.string_used {
            self.forget_chain();
        }
        self.chain0.push(f);
        self.preset_level = 6;
        self.preset_extreme = false;
    }

    fn filters_from_str(&mut self, s: &str, slot: usize) {
        match options::str_to_filters(s, slot == 0) {
            Ok(chain) => {
                if slot == 0 {
                    self.forget_chain();
                    self.preset_level = 6;
                    self.preset_extreme = false;
                    self.string_used = true;
                    self.chain0 = chain;
                } else {
                    self.extra_chains[slot] = Some(chain);
                }
            }
            Err((msg, pos)) => {
                let num = if slot > 0 {
                    slot.to_string()
                } else {
                    String::new()
                };
                message::error_only(&format!("Error in --filters{num}=FILTERS option:"));
                message::error_only(&message::mask(s));
                message::error_only(&format!("{}^", " ".repeat(pos)));
                message::fatal(msg);
            }
        }
    }

    fn parse_block_list(&mut self, s: &str) {
        if s.is_empty() || s.starts_with(',') {
            message::fatal(&format!(
                "{}: Invalid argument to --block-list",
                message::mask(s)
            ));
        }
        let items: Vec<&str> = s.split(',').collect();
        let count = items.len();
        let mut list: Vec<BlockEntry> = Vec::with_capacity(count);
        self.block_list_chain_mask = 0;
        self.block_list_largest = 0;
        for (i, item) in items.iter().enumerate() {
            let b = item.as_bytes();
            let mut entry = BlockEntry { chain: 0, size: 0 };
            let mut rest: &str = item;
            if b.len() >= 2 && b[0].is_ascii_digit() && b[1] == b':' {
                if b.len() == 2 {
                    message::fatal(&format!(
                        "In --block-list, block size is missing after filter chain number '{}:'",
                        char::from(b[0])
                    ));
                }
                entry.chain = usize::from(b[0] - b'0');
                self.block_list_chain_mask |= 1 << entry.chain;
                rest = &item[2..];
            } else {
                self.block_list_chain_mask |= 1;
            }
            if rest.is_empty() {
                // Empty item repeats the previous one (i > 0 because the first item is
                // never empty).
                if let Some(prev) = list.last() {
                    entry = *prev;
                }
            } else {
                entry.size = str_to_u64("block-list", rest, 0, u64::MAX);
                if entry.size == 0 {
                    if i + 1 != count {
                        message::fatal("0 can only be used as the last element in --block-list");
                    }
                    entry.size = u64::MAX;
                }
                self.block_list_largest = self.block_list_largest.max(entry.size);
            }
            list.push(entry);
        }
        self.block_list = Some(list);
    }

    /// The chain used by `--list`-independent code paths for `-vv` printing, etc.
    pub fn chain0(&self) -> &[Filter] {
        self.chains[0].as_deref().unwrap_or(&[])
    }
}

fn help(long: bool) -> ! {
    let text = if long {
        include_str!("text/long_help.txt")
    } else {
        include_str!("text/help.txt")
    };
    let text = text.replacen("Usage: xz ", &format!("Usage: {} ", message::progname()), 1);
    crate::message::stdout_write(text.as_bytes());
    message::exit(
        message::E_SUCCESS,
        message::verbosity() != Verbosity::Silent,
    )
}

fn filters_help() -> ! {
    let text = if message::robot() {
        include_str!("text/filters_help_robot.txt")
    } else {
        include_str!("text/filters_help.txt")
    };
    crate::message::stdout_write(text.as_bytes());
    message::exit(
        message::E_SUCCESS,
        message::verbosity() != Verbosity::Silent,
    )
}

/// The version we print: ours in the reference's shape. `--robot` reports the XZ Utils
/// version whose behaviour we follow, as scripts use it for feature checks.
fn version() -> ! {
    let text = if message::robot() {
        "XZ_VERSION=50080012\nLIBLZMA_VERSION=50080012\n".to_string()
    } else {
        format!(
            "xz (xz-rs) {v}\nlzma-core {v}\n",
            v = env!("CARGO_PKG_VERSION")
        )
    };
    crate::message::stdout_write(text.as_bytes());
    message::exit(
        message::E_SUCCESS,
        message::verbosity() != Verbosity::Silent,
    )
}

fn info_memory(cfg: &Config) -> ! {
    let mut out = String::new();
    if message::robot() {
        out = format!(
            "{}\t{}\t{}\t{}\t{}\t{}\n",
            cfg.total_ram,
            cfg.memlimit_compress,
            cfg.memlimit_decompress,
            cfg.memlimit_mtdec_get(),
            cfg.memlimit_mt_default,
            cfg.cpu_threads
        );
    } else {
        let show = |label: &str, v: u64| -> String {
            if v == 0 || v == u64::MAX {
                format!("  {label:<32}  Disabled\n")
            } else {
                format!(
                    "  {label:<32}  {} MiB ({v} B)\n",
                    crate::util::round_up_to_mib(v)
                )
            }
        };
        out.push_str("Hardware information:\n");
        out.push_str(&show("Amount of physical memory (RAM):", cfg.total_ram));
        out.push_str(&format!(
            "  {:<32}  {}\n",
            "Number of processor threads:", cfg.cpu_threads
        ));
        out.push_str("\nMemory usage limits:\n");
        out.push_str(&show("Compression:", cfg.memlimit_compress));
        out.push_str(&show("Decompression:", cfg.memlimit_decompress));
        out.push_str(&show(
            "Multi-threaded decompression:",
            cfg.memlimit_mtdec_get(),
        ));
        out.push_str(&show("Default for -T0:", cfg.memlimit_mt_default));
    }
    crate::message::stdout_write(out.as_bytes());
    message::exit(
        message::E_SUCCESS,
        message::verbosity() != Verbosity::Silent,
    )
}

fn parse_real(cfg: &mut Config, args: Vec<OsString>) -> Vec<OsString> {
    let mut g = Getopt::new(args, SHORT, LONG);
    for item in g.by_ref() {
        let (code, arg) = match item {
            Item::Opt(code, arg) => (code, arg),
            Item::Error(msg) => {
                // getopt prints these itself, whatever the verbosity.
                let _ = writeln!(std::io::stderr(), "{}: {msg}", message::progname());
                message::try_help();
                message::exit(message::E_ERROR, false);
            }
        };
        let a = arg.as_deref();
        let req = || arg.clone().unwrap_or_default();
        match code {
            x if (c(b'0')..=c(b'9')).contains(&x) => {
                cfg.preset_level = (x - c(b'0')) as u32;
                cfg.forget_chain();
            }
            O_MEM_COMPRESS => cfg.set_memlimit("memlimit-compress", &req(), (true, false, false)),
            O_MEM_DECOMPRESS => {
                cfg.set_memlimit("memlimit-decompress", &req(), (false, true, false))
            }
            O_MEM_MT_DECOMPRESS => {
                cfg.set_memlimit("memlimit-mt-decompress", &req(), (false, false, true))
            }
            x if x == c(b'M') => cfg.set_memlimit("memlimit", &req(), (true, true, true)),
            x if x == c(b'S') => {
                let s = req();
                if s.is_empty() || s.contains('/') {
                    message::fatal(&format!("{}: Invalid filename suffix", message::mask(&s)));
                }
                cfg.suffix = Some(s);
            }
            x if x == c(b'T') => {
                let s = req();
                let (plus, num) = match s.strip_prefix('+') {
                    Some(n) => (true, n.to_string()),
                    None => (false, s.clone()),
                };
                let t = str_to_u64("threads", &num, 0, 16384) as u32;
                cfg.set_threads(t, plus);
            }
            x if x == c(b'V') => version(),
            x if x == c(b'c') => cfg.stdout = true,
            x if x == c(b'd') => cfg.mode = OpMode::Decompress,
            x if x == c(b'e') => {
                cfg.preset_extreme = true;
                cfg.forget_chain();
            }
            x if x == c(b'f') => cfg.force = true,
            O_INFO_MEMORY => info_memory(cfg),
            x if x == c(b'h') => help(false),
            x if x == c(b'H') => help(true),
            x if x == c(b'l') => cfg.mode = OpMode::List,
            x if x == c(b'k') => cfg.keep = true,
            x if x == c(b'q') => message::verbosity_decrease(),
            x if x == c(b'Q') => message::set_no_warn(),
            x if x == c(b't') => cfg.mode = OpMode::Test,
            x if x == c(b'v') => message::verbosity_increase(),
            O_ROBOT => message::set_robot(),
            x if x == c(b'z') => cfg.mode = OpMode::Compress,
            O_FILTERS => cfg.filters_from_str(&req(), 0),
            x if (O_FILTERS + 1..=O_FILTERS + 9).contains(&x) => {
                cfg.filters_from_str(&req(), (x - O_FILTERS) as usize)
            }
            O_FILTERS_HELP => filters_help(),
            O_X86 => cfg.add_filter(options::parse_bcj(BcjArch::X86, a)),
            O_POWERPC => cfg.add_filter(options::parse_bcj(BcjArch::PowerPc, a)),
            O_IA64 => cfg.add_filter(options::parse_bcj(BcjArch::Ia64, a)),
            O_ARM => cfg.add_filter(options::parse_bcj(BcjArch::Arm, a)),
            O_ARMTHUMB => cfg.add_filter(options::parse_bcj(BcjArch::ArmThumb, a)),
            O_ARM64 => cfg.add_filter(options::parse_bcj(BcjArch::Arm64, a)),
            O_SPARC => cfg.add_filter(options::parse_bcj(BcjArch::Sparc, a)),
            O_RISCV => cfg.add_filter(options::parse_bcj(BcjArch::RiscV, a)),
            O_DELTA => cfg.add_filter(options::parse_delta(a)),
            O_LZMA1 => cfg.add_filter(Filter::Lzma1(options::parse_lzma(a))),
            O_LZMA2 => cfg.add_filter(Filter::Lzma2(options::parse_lzma(a))),
            x if x == c(b'F') => {
                let s = req();
                cfg.format = match s.as_str() {
                    "auto" => Format::Auto,
                    "xz" => Format::Xz,
                    "lzma" | "alone" => Format::Lzma,
                    "lzip" => Format::Lzip,
                    "raw" => Format::Raw,
                    _ => {
                        message::fatal(&format!("{}: Unknown file format type", message::mask(&s)))
                    }
                };
            }
            x if x == c(b'C') => {
                let s = req();
                cfg.check = match s.as_str() {
                    "none" => Check::None,
                    "crc32" => Check::Crc32,
                    "crc64" => Check::Crc64,
                    "sha256" => Check::Sha256,
                    _ => message::fatal(&format!(
                        "{}: Unsupported integrity check type",
                        message::mask(&s)
                    )),
                };
                cfg.check_default = false;
            }
            O_IGNORE_CHECK => cfg.ignore_check = true,
            O_BLOCK_SIZE => cfg.block_size = str_to_u64("block-size", &req(), 0, (1 << 63) - 1),
            O_BLOCK_LIST => cfg.parse_block_list(&req()),
            O_SINGLE_STREAM => {
                cfg.single_stream = true;
                cfg.keep = true;
            }
            O_NO_SPARSE => cfg.sparse = false,
            O_FILES | O_FILES0 => {
                if cfg.files.is_some() {
                    message::fatal("Only one file can be specified with '--files' or '--files0'.");
                }
                let delim = if code == O_FILES { b'\n' } else { 0 };
                cfg.files = Some(match arg {
                    None => FilesSource {
                        path: None,
                        display: "(stdin)".into(),
                        delim,
                        file: None,
                    },
                    Some(p) => match std::fs::File::open(&p) {
                        Ok(f) => FilesSource {
                            path: Some(OsString::from(&p)),
                            display: p.clone(),
                            delim,
                            file: Some(f),
                        },
                        Err(e) => message::fatal(&format!(
                            "{}: {}",
                            message::mask(&p),
                            crate::io::strerror(&e)
                        )),
                    },
                });
            }
            O_NO_ADJUST => cfg.auto_adjust = false,
            O_FLUSH_TIMEOUT => cfg.flush_timeout = str_to_u64("flush-timeout", &req(), 0, u64::MAX),
            O_NO_SYNC => cfg.sync = false,
            _ => {
                // `-r` is in the option string but unimplemented, as in xz.
                message::try_help();
                message::exit(message::E_ERROR, false);
            }
        }
    }
    g.into_operands()
}

fn split_env(value: &OsStr) -> Vec<OsString> {
    value
        .as_encoded_bytes()
        .split(|b| matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r'))
        .filter(|w| !w.is_empty())
        .map(|w| OsString::from(String::from_utf8_lossy(w).into_owned()))
        .collect()
}

/// Parses the environment (`XZ_DEFAULTS`, `XZ_OPT`) and the command line.
pub fn parse(argv: Vec<OsString>) -> Config {
    let mut cfg = Config::new();
    let argv0 = argv
        .first()
        .cloned()
        .unwrap_or_else(|| OsString::from("xz"));
    let base = std::path::Path::new(&argv0)
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    if base.contains("xzcat") {
        cfg.mode = OpMode::Decompress;
        cfg.stdout = true;
    } else if base.contains("unxz") {
        cfg.mode = OpMode::Decompress;
    } else if base.contains("lzcat") {
        cfg.format = Format::Lzma;
        cfg.mode = OpMode::Decompress;
        cfg.stdout = true;
    } else if base.contains("unlzma") {
        cfg.format = Format::Lzma;
        cfg.mode = OpMode::Decompress;
    } else if base.contains("lzma") {
        cfg.format = Format::Lzma;
    }

    for var in ["XZ_DEFAULTS", "XZ_OPT"] {
        if let Some(v) = std::env::var_os(var) {
            let _ignored_operands = parse_real(&mut cfg, split_env(&v));
        }
    }
    cfg.operands = parse_real(&mut cfg, argv.into_iter().skip(1).collect());
    finish(&mut cfg);
    cfg
}

fn finish(cfg: &mut Config) {
    if cfg.mode == OpMode::Compress && cfg.format == Format::Lzip {
        message::fatal("Compression of lzip files (.lz) is not supported");
    }
    if cfg.stdout || cfg.mode == OpMode::Test {
        cfg.keep = true;
        cfg.stdout = true;
    }
    if cfg.keep {
        cfg.sync = false;
    }
    if cfg.mode == OpMode::Compress && cfg.format == Format::Auto {
        cfg.format = Format::Xz;
    }
    if (cfg.mode != OpMode::Compress || cfg.format != Format::Xz) && cfg.block_list.is_some() {
        message::message(
            Verbosity::Warning,
            "--block-list is ignored unless compressing to the .xz format",
        );
        cfg.block_list = None;
    }
    if cfg.format == Format::Raw
        && cfg.suffix.is_none()
        && !cfg.stdout
        && matches!(cfg.mode, OpMode::Compress | OpMode::Decompress)
        && (cfg.files.is_some() || cfg.operands.iter().any(|o| o != "-"))
    {
        message::fatal("With --format=raw, --suffix=.SUF is required unless writing to stdout");
    }
    if cfg.mode == OpMode::Compress || (cfg.format == Format::Raw && cfg.mode != OpMode::List) {
        set_compression_settings(cfg);
    }
    if cfg.operands.is_empty() && cfg.files.is_none() {
        cfg.operands.push(OsString::from("-"));
    }
}

fn memlimit_too_small(usage: u64, limit: u64) -> ! {
    message::error_only("Memory usage limit is too low for the given filter setup.");
    // `limit` is the mode's limit, as xz's message_mem_needed() prints it.
    message::mem_needed(Verbosity::Error, usage, limit);
    message::exit(message::E_ERROR, false)
}

/// xz's `coder_set_compression_settings`: builds the chains, prints `-vv` details, and
/// adapts threads and dictionary to the memory limit.
fn set_compression_settings(cfg: &mut Config) {
    if cfg.check_default {
        cfg.check = Check::Crc64;
    }
    let mut used_mask: u32 = 1;
    if let Some(list) = &cfg.block_list {
        let _ = list;
        let mut chains_used = 1u32;
        for i in 1..10 {
            if cfg.extra_chains[i].is_some() {
                chains_used |= 1 << i;
            }
        }
        let missing = (cfg.block_list_chain_mask ^ chains_used) & cfg.block_list_chain_mask;
        if missing != 0 {
            let first = missing.trailing_zeros();
            message::fatal(&format!(
                "filter chain {first} used by --block-list but not specified with --filters{first}="
            ));
        }
        used_mask = chains_used & cfg.block_list_chain_mask;
    }
    let chain0: Vec<Filter> = if cfg.chain0.is_empty() && used_mask & 1 != 0 {
        if cfg.format == Format::Raw {
            message::message(
                Verbosity::Warning,
                "Using a preset in raw mode is discouraged.",
            );
            message::message(
                Verbosity::Warning,
                "The exact options of the presets may vary between software versions.",
            );
        }
        let o = LzmaOptions::preset(cfg.preset_level, cfg.preset_extreme).unwrap_or_default();
        vec![if cfg.format == Format::Lzma {
            Filter::Lzma1(o)
        } else {
            Filter::Lzma2(o)
        }]
    } else {
        cfg.chain0.clone()
    };
    if cfg.format == Format::Lzma && !(chain0.len() == 1 && matches!(chain0[0], Filter::Lzma1(_))) {
        message::fatal("The .lzma format supports only the LZMA1 filter");
    }
    if cfg.format == Format::Xz
        && used_mask & 1 != 0
        && chain0.iter().any(|f| matches!(f, Filter::Lzma1(_)))
    {
        message::fatal("LZMA1 cannot be used with the .xz format");
    }
    if used_mask & 1 != 0 && message::verbosity() >= Verbosity::Debug {
        {
            let _ = writeln!(
                std::io::stderr(),
                "{}: Filter chain: {}",
                message::progname(),
                options::filters_to_string(&chain0, true)
            );
        }
    }
    cfg.chains[0] = Some(chain0);
    for i in 1..10 {
        if used_mask & (1 << i) != 0 {
            cfg.chains[i] = cfg.extra_chains[i].clone();
        }
    }
    if cfg.mode == OpMode::Compress && cfg.flush_timeout != 0 {
        for (i, ch) in cfg.chains.iter().enumerate() {
            if let Some(ch) = ch {
                if ch
                    .iter()
                    .any(|f| !matches!(f, Filter::Lzma2(_) | Filter::Delta { .. }))
                {
                    message::fatal(&format!(
                        "Filter chain {i} is incompatible with --flush-timeout"
                    ));
                }
            }
        }
        if cfg.threads_is_mt() {
            message::message(
                Verbosity::Warning,
                "Switching to single-threaded mode due to --flush-timeout",
            );
            cfg.set_threads(1, false);
        }
    }

    let mut memory_limit = cfg.memlimit(cfg.mode);
    let mut usages = [0u64; 10];
    let memory_usage;
    let mt = cfg.mode == OpMode::Compress && cfg.format == Format::Xz && cfg.threads_is_mt();
    let mut threads = cfg.threads;
    let mut block_size = cfg.block_size;
    if cfg.mode == OpMode::Compress {
        if mt {
            memory_limit = cfg.memlimit_mtenc();
            if block_size == 0 {
                for (i, ch) in cfg.chains.iter().enumerate() {
                    let Some(ch) = ch else { continue };
                    match crate::coder::mt_block_size(ch) {
                        Some(s) => block_size = block_size.max(s),
                        None => message::fatal(&format!("Unsupported options in filter chain {i}")),
                    }
                }
                if cfg.block_list_largest > 0 && block_size > cfg.block_list_largest {
                    block_size = cfg.block_list_largest;
                }
            }
            memory_usage = chains_memusage(cfg, &mut usages, Some((threads, block_size)));
            if memory_usage != u64::MAX {
                message::message(Verbosity::Debug, &format!("Using up to {threads} threads."));
            }
        } else {
            memory_usage = chains_memusage(cfg, &mut usages, None);
        }
    } else {
        memory_usage = crate::coder::decoder_memusage(cfg.chain0()).unwrap_or(u64::MAX);
    }
    if memory_usage == u64::MAX {
        message::fatal("Unsupported filter chain or filter options");
    }
    // xz names the limit of the mode here (not the threaded encoder's automatic one).
    message::mem_needed(Verbosity::Debug, memory_usage, cfg.memlimit(cfg.mode));
    if cfg.mode == OpMode::Compress && message::verbosity() >= Verbosity::Debug {
        let mut dec = 0u64;
        for ch in cfg.chains.iter().flatten() {
            dec = dec.max(crate::coder::decoder_memusage(ch).unwrap_or(0));
        }
        message::message(
            Verbosity::Debug,
            &format!(
                "Decompression will need {} MiB of memory.",
                crate::util::round_up_to_mib(dec)
            ),
        );
    }
    cfg.mt_block_size = block_size;
    cfg.threads_effective = threads;
    if memory_usage <= memory_limit {
        return;
    }
    if cfg.format == Format::Raw {
        memlimit_too_small(memory_usage, memory_limit);
    }
    let mut memory_usage = memory_usage;
    if mt {
        let orig = threads;
        while threads > 1 {
            threads -= 1;
            memory_usage = chains_memusage(cfg, &mut usages, Some((threads, block_size)));
            if memory_usage <= memory_limit {
                message::message(
                    Verbosity::Debug,
                    &format!(
                        "Reduced the number of threads from {orig} to {threads} to not exceed the memory usage limit of {} MiB",
                        crate::util::round_up_to_mib(memory_limit)
                    ),
                );
                cfg.threads_effective = threads;
                return;
            }
        }
        if cfg.memlimit_mtenc_is_default() {
            message::message(
                Verbosity::Debug,
                &format!(
                    "Reduced the number of threads from {orig} to one. The automatic memory usage limit of {} MiB is still being exceeded. {} MiB of memory is required. Continuing anyway.",
                    crate::util::round_up_to_mib(memory_limit),
                    crate::util::round_up_to_mib(memory_usage)
                ),
            );
            cfg.threads_effective = 1;
            return;
        }
        if !cfg.auto_adjust {
            memlimit_too_small(memory_usage, memory_limit);
        }
        cfg.set_threads(1, false);
        memory_usage = chains_memusage(cfg, &mut usages, None);
        message::message(
            Verbosity::Warning,
            &format!(
                "Switching to single-threaded mode to not exceed the memory usage limit of {} MiB",
                crate::util::round_up_to_mib(memory_limit)
            ),
        );
    }
    if memory_usage <= memory_limit {
        return;
    }
    if !cfg.auto_adjust {
        memlimit_too_small(memory_usage, memory_limit);
    }
    for (i, slot) in cfg.chains.iter_mut().enumerate() {
        let Some(chain) = slot.as_mut() else { continue };
        if usages[i] <= memory_limit {
            continue;
        }
        let Some(idx) = chain
            .iter()
            .position(|f| matches!(f, Filter::Lzma1(_) | Filter::Lzma2(_)))
        else {
            memlimit_too_small(usages[i], memory_limit);
        };
        let lzma2 = matches!(chain[idx], Filter::Lzma2(_));
        let orig = match &chain[idx] {
            Filter::Lzma1(o) | Filter::Lzma2(o) => o.dict_size,
            _ => 0,
        };
        let mut dict = orig & !((1u32 << 20) - 1);
        loop {
            if dict < (1 << 20) {
                memlimit_too_small(usages[i], memory_limit);
            }
            if let Filter::Lzma1(o) | Filter::Lzma2(o) = &mut chain[idx] {
                o.dict_size = dict;
            }
            usages[i] = crate::coder::encoder_memusage(chain).unwrap_or(u64::MAX);
            if usages[i] <= memory_limit {
                break;
            }
            dict -= 1 << 20;
        }
        let n = if lzma2 { '2' } else { '1' };
        let lim = crate::util::round_up_to_mib(memory_limit);
        if i == 0 {
            message::message(
                Verbosity::Warning,
                &format!(
                    "Adjusted LZMA{n} dictionary size from {} MiB to {} MiB to not exceed the memory usage limit of {lim} MiB",
                    orig >> 20,
                    dict >> 20
                ),
            );
        } else {
            message::message(
                Verbosity::Warning,
                &format!(
                    "Adjusted LZMA{n} dictionary size for --filters{i} from {} MiB to {} MiB to not exceed the memory usage limit of {lim} MiB",
                    orig >> 20,
                    dict >> 20
                ),
            );
        }
    }
}

fn chains_memusage(cfg: &Config, usages: &mut [u64; 10], mt: Option<(u32, u64)>) -> u64 {
    let mut max = 0;
    for (i, ch) in cfg.chains.iter().enumerate() {
        let Some(ch) = ch else { continue };
        let u = match mt {
            Some((threads, block_size)) => {
                crate::coder::mt_encoder_memusage(ch, threads, block_size).unwrap_or(u64::MAX)
            }
            None => crate::coder::encoder_memusage(ch).unwrap_or(u64::MAX),
        };
        usages[i] = u;
        max = max.max(u);
    }
    max
}
