//! Deterministic input generators for vectors, differential tests, benchmarks and fuzz seeds.
//!
//! Every generator is a pure function of its arguments (fixed seeds), so a failing case can
//! be named and regenerated exactly.

/// A small, fast pseudo-random generator (xorshift64*), seeded explicitly.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed (any value; 0 is remapped).
    pub fn new(seed: u64) -> Self {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15 | 1)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A value in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
}

/// `len` pseudo-random bytes from `seed` (incompressible).
///
/// ```
/// let a = xz_corpus::gen::random(7, 100);
/// assert_eq!(a, xz_corpus::gen::random(7, 100));
/// assert_eq!(a.len(), 100);
/// ```
pub fn random(seed: u64, len: usize) -> Vec<u8> {
    let mut r = Rng::new(seed);
    let mut v = Vec::with_capacity(len + 8);
    while v.len() < len {
        v.extend_from_slice(&r.next_u64().to_le_bytes());
    }
    v.truncate(len);
    v
}

/// `len` zero bytes.
pub fn zeros(len: usize) -> Vec<u8> {
    vec![0; len]
}

/// `len` bytes counting up: `i mod 256`.
pub fn ramp(len: usize) -> Vec<u8> {
    (0..len).map(|i| i as u8).collect()
}

/// `len` copies of `byte`.
pub fn fill(byte: u8, len: usize) -> Vec<u8> {
    vec![byte; len]
}

const WORDS: &[&str] = &[
    "the", "of", "and", "to", "in", "a", "is", "that", "for", "it", "as", "was", "with", "be",
    "by", "on", "not", "he", "this", "are", "or", "his", "from", "at", "which", "but", "have",
    "an", "had", "they", "you", "were", "their", "one", "all", "we", "can", "her", "has",
    "there", "been", "if", "more", "when", "will", "would", "who", "so", "no", "stream",
    "block", "index", "padding", "filter", "dictionary", "literal", "match", "distance",
    "range", "coder", "probability", "compression", "decoder", "encoder", "header", "footer",
];

/// `len` bytes of English-like lowercase text (words, spaces, punctuation, newlines) from
/// `seed`: compressible like prose. Only ASCII letters, space, comma, period and newline.
///
/// ```
/// let t = xz_corpus::gen::text(1, 1000);
/// assert_eq!(t.len(), 1000);
/// assert!(t.iter().all(|b| b.is_ascii()));
/// ```
pub fn text(seed: u64, len: usize) -> Vec<u8> {
    let mut r = Rng::new(seed);
    let mut v = Vec::with_capacity(len + 16);
    let mut line = 0usize;
    while v.len() < len {
        let w = WORDS[r.below(WORDS.len() as u64) as usize];
        v.extend_from_slice(w.as_bytes());
        line += w.len() + 1;
        match r.below(12) {
            0 => v.extend_from_slice(b", "),
            1 => v.extend_from_slice(b". "),
            _ => v.push(b' '),
        }
        if line > 70 {
            v.push(b'\n');
            line = 0;
        }
    }
    v.truncate(len);
    v
}

/// `len` bytes of runs: random bytes repeated 1..=300 times (tests long matches and rep0).
pub fn runs(seed: u64, len: usize) -> Vec<u8> {
    let mut r = Rng::new(seed);
    let mut v = Vec::with_capacity(len + 300);
    while v.len() < len {
        let b = r.next_u64() as u8;
        let n = 1 + r.below(300) as usize;
        v.extend(std::iter::repeat(b).take(n));
    }
    v.truncate(len);
    v
}

/// `len` bytes resembling x86 machine code: short opcode sequences with frequent
/// `E8`/`E9` relative calls and jumps to nearby targets (what the x86 BCJ filter converts),
/// plus ARM-like `BL` words, so every BCJ filter has something to convert.
pub fn x86_like(seed: u64, len: usize) -> Vec<u8> {
    let mut r = Rng::new(seed);
    let mut v = Vec::with_capacity(len + 16);
    const OPS: &[&[u8]] = &[
        &[0x55],
        &[0x48, 0x89, 0xE5],
        &[0x48, 0x83, 0xEC, 0x20],
        &[0x8B, 0x45, 0xFC],
        &[0x89, 0x7D, 0xFC],
        &[0x31, 0xC0],
        &[0xC3],
        &[0x5D],
        &[0x0F, 0x1F, 0x44, 0x00, 0x00],
        &[0x48, 0x8D, 0x05],
    ];
    while v.len() < len {
        match r.below(8) {
            0 | 1 => {
                // call/jmp rel32 to a target near a function start
                v.push(if r.below(3) == 0 { 0xE9 } else { 0xE8 });
                let target = (r.below(64) as i32 - 32) * 16;
                v.extend_from_slice(&target.to_le_bytes());
            }
            2 => {
                // an ARM BL word (little endian, top byte 0xEB) and an ARM64 BL
                let off = r.below(1 << 12) as u32;
                v.extend_from_slice(&(0xEB00_0000 | off).to_le_bytes());
                v.extend_from_slice(&(0x9400_0000 | off).to_le_bytes());
            }
            _ => {
                let op = OPS[r.below(OPS.len() as u64) as usize];
                v.extend_from_slice(op);
            }
        }
    }
    v.truncate(len);
    v
}

