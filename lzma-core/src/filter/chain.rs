//! Filter chains: up to three Delta/BCJ filters in front of LZMA1 or LZMA2.
//!
//! Chains are written in encoding order, as in .xz block headers and liblzma: the first
//! filter sees the uncompressed data and the last one (LZMA1 or LZMA2) produces the
//! compressed data. Decoding runs them in reverse.
//!
//! The stages pull data from one another the way liblzma's `lzma_next_coder` does: in a
//! decoder the first filter asks the second for output, down to the LZMA decoder which
//! reads the caller's input; in an encoder the Delta/BCJ stages convert the caller's
//! input into a buffer that feeds the LZMA encoder. Dispatch between stage kinds is an
//! enum `match` once per buffer; the converters' loops are monomorphic.
//!
//! ```
//! use lzma_core::filter::chain::{raw_decoder, raw_encoder, validate_chain};
//! use lzma_core::{oneshot::run, Filter, LzmaOptions};
//! let chain = [Filter::Delta { distance: 1 }, Filter::Lzma2(LzmaOptions::preset(0, false)?)];
//! validate_chain(&chain, true)?;
//! let raw = run(&mut raw_encoder(&chain)?, b"abcdefgh")?;
//! assert_eq!(run(&mut raw_decoder(&chain, u64::MAX)?, &raw)?, b"abcdefgh");
//! # Ok::<(), lzma_core::Error>(())
//! ```

use super::bcj::Bcj;
use super::delta::{Delta, DISTANCE_MAX, DISTANCE_MIN};
use super::simple::SimpleStage;
use super::Filter;
use crate::lzma::{LCLP_MAX, PB_MAX};
use crate::{Action, Coder, Error, Progress, Result, Status};

/// Most filters in a chain (liblzma `LZMA_FILTERS_MAX`).
pub const FILTERS_MAX: usize = 4;

/// Fixed overhead liblzma adds to every raw memory-usage figure (`LZMA_MEMUSAGE_BASE`).
pub const MEMUSAGE_BASE: u64 = 1 << 15;

/// Memory liblzma counts for one Delta coder (its `sizeof` on 64-bit systems).
const DELTA_MEMUSAGE: u64 = 352;

/// Size of the buffer between the Delta/BCJ stages and the LZMA encoder.
const ENCODER_BUF_SIZE: usize = 64 << 10;

/// The message xz prints for a chain that violates the ordering rules.
const MSG_UNSUPPORTED_CHAIN: &str = "Unsupported filter chain or filter options";

/// What is wrong with a filter chain (see [`check_chain`]).
///
/// ```
/// use lzma_core::filter::chain::{check_chain, ChainProblem};
/// use lzma_core::{Filter, LzmaOptions};
/// assert_eq!(check_chain(&[], false), Some(ChainProblem::Empty));
/// let lzma1 = Filter::Lzma1(LzmaOptions::default());
/// assert_eq!(check_chain(&[lzma1.clone()], true), Some(ChainProblem::Lzma1InXz));
/// assert_eq!(check_chain(&[lzma1], false), None);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChainProblem {
    /// The chain has no filters.
    Empty,
    /// More than [`FILTERS_MAX`] filters.
    TooMany,
    /// The last filter is not LZMA1 or LZMA2.
    LastNotLzma,
    /// LZMA1 or LZMA2 appears before the last position.
    LzmaNotLast,
    /// LZMA1 in a chain meant for .xz.
    Lzma1InXz,
    /// A Delta distance outside 1..=256.
    DeltaDistance,
    /// More than three filters that change the size of the data.
    TooManySizeChanging,
}

impl ChainProblem {
    /// A developer-facing description.
    ///
    /// ```
    /// use lzma_core::filter::chain::ChainProblem;
    /// assert_eq!(ChainProblem::LastNotLzma.describe(), "the last filter must be LZMA1 or LZMA2");
    /// ```
    pub fn describe(self) -> &'static str {
        match self {
            ChainProblem::Empty => "the filter chain is empty",
            ChainProblem::TooMany => "a filter chain has at most four filters",
            ChainProblem::LastNotLzma => "the last filter must be LZMA1 or LZMA2",
            ChainProblem::LzmaNotLast => "LZMA1/LZMA2 may only be the last filter",
            ChainProblem::Lzma1InXz => "LZMA1 cannot be used with the .xz format",
            ChainProblem::DeltaDistance => "the Delta distance must be in the range [1, 256]",
            ChainProblem::TooManySizeChanging => "at most three filters may change the data size",
        }
    }

    /// The error xz reports for this problem.
    ///
    /// ```
    /// use lzma_core::filter::chain::ChainProblem;
    /// assert_eq!(ChainProblem::TooMany.to_error().to_string(), "Maximum number of filters is four");
    /// assert_eq!(ChainProblem::Empty.to_error().to_string(), "Unsupported filter chain or filter options");
    /// ```
    pub fn to_error(self) -> Error {
        match self {
            ChainProblem::TooMany => Error::Options("Maximum number of filters is four".into()),
            ChainProblem::Lzma1InXz => {
                Error::Options("LZMA1 cannot be used with the .xz format".into())
            }
            _ => Error::Options(MSG_UNSUPPORTED_CHAIN.into()),
        }
    }
}

/// Whether a filter may appear before the last position, may be last, and changes size
/// (liblzma's feature table).
fn features(f: &Filter) -> (bool, bool, bool) {
    match f {
        Filter::Lzma1(_) | Filter::Lzma2(_) => (false, true, true),
        Filter::Delta { .. } | Filter::Bcj { .. } => (true, false, false),
    }
}

