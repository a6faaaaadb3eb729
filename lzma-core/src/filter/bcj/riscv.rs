//! RISC-V BCJ: converts `JAL` with rd = x1 or x5 (calls) and `AUIPC` + load/store/`JALR`/
//! `ADDI` pairs that form 32-bit PC-relative addresses (little endian, 2-byte aligned).
//!
//! The encoder and decoder are not symmetric in code, only in effect: the encoder turns an
//! `AUIPC rd, hi` + `inst2 rs1=rd, lo` pair into a "special" `AUIPC` carrying inst2's
//! register fields followed by the absolute address in big-endian order; an `AUIPC` that
//! already looks special is swapped into an ordinary-looking form so the decoder can tell
//! the two apart, following liblzma's scheme.

/// Whether `auipc` (bits 0..31) and `inst2` do not form a pair this filter converts:
/// `inst2`'s rs1 must equal auipc's rd, and inst2's opcode must be one of the I-type or
/// S-type forms with low bits `11` and bits 2..3 free (loads, `ADDI`-class, `JALR`...).
#[inline]
fn not_auipc_pair(auipc: u32, inst2: u32) -> bool {
    ((auipc << 8) ^ inst2.wrapping_sub(3)) & 0xF_8003 != 0
}

/// Whether an `AUIPC` with rd = x0 or x2 (`auipc & 0xE80 == 0`) is not one the encoder
/// must rewrite to keep it distinguishable from the encoder's special form.
#[inline]
fn not_special_auipc(auipc: u32, inst2_rs1: u32) -> bool {
    (auipc.wrapping_sub(0x3117) << 18) >= (inst2_rs1 & 0x1D)
}

#[inline]
fn read_le(b: &[u8], i: usize) -> u32 {
    u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]])
}

#[inline]
fn write_le(b: &mut [u8], i: usize, v: u32) {
    b[i..i + 4].copy_from_slice(&v.to_le_bytes());
}

#[inline]
fn read_be(b: &[u8], i: usize) -> u32 {
    u32::from_be_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]])
}

#[inline]
fn write_be(b: &mut [u8], i: usize, v: u32) {
    b[i..i + 4].copy_from_slice(&v.to_be_bytes());
}

