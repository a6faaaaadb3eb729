//! LZMA1: shared definitions (options, presets, properties), decoder and encoder.
//!
//! ```
//! use lzma_core::lzma::{LzmaProps, MatchFinder, Mode};
//! use lzma_core::LzmaOptions;
//! let o = LzmaOptions::preset(6, false)?;
//! assert_eq!((o.mode, o.mf, o.dict_size), (Mode::Normal, MatchFinder::Bt4, 8 << 20));
//! assert_eq!(o.props().to_byte(), LzmaProps::from_byte(0x5D)?.to_byte());
//! # Ok::<(), lzma_core::Error>(())
//! ```

pub mod decoder;
pub mod encoder;

use crate::{Error, Result};

/// Smallest dictionary the encoder accepts (liblzma `LZMA_DICT_SIZE_MIN`).
pub const DICT_SIZE_MIN: u32 = 4096;
/// Largest dictionary the encoder accepts (1.5 GiB, as XZ Utils).
pub const DICT_SIZE_MAX_ENCODER: u32 = 1536 << 20;
/// Shortest match length.
pub const MATCH_LEN_MIN: u32 = 2;
/// Longest match length.
pub const MATCH_LEN_MAX: u32 = 273;
/// Maximum of `lc`, `lp`, `pb` each, and of `lc + lp`.
pub const LCLP_MAX: u32 = 4;
/// Maximum of `pb`.
pub const PB_MAX: u32 = 4;

/// Encoder mode (liblzma `lzma_mode`).
///
/// ```
/// use lzma_core::{LzmaOptions, Mode};
/// assert_eq!(LzmaOptions::preset(3, false)?.mode, Mode::Fast);
/// assert_eq!(LzmaOptions::preset(3, true)?.mode, Mode::Normal); // -3e
/// # Ok::<(), lzma_core::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mode {
    /// Greedy parser with one byte of lookahead.
    Fast,
    /// Optimal parser with price tables.
    Normal,
}

/// Match finder (liblzma `lzma_match_finder`).
///
/// ```
/// use lzma_core::{EncoderOptions, Filter, LzmaOptions, MatchFinder};
/// let mut lz = LzmaOptions::preset(1, false)?;
/// lz.mf = MatchFinder::Bt2;
/// let xz = lzma_core::compress_with(b"abcabcabc", &EncoderOptions::default().filters(vec![Filter::Lzma2(lz)]))?;
/// assert_eq!(lzma_core::decompress(&xz)?, b"abcabcabc");
/// # Ok::<(), lzma_core::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MatchFinder {
    /// Hash chain, 2- and 3-byte hashing.
    Hc3,
    /// Hash chain, 2-, 3- and 4-byte hashing.
    Hc4,
    /// Binary tree, 2-byte hashing.
    Bt2,
    /// Binary tree, 2- and 3-byte hashing.
    Bt3,
    /// Binary tree, 2-, 3- and 4-byte hashing.
    Bt4,
}

impl MatchFinder {
    /// Bytes hashed (2, 3 or 4): also the minimum bytes the finder needs ahead.
    ///
    /// ```
    /// use lzma_core::MatchFinder;
    /// assert_eq!(MatchFinder::Hc3.hash_bytes(), 3);
    /// assert_eq!(MatchFinder::Bt4.hash_bytes(), 4);
    /// ```
    pub fn hash_bytes(self) -> u32 {
        match self {
            MatchFinder::Bt2 => 2,
            MatchFinder::Hc3 | MatchFinder::Bt3 => 3,
            MatchFinder::Hc4 | MatchFinder::Bt4 => 4,
        }
    }
    /// Whether this is a binary-tree finder.
    ///
    /// ```
    /// use lzma_core::MatchFinder;
    /// assert!(MatchFinder::Bt2.is_bt());
    /// assert!(!MatchFinder::Hc4.is_bt());
    /// ```
    pub fn is_bt(self) -> bool {
        matches!(self, MatchFinder::Bt2 | MatchFinder::Bt3 | MatchFinder::Bt4)
    }
}

/// The three literal/position parameters, as stored in the LZMA properties byte.
///
/// ```
/// use lzma_core::lzma::LzmaProps;
/// let p = LzmaProps { lc: 0, lp: 2, pb: 2 }; // xz's --lzma2=lc=0,lp=2 for 32-bit data
/// assert_eq!(LzmaProps::from_byte(p.to_byte())?, p);
/// # Ok::<(), lzma_core::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LzmaProps {
    /// Literal context bits (0..=4 in xz; 0..=8 in .lzma).
    pub lc: u32,
    /// Literal position bits (0..=4).
    pub lp: u32,
    /// Position bits (0..=4).
    pub pb: u32,
}

impl LzmaProps {
    /// Decodes the properties byte `(pb * 5 + lp) * 9 + lc`.
    ///
    /// ```
    /// use lzma_core::lzma::LzmaProps;
    /// assert_eq!(LzmaProps::from_byte(0x5D).unwrap(), LzmaProps { lc: 3, lp: 0, pb: 2 });
    /// ```
    pub fn from_byte(b: u8) -> Result<Self> {
        if b >= 9 * 5 * 5 {
            return Err(Error::Corrupt("LZMA properties byte is out of range"));
        }
        let b = u32::from(b);
        Ok(LzmaProps { lc: b % 9, lp: (b / 9) % 5, pb: b / 45 })
    }
    /// Encodes the properties byte.
    ///
    /// ```
    /// use lzma_core::lzma::LzmaProps;
    /// assert_eq!(LzmaProps { lc: 3, lp: 0, pb: 2 }.to_byte(), 0x5D);
    /// ```
    pub fn to_byte(self) -> u8 {
        ((self.pb * 5 + self.lp) * 9 + self.lc) as u8
    }
}