/// Finds the first problem of a chain, if any; [`validate_chain`] turns it into an error.
///
/// ```
/// use lzma_core::filter::{chain::{check_chain, ChainProblem}, Filter, BcjArch};
/// use lzma_core::LzmaOptions;
/// let bcj = Filter::Bcj { arch: BcjArch::X86, start_offset: 0 };
/// assert_eq!(check_chain(&[bcj.clone()], true), Some(ChainProblem::LastNotLzma));
/// assert_eq!(check_chain(&[bcj, Filter::Lzma2(LzmaOptions::default())], true), None);
/// ```
pub fn check_chain(filters: &[Filter], for_xz: bool) -> Option<ChainProblem> {
    if filters.is_empty() {
        return Some(ChainProblem::Empty);
    }
    if filters.len() > FILTERS_MAX {
        return Some(ChainProblem::TooMany);
    }
    let mut non_last_ok = true;
    let mut last_ok = false;
    let mut changes_size = 0;
    for f in filters {
        if !non_last_ok {
            return Some(ChainProblem::LzmaNotLast);
        }
        let (non_last, last, changes) = features(f);
        non_last_ok = non_last;
        last_ok = last;
        changes_size += usize::from(changes);
    }
    if !last_ok {
        return Some(ChainProblem::LastNotLzma);
    }
    if changes_size > 3 {
        return Some(ChainProblem::TooManySizeChanging);
    }
    for f in filters {
        match f {
            Filter::Lzma1(_) if for_xz => return Some(ChainProblem::Lzma1InXz),
            Filter::Delta { distance } if !(DISTANCE_MIN..=DISTANCE_MAX).contains(distance) => {
                return Some(ChainProblem::DeltaDistance)
            }
            _ => {}
        }
    }
    None
}

/// Checks a chain as liblzma does before computing memory usage or starting a coder: 1-4
/// filters, LZMA1/LZMA2 last and only last, Delta/BCJ never last, no LZMA1 when `for_xz`,
/// Delta distance in range. BCJ start offsets are checked when a coder is created.
///
/// The error is [`Error::Options`] with xz's message: `Maximum number of filters is four`,
/// `LZMA1 cannot be used with the .xz format`, or `Unsupported filter chain or filter
/// options`; [`check_chain`] tells which rule failed.
///
/// ```
/// use lzma_core::filter::{chain::validate_chain, Filter};
/// use lzma_core::LzmaOptions;
/// let lzma2 = Filter::Lzma2(LzmaOptions::default());
/// assert!(validate_chain(&[Filter::Delta { distance: 4 }, lzma2.clone()], true).is_ok());
/// let err = validate_chain(&[lzma2.clone(), Filter::Delta { distance: 4 }], true).unwrap_err();
/// assert_eq!(err.to_string(), "Unsupported filter chain or filter options");
/// ```
pub fn validate_chain(filters: &[Filter], for_xz: bool) -> Result<()> {
    match check_chain(filters, for_xz) {
        None => Ok(()),
        Some(p) => Err(p.to_error()),
    }
}

/// Checks the options of the last filter the way liblzma's decoders do beyond the chain
/// rules of [`validate_chain`]: LZMA1 needs `lc + lp <= 4` and `pb <= 4` (the LZMA1
/// decoder accepts wider literal contexts, as the LZMA SDK does, but liblzma refuses them
/// and so do our front ends). The errors are [`Error::Options`] with xz's messages, as for
/// an encoder ([`LzmaOptions::validate_for_encoder`](crate::LzmaOptions::validate_for_encoder)).
///
/// ```
/// use lzma_core::filter::{chain::check_decoder_options, Filter};
/// use lzma_core::LzmaOptions;
/// let wide = LzmaOptions { lc: 4, lp: 1, ..LzmaOptions::default() };
/// let err = check_decoder_options(&[Filter::Lzma1(wide.clone())]).unwrap_err();
/// assert_eq!(err.to_string(), "The sum of lc and lp must not exceed 4");
/// // LZMA2 has no lc/lp/pb in its filter properties: chunks carry them (and are checked).
/// assert!(check_decoder_options(&[Filter::Lzma2(wide)]).is_ok());
/// ```
pub fn check_decoder_options(filters: &[Filter]) -> Result<()> {
    match filters.last() {
        Some(Filter::Lzma1(o)) => check_lclppb(o),
        _ => Ok(()),
    }
}

/// liblzma's `is_lclppb_valid`, with xz's messages (no overflow on any value).
fn check_lclppb(o: &crate::LzmaOptions) -> Result<()> {
    if o.lc > LCLP_MAX || o.lp > LCLP_MAX || o.lc + o.lp > LCLP_MAX {
        return Err(Error::Options(
            "The sum of lc and lp must not exceed 4".into(),
        ));
    }
    if o.pb > PB_MAX {
        return Err(Error::Options("pb must be in the range [0, 4]".into()));
    }
    Ok(())
}

/// Memory the non-LZMA filters of a chain take, as liblzma counts it.
fn simple_filters_memusage(filters: &[Filter]) -> u64 {
    filters
        .iter()
        .map(|f| match f {
            Filter::Delta { .. } => DELTA_MEMUSAGE,
            Filter::Bcj { .. } => SimpleStage::memusage(),
            Filter::Lzma1(_) | Filter::Lzma2(_) => 0,
        })
        .sum()
}

