//! PowerPC (big endian) BCJ: converts the 24-bit word displacement of `bl` (branch with
//! link, relative) instructions.
//!
//! `bl` is primary opcode 18 (top six bits `010010`) with AA = 0 and LK = 1 (low two bits
//! `01`). The displacement field (bits 2..26) counts bytes relative to the instruction.

/// Converts the complete 4-byte words of `buf` (first byte at stream position `now_pos`):
/// relative to absolute when `encoder`, back otherwise. Returns the bytes converted.
///
/// ```
/// use lzma_core::filter::bcj::powerpc;
/// // bl +0x40 at 0x100 (0x48000041) becomes "bl to 0x140" (0x48000141).
/// let mut code = [0x48, 0x00, 0x00, 0x41];
/// assert_eq!(powerpc::convert(0x100, true, &mut code), 4);
/// assert_eq!(code, [0x48, 0x00, 0x01, 0x41]);
/// ```
pub fn convert(now_pos: u32, encoder: bool, buf: &mut [u8]) -> usize {
    let size = buf.len() & !3;
    for (i, w) in buf[..size].chunks_exact_mut(4).enumerate() {
        if w[0] >> 2 != 0x12 || w[3] & 3 != 1 {
            continue;
        }
        let src = u32::from_be_bytes([w[0], w[1], w[2], w[3]]) & 0x03FF_FFFC;
        let pc = now_pos.wrapping_add((i * 4) as u32);
        let dest = if encoder {
            pc.wrapping_add(src)
        } else {
            src.wrapping_sub(pc)
        };
        let instr = 0x4800_0000 | (dest & 0x03FF_FFFC) | 1;
        w.copy_from_slice(&instr.to_be_bytes());
    }
    size
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bl_forward_and_back() {
        // 0x4BFFFFF1 = bl -0x10 at 0x2000: target 0x1FF0 -> 0x48001FF1.
        let mut code = [0x4B, 0xFF, 0xFF, 0xF1, 0x60, 0x00, 0x00, 0x00, 0xAA];
        assert_eq!(convert(0x2000, true, &mut code), 8);
        // The nop (0x60000000) and the trailing partial word are untouched.
        assert_eq!(code, [0x48, 0x00, 0x1F, 0xF1, 0x60, 0x00, 0x00, 0x00, 0xAA]);
        convert(0x2000, false, &mut code);
        assert_eq!(code, [0x4B, 0xFF, 0xFF, 0xF1, 0x60, 0x00, 0x00, 0x00, 0xAA]);
    }

    #[test]
    fn plain_b_and_bla_untouched() {
        // 0x48000040 = b +0x40 (LK=0); 0x48000043 = bla (AA=1): neither is converted.
        let mut code = [0x48, 0x00, 0x00, 0x40, 0x48, 0x00, 0x00, 0x43];
        let orig = code;
        convert(0x1000, true, &mut code);
        assert_eq!(code, orig);
    }
}