/// Options of the LZMA1 and LZMA2 filters (liblzma `lzma_options_lzma`).
///
/// ```
/// use lzma_core::{EncoderOptions, Filter, LzmaOptions};
/// let mut o = LzmaOptions::preset(0, false)?;
/// o.dict_size = 64 << 10;
/// o.nice_len = 32;
/// o.validate_for_encoder()?;
/// let xz = lzma_core::compress_with(b"custom", &EncoderOptions::default().filters(vec![Filter::Lzma2(o)]))?;
/// assert_eq!(lzma_core::decompress(&xz)?, b"custom");
/// # Ok::<(), lzma_core::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LzmaOptions {
    /// Dictionary size in bytes.
    pub dict_size: u32,
    /// Literal context bits.
    pub lc: u32,
    /// Literal position bits.
    pub lp: u32,
    /// Position bits.
    pub pb: u32,
    /// Encoder mode.
    pub mode: Mode,
    /// Nice length of a match: the search stops at a match this long (2..=273).
    pub nice_len: u32,
    /// Match finder.
    pub mf: MatchFinder,
    /// Match finder search depth; 0 means the default for the finder and `nice_len`.
    pub depth: u32,
    /// Preset dictionary (rarely used; xz never writes one).
    pub preset_dict: Option<Vec<u8>>,
}

impl Default for LzmaOptions {
    fn default() -> Self {
        LzmaOptions::preset(6, false).expect("preset 6 exists")
    }
}

impl LzmaOptions {
    /// The options of preset `level` (0..=9), `extreme` as `-e`, exactly as liblzma's
    /// `lzma_lzma_preset()`.
    ///
    /// ```
    /// use lzma_core::{LzmaOptions, Mode, MatchFinder};
    /// let o = LzmaOptions::preset(9, true).unwrap();
    /// assert_eq!((o.dict_size, o.mode, o.mf, o.nice_len, o.depth), (64 << 20, Mode::Normal, MatchFinder::Bt4, 273, 512));
    /// ```
    pub fn preset(level: u32, extreme: bool) -> Result<Self> {
        const DICT_POW2: [u32; 10] = [18, 20, 21, 22, 22, 23, 23, 24, 25, 26];
        if level > 9 {
            return Err(Error::Options(format!("Unsupported LZMA1/LZMA2 preset: {level}")));
        }
        let mut o = LzmaOptions {
            dict_size: 1 << DICT_POW2[level as usize],
            lc: 3,
            lp: 0,
            pb: 2,
            mode: Mode::Normal,
            nice_len: 64,
            mf: MatchFinder::Bt4,
            depth: 0,
            preset_dict: None,
        };
        if level <= 3 {
            o.mode = Mode::Fast;
            o.mf = if level == 0 { MatchFinder::Hc3 } else { MatchFinder::Hc4 };
            o.nice_len = if level <= 1 { 128 } else { 273 };
            o.depth = [4, 8, 24, 48][level as usize];
        } else {
            o.nice_len = match level {
                4 => 16,
                5 => 32,
                _ => 64,
            };
        }
        if extreme {
            o.mode = Mode::Normal;
            o.mf = MatchFinder::Bt4;
            if level == 3 || level == 5 {
                o.nice_len = 192;
                o.depth = 0;
            } else {
                o.nice_len = 273;
                o.depth = 512;
            }
        }
        Ok(o)
    }

    /// The literal/position parameters.
    ///
    /// ```
    /// use lzma_core::{lzma::LzmaProps, LzmaOptions};
    /// assert_eq!(LzmaOptions::preset(6, false)?.props(), LzmaProps { lc: 3, lp: 0, pb: 2 });
    /// # Ok::<(), lzma_core::Error>(())
    /// ```
    pub fn props(&self) -> LzmaProps {
        LzmaProps { lc: self.lc, lp: self.lp, pb: self.pb }
    }

    /// Checks the options for encoding, naming the first bad option.
    ///
    /// ```
    /// use lzma_core::LzmaOptions;
    /// let mut o = LzmaOptions::preset(0, false)?;
    /// assert!(o.validate_for_encoder().is_ok());
    /// o.lc = 4;
    /// o.lp = 1; // lc + lp > 4
    /// assert!(o.validate_for_encoder().is_err());
    /// # Ok::<(), lzma_core::Error>(())
    /// ```
    pub fn validate_for_encoder(&self) -> Result<()> {
        if self.lc > LCLP_MAX || self.lp > LCLP_MAX || self.lc + self.lp > LCLP_MAX {
            return Err(Error::Options("The sum of lc and lp must not exceed 4".into()));
        }
        if self.pb > PB_MAX {
            return Err(Error::Options("pb must be in the range [0, 4]".into()));
        }
        if !(DICT_SIZE_MIN..=DICT_SIZE_MAX_ENCODER).contains(&self.dict_size) {
            return Err(Error::Options(format!(
                "dict must be in the range [{DICT_SIZE_MIN}, {DICT_SIZE_MAX_ENCODER}]"
            )));
        }
        if !(MATCH_LEN_MIN..=MATCH_LEN_MAX).contains(&self.nice_len) {
            return Err(Error::Options("nice must be in the range [2, 273]".into()));
        }
        // A nice length below the bytes the match finder hashes is accepted: liblzma raises
        // it to that number (`xz --lzma2=nice=2,mf=bt4` works), and so does our encoder.
        Ok(())
    }
}