/// Memory a raw decoder for `filters` needs, as liblzma's `lzma_raw_decoder_memusage`;
/// `u64::MAX` if the chain is invalid.
///
/// ```
/// use lzma_core::filter::{chain::decoder_memusage, Filter};
/// use lzma_core::LzmaOptions;
/// let mut o = LzmaOptions::default();
/// o.dict_size = 1 << 20;
/// assert!(decoder_memusage(&[Filter::Lzma2(o)]) > 1 << 20);
/// assert_eq!(decoder_memusage(&[]), u64::MAX);
/// ```
pub fn decoder_memusage(filters: &[Filter]) -> u64 {
    if check_chain(filters, false).is_some() {
        return u64::MAX;
    }
    let lzma = match filters.last() {
        // liblzma's LZMA1 decoder refuses lc + lp > 4 (LZMA2 cannot express it).
        Some(Filter::Lzma1(o)) if check_lclppb(o).is_err() => return u64::MAX,
        Some(Filter::Lzma1(o)) => inner::LzmaDecoder::memusage(o.dict_size),
        Some(Filter::Lzma2(o)) => inner::Lzma2Decoder::memusage(o.dict_size),
        _ => return u64::MAX,
    };
    MEMUSAGE_BASE
        .saturating_add(lzma)
        .saturating_add(simple_filters_memusage(filters))
}

/// Memory a raw encoder for `filters` needs, as liblzma's `lzma_raw_encoder_memusage`;
/// `u64::MAX` if the chain or the LZMA options are invalid.
///
/// ```
/// use lzma_core::filter::chain::encoder_memusage;
/// use lzma_core::{Filter, LzmaOptions};
/// let fast = encoder_memusage(&[Filter::Lzma2(LzmaOptions::preset(0, false)?)]);
/// let best = encoder_memusage(&[Filter::Lzma2(LzmaOptions::preset(9, false)?)]);
/// assert!(fast < best);
/// assert_eq!(encoder_memusage(&[]), u64::MAX);
/// # Ok::<(), lzma_core::Error>(())
/// ```
pub fn encoder_memusage(filters: &[Filter]) -> u64 {
    if check_chain(filters, false).is_some() {
        return u64::MAX;
    }
    let lzma = match filters.last() {
        Some(Filter::Lzma1(o)) => inner::LzmaEncoder::memusage(o),
        Some(Filter::Lzma2(o)) => inner::Lzma2Encoder::memusage(o),
        _ => return u64::MAX,
    };
    if lzma == u64::MAX {
        return u64::MAX;
    }
    MEMUSAGE_BASE
        .saturating_add(lzma)
        .saturating_add(simple_filters_memusage(filters))
}

/// Where a stage gets its data from: the rest of the chain.
pub(crate) trait Upstream {
    /// Writes data into `out[*out_pos..]`, reading the caller's `input[*in_pos..]` at the
    /// far end. Returns `true` when the upstream has ended (decoder: end of stream;
    /// encoder: all input taken under a finishing or flushing action).
    fn pull(
        &mut self,
        input: &[u8],
        in_pos: &mut usize,
        out: &mut [u8],
        out_pos: &mut usize,
        action: Action,
    ) -> Result<bool>;
}

/// The far end of a decoder chain: the LZMA decoder reading the caller's input.
///
/// It reports errors the way liblzma's LZMA decoders do, which matters for what the
/// Delta/BCJ stages hand on before an error (see [`ChainDecoder`]):
/// - an error found in the same call as some output comes back as `Err` *with* `out_pos`
///   advanced over that output. Our decoders report such an error on their next call
///   instead, so after a call with output the leaf asks once more, with no input and no
///   output room, to collect it;
/// - running out of input under `Finish` ([`Error::Truncated`]) is not an error of the
///   LZMA decoder in liblzma but of `lzma_code` once no progress is made: the leaf
///   reports "no progress" to the stages and keeps the error in `truncated` for
///   [`ChainDecoder`] to return.
struct CoderLeaf<'a, C> {
    inner: &'a mut C,
    /// Collect an error of the inner decoder found in the same call as its output.
    probe: bool,
    truncated: &'a mut Option<Error>,
}

impl<C: Coder> Upstream for CoderLeaf<'_, C> {
    fn pull(
        &mut self,
        input: &[u8],
        in_pos: &mut usize,
        out: &mut [u8],
        out_pos: &mut usize,
        action: Action,
    ) -> Result<bool> {
        if self.truncated.is_some() {
            // The inner decoder is done; a stage asking again in this call gets nothing.
            return Ok(false);
        }
        let p = match self
            .inner
            .code(&input[*in_pos..], &mut out[*out_pos..], action)
        {
            Ok(p) => p,
            Err(e @ Error::Truncated) => {
                *self.truncated = Some(e);
                return Ok(false);
            }
            Err(e) => return Err(e),
        };
        *in_pos += p.consumed;
        *out_pos += p.produced;
        if p.status == Status::StreamEnd {
            return Ok(true);
        }
        if self.probe && p.produced > 0 {
            // Nothing to read and no room to write: a decoder that is still running does
            // nothing; one holding back an error reports it now.
            match self.inner.code(&[], &mut [], Action::Run) {
                Ok(q) => return Ok(q.status == Status::StreamEnd),
                Err(e @ Error::Truncated) => *self.truncated = Some(e),
                Err(e) => return Err(e),
            }
        }
        Ok(false)
    }
}

/// The far end of an encoder chain: the caller's input, copied.
struct CopyLeaf;

impl Upstream for CopyLeaf {
    fn pull(
        &mut self,
        input: &[u8],
        in_pos: &mut usize,
        out: &mut [u8],
        out_pos: &mut usize,
        action: Action,
    ) -> Result<bool> {
        let n = (input.len() - *in_pos).min(out.len() - *out_pos);
        out[*out_pos..*out_pos + n].copy_from_slice(&input[*in_pos..*in_pos + n]);
        *in_pos += n;
        *out_pos += n;
        Ok(action != Action::Run && *in_pos == input.len())
    }
}

