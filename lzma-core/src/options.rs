//! Options of the decoders and of the .xz encoder.
//!
//! ```
//! use lzma_core::{Check, DecoderOptions, EncoderOptions};
//! let xz = lzma_core::compress_with(b"options", &EncoderOptions::preset(1).check(Check::Crc32))?;
//! assert_eq!(lzma_core::decompress_with(&xz, &DecoderOptions::new().memlimit(16 << 20))?, b"options");
//! # Ok::<(), lzma_core::Error>(())
//! ```

use crate::filter::Filter;
use crate::lzma::LzmaOptions;
use crate::{Check, Error, Result};

/// Options shared by the decoders (.xz, .lzma, lzip, auto-detect).
///
/// ```
/// use lzma_core::DecoderOptions;
/// let o = DecoderOptions::new().memlimit(64 << 20).single_stream(true);
/// assert_eq!(o.memlimit, 64 << 20);
/// assert!(!o.ignore_check);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DecoderOptions {
    /// Memory limit in bytes; a stream that needs more fails with
    /// [`Error::MemLimit`] before anything is allocated. `u64::MAX` means no limit.
    pub memlimit: u64,
    /// Do not verify integrity checks (.xz block checks, lzip CRC32).
    pub ignore_check: bool,
    /// Decode only the first stream (.xz) or member (lzip) and stop there, leaving any
    /// following bytes unread (xz `--single-stream`). Otherwise concatenated streams and
    /// stream padding are decoded.
    pub single_stream: bool,
}

impl Default for DecoderOptions {
    fn default() -> Self {
        DecoderOptions { memlimit: u64::MAX, ignore_check: false, single_stream: false }
    }
}

impl DecoderOptions {
    /// No memory limit, checks verified, concatenated streams decoded.
    ///
    /// ```
    /// let o = lzma_core::DecoderOptions::new();
    /// assert_eq!((o.memlimit, o.ignore_check, o.single_stream), (u64::MAX, false, false));
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the memory limit (0 is treated as 1, as liblzma does).
    ///
    /// ```
    /// use lzma_core::{xz::XzDecoder, oneshot::run, DecoderOptions, Error};
    /// let xz = lzma_core::compress(b"data", 6).unwrap(); // needs an 8 MiB dictionary
    /// let mut d = XzDecoder::new(DecoderOptions::new().memlimit(1 << 20));
    /// assert!(matches!(run(&mut d, &xz), Err(Error::MemLimit { .. })));
    /// assert_eq!(DecoderOptions::new().memlimit(0).memlimit, 1);
    /// ```
    pub fn memlimit(mut self, limit: u64) -> Self {
        self.memlimit = limit.max(1);
        self
    }

    /// Sets whether integrity checks are ignored.
    ///
    /// ```
    /// use lzma_core::{xz::XzDecoder, oneshot::run, DecoderOptions};
    /// let mut xz = lzma_core::compress(b"data", 0).unwrap();
    /// // The stream ends with the block's CRC64 (8 bytes), an 8-byte index (one record)
    /// // and a 12-byte footer: damage the CRC64's first byte.
    /// let crc_at = xz.len() - 12 - 8 - 8;
    /// xz[crc_at] ^= 1;
    /// assert!(run(&mut XzDecoder::new(DecoderOptions::new()), &xz).is_err());
    /// let lenient = DecoderOptions::new().ignore_check(true);
    /// assert_eq!(run(&mut XzDecoder::new(lenient), &xz).unwrap(), b"data");
    /// ```
    pub fn ignore_check(mut self, yes: bool) -> Self {
        self.ignore_check = yes;
        self
    }

    /// Sets whether only the first stream is decoded (what follows it is not read).
    ///
    /// ```
    /// use lzma_core::{xz::XzDecoder, oneshot::run, DecoderOptions};
    /// let mut two = lzma_core::compress(b"one", 0).unwrap();
    /// two.extend(lzma_core::compress(b"two", 0).unwrap());
    /// assert_eq!(run(&mut XzDecoder::new(DecoderOptions::new()), &two).unwrap(), b"onetwo");
    /// let first = DecoderOptions::new().single_stream(true);
    /// assert_eq!(run(&mut XzDecoder::new(first), &two).unwrap(), b"one");
    /// ```
    pub fn single_stream(mut self, yes: bool) -> Self {
        self.single_stream = yes;
        self
    }
}

