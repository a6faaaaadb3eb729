//! The Delta filter: each byte is stored as its difference from the byte `distance`
//! positions earlier (bytes before the start count as zero). Useful for sampled data
//! such as uncompressed audio or images.

/// Smallest Delta distance.
pub const DISTANCE_MIN: u32 = 1;
/// Largest Delta distance.
pub const DISTANCE_MAX: u32 = 256;

/// Delta encoder/decoder state: the last 256 bytes of the original data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delta {
    distance: usize,
    /// Ring of the last 256 original bytes, written at decreasing positions.
    history: [u8; 256],
    pos: u8,
}

impl Delta {
    /// A Delta coder for `distance` (1..=256), or `None` when out of range.
    ///
    /// ```
    /// use lzma_core::filter::delta::Delta;
    /// let mut d = Delta::new(1).unwrap();
    /// let mut data = [10, 11, 12, 12];
    /// d.encode(&mut data);
    /// assert_eq!(data, [10, 1, 1, 0]);
    /// let mut d = Delta::new(1).unwrap();
    /// d.decode(&mut data);
    /// assert_eq!(data, [10, 11, 12, 12]);
    /// ```
    pub fn new(distance: u32) -> Option<Self> {
        if !(DISTANCE_MIN..=DISTANCE_MAX).contains(&distance) {
            return None;
        }
        Some(Delta {
            distance: distance as usize,
            history: [0; 256],
            pos: 0,
        })
    }

    /// The distance in bytes.
    pub fn distance(&self) -> u32 {
        self.distance as u32
    }

    /// Replaces each byte of `buf` by its difference from the byte `distance` earlier.
    pub fn encode(&mut self, buf: &mut [u8]) {
        let dist = self.distance;
        let mut pos = self.pos;
        for b in buf.iter_mut() {
            let earlier = self.history[(dist + usize::from(pos)) & 0xFF];
            self.history[usize::from(pos)] = *b;
            pos = pos.wrapping_sub(1);
            *b = b.wrapping_sub(earlier);
        }
        self.pos = pos;
    }

    /// Inverse of [`Delta::encode`]: adds back the byte `distance` earlier.
    pub fn decode(&mut self, buf: &mut [u8]) {
        let dist = self.distance;
        let mut pos = self.pos;
        for b in buf.iter_mut() {
            *b = b.wrapping_add(self.history[(dist + usize::from(pos)) & 0xFF]);
            self.history[usize::from(pos)] = *b;
            pos = pos.wrapping_sub(1);
        }
        self.pos = pos;
    }

    /// Encodes (`encoder`) or decodes `buf` in place.
    pub fn convert(&mut self, encoder: bool, buf: &mut [u8]) {
        if encoder {
            self.encode(buf)
        } else {
            self.decode(buf)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_range() {
        assert!(Delta::new(0).is_none());
        assert!(Delta::new(257).is_none());
        assert!(Delta::new(1).is_some());
        assert!(Delta::new(256).is_some());
    }

    #[test]
    fn stereo_16bit_samples() {
        // Distance 4: interleaved 16-bit stereo frames; each byte minus the same byte of the
        // previous frame. The first frame is kept as is (history is zero).
        let mut d = Delta::new(4).unwrap();
        let mut b = [1, 2, 3, 4, 2, 4, 6, 8];
        d.encode(&mut b);
        assert_eq!(b, [1, 2, 3, 4, 1, 2, 3, 4]);
    }

    #[test]
    fn distance_256_wraps_history() {
        let data: Vec<u8> = (0..2000u32).map(|i| (i * 7 + i / 3) as u8).collect();
        let mut e = Delta::new(256).unwrap();
        let mut v = data.clone();
        e.encode(&mut v);
        assert_eq!(v[..256], data[..256]);
        assert_eq!(v[300], data[300].wrapping_sub(data[44]));
        let mut dec = Delta::new(256).unwrap();
        // Decode in uneven pieces: state carries across calls.
        let (a, rest) = v.split_at_mut(77);
        dec.decode(a);
        dec.decode(rest);
        assert_eq!(v, data);
    }
}