/// One Delta or BCJ stage.
#[derive(Clone, Debug)]
enum Stage {
    Simple(SimpleStage),
    Delta { delta: Delta, encoder: bool },
}

impl Stage {
    fn new(filter: &Filter, encoder: bool) -> Result<Self> {
        match *filter {
            Filter::Delta { distance } => {
                let delta =
                    Delta::new(distance).ok_or_else(|| ChainProblem::DeltaDistance.to_error())?;
                Ok(Stage::Delta { delta, encoder })
            }
            Filter::Bcj { arch, start_offset } => {
                if start_offset % arch.alignment() != 0 {
                    return Err(Error::Unsupported(
                        "BCJ start offset is not a multiple of the filter's alignment",
                    ));
                }
                Ok(Stage::Simple(SimpleStage::new(
                    Bcj::new(arch),
                    start_offset,
                    encoder,
                )))
            }
            Filter::Lzma1(_) | Filter::Lzma2(_) => Err(ChainProblem::LzmaNotLast.to_error()),
        }
    }

    fn memusage(&self) -> u64 {
        match self {
            Stage::Simple(_) => SimpleStage::memusage(),
            Stage::Delta { .. } => DELTA_MEMUSAGE,
        }
    }

    fn pull<U: Upstream>(
        &mut self,
        next: &mut U,
        input: &[u8],
        in_pos: &mut usize,
        out: &mut [u8],
        out_pos: &mut usize,
        action: Action,
    ) -> Result<bool> {
        match self {
            Stage::Simple(s) => s.pull(next, input, in_pos, out, out_pos, action),
            Stage::Delta { delta, encoder } => {
                let start = *out_pos;
                let pulled = next.pull(input, in_pos, out, out_pos, action);
                // Whatever arrived is converted, even when an error came with it (as
                // liblzma's Delta decoder does).
                delta.convert(*encoder, &mut out[start..*out_pos]);
                pulled
            }
        }
    }
}

/// A run of stages in pull order in front of a leaf.
struct Pipeline<'a, L> {
    stages: &'a mut [Stage],
    leaf: &'a mut L,
}

impl<L: Upstream> Upstream for Pipeline<'_, L> {
    fn pull(
        &mut self,
        input: &[u8],
        in_pos: &mut usize,
        out: &mut [u8],
        out_pos: &mut usize,
        action: Action,
    ) -> Result<bool> {
        match self.stages.split_first_mut() {
            None => self.leaf.pull(input, in_pos, out, out_pos, action),
            Some((first, rest)) => {
                let mut next = Pipeline {
                    stages: rest,
                    leaf: &mut *self.leaf,
                };
                first.pull(&mut next, input, in_pos, out, out_pos, action)
            }
        }
    }
}