/// Options of the .xz encoder: a preset or an explicit filter chain, the check, and how the
/// input is split into blocks.
///
/// Block layout follows `xz`:
/// - `threads == 1`: the single-threaded format of `xz -T1`: one block unless `block_size`
///   or `block_list` split it; block headers hold no sizes.
/// - `threads != 1` (0 = automatic, as `-T0`): the multi-threaded format of xz 5.8: blocks of
///   `block_size` bytes (default: three times the dictionary, at least 1 MiB), compressed
///   independently, with both sizes in every block header. The output does not depend on
///   the thread count.
///
/// ```
/// use lzma_core::{Check, EncoderOptions};
/// let o = EncoderOptions::preset(6).check(Check::Crc32).block_size(1 << 20);
/// assert_eq!(o.filter_chain().unwrap().len(), 1);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct EncoderOptions {
    /// Preset level 0..=9 (used when `filters` is `None`).
    pub level: u32,
    /// The extreme variant of the preset (`-e`).
    pub extreme: bool,
    /// An explicit filter chain (overrides the preset).
    pub filters: Option<Vec<Filter>>,
    /// The integrity check.
    pub check: Check,
    /// Block size in bytes (`--block-size`); `None` = one block (single-threaded) or the
    /// default size (multi-threaded).
    pub block_size: Option<u64>,
    /// Sizes of the first blocks (`--block-list`); after the list, the last size repeats.
    /// `u64::MAX` (or `0` as the last item) means "the rest of the input".
    pub block_list: Vec<u64>,
    /// Filter chain number (0..=9) of each `block_list` entry, as xz 5.6+'s
    /// `--block-list=N:SIZE`; entries without a number use chain 0 (the preset or
    /// `filters`).
    pub block_list_chains: Vec<u8>,
    /// Filter chains 1..=9 (`--filters1` .. `--filters9`): `extra_chains[n - 1]` is chain `n`.
    pub extra_chains: Vec<Option<Vec<Filter>>>,
    /// Thread count as `xz -T`: 1 = single-threaded format, anything else = the
    /// multi-threaded format.
    pub threads: u32,
}

impl Default for EncoderOptions {
    fn default() -> Self {
        EncoderOptions {
            level: 6,
            extreme: false,
            filters: None,
            check: Check::Crc64,
            block_size: None,
            block_list: Vec::new(),
            block_list_chains: Vec::new(),
            extra_chains: Vec::new(),
            threads: 1,
        }
    }
}

impl EncoderOptions {
    /// Options of preset `level` (0..=9), CRC64, single-threaded format.
    ///
    /// ```
    /// use lzma_core::EncoderOptions;
    /// let o = EncoderOptions::preset(9).extreme(true);
    /// assert_eq!(lzma_core::decompress(&lzma_core::compress_with(b"x", &o).unwrap()).unwrap(), b"x");
    /// ```
    pub fn preset(level: u32) -> Self {
        EncoderOptions { level, ..Self::default() }
    }

    /// Sets the extreme flag.
    ///
    /// ```
    /// use lzma_core::{EncoderOptions, Filter, LzmaOptions};
    /// let chain = EncoderOptions::preset(3).extreme(true).filter_chain()?;
    /// assert_eq!(chain, [Filter::Lzma2(LzmaOptions::preset(3, true)?)]);
    /// # Ok::<(), lzma_core::Error>(())
    /// ```
    pub fn extreme(mut self, yes: bool) -> Self {
        self.extreme = yes;
        self
    }

