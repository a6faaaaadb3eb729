//! What the single- and multi-threaded .xz decoders share when reading the fixed parts of
//! a file: header fields gathered from input that may arrive in pieces, and the start of
//! each stream (its header, judged as liblzma judges it).

use super::stream_flags::{self, StreamFlags, STREAM_HEADER_SIZE};
use crate::{Error, Result};

/// The largest field: a block header.
const FIELD_MAX: usize = 1024;

/// Stream header and footer and block header bytes as they arrive, and what the stream
/// headers said so far.
pub(crate) struct StreamFields {
    buf: Box<[u8; FIELD_MAX]>,
    pos: usize,
    need: usize,
    first_stream: bool,
    unsupported_check: bool,
}

impl StreamFields {
    /// Waiting for the first stream header.
    pub(crate) fn new() -> Self {
        StreamFields {
            buf: Box::new([0; FIELD_MAX]),
            pos: 0,
            need: STREAM_HEADER_SIZE,
            first_stream: true,
            unsupported_check: false,
        }
    }

    /// Starts gathering a field of `need` bytes (at most 1024).
    pub(crate) fn expect(&mut self, need: usize) {
        self.pos = 0;
        self.need = need.min(FIELD_MAX);
    }

    /// Forgets the bytes gathered, keeping the size expected.
    pub(crate) fn restart(&mut self) {
        self.pos = 0;
    }

    /// Whether no byte of the field has arrived yet.
    pub(crate) fn is_empty(&self) -> bool {
        self.pos == 0
    }

    /// Takes input into the field; `true` once it is complete.
    pub(crate) fn fill(&mut self, input: &[u8], ip: &mut usize) -> bool {
        let n = (self.need - self.pos).min(input.len() - *ip);
        self.buf[self.pos..self.pos + n].copy_from_slice(&input[*ip..*ip + n]);
        self.pos += n;
        *ip += n;
        self.pos == self.need
    }

    /// The complete field.
    pub(crate) fn bytes(&self) -> &[u8] {
        &self.buf[..self.need]
    }

    /// The complete stream footer (or header) field; the next field starts empty.
    pub(crate) fn take_stream_field(&mut self) -> [u8; STREAM_HEADER_SIZE] {
        self.pos = 0;
        let mut f = [0u8; STREAM_HEADER_SIZE];
        f.copy_from_slice(&self.buf[..STREAM_HEADER_SIZE]);
        f
    }

    /// Decodes the complete stream header field, as liblzma: bad magic bytes are
    /// [`Error::Format`] in the first stream (not an .xz file) and [`Error::Corrupt`] in a
    /// later one; a check this crate cannot verify is noted (see
    /// [`StreamFields::unsupported_check`]).
    pub(crate) fn stream_header(&mut self) -> Result<StreamFlags> {
        let h = self.take_stream_field();
        let flags = match stream_flags::decode_header(&h) {
            Err(Error::Format(_)) if !self.first_stream => {
                return Err(Error::Corrupt("bad magic in a concatenated stream"))
            }
            r => r?,
        };
        self.first_stream = false;
        if flags.check().is_none() {
            self.unsupported_check = true;
        }
        Ok(flags)
    }

    /// `true` once a stream header named a check ID this crate cannot verify.
    pub(crate) fn unsupported_check(&self) -> bool {
        self.unsupported_check
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Check;

    #[test]
    fn headers_in_pieces_and_concatenated() {
        let h = stream_flags::encode_header(StreamFlags::new(Check::Crc32));
        let mut s = StreamFields::new();
        let mut ip = 0;
        assert!(!s.fill(&h[..5], &mut ip));
        assert!(!s.is_empty());
        let mut ip2 = 5;
        assert!(s.fill(&h, &mut ip2));
        assert_eq!((ip, ip2), (5, 12));
        assert_eq!(s.stream_header().unwrap().check(), Some(Check::Crc32));
        assert!(s.is_empty() && !s.unsupported_check());
        // A later stream with bad magic bytes is corrupt, not another format.
        let mut bad = h;
        bad[0] = 0;
        s.expect(STREAM_HEADER_SIZE);
        assert!(s.fill(&bad, &mut 0));
        assert!(matches!(s.stream_header(), Err(Error::Corrupt(_))));
        let mut first = StreamFields::new();
        assert!(first.fill(&bad, &mut 0));
        assert!(matches!(first.stream_header(), Err(Error::Format(_))));
    }
}