/// A mix of the generators, section by section (text, runs, random, zeros, code): like a
/// tar of assorted files.
pub fn mixed(seed: u64, len: usize) -> Vec<u8> {
    let mut r = Rng::new(seed);
    let mut v = Vec::with_capacity(len);
    let mut k = 0u64;
    while v.len() < len {
        let n = (1 + r.below(64 * 1024) as usize).min(len - v.len());
        let s = seed.wrapping_add(k);
        let part = match r.below(5) {
            0 => text(s, n),
            1 => runs(s, n),
            2 => random(s, n),
            3 => zeros(n),
            _ => x86_like(s, n),
        };
        v.extend_from_slice(&part);
        k += 1;
    }
    v
}

/// Sizes that sit on the edges of LZMA2 and block limits: empty, tiny, around 64 KiB
/// (LZMA2 compressed chunk limit), around 2 MiB (LZMA2 uncompressed chunk limit).
pub const EDGE_SIZES: &[usize] = &[
    0,
    1,
    2,
    3,
    4,
    5,
    15,
    16,
    17,
    255,
    256,
    4095,
    4096,
    65_535,
    65_536,
    65_537,
    (1 << 21) - 1,
    1 << 21,
    (1 << 21) + 1,
];

/// A named generated input, as used by differential tests and benchmarks.
#[derive(Clone, Debug)]
pub struct Input {
    /// A stable name such as `text-65536`.
    pub name: String,
    /// The bytes.
    pub data: Vec<u8>,
}

/// Generated inputs of every kind at a few sizes up to `max_len` bytes.
///
/// ```
/// let inputs = xz_corpus::gen::inputs(70_000);
/// assert!(inputs.iter().all(|i| i.data.len() <= 70_000));
/// assert!(inputs.iter().any(|i| i.name.starts_with("x86")));
/// ```
pub fn inputs(max_len: usize) -> Vec<Input> {
    let mut out = Vec::new();
    type Gen = fn(u64, usize) -> Vec<u8>;
    let kinds: [(&str, Gen); 6] = [
        ("text", text),
        ("random", random),
        ("runs", runs),
        ("zeros", |_, n| zeros(n)),
        ("x86", x86_like),
        ("mixed", mixed),
    ];
    for &size in EDGE_SIZES.iter().filter(|&&s| s <= max_len) {
        for (i, (kind, f)) in kinds.iter().enumerate() {
            // Every kind at the small sizes; larger sizes rotate through the kinds.
            if size > 4096 && (size + i) % 3 != 0 && *kind != "mixed" {
                continue;
            }
            out.push(Input { name: format!("{kind}-{size}"), data: f(size as u64 + 1, size) });
        }
    }
    out
}

/// Named data items as vectors write them: `zeros:N`, `fill:B:N`, `ramp:N`, `text:SEED:N`,
/// `random:SEED:N`, `runs:SEED:N`, `x86:SEED:N`, `mixed:SEED:N`.
pub fn item(spec: &str) -> Option<Vec<u8>> {
    let parts: Vec<&str> = spec.split(':').collect();
    let num = |s: &str| crate::desc::parse_num(s).ok();
    Some(match parts.as_slice() {
        ["zeros", n] => zeros(num(n)? as usize),
        ["ramp", n] => ramp(num(n)? as usize),
        ["fill", b, n] => fill(u8::try_from(num(b)?).ok()?, num(n)? as usize),
        ["text", s, n] => text(num(s)?, num(n)? as usize),
        ["random", s, n] => random(num(s)?, num(n)? as usize),
        ["runs", s, n] => runs(num(s)?, num(n)? as usize),
        ["x86", s, n] => x86_like(num(s)?, num(n)? as usize),
        ["mixed", s, n] => mixed(num(s)?, num(n)? as usize),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_sized() {
        for n in [0usize, 1, 7, 1000] {
            assert_eq!(text(3, n).len(), n);
            assert_eq!(runs(3, n), runs(3, n));
            assert_eq!(x86_like(3, n).len(), n);
            assert_eq!(mixed(3, n).len(), n);
        }
        assert_ne!(random(1, 64), random(2, 64));
    }

    #[test]
    fn items() {
        assert_eq!(item("fill:0x41:3").unwrap(), b"AAA");
        assert_eq!(item("ramp:3").unwrap(), [0, 1, 2]);
        assert_eq!(item("zeros:1KiB").unwrap().len(), 1024);
        assert!(item("nope:1").is_none());
    }
}
