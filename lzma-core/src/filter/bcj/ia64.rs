//! IA-64 (Itanium) BCJ: converts the 21-bit bundle displacement of IP-relative branch
//! instructions (`br.call`, `br.cond`...: opcode 5 with btype 0) in 128-bit bundles.
//!
//! A bundle is 16 bytes: a 5-bit template, then three 41-bit instruction slots. The
//! template says which slots hold branch (B-unit) instructions; only those are examined.
//! In a branch, bits 13..33 hold the low 20 bits of the displacement (in 16-byte bundles)
//! and bit 36 its sign.

/// For each template value, a bit mask of the slots that may hold a branch.
const BRANCH_SLOTS: [u32; 32] = [
    0, 0, 0, 0, 0, 0, 0, 0, //
    0, 0, 0, 0, 0, 0, 0, 0, //
    4, 4, 6, 6, 0, 0, 7, 7, //
    4, 4, 0, 0, 4, 4, 0, 0, //
];

/// Converts the complete 16-byte bundles of `buf` (first byte at stream position
/// `now_pos`): relative to absolute when `encoder`, back otherwise. Returns the bytes
/// converted.
///
/// ```
/// use lzma_core::filter::bcj::ia64;
/// let mut bundle = [0u8; 16];
/// // Template 0x10 (MIB): slot 2 is a branch. Bytes are unchanged unless that slot
/// // holds an IP-relative branch.
/// bundle[0] = 0x10;
/// assert_eq!(ia64::convert(0, true, &mut bundle), 16);
/// ```
pub fn convert(now_pos: u32, encoder: bool, buf: &mut [u8]) -> usize {
    let size = buf.len() & !15;
    for (n, bundle) in buf[..size].chunks_exact_mut(16).enumerate() {
        let slots = BRANCH_SLOTS[usize::from(bundle[0] & 0x1F)];
        let pc = now_pos.wrapping_add((n * 16) as u32);
        for slot in 0..3u32 {
            if (slots >> slot) & 1 == 0 {
                continue;
            }
            let bit_pos = 5 + 41 * slot;
            let byte_pos = (bit_pos / 8) as usize;
            let bit_res = bit_pos % 8;
            // Six bytes cover the 41-bit slot plus up to 7 leading bits.
            let mut raw = [0u8; 8];
            raw[..6].copy_from_slice(&bundle[byte_pos..byte_pos + 6]);
            let instruction = u64::from_le_bytes(raw);
            let mut norm = instruction >> bit_res;
            // Opcode (bits 37..40) 5 and btype (bits 9..11) 0: IP-relative branch.
            if (norm >> 37) & 0xF != 0x5 || (norm >> 9) & 0x7 != 0 {
                continue;
            }
            let mut src = ((norm >> 13) & 0xF_FFFF) as u32;
            src |= (((norm >> 36) & 1) as u32) << 20;
            src <<= 4;
            let dest = if encoder {
                pc.wrapping_add(src)
            } else {
                src.wrapping_sub(pc)
            } >> 4;

            norm &= !(0x8F_FFFFu64 << 13);
            norm |= u64::from(dest & 0xF_FFFF) << 13;
            norm |= u64::from(dest & 0x10_0000) << (36 - 20);

            let low_bits = instruction & ((1u64 << bit_res) - 1);
            let out = low_bits | (norm << bit_res);
            bundle[byte_pos..byte_pos + 6].copy_from_slice(&out.to_le_bytes()[..6]);
        }
    }
    size
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds a bundle with template `t` and the 41-bit instruction `ins` in `slot`.
    fn bundle(t: u8, slot: u32, ins: u64) -> [u8; 16] {
        let v: u128 = u128::from(t) | (u128::from(ins) << (5 + 41 * slot));
        v.to_le_bytes()
    }

    /// An IP-relative `br.call` (opcode 5, btype 0): imm20b in bits 13..33, sign in bit 36.
    fn br_call(disp_bundles: i32) -> u64 {
        let d = disp_bundles as u32 & 0x1F_FFFF;
        (5u64 << 37) | (u64::from(d & 0xF_FFFF) << 13) | (u64::from(d >> 20) << 36)
    }

    #[test]
    fn branch_in_slot2_of_mib_bundle() {
        // Template 0x11 (MIB with stop): slot 2 is a B-unit slot. br.call +2 bundles (+32
        // bytes) at 0x1000: target 0x1020, stored as 0x102 bundles.
        let mut b = bundle(0x11, 2, br_call(2));
        convert(0x1000, true, &mut b);
        assert_eq!(b, bundle(0x11, 2, br_call(0x102)));
        convert(0x1000, false, &mut b);
        assert_eq!(b, bundle(0x11, 2, br_call(2)));
    }

    #[test]
    fn branch_in_non_branch_slot_untouched() {
        // Template 0x10 marks only slot 2; the same bits in slot 0 are not a branch.
        let mut b = bundle(0x10, 0, br_call(2));
        let orig = b;
        convert(0x1000, true, &mut b);
        assert_eq!(b, orig);
    }

    #[test]
    fn backward_branch_all_three_slots() {
        // Template 0x16 (BBB): three branches, each -1 bundle from 0x2000 -> 0x1FF0 (0x1FF).
        let mut b = bundle(0x16, 0, br_call(-1));
        let v = u128::from_le_bytes(b)
            | (u128::from(br_call(-1)) << 46)
            | (u128::from(br_call(-1)) << 87);
        b = v.to_le_bytes();
        convert(0x2000, true, &mut b);
        let want = u128::from(0x16u8)
            | (u128::from(br_call(0x1FF)) << 5)
            | (u128::from(br_call(0x1FF)) << 46)
            | (u128::from(br_call(0x1FF)) << 87);
        assert_eq!(b, want.to_le_bytes());
    }
}