    /// Uses an explicit filter chain instead of the preset.
    ///
    /// ```
    /// use lzma_core::{EncoderOptions, Filter, LzmaOptions};
    /// let opts = EncoderOptions::default()
    ///     .filters(vec![Filter::Delta { distance: 4 }, Filter::Lzma2(LzmaOptions::preset(0, false)?)]);
    /// let xz = lzma_core::compress_with(&[1, 2, 3, 4, 5, 6, 7, 8], &opts)?;
    /// assert_eq!(lzma_core::decompress(&xz)?, [1, 2, 3, 4, 5, 6, 7, 8]);
    /// # Ok::<(), lzma_core::Error>(())
    /// ```
    pub fn filters(mut self, filters: Vec<Filter>) -> Self {
        self.filters = Some(filters);
        self
    }

    /// Sets the check.
    ///
    /// ```
    /// use lzma_core::{xz::XzDecoder, oneshot::run, Check, DecoderOptions, EncoderOptions};
    /// let xz = lzma_core::compress_with(b"x", &EncoderOptions::preset(0).check(Check::Sha256)).unwrap();
    /// let mut d = XzDecoder::new(DecoderOptions::new());
    /// run(&mut d, &xz).unwrap();
    /// assert_eq!(d.check(), Some(Check::Sha256));
    /// ```
    pub fn check(mut self, check: Check) -> Self {
        self.check = check;
        self
    }

    /// Sets the block size: a new block starts every `size` bytes of input.
    ///
    /// ```
    /// use lzma_core::{xz::info::{parse, InfoOptions}, EncoderOptions};
    /// let xz = lzma_core::compress_with(&[7u8; 10_000], &EncoderOptions::preset(0).block_size(4096)).unwrap();
    /// let info = parse(&mut std::io::Cursor::new(&xz), &InfoOptions::default()).unwrap();
    /// assert_eq!(info.block_count(), 3);
    /// ```
    pub fn block_size(mut self, size: u64) -> Self {
        self.block_size = Some(size);
        self
    }

    /// Sets the block list.
    ///
    /// ```
    /// use lzma_core::{xz::info::{parse, InfoOptions}, EncoderOptions};
    /// let opts = EncoderOptions::preset(0).block_list(vec![100, 200]);
    /// let xz = lzma_core::compress_with(&[0u8; 1000], &opts)?;
    /// let info = parse(&mut std::io::Cursor::new(&xz), &InfoOptions::default())?;
    /// assert_eq!(info.block_count(), 6); // 100, then 200 repeated as xz does: 100 + 4 x 200 + 100
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn block_list(mut self, sizes: Vec<u64>) -> Self {
        self.block_list = sizes;
        self
    }

    /// Sets filter chain `n` (1..=9) for use by `block_list_chains`.
    ///
    /// ```
    /// use lzma_core::{EncoderOptions, Filter, LzmaOptions};
    /// let chain1 = vec![Filter::Delta { distance: 2 }, Filter::Lzma2(LzmaOptions::preset(1, false).unwrap())];
    /// let o = EncoderOptions::preset(6).chain(1, chain1).block_list(vec![1000, 2000]).block_list_chains(vec![1, 0]);
    /// assert_eq!(o.chain_for(1).unwrap().len(), 2);
    /// assert!(o.chain_for(2).is_err());
    /// ```
    pub fn chain(mut self, n: usize, filters: Vec<Filter>) -> Self {
        if (1..=9).contains(&n) {
            if self.extra_chains.len() < n {
                self.extra_chains.resize(n, None);
            }
            self.extra_chains[n - 1] = Some(filters);
        }
        self
    }

    /// Sets the chain numbers of the block list entries.
    ///
    /// ```
    /// use lzma_core::{EncoderOptions, Filter, LzmaOptions};
    /// let chain1 = vec![Filter::Delta { distance: 1 }, Filter::Lzma2(LzmaOptions::preset(0, false)?)];
    /// let opts = EncoderOptions::preset(0).chain(1, chain1).block_list(vec![10, 10]).block_list_chains(vec![1, 0]);
    /// let xz = lzma_core::compress_with(&[9u8; 30], &opts)?;
    /// assert_eq!(lzma_core::decompress(&xz)?, [9u8; 30]);
    /// # Ok::<(), lzma_core::Error>(())
    /// ```
    pub fn block_list_chains(mut self, chains: Vec<u8>) -> Self {
        self.block_list_chains = chains;
        self
    }