/// Converts `buf` (first byte at stream position `now_pos`, 2-byte aligned) from relative
/// to absolute. Returns how many bytes are final; the tail (at most 7 bytes) needs more
/// data after it.
///
/// ```
/// use lzma_core::filter::bcj::riscv;
/// // JAL ra, +0x10 (0x010000EF) at 0x100: target 0x110, stored in a shuffled layout.
/// let mut code = [0xEF, 0x00, 0x00, 0x01, 0, 0, 0, 0];
/// assert_eq!(riscv::encode(0x100, &mut code), 4);
/// assert_eq!(riscv::decode(0x100, &mut code), 4);
/// assert_eq!(code[..4], [0xEF, 0x00, 0x00, 0x01]);
/// ```
pub fn encode(now_pos: u32, buf: &mut [u8]) -> usize {
    if buf.len() < 8 {
        return 0;
    }
    let last = buf.len() - 8;
    let mut i = 0;
    while i <= last {
        let b0 = u32::from(buf[i]);
        if b0 == 0xEF {
            // JAL with rd's low bits 00001 (x1) or 00101 (x5) once bits 0x0D of byte 1 are 0.
            let b1 = u32::from(buf[i + 1]);
            if b1 & 0x0D != 0 {
                i += 2;
                continue;
            }
            let b2 = u32::from(buf[i + 2]);
            let b3 = u32::from(buf[i + 3]);
            let pc = now_pos.wrapping_add(i as u32);
            // Gather imm[20|10:1|11|19:12] into a byte offset.
            let addr = ((b1 & 0xF0) << 8)
                | ((b2 & 0x0F) << 16)
                | ((b2 & 0x10) << 7)
                | ((b2 & 0xE0) >> 4)
                | ((b3 & 0x7F) << 4)
                | ((b3 & 0x80) << 13);
            let addr = addr.wrapping_add(pc);
            // Store the absolute address's bits 1..20 in big-endian bit order.
            buf[i + 1] = ((b1 & 0x0F) | ((addr >> 13) & 0xF0)) as u8;
            buf[i + 2] = (addr >> 9) as u8;
            buf[i + 3] = (addr >> 1) as u8;
            i += 4;
        } else if b0 & 0x7F == 0x17 {
            let inst = read_le(buf, i);
            if inst & 0xE80 != 0 {
                // AUIPC with rd other than x0/x2: look for a pair.
                let inst2 = read_le(buf, i + 4);
                if not_auipc_pair(inst, inst2) {
                    i += 6;
                    continue;
                }
                let mut addr = inst & 0xFFFF_F000;
                // inst2's signed 12-bit immediate.
                addr = addr.wrapping_add((inst2 >> 20).wrapping_sub((inst2 >> 19) & 0x1000));
                addr = addr.wrapping_add(now_pos.wrapping_add(i as u32));
                // Special AUIPC: rd = x2, upper bits carry inst2's low 20 bits.
                let special = 0x17 | (2 << 7) | (inst2 << 12);
                write_le(buf, i, special);
                write_be(buf, i + 4, addr);
            } else {
                // AUIPC x0/x2: if it could be mistaken for a special one, swap its fields.
                let fake_rs1 = inst >> 27;
                if not_special_auipc(inst, fake_rs1) {
                    i += 4;
                    continue;
                }
                let fake_addr = read_le(buf, i + 4);
                let fake_inst2 = (inst >> 12) | (fake_addr << 20);
                let swapped = 0x17 | (fake_rs1 << 7) | (fake_addr & 0xFFFF_F000);
                write_le(buf, i, swapped);
                write_le(buf, i + 4, fake_inst2);
            }
            i += 8;
        } else {
            i += 2;
        }
    }
    i
}

/// Converts `buf` (first byte at stream position `now_pos`, 2-byte aligned) from absolute
/// back to relative: the inverse of [`encode`]. Returns how many bytes are final.
pub fn decode(now_pos: u32, buf: &mut [u8]) -> usize {
    if buf.len() < 8 {
        return 0;
    }
    let last = buf.len() - 8;
    let mut i = 0;
    while i <= last {
        let b0 = u32::from(buf[i]);
        if b0 == 0xEF {
            let b1 = u32::from(buf[i + 1]);
            if b1 & 0x0D != 0 {
                i += 2;
                continue;
            }
            let b2 = u32::from(buf[i + 2]);
            let b3 = u32::from(buf[i + 3]);
            let pc = now_pos.wrapping_add(i as u32);
            let addr = ((b1 & 0xF0) << 13) | (b2 << 9) | (b3 << 1);
            let addr = addr.wrapping_sub(pc);
            buf[i + 1] = ((b1 & 0x0F) | ((addr >> 8) & 0xF0)) as u8;
            buf[i + 2] =
                (((addr >> 16) & 0x0F) | ((addr >> 7) & 0x10) | ((addr << 4) & 0xE0)) as u8;
            buf[i + 3] = (((addr >> 4) & 0x7F) | ((addr >> 13) & 0x80)) as u8;
            i += 4;
        } else if b0 & 0x7F == 0x17 {
            let mut inst = read_le(buf, i);
            let inst2;
            if inst & 0xE80 != 0 {
                // An AUIPC the encoder swapped (or left alone because it was no pair).
                let second = read_le(buf, i + 4);
                if not_auipc_pair(inst, second) {
                    i += 6;
                    continue;
                }
                let addr = (inst & 0xFFFF_F000).wrapping_add(second >> 20);
                inst = 0x17 | (2 << 7) | (second << 12);
                inst2 = addr;
            } else {
                // A special AUIPC made by the encoder: rebuild the pair from the address.
                let inst2_rs1 = inst >> 27;
                if not_special_auipc(inst, inst2_rs1) {
                    i += 4;
                    continue;
                }
                let addr = read_be(buf, i + 4).wrapping_sub(now_pos.wrapping_add(i as u32));
                inst2 = (inst >> 12) | (addr << 20);
                inst = 0x17 | (inst2_rs1 << 7) | (addr.wrapping_add(0x800) & 0xFFFF_F000);
            }
            write_le(buf, i, inst);
            write_le(buf, i + 4, inst2);
            i += 8;
        } else {
            i += 2;
        }
    }
    i
}

