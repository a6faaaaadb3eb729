//! x86 BCJ: converts the 32-bit relative targets of `CALL rel32` (opcode `E8`) and
//! `JMP rel32` (opcode `E9`) to absolute addresses and back.
//!
//! A byte `E8`/`E9` is only treated as an instruction when the last byte of its 32-bit
//! operand is `00` or `FF` (a short jump forward or backward), and a small history of the
//! previous few bytes (`prev_mask`) rejects candidates that overlap other recent
//! candidates, as liblzma does. The filter keeps that history between calls.

/// Whether `b` could be the most significant byte of a plausible rel32 operand.
#[inline]
fn is_ms_byte(b: u8) -> bool {
    b == 0x00 || b == 0xFF
}

/// State of the x86 converter carried between buffers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct X86 {
    /// One bit per byte position before the current one that held a rejected
    /// `E8`/`E9` candidate (bit 0 = the byte just before), plus bit 4 marks a rejected
    /// candidate whose operand top byte looked plausible.
    prev_mask: u32,
    /// Stream position of the most recent `E8`/`E9` byte seen.
    prev_pos: u32,
}

impl Default for X86 {
    fn default() -> Self {
        // "Last candidate five bytes before the start": no history in effect.
        X86 {
            prev_mask: 0,
            prev_pos: 0u32.wrapping_sub(5),
        }
    }
}

impl X86 {
    /// A converter with no history.
    pub fn new() -> Self {
        Self::default()
    }

    /// Converts `buf`, whose first byte is at stream position `now_pos`: relative to
    /// absolute when `encoder`, absolute to relative otherwise. Returns how many bytes
    /// at the front are final; the rest (at most 4 bytes) must be given again with more
    /// data following them, or passed through unchanged at the end of the stream.
    ///
    /// ```
    /// use lzma_core::filter::bcj::x86::X86;
    /// // CALL rel32 with displacement 0x10 at position 0x100: the target is 0x100 + 5 + 0x10.
    /// let mut code = [0xE8, 0x10, 0x00, 0x00, 0x00, 0x90, 0x90, 0x90, 0x90];
    /// assert_eq!(X86::new().convert(0x100, true, &mut code), 5);
    /// assert_eq!(code[..5], [0xE8, 0x15, 0x01, 0x00, 0x00]);
    /// ```
    pub fn convert(&mut self, now_pos: u32, encoder: bool, buf: &mut [u8]) -> usize {
        // Index of the operand byte to re-check, by `prev_mask >> 1`.
        const MASK_TO_BYTE_INDEX: [u32; 5] = [0, 1, 2, 2, 3];

        if buf.len() < 5 {
            return 0;
        }
        let mut prev_mask = self.prev_mask;
        let mut prev_pos = self.prev_pos;
        if now_pos.wrapping_sub(prev_pos) > 5 {
            prev_pos = now_pos.wrapping_sub(5);
        }

        let limit = buf.len() - 5;
        let mut i = 0;
        while i <= limit {
            let opcode = buf[i];
            if opcode != 0xE8 && opcode != 0xE9 {
                i += 1;
                continue;
            }
            let pos = now_pos.wrapping_add(i as u32);
            let gap = pos.wrapping_sub(prev_pos);
            prev_pos = pos;
            if gap > 5 {
                prev_mask = 0;
            } else {
                for _ in 0..gap {
                    prev_mask = (prev_mask & 0x77) << 1;
                }
            }

            let top = buf[i + 4];
            if is_ms_byte(top) && (prev_mask >> 1) <= 4 && (prev_mask >> 1) != 3 {
                let mut src = u32::from_le_bytes([buf[i + 1], buf[i + 2], buf[i + 3], top]);
                let next_ip = pos.wrapping_add(5);
                let dest = loop {
                    let dest = if encoder {
                        src.wrapping_add(next_ip)
                    } else {
                        src.wrapping_sub(next_ip)
                    };
                    if prev_mask == 0 {
                        break dest;
                    }
                    // `prev_mask` is even here, so the index is 1..=3.
                    let idx = MASK_TO_BYTE_INDEX[(prev_mask >> 1) as usize];
                    let b = (dest >> (24 - idx * 8)) as u8;
                    if !is_ms_byte(b) {
                        break dest;
                    }
                    src = dest ^ (u32::MAX >> (idx * 8));
                };
                // Bit 24 of the result decides the sign byte (00 or FF).
                let sign = if dest & (1 << 24) != 0 { 0xFF } else { 0x00 };
                let d = dest.to_le_bytes();
                buf[i + 1] = d[0];
                buf[i + 2] = d[1];
                buf[i + 3] = d[2];
                buf[i + 4] = sign;
                i += 5;
                prev_mask = 0;
            } else {
                i += 1;
                prev_mask |= 1;
                if is_ms_byte(top) {
                    prev_mask |= 0x10;
                }
            }
        }

        self.prev_mask = prev_mask;
        self.prev_pos = prev_pos;
        i
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(pos: u32, data: &[u8]) -> Vec<u8> {
        let mut v = data.to_vec();
        X86::new().convert(pos, true, &mut v);
        v
    }

    #[test]
    fn call_forward_becomes_absolute() {
        // E8 00 01 00 00 = CALL +0x100 at 0x1000: target 0x1000 + 5 + 0x100 = 0x1105.
        let code = [0xE8, 0x00, 0x01, 0x00, 0x00, 0xC3, 0xC3, 0xC3, 0xC3];
        assert_eq!(
            enc(0x1000, &code)[..6],
            [0xE8, 0x05, 0x11, 0x00, 0x00, 0xC3]
        );
    }

    #[test]
    fn jmp_backward_becomes_absolute() {
        // E9 F0 FF FF FF = JMP -0x10 at 0x2000: target 0x2000 + 5 - 0x10 = 0x1FF5.
        let code = [0xE9, 0xF0, 0xFF, 0xFF, 0xFF, 0x90, 0x90, 0x90, 0x90];
        assert_eq!(enc(0x2000, &code)[..5], [0xE9, 0xF5, 0x1F, 0x00, 0x00]);
    }

    #[test]
    fn implausible_operand_is_left_alone() {
        // E8 with operand top byte 0x12 is not a near call in a small image: unchanged.
        let code = [0xE8, 0x00, 0x00, 0x00, 0x12, 0x90, 0x90, 0x90, 0x90];
        assert_eq!(enc(0x1000, &code), code);
    }

    #[test]
    fn short_buffer_is_held_back() {
        let mut b = [0xE8, 0, 0, 0];
        assert_eq!(X86::new().convert(0, true, &mut b), 0);
        assert_eq!(b, [0xE8, 0, 0, 0]);
    }

    #[test]
    fn decode_inverts_encode() {
        let mut data: Vec<u8> = (0..4000u32)
            .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
            .collect();
        for i in (0..data.len()).step_by(37) {
            data[i] = 0xE8;
        }
        let mut v = data.clone();
        let n = X86::new().convert(7, true, &mut v);
        let mut w = v.clone();
        assert_eq!(X86::new().convert(7, false, &mut w), n);
        assert_eq!(w, data);
    }
}