    /// Filter chain number `n` (0 = the preset or `filters`), validated for .xz.
    ///
    /// ```
    /// use lzma_core::{EncoderOptions, Filter, LzmaOptions};
    /// let opts = EncoderOptions::preset(2);
    /// assert_eq!(opts.chain_for(0)?, [Filter::Lzma2(LzmaOptions::preset(2, false)?)]);
    /// assert!(opts.chain_for(3).is_err()); // chain 3 is not set
    /// # Ok::<(), lzma_core::Error>(())
    /// ```
    pub fn chain_for(&self, n: usize) -> Result<Vec<Filter>> {
        if n == 0 {
            return self.filter_chain();
        }
        let chain = self
            .extra_chains
            .get(n - 1)
            .and_then(|c| c.clone())
            .ok_or_else(|| Error::Options(format!("Filter chain {n} is not set")))?;
        validate_encoder_chain(&chain)?;
        Ok(chain)
    }

    /// Chain numbers in use: those of the block list, or just 0.
    pub(crate) fn used_chains(&self) -> Vec<usize> {
        let mut used: Vec<usize> = if self.block_list.is_empty() {
            vec![0]
        } else {
            (0..self.block_list.len()).map(|i| self.list_chain(i)).collect()
        };
        used.sort_unstable();
        used.dedup();
        used
    }

    /// Chain number of block list entry `i`.
    pub(crate) fn list_chain(&self, i: usize) -> usize {
        usize::from(self.block_list_chains.get(i).copied().unwrap_or(0))
    }

    /// Sets the thread count (see the type's docs for what it changes).
    ///
    /// ```
    /// use lzma_core::EncoderOptions;
    /// assert!(!EncoderOptions::preset(6).is_multithreaded_format());
    /// assert!(EncoderOptions::preset(6).threads(4).is_multithreaded_format());
    /// ```
    pub fn threads(mut self, threads: u32) -> Self {
        self.threads = threads;
        self
    }

    /// The filter chain these options select, validated for .xz.
    ///
    /// ```
    /// use lzma_core::{EncoderOptions, Filter, LzmaOptions};
    /// let bad = EncoderOptions::default().filters(vec![]);
    /// assert!(bad.filter_chain().is_err());
    /// let lzma1 = EncoderOptions::default().filters(vec![Filter::Lzma1(LzmaOptions::default())]);
    /// assert!(lzma1.filter_chain().is_err());
    /// ```
    pub fn filter_chain(&self) -> Result<Vec<Filter>> {
        let chain = match &self.filters {
            Some(f) => f.clone(),
            None => vec![Filter::Lzma2(LzmaOptions::preset(self.level, self.extreme)?)],
        };
        validate_encoder_chain(&chain)?;
        Ok(chain)
    }

    /// Whether the multi-threaded block format is used.
    ///
    /// ```
    /// use lzma_core::EncoderOptions;
    /// assert!(!EncoderOptions::default().threads(1).is_multithreaded_format());
    /// assert!(EncoderOptions::default().threads(0).is_multithreaded_format()); // 0 = automatic
    /// ```
    pub fn is_multithreaded_format(&self) -> bool {
        self.threads != 1
    }

    pub(crate) fn validate(&self) -> Result<()> {
        if self.block_size == Some(0) {
            return Err(Error::Options("The block size must not be zero".into()));
        }
        if self.block_list_chains.iter().any(|&c| c > 9) {
            return Err(Error::Options("Filter chain numbers are 0 to 9".into()));
        }
        if let Some(pos) = self.block_list.iter().position(|&s| s == 0) {
            if pos + 1 != self.block_list.len() {
                return Err(Error::Options(
                    "0 can only be used as the last element in --block-list".into(),
                ));
            }
        }
        Ok(())
    }
}

fn validate_encoder_chain(chain: &[Filter]) -> Result<()> {
    crate::xz::backend::validate_chain(chain, true)?;
    for f in chain {
        if let Filter::Lzma1(o) | Filter::Lzma2(o) = f {
            o.validate_for_encoder()?;
        }
    }
    Ok(())
}
