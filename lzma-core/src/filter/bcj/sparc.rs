//! SPARC BCJ: converts `call` instructions (op = 01, a 30-bit word displacement) whose
//! displacement fits in 23 signed bits (top bits all 0 or all 1), as liblzma does. Big
//! endian.

/// Converts the complete 4-byte words of `buf` (first byte at stream position `now_pos`):
/// relative to absolute when `encoder`, back otherwise. Returns the bytes converted.
///
/// ```
/// use lzma_core::filter::bcj::sparc;
/// // call +0x40 (0x40000010) at 0x100: target 0x140, stored as word address 0x50.
/// let mut code = [0x40, 0x00, 0x00, 0x10];
/// assert_eq!(sparc::convert(0x100, true, &mut code), 4);
/// assert_eq!(code, [0x40, 0x00, 0x00, 0x50]);
/// ```
pub fn convert(now_pos: u32, encoder: bool, buf: &mut [u8]) -> usize {
    let size = buf.len() & !3;
    for (i, w) in buf[..size].chunks_exact_mut(4).enumerate() {
        let small_forward = w[0] == 0x40 && w[1] & 0xC0 == 0x00;
        let small_backward = w[0] == 0x7F && w[1] & 0xC0 == 0xC0;
        if !small_forward && !small_backward {
            continue;
        }
        let src = u32::from_be_bytes([w[0], w[1], w[2], w[3]]) << 2;
        let pc = now_pos.wrapping_add((i * 4) as u32);
        let dest = if encoder {
            pc.wrapping_add(src)
        } else {
            src.wrapping_sub(pc)
        } >> 2;
        // Sign-extend bit 22 into bits 22..30 and put the call opcode back on top.
        let sign = 0u32.wrapping_sub((dest >> 22) & 1) << 22;
        let instr = (sign & 0x3FFF_FFFF) | (dest & 0x003F_FFFF) | 0x4000_0000;
        w.copy_from_slice(&instr.to_be_bytes());
    }
    size
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn call_backward() {
        // 0x7FFFFFFC = call -0x10 at 0x1000: target 0xFF0, word 0x3FC -> 0x400003FC.
        // 0x01000000 (nop) untouched.
        let mut code = [0x7F, 0xFF, 0xFF, 0xFC, 0x01, 0x00, 0x00, 0x00];
        convert(0x1000, true, &mut code);
        assert_eq!(code, [0x40, 0x00, 0x03, 0xFC, 0x01, 0x00, 0x00, 0x00]);
        convert(0x1000, false, &mut code);
        assert_eq!(code, [0x7F, 0xFF, 0xFF, 0xFC, 0x01, 0x00, 0x00, 0x00]);
    }

    #[test]
    fn large_displacement_untouched() {
        // 0x40400000: displacement bit 22 set with a positive sign: not converted.
        let mut code = [0x40, 0x40, 0x00, 0x00];
        convert(0x1000, true, &mut code);
        assert_eq!(code, [0x40, 0x40, 0x00, 0x00]);
    }
}
