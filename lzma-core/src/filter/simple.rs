//! The streaming wrapper around a BCJ converter: it filters data in the caller's output
//! buffer where it can, holds back the unconverted tail (a converter needs to see a whole
//! instruction), and lets that tail through unchanged at the end of the stream.
//!
//! This follows liblzma's `simple_coder.c` step by step, so the bytes handed on and the
//! points where the stream ends match liblzma's for any chunking of input and output.

use super::bcj::{unfiltered_max, Bcj};
use super::chain::Upstream;
use crate::{Action, Error, Result};

/// Largest buffer any converter needs: twice IA-64's 16-byte bundle.
const BUF_MAX: usize = 32;

/// A BCJ converter with its stream position and the small buffer for the unconverted tail.
#[derive(Clone, Debug)]
pub(crate) struct SimpleStage {
    bcj: Bcj,
    encoder: bool,
    /// Stream position of the next byte to be converted (wraps as in liblzma).
    now_pos: u32,
    /// Whether the upstream has ended (all data has arrived).
    ended: bool,
    /// `buf[pos..filtered]` is converted and waits to be handed on; `buf[filtered..size]`
    /// is not converted yet.
    buf: [u8; BUF_MAX],
    /// How much of `buf` is in use at most (2 × the converter's look-ahead).
    allocated: usize,
    pos: usize,
    filtered: usize,
    size: usize,
}

impl SimpleStage {
    /// A stage converting with `bcj` starting at stream position `start_offset`.
    pub(crate) fn new(bcj: Bcj, start_offset: u32, encoder: bool) -> Self {
        let allocated = 2 * unfiltered_max(bcj.arch());
        SimpleStage {
            bcj,
            encoder,
            now_pos: start_offset,
            ended: false,
            buf: [0; BUF_MAX],
            allocated,
            pos: 0,
            filtered: 0,
            size: 0,
        }
    }

    /// Converts a block in place and advances the stream position by the bytes that are
    /// final.
    fn filter(bcj: &mut Bcj, now_pos: &mut u32, encoder: bool, block: &mut [u8]) -> usize {
        let done = bcj.convert(*now_pos, encoder, block);
        *now_pos = now_pos.wrapping_add(done as u32);
        done
    }

    /// Fills `out[*out_pos..]` from the upstream and notes when the upstream ends.
    fn fetch<U: Upstream>(
        ended: &mut bool,
        next: &mut U,
        input: &[u8],
        in_pos: &mut usize,
        out: &mut [u8],
        out_pos: &mut usize,
        action: Action,
    ) -> Result<()> {
        if next.pull(input, in_pos, out, out_pos, action)? {
            *ended = true;
        }
        Ok(())
    }

    /// Produces converted bytes into `out[*out_pos..]`, pulling from `next`. Returns
    /// `true` once everything has been handed on after the upstream ended.
    pub(crate) fn pull<U: Upstream>(
        &mut self,
        next: &mut U,
        input: &[u8],
        in_pos: &mut usize,
        out: &mut [u8],
        out_pos: &mut usize,
        action: Action,
    ) -> Result<bool> {
        if self.encoder && action != Action::Run && action != Action::Finish {
            return Err(Error::Unsupported("BCJ filters do not support flushing"));
        }

        // Hand on what is already converted.
        if self.pos < self.filtered {
            let n = (self.filtered - self.pos).min(out.len() - *out_pos);
            out[*out_pos..*out_pos + n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
            self.pos += n;
            *out_pos += n;
            if self.pos < self.filtered {
                return Ok(false);
            }
            if self.ended {
                return Ok(true);
            }
        }
        self.filtered = 0;

        let out_avail = out.len() - *out_pos;
        let buf_avail = self.size - self.pos;
        if out_avail > buf_avail || buf_avail == 0 {
            // Work directly in the caller's buffer: put the held-back tail first, let the
            // upstream append, convert the lot, and take back the new unconverted tail.
            let out_start = *out_pos;
            out[out_start..out_start + buf_avail].copy_from_slice(&self.buf[self.pos..self.size]);
            *out_pos += buf_avail;

            Self::fetch(&mut self.ended, next, input, in_pos, out, out_pos, action)?;

            let size = *out_pos - out_start;
            let done = if size == 0 {
                0
            } else {
                Self::filter(
                    &mut self.bcj,
                    &mut self.now_pos,
                    self.encoder,
                    &mut out[out_start..*out_pos],
                )
            };
            let unfiltered = size - done;
            self.pos = 0;
            self.size = unfiltered;
            if self.ended {
                // The tail goes out unconverted.
                self.size = 0;
            } else if unfiltered > 0 {
                *out_pos -= unfiltered;
                self.buf[..unfiltered].copy_from_slice(&out[*out_pos..*out_pos + unfiltered]);
            }
        } else if self.pos > 0 {
            self.buf.copy_within(self.pos..self.size, 0);
            self.size -= self.pos;
            self.pos = 0;
        }

        if self.size > 0 {
            // Too little room out there: gather more in our own buffer first.
            let mut size = self.size;
            let room = &mut self.buf[..self.allocated];
            Self::fetch(
                &mut self.ended,
                next,
                input,
                in_pos,
                room,
                &mut size,
                action,
            )?;
            self.size = size;
            self.filtered = Self::filter(
                &mut self.bcj,
                &mut self.now_pos,
                self.encoder,
                &mut self.buf[..size],
            );
            if self.ended {
                self.filtered = self.size;
            }
            let n = (self.filtered - self.pos).min(out.len() - *out_pos);
            out[*out_pos..*out_pos + n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
            self.pos += n;
            *out_pos += n;
        }

        Ok(self.ended && self.pos == self.size)
    }

    /// Memory this stage accounts for, as liblzma (which charges 1 KiB per BCJ filter).
    pub(crate) fn memusage() -> u64 {
        1024
    }
}
