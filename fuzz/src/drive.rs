//! Pumping a coder with input and output in chunks.

use lzma_core::{Action, Coder, Error, Status};

/// Sizes of successive input and output chunks.
#[derive(Debug, Clone)]
pub struct ChunkPlan {
    input: Vec<usize>,
    output: Vec<usize>,
    next_in: usize,
    next_out: usize,
}

impl ChunkPlan {
    /// All input at once and large output buffers ("one-shot").
    pub fn whole() -> Self {
        ChunkPlan { input: vec![usize::MAX], output: vec![1 << 16], next_in: 0, next_out: 0 }
    }

    /// Chunk sizes derived from `seed` bytes: each byte gives one input size
    /// and one output size (1..=256, or a larger size for a few values), used
    /// in turn and cycled.
    pub fn from_seed(seed: &[u8]) -> Self {
        fn size(b: u8) -> usize {
            match b {
                0xF0..=0xFF => 1 << (usize::from(b & 0x0F) + 4), // 16 B .. 512 KiB
                _ => usize::from(b % 64) + 1,
            }
        }
        let input: Vec<usize> = seed.iter().map(|&b| size(b)).collect();
        let output: Vec<usize> = seed.iter().map(|&b| size(b.rotate_left(3))).collect();
        if input.is_empty() {
            return ChunkPlan { input: vec![1], output: vec![1], next_in: 0, next_out: 0 };
        }
        ChunkPlan { input, output, next_in: 0, next_out: 0 }
    }

    fn take_in(&mut self) -> usize {
        let s = self.input[self.next_in % self.input.len()];
        self.next_in = self.next_in.wrapping_add(1);
        s
    }

    fn take_out(&mut self) -> usize {
        let s = self.output[self.next_out % self.output.len()];
        self.next_out = self.next_out.wrapping_add(1);
        s.min(crate::OUTPUT_CAP + 1)
    }
}

/// What one run produced.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Output bytes (everything produced by successful calls).
    pub output: Vec<u8>,
    /// `Ok(())` at the end of the stream, or the error a call returned.
    pub result: Result<(), Error>,
    /// The run was stopped at [`crate::OUTPUT_CAP`] before the stream ended.
    pub capped: bool,
    /// Input bytes consumed.
    pub consumed: usize,
    /// How much of `output` is final whatever calls would follow: all of it at the end of
    /// the stream; without the last call's output after an error or at the cap. A
    /// decoder reports an error on the call after the one that met it, and that call's
    /// output has passed the BCJ stages unconverted (as liblzma hands it on), so it
    /// depends on where the calls ended; at the cap, the next call might have met one.
    pub settled: usize,
}

/// Runs `coder` over `input` until the stream ends, an error, or the output
/// cap. The last input chunk is passed with [`Action::Finish`] (no input
/// follows it), earlier ones with [`Action::Run`].
///
/// # Panics
/// When the coder breaks the [`Coder`] contract: it reports more bytes than
/// it was given, or makes no progress for many calls in a row although it has
/// output room (at the end of input a decoder must then return
/// `Err(Error::Truncated)`).
pub fn run<C: Coder + ?Sized>(coder: &mut C, input: &[u8], plan: &mut ChunkPlan) -> Outcome {
    let mut output = Vec::new();
    let mut buf = Vec::new();
    let mut pos = 0usize;
    let mut stalls = 0u32;
    let mut finishing = false;
    // Output of the last call, not final until the next call returns without an error.
    let mut last_produced = 0usize;
    loop {
        // Once Finish was passed, every later call gets all remaining input
        // (liblzma's rule; ours follow it too).
        let in_len = if finishing { input.len() - pos } else { plan.take_in().min(input.len() - pos) };
        let end = pos + in_len;
        finishing |= end == input.len();
        let action = if finishing { Action::Finish } else { Action::Run };
        let out_len = plan.take_out();
        buf.clear();
        buf.resize(out_len, 0u8);
        match coder.code(&input[pos..end], &mut buf, action) {
            Err(e) => {
                let settled = output.len() - last_produced;
                return Outcome { output, result: Err(e), capped: false, consumed: pos, settled };
            }
            Ok(p) => {
                assert!(
                    p.consumed <= in_len && p.produced <= out_len,
                    "coder reported {} consumed of {in_len} and {} produced of {out_len}",
                    p.consumed,
                    p.produced
                );
                pos += p.consumed;
                output.extend_from_slice(&buf[..p.produced]);
                last_produced = p.produced;
                if p.status == Status::StreamEnd {
                    let settled = output.len();
                    return Outcome { output, result: Ok(()), capped: false, consumed: pos, settled };
                }
                if output.len() > crate::OUTPUT_CAP {
                    let settled = output.len() - last_produced;
                    return Outcome { output, result: Ok(()), capped: true, consumed: pos, settled };
                }
                if p.consumed == 0 && p.produced == 0 {
                    stalls += 1;
                    assert!(
                        stalls < 64,
                        "coder makes no progress: {} of {} input bytes consumed, {} bytes out, \
                         last call {action:?} with {in_len} input bytes and {out_len} output bytes \
                         (at the end of input a decoder must return Err(Truncated))",
                        pos,
                        input.len(),
                        output.len()
                    );
                } else {
                    stalls = 0;
                }
            }
        }
    }
}
