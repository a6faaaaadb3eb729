//! ARM-Thumb BCJ: converts Thumb `BL` instruction pairs. A Thumb BL is two 16-bit
//! little-endian halfwords: `11110 hi11` (upper 11 bits of the halfword offset) followed
//! by `11111 lo11` (lower 11 bits). The offset counts halfwords from the pair's address
//! plus 4.

/// Converts `buf` (first byte at stream position `now_pos`, which is 2-byte aligned):
/// relative to absolute when `encoder`, back otherwise. Returns how many bytes are final;
/// the tail (at most 3 bytes) needs more data after it.
///
/// ```
/// use lzma_core::filter::bcj::armthumb;
/// // BL +0 at 0x100 (F000 F800): target 0x104, stored as halfword address 0x82.
/// let mut code = [0x00, 0xF0, 0x00, 0xF8];
/// assert_eq!(armthumb::convert(0x100, true, &mut code), 4);
/// assert_eq!(code, [0x00, 0xF0, 0x82, 0xF8]);
/// ```
pub fn convert(now_pos: u32, encoder: bool, buf: &mut [u8]) -> usize {
    if buf.len() < 4 {
        return 0;
    }
    let last = buf.len() - 4;
    let mut i = 0;
    while i <= last {
        if buf[i + 1] & 0xF8 == 0xF0 && buf[i + 3] & 0xF8 == 0xF8 {
            let src = ((u32::from(buf[i + 1]) & 7) << 19)
                | (u32::from(buf[i]) << 11)
                | ((u32::from(buf[i + 3]) & 7) << 8)
                | u32::from(buf[i + 2]);
            let src = src << 1;
            let pc = now_pos.wrapping_add(i as u32).wrapping_add(4);
            let dest = if encoder {
                pc.wrapping_add(src)
            } else {
                src.wrapping_sub(pc)
            } >> 1;
            buf[i + 1] = 0xF0 | ((dest >> 19) & 7) as u8;
            buf[i] = (dest >> 11) as u8;
            buf[i + 3] = 0xF8 | ((dest >> 8) & 7) as u8;
            buf[i + 2] = dest as u8;
            i += 2;
        }
        i += 2;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bl_pair_backward() {
        // F7FF FFFE = BL -4 bytes at 0x2000: target 0x2000 + 4 - 4 = 0x2000, halfword 0x1000:
        // hi11 = 0x1000 >> 11 = 2, lo11 = 0. Then a Thumb NOP (BF00) untouched.
        let mut code = [0xFF, 0xF7, 0xFE, 0xFF, 0x00, 0xBF];
        assert_eq!(convert(0x2000, true, &mut code), 4);
        assert_eq!(code, [0x02, 0xF0, 0x00, 0xF8, 0x00, 0xBF]);
        convert(0x2000, false, &mut code);
        assert_eq!(code, [0xFF, 0xF7, 0xFE, 0xFF, 0x00, 0xBF]);
    }

    #[test]
    fn short_buffer() {
        let mut code = [0x00, 0xF0, 0x00];
        assert_eq!(convert(0, true, &mut code), 0);
    }
}