/// Converts in the given direction; see [`encode`] and [`decode`].
pub fn convert(now_pos: u32, encoder: bool, buf: &mut [u8]) -> usize {
    if encoder {
        encode(now_pos, buf)
    } else {
        decode(now_pos, buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// J-type immediate layout: imm[20|10:1|11|19:12] in bits 31..12.
    fn jal(rd: u32, off: i32) -> u32 {
        let o = off as u32;
        let imm = ((o >> 20) & 1) << 31
            | ((o >> 1) & 0x3FF) << 21
            | ((o >> 11) & 1) << 20
            | ((o >> 12) & 0xFF) << 12;
        imm | (rd << 7) | 0x6F
    }

    fn auipc(rd: u32, hi: u32) -> u32 {
        (hi << 12) | (rd << 7) | 0x17
    }

    /// I-type `JALR rd, lo(rs1)` (opcode 0x67, funct3 0).
    fn jalr(rd: u32, rs1: u32, lo: i32) -> u32 {
        ((lo as u32 & 0xFFF) << 20) | (rs1 << 15) | (rd << 7) | 0x67
    }

    fn words(ws: &[u32]) -> Vec<u8> {
        ws.iter().flat_map(|w| w.to_le_bytes()).collect()
    }

    #[test]
    fn jal_ra_converted_jal_x0_not() {
        // JAL ra, +0x800 at 0x1000: target 0x1800. The encoded form stores the absolute
        // address bits 1..20 big-endian-ish: byte1 high nibble = addr bits 17..20, byte2 =
        // bits 9..16, byte3 = bits 1..8.
        let mut b = words(&[jal(1, 0x800), 0, 0]);
        encode(0x1000, &mut b);
        let addr = 0x1800u32;
        assert_eq!(
            b[..4],
            [
                0xEF,
                ((addr >> 13) & 0xF0) as u8,
                (addr >> 9) as u8,
                (addr >> 1) as u8
            ]
        );
        decode(0x1000, &mut b);
        assert_eq!(b, words(&[jal(1, 0x800), 0, 0]));
        // JAL x0 (a plain jump, 0x6F opcode byte) is left alone.
        let mut j = words(&[jal(0, 0x800), 0, 0]);
        let orig = j.clone();
        encode(0x1000, &mut j);
        assert_eq!(j, orig);
    }

    #[test]
    fn auipc_jalr_pair() {
        // AUIPC t1, 0x12 ; JALR ra, 0x34(t1) at 0x2000: address 0x2000 + 0x12000 + 0x34.
        let mut b = words(&[auipc(6, 0x12), jalr(1, 6, 0x34), 0]);
        encode(0x2000, &mut b);
        let special = 0x17 | (2 << 7) | (jalr(1, 6, 0x34) << 12);
        assert_eq!(b[..4], special.to_le_bytes());
        assert_eq!(b[4..8], 0x14034u32.to_be_bytes());
        decode(0x2000, &mut b);
        assert_eq!(b, words(&[auipc(6, 0x12), jalr(1, 6, 0x34), 0]));
    }

    #[test]
    fn roundtrip_noise() {
        let mut x = 0x1234_5678u32;
        let data: Vec<u8> = (0..5000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                // Bias towards opcode bytes of interest.
                match x % 7 {
                    0 => 0xEF,
                    1 => 0x17,
                    2 => 0x97,
                    _ => (x >> 8) as u8,
                }
            })
            .collect();
        let mut v = data.clone();
        let n = encode(0x40, &mut v);
        assert_ne!(v, data);
        assert_eq!(decode(0x40, &mut v), n);
        assert_eq!(v, data);
    }
}
