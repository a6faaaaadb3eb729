//! Connects the LZMA core to the LZ layer's window and match finder ([`Mf`]), and the LZMA1
//! stream to the LZ driver ([`LzEncoder`]).

use super::mf_api::{Match, MfView};
use super::{CoreStatus, LzmaCore};
use crate::lz::encoder::{LzEncode, LzEncoder, Mf, MfConfig};
use crate::{Action, Error, LzmaOptions, Result, Status};

impl MfView for Mf {
    #[inline(always)]
    fn find(&mut self, matches: &mut [Match]) -> (u32, u32) {
        Mf::find(self, matches)
    }
    #[inline(always)]
    fn skip(&mut self, amount: u32) {
        Mf::skip(self, amount)
    }
    #[inline(always)]
    fn avail(&self) -> u32 {
        Mf::avail(self)
    }
    #[inline(always)]
    fn read_pos(&self) -> u32 {
        Mf::read_pos(self) as u32
    }
    #[inline(always)]
    fn read_ahead(&self) -> u32 {
        self.read_ahead
    }
    #[inline(always)]
    fn set_read_ahead(&mut self, n: u32) {
        self.read_ahead = n;
    }
    #[inline(always)]
    fn read_limit(&self) -> u32 {
        Mf::read_limit(self) as u32
    }
    #[inline(always)]
    fn action(&self) -> Action {
        Mf::action(self)
    }
    #[inline(always)]
    fn buf(&self) -> &[u8] {
        Mf::buf(self)
    }
    #[inline(always)]
    fn nice_len(&self) -> u32 {
        Mf::nice_len(self)
    }
}

/// The LZ configuration of an LZMA1 or LZMA2 encoder; `before_size` as given.
pub(crate) fn mf_config(opts: &LzmaOptions, before_size: u32) -> MfConfig {
    let mut cfg = MfConfig::for_lzma(opts);
    cfg.before_size = before_size;
    cfg
}

/// Builds the LZ driver, with the preset dictionary if any.
pub(crate) fn lz_encoder<E: LzEncode>(
    cfg: &MfConfig,
    opts: &LzmaOptions,
    inner: E,
) -> Result<LzEncoder<E>> {
    match opts.preset_dict.as_deref() {
        Some(dict) if !dict.is_empty() => LzEncoder::with_preset_dict(cfg, dict, inner),
        _ => LzEncoder::new(cfg, inner),
    }
}

/// The LZMA1 stream: the core, plus the draining of its buffer into the caller's output.
pub(crate) struct Lzma1Stream {
    core: Box<LzmaCore>,
    /// Bytes of the core's buffer already copied out.
    drained: usize,
    flushed: bool,
}

impl Lzma1Stream {
    pub(crate) fn new(opts: &LzmaOptions) -> Result<Self> {
        crate::lzma::encoder::validate(opts)?;
        Ok(Lzma1Stream {
            core: LzmaCore::new(opts, true)?,
            drained: 0,
            flushed: false,
        })
    }

    /// Copies buffered bytes out; true when none are left.
    fn drain(&mut self, out: &mut [u8], out_pos: &mut usize) -> bool {
        let pending = &self.core.rc.out()[self.drained..];
        let n = pending.len().min(out.len() - *out_pos);
        out[*out_pos..*out_pos + n].copy_from_slice(&pending[..n]);
        *out_pos += n;
        self.drained += n;
        if self.drained == self.core.rc.out_len() {
            self.core.rc.clear_out();
            self.drained = 0;
            true
        } else {
            false
        }
    }
}

impl LzEncode for Lzma1Stream {
    fn encode(&mut self, mf: &mut Mf, out: &mut [u8], out_pos: &mut usize) -> Result<Status> {
        if mf.action() == Action::SyncFlush {
            return Err(Error::Options("LZMA1 does not support flushing".into()));
        }
        loop {
            if !self.drain(out, out_pos) {
                return Ok(Status::Ok);
            }
            if self.flushed {
                return Ok(Status::StreamEnd);
            }
            if *out_pos == out.len() {
                return Ok(Status::Ok);
            }
            let cap = out.len() - *out_pos;
            match self.core.encode(mf, None, cap) {
                CoreStatus::NeedInput => {
                    self.drain(out, out_pos);
                    return Ok(Status::Ok);
                }
                CoreStatus::OutputFull => {}
                CoreStatus::Flushed => self.flushed = true,
            }
        }
    }

    fn memusage(&self) -> u64 {
        super::core_memusage()
    }
}