/// Builds the Delta/BCJ stages for the filters before the last one.
fn build_stages(simple: &[Filter], encoder: bool) -> Result<Vec<Stage>> {
    if simple.len() >= FILTERS_MAX {
        return Err(ChainProblem::TooMany.to_error());
    }
    let mut stages = simple
        .iter()
        .map(|f| Stage::new(f, encoder))
        .collect::<Result<Vec<_>>>()?;
    if encoder {
        // The stage next to the LZMA encoder pulls from the one before it, and so on.
        stages.reverse();
    }
    Ok(stages)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RunState {
    Running,
    Ended,
    Failed,
}

impl RunState {
    /// The answer to a call once the coder has ended or failed (`misuse` names the
    /// latter); `None` while it is running.
    fn settled(self, misuse: &'static str) -> Option<Result<Progress>> {
        match self {
            RunState::Running => None,
            RunState::Ended => Some(Ok(Progress {
                consumed: 0,
                produced: 0,
                status: Status::StreamEnd,
            })),
            RunState::Failed => Some(Err(Error::Misuse(misuse))),
        }
    }
}

/// A decoder running Delta/BCJ filters over the output of an inner decoder `C`.
///
/// [`RawDecoder`] is this over the LZMA1/LZMA2 decoders; any [`Coder`] can be the inner
/// one.
///
/// On corrupt input the output before the error is liblzma's: the call that meets the
/// error hands on what its stages wrote, with the BCJ stages' part unconverted (liblzma's
/// BCJ wrapper returns before converting it) and the Delta stages' part converted; the
/// error follows on the next call. So, as with liblzma, the bytes before an error depend
/// on how input and output were split into calls. Running out of input under `Finish` is
/// not such an error: the data is converted as usual, a BCJ stage's held-back tail (a
/// possible partial instruction) is not handed on, then [`Error::Truncated`] follows.
///
/// ```
/// use lzma_core::filter::{chain::ChainDecoder, Filter};
/// use lzma_core::{lzma2::decoder::Lzma2Decoder, oneshot::run};
/// // A stored LZMA2 chunk of Delta-encoded bytes ('a', then differences of 1) and the end byte.
/// let stream = [0x01, 0x00, 0x04, b'a', 1, 1, 1, 1, 0x00];
/// let mut dec = ChainDecoder::new(&[Filter::Delta { distance: 1 }], Lzma2Decoder::new(1 << 16)?)?;
/// assert_eq!(run(&mut dec, &stream)?, b"abcde");
/// # Ok::<(), lzma_core::Error>(())
/// ```
#[derive(Debug)]
pub struct ChainDecoder<C> {
    /// Stages in pull order: the first filter of the chain first.
    stages: Vec<Stage>,
    inner: C,
    state: RunState,
    /// An error to report on the next call, after the output that came before it.
    pending: Option<Error>,
}

impl<C: Coder> ChainDecoder<C> {
    /// Wraps `inner` with the decoders of `simple`, the Delta/BCJ filters that come before
    /// the inner filter in encoding order (at most three).
    ///
    /// Errors: [`Error::Unsupported`] for a BCJ start offset that is not a multiple of the
    /// filter's alignment (as liblzma), [`Error::Options`] for an LZMA filter in `simple`
    /// or a bad Delta distance.
    ///
    /// ```
    /// use lzma_core::filter::{chain::ChainDecoder, BcjArch, Filter};
    /// use lzma_core::lzma2::decoder::Lzma2Decoder;
    /// let arm = |start_offset| [Filter::Bcj { arch: BcjArch::Arm, start_offset }];
    /// assert!(ChainDecoder::new(&arm(0), Lzma2Decoder::new(1 << 16)?).is_ok());
    /// assert!(ChainDecoder::new(&arm(2), Lzma2Decoder::new(1 << 16)?).is_err()); // misaligned
    /// # Ok::<(), lzma_core::Error>(())
    /// ```
    pub fn new(simple: &[Filter], inner: C) -> Result<Self> {
        Ok(ChainDecoder {
            stages: build_stages(simple, false)?,
            inner,
            state: RunState::Running,
            pending: None,
        })
    }

    /// The inner decoder.
    ///
    /// ```
    /// use lzma_core::filter::{chain::ChainDecoder, Filter};
    /// use lzma_core::{lzma2::decoder::Lzma2Decoder, Coder};
    /// let dec = ChainDecoder::new(&[Filter::Delta { distance: 1 }], Lzma2Decoder::new(1 << 16)?)?;
    /// assert!(dec.inner().memusage() >= 1 << 16); // the LZMA2 decoder's dictionary
    /// # Ok::<(), lzma_core::Error>(())
    /// ```
    pub fn inner(&self) -> &C {
        &self.inner
    }
}

impl<C: Coder> Coder for ChainDecoder<C> {
    fn code(&mut self, input: &[u8], output: &mut [u8], action: Action) -> Result<Progress> {
        if let Some(answer) = self.state.settled("decoder used after an error") {
            return answer;
        }
        if let Some(e) = self.pending.take() {
            self.state = RunState::Failed;
            return Err(e);
        }
        // Decoders treat flushing as running.
        let action = if action == Action::Finish {
            Action::Finish
        } else {
            Action::Run
        };
        let (mut in_pos, mut out_pos) = (0, 0);
        let mut truncated = None;
        let probe = !self.stages.is_empty();
        let mut leaf = CoderLeaf {
            inner: &mut self.inner,
            probe,
            truncated: &mut truncated,
        };
        let mut pipeline = Pipeline {
            stages: &mut self.stages,
            leaf: &mut leaf,
        };
        let pulled = pipeline.pull(input, &mut in_pos, output, &mut out_pos, action);
        // liblzma hands on what its stages wrote before an error (a BCJ stage leaves that
        // part unconverted); we do the same and report the error on the next call.
        let error = match pulled {
            Ok(true) => {
                self.state = RunState::Ended;
                return Ok(Progress {
                    consumed: in_pos,
                    produced: out_pos,
                    status: Status::StreamEnd,
                });
            }
            Ok(false) => truncated,
            Err(e) => Some(e),
        };
        match error {
            Some(e) if out_pos == 0 && (in_pos == 0 || !matches!(e, Error::Truncated)) => {
                self.state = RunState::Failed;
                Err(e)
            }
            e => {
                self.pending = e;
                Ok(Progress {
                    consumed: in_pos,
                    produced: out_pos,
                    status: Status::Ok,
                })
            }
        }
    }

    fn memusage(&self) -> u64 {
        let stages: u64 = self.stages.iter().map(Stage::memusage).sum();
        self.inner.memusage().saturating_add(stages)
    }
}

/// An encoder running Delta/BCJ filters over the input before an inner encoder `C`.
///
/// [`RawEncoder`] is this over the LZMA1/LZMA2 encoders; any [`Coder`] can be the inner
/// one. `FullFlush` is treated as `SyncFlush`; BCJ filters cannot flush and fail with
/// [`Error::Unsupported`] (as liblzma).
///
/// ```
/// use lzma_core::filter::{chain::ChainEncoder, Filter};
/// use lzma_core::{lzma2::encoder::Lzma2Encoder, oneshot::run, raw::RawDecoder, LzmaOptions};
/// let opts = LzmaOptions::preset(0, false)?;
/// let mut enc = ChainEncoder::new(&[Filter::Delta { distance: 1 }], Lzma2Encoder::new(&opts)?)?;
/// let raw = run(&mut enc, b"abcdefgh")?;
/// let chain = [Filter::Delta { distance: 1 }, Filter::Lzma2(opts)];
/// assert_eq!(run(&mut RawDecoder::new(&chain, u64::MAX)?, &raw)?, b"abcdefgh");
/// # Ok::<(), lzma_core::Error>(())
/// ```
#[derive(Debug)]
pub struct ChainEncoder<C> {
    /// Stages in pull order: the filter just before the inner encoder first.
    stages: Vec<Stage>,
    inner: C,
    /// Converted data waiting for the inner encoder: `buf[buf_pos..buf_len]`.
    buf: Vec<u8>,
    buf_pos: usize,
    buf_len: usize,
    /// The stages have handed on all input of the current flush or finish.
    stages_done: bool,
    state: RunState,
}

impl<C: Coder> ChainEncoder<C> {
    /// Puts the encoders of `simple`, the Delta/BCJ filters that come first in the chain
    /// (at most three), in front of `inner`.
    ///
    /// Errors as [`ChainDecoder::new`].
    ///
    /// ```
    /// use lzma_core::filter::{chain::ChainEncoder, BcjArch, Filter};
    /// use lzma_core::{lzma2::encoder::Lzma2Encoder, LzmaOptions};
    /// let opts = LzmaOptions::preset(0, false)?;
    /// let x86 = [Filter::Bcj { arch: BcjArch::X86, start_offset: 0 }];
    /// assert!(ChainEncoder::new(&x86, Lzma2Encoder::new(&opts)?).is_ok());
    /// let lzma2_in_front = [Filter::Lzma2(opts.clone())];
    /// assert!(ChainEncoder::new(&lzma2_in_front, Lzma2Encoder::new(&opts)?).is_err());
    /// # Ok::<(), lzma_core::Error>(())
    /// ```
    pub fn new(simple: &[Filter], inner: C) -> Result<Self> {
        let stages = build_stages(simple, true)?;
        let buf = if stages.is_empty() {
            Vec::new()
        } else {
            vec![0; ENCODER_BUF_SIZE]
        };
        Ok(ChainEncoder {
            stages,
            inner,
            buf,
            buf_pos: 0,
            buf_len: 0,
            stages_done: false,
            state: RunState::Running,
        })
    }

    /// The inner encoder.
    ///
    /// ```
    /// use lzma_core::filter::{chain::ChainEncoder, Filter};
    /// use lzma_core::{lzma2::encoder::Lzma2Encoder, Coder, LzmaOptions};
    /// let opts = LzmaOptions::preset(0, false)?;
    /// let enc = ChainEncoder::new(&[Filter::Delta { distance: 1 }], Lzma2Encoder::new(&opts)?)?;
    /// assert_eq!(enc.inner().memusage(), Lzma2Encoder::memusage(&opts));
    /// # Ok::<(), lzma_core::Error>(())
    /// ```
    pub fn inner(&self) -> &C {
        &self.inner
    }

    /// The inner encoder, for resetting it together with [`ChainEncoder::restart`].
    ///
    /// ```
    /// use lzma_core::filter::{chain::ChainEncoder, Filter};
    /// use lzma_core::{lzma2::encoder::Lzma2Encoder, oneshot::run, LzmaOptions};
    /// let simple = [Filter::Delta { distance: 1 }];
    /// let mut enc = ChainEncoder::new(&simple, Lzma2Encoder::new(&LzmaOptions::preset(0, false)?)?)?;
    /// let first = run(&mut enc, b"once")?;
    /// enc.restart(&simple)?;
    /// enc.inner_mut().reset(); // the inner encoder is reset separately
    /// assert_eq!(run(&mut enc, b"once")?, first);
    /// # Ok::<(), lzma_core::Error>(())
    /// ```
    pub fn inner_mut(&mut self) -> &mut C {
        &mut self.inner
    }

    /// Gets the chain ready for a new, independent stream in front of the same inner
    /// encoder: the stages of `simple` (which may differ from the previous ones) are
    /// built afresh (they are small), the buffer between them and the inner encoder is
    /// emptied and kept, and an ended or failed encoder runs again. The inner encoder is
    /// not touched: reset it through [`ChainEncoder::inner_mut`].
    ///
    /// Errors as [`ChainEncoder::new`]; the encoder is then unusable until a successful
    /// `restart`.
    ///
    /// ```
    /// use lzma_core::filter::chain::ChainEncoder;
    /// use lzma_core::filter::{BcjArch, Filter};
    /// use lzma_core::lzma2::encoder::Lzma2Encoder;
    /// use lzma_core::{Action, Coder, LzmaOptions};
    /// let opts = LzmaOptions::preset(1, false)?;
    /// let simple = [Filter::Bcj { arch: BcjArch::X86, start_offset: 0 }];
    /// let mut enc = ChainEncoder::new(&simple, Lzma2Encoder::new(&opts)?)?;
    /// let mut first = vec![0u8; 1024];
    /// let n = enc.code(b"\xe8\0\0\0\0 call call", &mut first, Action::Finish)?.produced;
    /// enc.restart(&simple)?;
    /// enc.inner_mut().reset();
    /// let mut again = vec![0u8; 1024];
    /// let m = enc.code(b"\xe8\0\0\0\0 call call", &mut again, Action::Finish)?.produced;
    /// assert_eq!(first[..n], again[..m]);
    /// # Ok::<(), lzma_core::Error>(())
    /// ```
    pub fn restart(&mut self, simple: &[Filter]) -> Result<()> {
        self.buf_pos = 0;
        self.buf_len = 0;
        self.stages_done = false;
        self.state = RunState::Failed;
        self.stages = build_stages(simple, true)?;
        if self.stages.is_empty() {
            self.buf = Vec::new();
        } else if self.buf.len() != ENCODER_BUF_SIZE {
            self.buf = vec![0; ENCODER_BUF_SIZE];
        }
        self.state = RunState::Running;
        Ok(())
    }

    fn run(&mut self, input: &[u8], output: &mut [u8], action: Action) -> Result<Progress> {
        if self.stages.is_empty() {
            return self.inner.code(input, output, action);
        }
        let (mut in_pos, mut out_pos) = (0, 0);
        loop {
            let mut moved = false;
            if !self.stages_done {
                if self.buf_pos > 0 {
                    self.buf.copy_within(self.buf_pos..self.buf_len, 0);
                    self.buf_len -= self.buf_pos;
                    self.buf_pos = 0;
                }
                let (in_before, len_before) = (in_pos, self.buf_len);
                let mut leaf = CopyLeaf;
                let mut pipeline = Pipeline {
                    stages: &mut self.stages,
                    leaf: &mut leaf,
                };
                self.stages_done =
                    pipeline.pull(input, &mut in_pos, &mut self.buf, &mut self.buf_len, action)?;
                moved = self.stages_done || in_pos != in_before || self.buf_len != len_before;
            }
            let inner_action = if self.stages_done {
                action
            } else {
                Action::Run
            };
            let p = self.inner.code(
                &self.buf[self.buf_pos..self.buf_len],
                &mut output[out_pos..],
                inner_action,
            )?;
            self.buf_pos += p.consumed;
            out_pos += p.produced;
            if self.buf_pos == self.buf_len {
                self.buf_pos = 0;
                self.buf_len = 0;
            }
            if p.status == Status::StreamEnd && self.stages_done {
                // The flush or finish is complete; a flush lets the stages run again.
                self.stages_done = false;
                return Ok(Progress {
                    consumed: in_pos,
                    produced: out_pos,
                    status: Status::StreamEnd,
                });
            }
            if !moved && p.consumed == 0 && p.produced == 0 {
                return Ok(Progress {
                    consumed: in_pos,
                    produced: out_pos,
                    status: Status::Ok,
                });
            }
        }
    }
}

impl<C: Coder> Coder for ChainEncoder<C> {
    fn code(&mut self, input: &[u8], output: &mut [u8], action: Action) -> Result<Progress> {
        if let Some(answer) = self.state.settled("encoder used after an error") {
            return answer;
        }
        let action = if action == Action::FullFlush {
            Action::SyncFlush
        } else {
            action
        };
        match self.run(input, output, action) {
            Ok(p) => {
                if p.status == Status::StreamEnd && action == Action::Finish {
                    self.state = RunState::Ended;
                }
                Ok(p)
            }
            Err(e) => {
                self.state = RunState::Failed;
                Err(e)
            }
        }
    }

    fn memusage(&self) -> u64 {
        let stages: u64 = self.stages.iter().map(Stage::memusage).sum();
        self.inner
            .memusage()
            .saturating_add(stages)
            .saturating_add(self.buf.len() as u64)
    }
}

/// The decoder of the last filter of a chain (LZMA1 or LZMA2).
pub type LastDecoder = inner::Last<inner::LzmaDecoder, inner::Lzma2Decoder>;
/// The encoder of the last filter of a chain (LZMA1 or LZMA2).
pub type LastEncoder = inner::Last<inner::LzmaEncoder, inner::Lzma2Encoder>;

/// A raw (headerless) decoder for a filter chain.
pub type RawDecoder = ChainDecoder<LastDecoder>;
/// A raw (headerless) encoder for a filter chain.
pub type RawEncoder = ChainEncoder<LastEncoder>;

/// Creates a raw decoder for `filters` (encoding order, LZMA1/LZMA2 last).
///
/// The chain is checked with [`validate_chain`] (LZMA1 allowed), then its memory usage
/// ([`decoder_memusage`]) against `memlimit` before anything large is allocated.
///
/// ```
/// use lzma_core::filter::{chain::raw_decoder, BcjArch, Filter};
/// use lzma_core::{Action, Coder, LzmaOptions, Status};
/// // An LZMA2 stream of one uncompressed chunk (control 0x01, size - 1 = 4, five bytes)
/// // and the end byte, behind Delta with distance 1: the stored bytes are differences.
/// let stream = [0x01, 0x00, 0x04, b'a', 1, 1, 1, 1, 0x00];
/// let chain = [Filter::Delta { distance: 1 }, Filter::Lzma2(LzmaOptions::default())];
/// let mut dec = raw_decoder(&chain, u64::MAX).unwrap();
/// let mut out = [0u8; 16];
/// let p = dec.code(&stream, &mut out, Action::Finish).unwrap();
/// assert_eq!((&out[..p.produced], p.status), (&b"abcde"[..], Status::StreamEnd));
/// ```
pub fn raw_decoder(filters: &[Filter], memlimit: u64) -> Result<RawDecoder> {
    validate_chain(filters, false)?;
    // Options no decoder accepts are named as such, not as a memory limit.
    check_decoder_options(filters)?;
    let needed = decoder_memusage(filters);
    if needed == u64::MAX {
        return Err(Error::Options(MSG_UNSUPPORTED_CHAIN.into()));
    }
    if needed > memlimit {
        return Err(Error::MemLimit {
            needed,
            limit: memlimit,
        });
    }
    let (last, simple) = match filters.split_last() {
        Some(x) => x,
        None => return Err(ChainProblem::Empty.to_error()),
    };
    // Check the simple filters before allocating the dictionary.
    build_stages(simple, false)?;
    ChainDecoder::new(simple, inner::new_decoder(last)?)
}

/// Creates a raw encoder for `filters` (encoding order, LZMA1/LZMA2 last). LZMA1 writes
/// an end marker at `Finish`; LZMA2 writes its end byte.
///
/// ```
/// use lzma_core::filter::chain::{raw_decoder, raw_encoder};
/// use lzma_core::{oneshot::run, Filter, LzmaOptions};
/// let chain = [Filter::Lzma1(LzmaOptions::preset(0, false)?)];
/// let raw = run(&mut raw_encoder(&chain)?, b"lzma1, raw")?;
/// assert_eq!(run(&mut raw_decoder(&chain, u64::MAX)?, &raw)?, b"lzma1, raw");
/// # Ok::<(), lzma_core::Error>(())
/// ```
pub fn raw_encoder(filters: &[Filter]) -> Result<RawEncoder> {
    validate_chain(filters, false)?;
    let (last, simple) = match filters.split_last() {
        Some(x) => x,
        None => return Err(ChainProblem::Empty.to_error()),
    };
    build_stages(simple, true)?;
    ChainEncoder::new(simple, inner::new_encoder(last)?)
}

/// The LZMA1/LZMA2 coders at the end of a chain.
mod inner {
    use super::*;
    pub use crate::lzma::decoder::LzmaDecoder;
    pub use crate::lzma::encoder::LzmaEncoder;
    pub use crate::lzma2::decoder::Lzma2Decoder;
    pub use crate::lzma2::encoder::Lzma2Encoder;
    use crate::LzmaOptions;

    /// The coder of the last filter of a chain: an LZMA1 coder `L1` or an LZMA2 coder
    /// `L2`, the decoders in [`LastDecoder`](super::LastDecoder) and the encoders in
    /// [`LastEncoder`](super::LastEncoder). Calls are dispatched once per call, never
    /// per byte.
    pub enum Last<L1, L2> {
        /// LZMA1 (raw: the decoder requires an end marker, the encoder writes one at
        /// `Finish`).
        Lzma1(L1),
        /// LZMA2 (the encoder writes the end byte at `Finish`).
        Lzma2(L2),
    }

    impl<L1, L2> Last<L1, L2> {
        /// Builds the coder for `last` with the constructor for its filter, after the
        /// checks both directions share.
        fn build(
            last: &Filter,
            lzma1: impl FnOnce(&LzmaOptions) -> Result<L1>,
            lzma2: impl FnOnce(&LzmaOptions) -> Result<L2>,
        ) -> Result<Self> {
            match last {
                Filter::Lzma1(o) => check_preset_dict(o)
                    .and_then(|()| lzma1(o))
                    .map(Last::Lzma1),
                Filter::Lzma2(o) => check_preset_dict(o)
                    .and_then(|()| lzma2(o))
                    .map(Last::Lzma2),
                Filter::Delta { .. } | Filter::Bcj { .. } => {
                    Err(ChainProblem::LastNotLzma.to_error())
                }
            }
        }
    }

    impl<L1: Coder, L2: Coder> Coder for Last<L1, L2> {
        fn code(&mut self, input: &[u8], output: &mut [u8], action: Action) -> Result<Progress> {
            match self {
                Last::Lzma1(c) => c.code(input, output, action),
                Last::Lzma2(c) => c.code(input, output, action),
            }
        }

        fn memusage(&self) -> u64 {
            match self {
                Last::Lzma1(c) => c.memusage(),
                Last::Lzma2(c) => c.memusage(),
            }
        }
    }

    /// Names the filter only: the coders' state (dictionaries, probability tables) is
    /// too large to print.
    impl<L1, L2> std::fmt::Debug for Last<L1, L2> {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(match self {
                Last::Lzma1(_) => "Last::Lzma1",
                Last::Lzma2(_) => "Last::Lzma2",
            })
        }
    }

    /// Preset dictionaries are not supported (xz never writes them).
    fn check_preset_dict(o: &LzmaOptions) -> Result<()> {
        match o.preset_dict {
            Some(_) => Err(Error::Unsupported("preset dictionaries are not supported")),
            None => Ok(()),
        }
    }

    /// The decoder for the last filter of a chain.
    pub(super) fn new_decoder(last: &Filter) -> Result<LastDecoder> {
        Last::build(
            last,
            |o| {
                check_lclppb(o)?;
                LzmaDecoder::new(o.props(), o.dict_size, None, true)
            },
            |o| Lzma2Decoder::new(o.dict_size),
        )
    }

    /// The encoder for the last filter of a chain.
    pub(super) fn new_encoder(last: &Filter) -> Result<LastEncoder> {
        Last::build(last, LzmaEncoder::new, Lzma2Encoder::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filter::BcjArch;
    use crate::lzma2::encoder::Lzma2Encoder;
    use crate::LzmaOptions;

    fn encode<C: Coder>(enc: &mut C, data: &[u8], action: Action) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        let mut buf = vec![0u8; 999];
        let mut pos = 0;
        loop {
            let p = enc.code(&data[pos..], &mut buf, action)?;
            pos += p.consumed;
            out.extend_from_slice(&buf[..p.produced]);
            if p.status == Status::StreamEnd || (action == Action::Run && pos == data.len()) {
                return Ok(out);
            }
        }
    }

    #[test]
    fn restarted_encoder_writes_a_new_encoders_stream() {
        let data: Vec<u8> = (0..200_000u32)
            .map(|i| {
                if i % 7 == 0 {
                    0xE8
                } else {
                    (i.wrapping_mul(2654435761) >> 29) as u8
                }
            })
            .collect();
        let opts = LzmaOptions::preset(1, false).unwrap();
        let bcj = Filter::Bcj {
            arch: BcjArch::X86,
            start_offset: 0,
        };
        let delta = Filter::Delta { distance: 4 };
        let fresh = |simple: &[Filter]| {
            let mut e = ChainEncoder::new(simple, Lzma2Encoder::new(&opts).unwrap()).unwrap();
            encode(&mut e, &data, Action::Finish).unwrap()
        };
        let mut enc = ChainEncoder::new(
            std::slice::from_ref(&bcj),
            Lzma2Encoder::new(&opts).unwrap(),
        )
        .unwrap();
        // A BCJ chain cannot flush: the encoder fails, then restarts.
        assert!(encode(&mut enc, &data[..5000], Action::SyncFlush).is_err());
        for simple in [
            vec![delta.clone(), bcj.clone()],
            vec![],
            vec![bcj.clone()],
            vec![delta],
        ] {
            enc.restart(&simple).unwrap();
            enc.inner_mut().reset();
            assert_eq!(
                encode(&mut enc, &data, Action::Finish).unwrap(),
                fresh(&simple)
            );
            // In the middle of a stream.
            encode(&mut enc, &data[..70_000], Action::Run).unwrap();
        }
        assert!(enc.restart(&[Filter::Delta { distance: 0 }]).is_err());
        assert!(enc.code(b"x", &mut [0u8; 64], Action::Run).is_err());
    }
}
