//! Integrity checks: None, CRC32, CRC64, SHA-256.

/// The integrity check type of an .xz stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Check {
    /// No check (ID 0).
    None,
    /// CRC32 (ID 1).
    Crc32,
    /// CRC64 (ID 4).
    Crc64,
    /// SHA-256 (ID 10).
    Sha256,
}
