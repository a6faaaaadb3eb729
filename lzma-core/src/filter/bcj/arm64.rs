//! ARM64 BCJ: converts `BL` (26-bit word offset) and `ADRP` (21-bit page offset, only when
//! it fits in ±512 MiB after conversion as liblzma decides) instructions, little endian.

/// Converts the complete 4-byte words of `buf` (first byte at stream position `now_pos`):
/// relative to absolute when `encoder`, back otherwise. Returns the bytes converted.
///
/// ```
/// use lzma_core::filter::bcj::arm64;
/// // BL +8 (0x94000002) at 0x100: target word (0x100 >> 2) + 2 = 0x42.
/// let mut code = 0x9400_0002u32.to_le_bytes();
/// assert_eq!(arm64::convert(0x100, true, &mut code), 4);
/// assert_eq!(u32::from_le_bytes(code), 0x9400_0042);
/// ```
pub fn convert(now_pos: u32, encoder: bool, buf: &mut [u8]) -> usize {
    let size = buf.len() & !3;
    for (i, w) in buf[..size].chunks_exact_mut(4).enumerate() {
        let pc = now_pos.wrapping_add((i * 4) as u32);
        let instr = u32::from_le_bytes([w[0], w[1], w[2], w[3]]);
        if instr >> 26 == 0x25 {
            // BL imm26: the offset is in words.
            let pc = pc >> 2;
            let pc = if encoder { pc } else { 0u32.wrapping_sub(pc) };
            let out = 0x9400_0000 | (instr.wrapping_add(pc) & 0x03FF_FFFF);
            w.copy_from_slice(&out.to_le_bytes());
        } else if instr & 0x9F00_0000 == 0x9000_0000 {
            // ADRP: immlo in bits 29..30, immhi in bits 5..23; the offset is in 4 KiB pages.
            let src = ((instr >> 29) & 3) | ((instr >> 3) & 0x001F_FFFC);
            // Only offsets within ±512 MiB (18 bits of pages, sign-extended) are converted.
            if (src.wrapping_add(0x0002_0000)) & 0x001C_0000 != 0 {
                continue;
            }
            let pc = pc >> 12;
            let pc = if encoder { pc } else { 0u32.wrapping_sub(pc) };
            let dest = src.wrapping_add(pc);
            let mut out = instr & 0x9000_001F;
            out |= (dest & 3) << 29;
            out |= (dest & 0x0003_FFFC) << 3;
            out |= 0u32.wrapping_sub(dest & 0x0002_0000) & 0x00E0_0000;
            w.copy_from_slice(&out.to_le_bytes());
        }
    }
    size
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conv(pos: u32, enc: bool, instr: u32) -> u32 {
        let mut b = instr.to_le_bytes();
        convert(pos, enc, &mut b);
        u32::from_le_bytes(b)
    }

    #[test]
    fn bl_backward() {
        // 0x97FFFFFF = BL -4 at 0x1000: target 0xFFC, word 0x3FF -> 0x940003FF.
        assert_eq!(conv(0x1000, true, 0x97FF_FFFF), 0x9400_03FF);
        assert_eq!(conv(0x1000, false, 0x9400_03FF), 0x97FF_FFFF);
    }

    #[test]
    fn adrp_page_offset() {
        // ADRP x0, +1 page (immlo=1, immhi=0, rd=0): 0xB0000000. At 0x5000 (page 5) the
        // absolute page is 6: immlo = 2, immhi = 1 -> 0xD0000020.
        assert_eq!(conv(0x5000, true, 0xB000_0000), 0xD000_0020);
        assert_eq!(conv(0x5000, false, 0xD000_0020), 0xB000_0000);
    }

    #[test]
    fn far_adrp_and_other_instructions_untouched() {
        // ADRP with immhi = 0x40000 (page offset 1 << 20, beyond ±512 MiB): unchanged.
        let far = 0x9000_0000 | (0x4_0000 << 5);
        assert_eq!(conv(0x5000, true, far), far);
        // ADD x0, x0, #1 (0x91000400) is not a branch.
        assert_eq!(conv(0x5000, true, 0x9100_0400), 0x9100_0400);
    }
}
