//! Comparing outcomes.

use crate::drive::Outcome;
use lzma_core::Error;

/// Coarse classes of results, comparable between our library and liblzma.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// The stream ended successfully.
    Ok,
    /// Stopped at the output cap (no verdict).
    Capped,
    /// Not this format.
    Format,
    /// Corrupt data or check mismatch.
    Data,
    /// Input ended early.
    Truncated,
    /// Unsupported options or filters.
    Unsupported,
    /// Memory limit reached.
    MemLimit,
    /// Bad options or misuse (encoder side).
    Options,
}

/// The class of one of our errors.
pub fn class_of_error(e: &Error) -> Class {
    match e {
        Error::Format(_) => Class::Format,
        Error::Corrupt(_) | Error::CheckMismatch { .. } => Class::Data,
        Error::Truncated => Class::Truncated,
        Error::Unsupported(_) => Class::Unsupported,
        Error::MemLimit { .. } => Class::MemLimit,
        _ => Class::Options,
    }
}

/// The class of an outcome of ours.
pub fn class(o: &Outcome) -> Class {
    match (&o.result, o.capped) {
        (_, true) => Class::Capped,
        (Ok(()), false) => Class::Ok,
        (Err(e), false) => class_of_error(e),
    }
}

/// Length of the common prefix of two byte strings.
pub fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

/// Asserts that two runs of the same coder over the same input, fed in
/// different chunks, agree: same class of result (unless one was capped), and
/// the same settled output (see [`crate::drive::Outcome::settled`]) as far as
/// both go. The output of the call that met an error depends on where the calls
/// end, exactly as in liblzma (a BCJ filter hands it on unconverted,
/// simple_coder.c), so it is not compared. Two runs that both reached the end
/// of the stream must also agree on the output length and the input consumed.
pub fn assert_same_run(chunked: &Outcome, whole: &Outcome, what: &str) {
    let (a, b) = (class(chunked), class(whole));
    if a != Class::Capped && b != Class::Capped {
        assert_eq!(
            a, b,
            "{what}: chunked and one-shot runs disagree: {:?} vs {:?}",
            chunked.result, whole.result
        );
    }
    let n = chunked.settled.min(whole.settled);
    let same = common_prefix(&chunked.output[..n], &whole.output[..n]);
    assert!(
        same == n,
        "{what}: chunked and one-shot output differ at byte {same} (lengths {} and {}, settled {} and {})",
        chunked.output.len(),
        whole.output.len(),
        chunked.settled,
        whole.settled
    );
    if a == Class::Ok && b == Class::Ok {
        assert_eq!(chunked.output.len(), whole.output.len(), "{what}: output lengths differ");
        assert_eq!(chunked.consumed, whole.consumed, "{what}: consumed input differs");
    }
}
