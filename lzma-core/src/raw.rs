//! Raw streams: a filter chain with no container (xz `--format=raw`).
//!
//! ```
//! use lzma_core::{oneshot::run, raw::{RawDecoder, RawEncoder}, Filter, LzmaOptions};
//! let chain = [Filter::Delta { distance: 1 }, Filter::Lzma2(LzmaOptions::preset(0, false)?)];
//! let raw = run(&mut RawEncoder::new(&chain)?, b"no container")?;
//! assert_eq!(run(&mut RawDecoder::new(&chain, u64::MAX)?, &raw)?, b"no container");
//! # Ok::<(), lzma_core::Error>(())
//! ```

use crate::filter::Filter;
use crate::stream::{Action, Coder, Progress};
use crate::xz::backend::{self, DynCoder};
use crate::{Error, Result};

/// Decoder of a raw filter chain (e.g. `[Delta, Lzma2]` or `[Lzma1]`).
///
/// ```
/// use lzma_core::{raw::RawDecoder, Filter};
/// // An empty chain names the problem.
/// let err = RawDecoder::new(&[], u64::MAX).unwrap_err();
/// assert!(err.to_string().contains("empty"));
/// ```
pub struct RawDecoder {
    inner: DynCoder,
    memusage: u64,
}

impl std::fmt::Debug for RawDecoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RawDecoder").field("memusage", &self.memusage).finish_non_exhaustive()
    }
}

impl RawDecoder {
    /// A decoder for `filters`; fails with [`Error::MemLimit`] (before allocating) if the
    /// chain needs more than `memlimit` bytes, and with [`Error::Options`] for a chain no
    /// decoder accepts: LZMA1 with `lc + lp > 4` is "The sum of lc and lp must not exceed
    /// 4", as in xz (liblzma refuses it too; only the LZMA SDK decodes it).
    ///
    /// ```
    /// use lzma_core::{oneshot::run, raw::{RawDecoder, RawEncoder}, Filter, LzmaOptions};
    /// let chain = [Filter::Delta { distance: 2 }, Filter::Lzma2(LzmaOptions::preset(1, false).unwrap())];
    /// let packed = run(&mut RawEncoder::new(&chain).unwrap(), b"aabbccdd").unwrap();
    /// assert_eq!(run(&mut RawDecoder::new(&chain, u64::MAX).unwrap(), &packed).unwrap(), b"aabbccdd");
    /// ```
    pub fn new(filters: &[Filter], memlimit: u64) -> Result<Self> {
        backend::validate_chain(filters, false)?;
        // LZMA1 with lc + lp > 4 is refused with xz's message whatever the limit (its
        // memory figure is "unknown", which would otherwise read as a memory limit).
        crate::filter::chain::check_decoder_options(filters)?;
        let memusage = backend::decoder_memusage(filters);
        if memusage > memlimit {
            return Err(Error::MemLimit { needed: memusage, limit: memlimit });
        }
        Ok(RawDecoder { inner: backend::raw_decoder(filters, memlimit)?, memusage })
    }

    /// Memory a decoder for `filters` needs, as liblzma reports it.
    ///
    /// ```
    /// use lzma_core::{raw::RawDecoder, Filter, LzmaOptions};
    /// let small = [Filter::Lzma2(LzmaOptions::preset(0, false).unwrap())];
    /// let big = [Filter::Lzma2(LzmaOptions::preset(9, false).unwrap())];
    /// assert!(RawDecoder::memusage_of(&small) < RawDecoder::memusage_of(&big));
    /// ```
    pub fn memusage_of(filters: &[Filter]) -> u64 {
        backend::decoder_memusage(filters)
    }
}

impl Coder for RawDecoder {
    fn code(&mut self, input: &[u8], output: &mut [u8], action: Action) -> Result<Progress> {
        self.inner.code(input, output, action)
    }
    fn memusage(&self) -> u64 {
        self.memusage
    }
}

/// Encoder of a raw filter chain.
///
/// ```
/// use lzma_core::{raw::RawEncoder, Filter, LzmaOptions};
/// // LZMA2 must be last.
/// let chain = [Filter::Lzma2(LzmaOptions::default()), Filter::Delta { distance: 1 }];
/// assert!(RawEncoder::new(&chain).is_err());
/// ```
pub struct RawEncoder {
    inner: DynCoder,
    memusage: u64,
}

impl std::fmt::Debug for RawEncoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RawEncoder").field("memusage", &self.memusage).finish_non_exhaustive()
    }
}

impl RawEncoder {
    /// An encoder for `filters`.
    ///
    /// ```
    /// use lzma_core::{raw::RawEncoder, Filter, LzmaOptions};
    /// let lzma1 = [Filter::Lzma1(LzmaOptions::preset(0, false).unwrap())];
    /// assert!(RawEncoder::new(&lzma1).is_ok());
    /// ```
    pub fn new(filters: &[Filter]) -> Result<Self> {
        backend::validate_chain(filters, false)?;
        for f in filters {
            if let Filter::Lzma1(o) | Filter::Lzma2(o) = f {
                o.validate_for_encoder()?;
            }
        }
        Ok(RawEncoder {
            inner: backend::raw_encoder(filters)?,
            memusage: backend::encoder_memusage(filters),
        })
    }

    /// Memory an encoder for `filters` needs, as liblzma reports it.
    ///
    /// ```
    /// use lzma_core::{raw::{RawDecoder, RawEncoder}, Filter, LzmaOptions};
    /// let chain = [Filter::Lzma2(LzmaOptions::preset(6, false).unwrap())];
    /// assert!(RawEncoder::memusage_of(&chain) > RawDecoder::memusage_of(&chain));
    /// ```
    pub fn memusage_of(filters: &[Filter]) -> u64 {
        backend::encoder_memusage(filters)
    }
}

impl Coder for RawEncoder {
    fn code(&mut self, input: &[u8], output: &mut [u8], action: Action) -> Result<Progress> {
        self.inner.code(input, output, action)
    }
    fn memusage(&self) -> u64 {
        self.memusage
    }
}
