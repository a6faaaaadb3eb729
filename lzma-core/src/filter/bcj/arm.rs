//! ARM (32-bit, little endian) BCJ: converts the 24-bit word offset of `BL` with the
//! "always" condition (top byte `EB`). The offset is relative to the instruction address
//! plus 8 (the ARM pipeline's PC).

/// Converts the complete 4-byte words of `buf` (first byte at stream position `now_pos`):
/// relative to absolute when `encoder`, back otherwise. Returns the bytes converted.
///
/// ```
/// use lzma_core::filter::bcj::arm;
/// // BL with word offset 1 at 0x100 (EB000001): target 0x100 + 8 + 4 = 0x10C, stored as 0x43.
/// let mut code = [0x01, 0x00, 0x00, 0xEB];
/// assert_eq!(arm::convert(0x100, true, &mut code), 4);
/// assert_eq!(code, [0x43, 0x00, 0x00, 0xEB]);
/// ```
pub fn convert(now_pos: u32, encoder: bool, buf: &mut [u8]) -> usize {
    let size = buf.len() & !3;
    for (i, w) in buf[..size].chunks_exact_mut(4).enumerate() {
        if w[3] != 0xEB {
            continue;
        }
        let src = u32::from_le_bytes([w[0], w[1], w[2], 0]) << 2;
        let pc = now_pos.wrapping_add((i * 4) as u32).wrapping_add(8);
        let dest = if encoder {
            pc.wrapping_add(src)
        } else {
            src.wrapping_sub(pc)
        } >> 2;
        let d = dest.to_le_bytes();
        w[..3].copy_from_slice(&d[..3]);
    }
    size
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bl_backward() {
        // EBFFFFFE = BL -8 bytes (word offset -2) at 0x1000: target 0x1000 + 8 - 8 = 0x1000,
        // stored as word address 0x400. E1A00000 (MOV r0, r0) is untouched.
        let mut code = [0xFE, 0xFF, 0xFF, 0xEB, 0x00, 0x00, 0xA0, 0xE1];
        convert(0x1000, true, &mut code);
        assert_eq!(code, [0x00, 0x04, 0x00, 0xEB, 0x00, 0x00, 0xA0, 0xE1]);
        convert(0x1000, false, &mut code);
        assert_eq!(code, [0xFE, 0xFF, 0xFF, 0xEB, 0x00, 0x00, 0xA0, 0xE1]);
    }

    #[test]
    fn conditional_bl_untouched() {
        // 0BFFFFFE = BLEQ: the condition is not "always", so it stays relative.
        let mut code = [0xFE, 0xFF, 0xFF, 0x0B];
        convert(0x1000, true, &mut code);
        assert_eq!(code, [0xFE, 0xFF, 0xFF, 0x0B]);
    }
}
