//! What `xz --list` shows: a whole .xz file parsed from its end (stream footers, indexes,
//! stream padding, stream headers) and, on request, every block header, with liblzma's
//! validation and memory limit. The caller formats the output.
//!
//! ```
//! use lzma_core::xz::info::{parse, InfoOptions};
//! let xz = lzma_core::compress(b"listed", 0)?;
//! let info = parse(&mut std::io::Cursor::new(&xz), &InfoOptions::default())?;
//! assert_eq!((info.file_size, info.uncompressed_size()), (xz.len() as u64, 6));
//! assert_eq!(info.streams[0].flags.check_name(), "CRC64");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use super::backend;
use super::block_header::{header_size_from_byte, BlockHeader, BLOCK_HEADER_SIZE_MAX};
use super::index::{IndexDecoder, IndexRecord};
use super::stream_flags::{self, StreamFlags, STREAM_HEADER_SIZE};
use super::vli::VLI_MAX;
use crate::filter::Filter;
use crate::Error;
use std::io::{self, Read, Seek, SeekFrom};

/// What to parse.
///
/// ```
/// let o = lzma_core::xz::info::InfoOptions { memlimit: u64::MAX, block_headers: true };
/// assert!(o.block_headers);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InfoOptions {
    /// Limit for the memory the indexes need (as liblzma counts it).
    pub memlimit: u64,
    /// Also read every block header and check value (`xz -lvv`).
    pub block_headers: bool,
}

impl Default for InfoOptions {
    fn default() -> Self {
        InfoOptions { memlimit: u64::MAX, block_headers: false }
    }
}

/// A block header as `xz -lvv` describes it.
///
/// ```
/// use lzma_core::xz::info::{parse, InfoOptions};
/// let xz = lzma_core::compress(b"headers", 0)?;
/// let opts = InfoOptions { block_headers: true, ..InfoOptions::default() };
/// let info = parse(&mut std::io::Cursor::new(&xz), &opts)?;
/// let h = info.streams[0].blocks[0].header.as_ref().ok_or("no header")?;
/// assert_eq!((h.header_size, h.flags.as_str(), h.has_sizes), (12, "--", false));
/// assert_eq!(h.check_value.len(), 8); // CRC64
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockHeaderInfo {
    /// Header size in bytes.
    pub header_size: usize,
    /// `c` if the compressed size is stored, `u` if the uncompressed size is (`--` if none).
    pub flags: String,
    /// Compressed size of the block data (from the index).
    pub compressed_size: u64,
    /// Whether both sizes are stored in the header.
    pub has_sizes: bool,
    /// The filter chain.
    pub filters: Vec<Filter>,
    /// The filters as stored: (ID, properties).
    pub filter_flags: Vec<(u64, Vec<u8>)>,
    /// Memory the block's filter chain needs to decode, as liblzma reports it.
    pub memusage: u64,
    /// The block's check field.
    pub check_value: Vec<u8>,
}

/// One block, from the index (and its header if requested).
///
/// ```
/// use lzma_core::{xz::info::{parse, InfoOptions}, EncoderOptions};
/// let xz = lzma_core::compress_with(&[1u8; 2500], &EncoderOptions::preset(0).block_size(1000))?;
/// let info = parse(&mut std::io::Cursor::new(&xz), &InfoOptions::default())?;
/// let b = &info.streams[0].blocks[2];
/// assert_eq!((b.number_in_file, b.uncompressed_offset, b.uncompressed_size), (3, 2000, 500));
/// assert!(b.header.is_none()); // not asked for
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockInfo {
    /// Number of the block within its stream, from 1.
    pub number_in_stream: u64,
    /// Number of the block within the file, from 1.
    pub number_in_file: u64,
    /// File offset of the block header.
    pub compressed_offset: u64,
    /// Offset of the block's data in the uncompressed file.
    pub uncompressed_offset: u64,
    /// Bytes the block takes in the file, with block padding.
    pub total_size: u64,
    /// Header + data + check, without block padding.
    pub unpadded_size: u64,
    /// Uncompressed size.
    pub uncompressed_size: u64,
    /// The header, with `InfoOptions::block_headers`.
    pub header: Option<BlockHeaderInfo>,
}

/// One stream.
///
/// ```
/// use lzma_core::xz::info::{parse, InfoOptions};
/// let mut xz = lzma_core::compress(b"one", 0)?;
/// xz.extend(lzma_core::compress(b"two", 0)?);
/// let info = parse(&mut std::io::Cursor::new(&xz), &InfoOptions::default())?;
/// assert_eq!(info.streams.len(), 2);
/// let s = &info.streams[1];
/// assert_eq!((s.number, s.uncompressed_offset, s.compressed_offset + s.compressed_size), (2, 3, xz.len() as u64));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamInfo {
    /// Number of the stream in the file, from 1.
    pub number: u64,
    /// The stream flags (equal in header and footer).
    pub flags: StreamFlags,
    /// File offset of the stream header.
    pub compressed_offset: u64,
    /// Offset of the stream's data in the uncompressed file.
    pub uncompressed_offset: u64,
    /// Size from stream header to stream footer inclusive.
    pub compressed_size: u64,
    /// Uncompressed size.
    pub uncompressed_size: u64,
    /// Size of the index field.
    pub index_size: u64,
    /// Stream padding after this stream.
    pub padding: u64,
    /// The blocks.
    pub blocks: Vec<BlockInfo>,
}

/// A whole .xz file.
#[derive(Clone, Debug, PartialEq, Eq)]
///
/// ```
/// use lzma_core::{compress_with, EncoderOptions, xz::info::{parse, InfoOptions}};
/// let xz = compress_with(&[7u8; 3000], &EncoderOptions::preset(0).block_size(1000)).unwrap();
/// let info = parse(&mut std::io::Cursor::new(&xz), &InfoOptions::default()).unwrap();
/// assert_eq!((info.block_count(), info.uncompressed_size()), (3, 3000));
/// assert_eq!(info.checks_mask(), 1 << 4);
/// ```
pub struct FileInfo {
    /// File size.
    pub file_size: u64,
    /// The streams, in file order.
    pub streams: Vec<StreamInfo>,
    /// Memory the indexes need, as liblzma counts it.
    pub index_memusage: u64,
}

impl FileInfo {
    /// Total uncompressed size.
    ///
    /// ```
    /// use lzma_core::xz::info::{parse, InfoOptions};
    /// let mut xz = lzma_core::compress(b"one", 0)?;
    /// xz.extend(lzma_core::compress(b"three", 0)?);
    /// let info = parse(&mut std::io::Cursor::new(&xz), &InfoOptions::default())?;
    /// assert_eq!(info.uncompressed_size(), 8);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn uncompressed_size(&self) -> u64 {
        self.streams.iter().fold(0u64, |a, s| a.saturating_add(s.uncompressed_size))
    }

    /// Number of blocks in all streams.
    ///
    /// ```
    /// use lzma_core::{xz::info::{parse, InfoOptions}, EncoderOptions};
    /// let xz = lzma_core::compress_with(&[0u8; 2048], &EncoderOptions::preset(0).block_size(1024))?;
    /// let info = parse(&mut std::io::Cursor::new(&xz), &InfoOptions::default())?;
    /// assert_eq!(info.block_count(), 2);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn block_count(&self) -> u64 {
        self.streams.iter().map(|s| s.blocks.len() as u64).sum()
    }

    /// Total stream padding.
    ///
    /// ```
    /// use lzma_core::xz::info::{parse, InfoOptions};
    /// let mut xz = lzma_core::compress(b"padded", 0)?;
    /// xz.extend([0u8; 8]); // stream padding: a multiple of four zero bytes
    /// let info = parse(&mut std::io::Cursor::new(&xz), &InfoOptions::default())?;
    /// assert_eq!(info.padding(), 8);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn padding(&self) -> u64 {
        self.streams.iter().map(|s| s.padding).sum()
    }

    /// Bit mask of the check IDs used (bit N for check ID N), as liblzma's
    /// `lzma_index_checks`.
    ///
    /// ```
    /// use lzma_core::{xz::info::{parse, InfoOptions}, Check, EncoderOptions};
    /// let mut xz = lzma_core::compress_with(b"a", &EncoderOptions::preset(0).check(Check::Crc32))?;
    /// xz.extend(lzma_core::compress_with(b"b", &EncoderOptions::preset(0).check(Check::Sha256))?);
    /// let info = parse(&mut std::io::Cursor::new(&xz), &InfoOptions::default())?;
    /// assert_eq!(info.checks_mask(), 1 << 1 | 1 << 10);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn checks_mask(&self) -> u32 {
        self.streams.iter().fold(0, |m, s| m | 1 << s.flags.check_id())
    }

    /// The largest memory any block needs (only with `block_headers`).
    ///
    /// ```
    /// use lzma_core::xz::info::{parse, InfoOptions};
    /// let xz = lzma_core::compress(b"memory", 0)?;
    /// let opts = InfoOptions { block_headers: true, ..InfoOptions::default() };
    /// let info = parse(&mut std::io::Cursor::new(&xz), &opts)?;
    /// assert!(info.memusage_max() > 256 << 10); // the 256 KiB dictionary of preset 0
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn memusage_max(&self) -> u64 {
        self.streams
            .iter()
            .flat_map(|s| &s.blocks)
            .filter_map(|b| b.header.as_ref().map(|h| h.memusage))
            .max()
            .unwrap_or(0)
    }

    /// Whether every block header stores both sizes (only meaningful with `block_headers`).
    ///
    /// ```
    /// use lzma_core::{xz::info::{parse, InfoOptions}, EncoderOptions};
    /// let opts = InfoOptions { block_headers: true, ..InfoOptions::default() };
    /// let st = lzma_core::compress(b"sizes", 0)?; // single-threaded layout: no sizes in headers
    /// assert!(!parse(&mut std::io::Cursor::new(&st), &opts)?.all_have_sizes());
    /// let mt = lzma_core::compress_with(b"sizes", &EncoderOptions::preset(0).threads(2))?;
    /// assert!(parse(&mut std::io::Cursor::new(&mt), &opts)?.all_have_sizes());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn all_have_sizes(&self) -> bool {
        self.streams.iter().flat_map(|s| &s.blocks).all(|b| b.header.as_ref().is_some_and(|h| h.has_sizes))
    }
}

/// The `lzma::Error` inside an `io::Error` from [`parse`], if the problem was the data
/// rather than reading it.
///
/// ```
/// use lzma_core::xz::info::{parse, xz_error, InfoOptions};
/// let e = parse(&mut std::io::Cursor::new(b"not an xz file, no"), &InfoOptions::default()).unwrap_err();
/// assert!(matches!(xz_error(&e), Some(lzma_core::Error::Format(_))));
/// ```
pub fn xz_error(e: &io::Error) -> Option<&Error> {
    e.get_ref().and_then(|inner| inner.downcast_ref::<Error>())
}

/// liblzma's `lzma_index_memusage` for 64-bit targets.
///
/// ```
/// use lzma_core::xz::info::index_memusage;
/// assert!(index_memusage(1, 1) < index_memusage(1, 1000));
/// assert_eq!(index_memusage(0, 1), u64::MAX); // no stream: invalid
/// ```
pub fn index_memusage(streams: u64, blocks: u64) -> u64 {
    const ALLOC_OVERHEAD: u64 = 32;
    const STREAM_BASE: u64 = 168 + 64 + 2 * ALLOC_OVERHEAD;
    const GROUP_BASE: u64 = 64 + 512 * 16 + ALLOC_OVERHEAD;
    const INDEX_BASE: u64 = 80 + ALLOC_OVERHEAD;
    if streams == 0 || blocks > VLI_MAX {
        return u64::MAX;
    }
    let groups = blocks.div_ceil(512);
    streams
        .checked_mul(STREAM_BASE)
        .and_then(|s| groups.checked_mul(GROUP_BASE).and_then(|g| g.checked_add(s)))
        .and_then(|v| v.checked_add(INDEX_BASE))
        .unwrap_or(u64::MAX)
}

fn err(e: Error) -> io::Error {
    e.into()
}

fn read_at<R: Read + Seek>(r: &mut R, pos: u64, buf: &mut [u8]) -> io::Result<()> {
    r.seek(SeekFrom::Start(pos))?;
    r.read_exact(buf).map_err(|e| {
        if e.kind() == io::ErrorKind::UnexpectedEof {
            err(Error::Truncated)
        } else {
            e
        }
    })
}

fn hide_format(e: Error) -> Error {
    match e {
        Error::Format(d) => Error::Corrupt(d),
        e => e,
    }
}

/// Parses a whole .xz file from its end.
///
/// ```
/// use lzma_core::{compress_with, EncoderOptions, xz::info::{parse, InfoOptions}};
/// let mut xz = compress_with(b"abc", &EncoderOptions::preset(1)).unwrap();
/// xz.extend_from_slice(&[0; 4]); // stream padding
/// let info = parse(&mut std::io::Cursor::new(&xz), &InfoOptions { block_headers: true, ..Default::default() }).unwrap();
/// assert_eq!(info.streams.len(), 1);
/// assert_eq!(info.streams[0].padding, 4);
/// assert_eq!(info.uncompressed_size(), 3);
/// assert_eq!(info.streams[0].blocks[0].header.as_ref().unwrap().flags, "--");
/// ```
pub fn parse<R: Read + Seek>(r: &mut R, opts: &InfoOptions) -> io::Result<FileInfo> {
    let file_size = r.seek(SeekFrom::End(0))?;
    if file_size < STREAM_HEADER_SIZE as u64 {
        return Err(err(Error::Format("file is too small to be .xz")));
    }
    let mut first = [0u8; STREAM_HEADER_SIZE];
    read_at(r, 0, &mut first)?;
    let first_flags = stream_flags::decode_header(&first).map_err(err)?;
    if file_size > VLI_MAX || file_size % 4 != 0 {
        return Err(err(Error::Corrupt("file size is not a multiple of four")));
    }
    let memlimit = opts.memlimit.max(1);
    let mut pos = file_size;
    let mut rev: Vec<(StreamInfo, Vec<IndexRecord>)> = Vec::new();
    let mut used_streams = 0u64;
    let mut used_blocks = 0u64;
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        // Stream padding, read backwards.
        let mut padding = 0u64;
        loop {
            if pos < 2 * STREAM_HEADER_SIZE as u64 {
                return Err(err(Error::Corrupt("no stream footer before the padding")));
            }
            let n = (pos - STREAM_HEADER_SIZE as u64).min(chunk.len() as u64) as usize;
            read_at(r, pos - n as u64, &mut chunk[..n])?;
            let zeros = chunk[..n].iter().rev().take_while(|&&b| b == 0).count();
            padding += zeros as u64;
            pos -= zeros as u64;
            if zeros < n {
                break;
            }
        }
        if padding % 4 != 0 {
            return Err(err(Error::Corrupt("stream padding is not a multiple of four")));
        }
        if pos < 2 * STREAM_HEADER_SIZE as u64 {
            return Err(err(Error::Corrupt("file too small for its stream footer")));
        }
        let mut f = [0u8; STREAM_HEADER_SIZE];
        pos -= STREAM_HEADER_SIZE as u64;
        read_at(r, pos, &mut f)?;
        let footer = stream_flags::decode_footer(&f).map_err(hide_format).map_err(err)?;
        if pos < footer.backward_size + STREAM_HEADER_SIZE as u64 {
            return Err(err(Error::Corrupt("index is larger than the file")));
        }
        let index_start = pos - footer.backward_size;
        // The index, streamed in chunks.
        let mut dec = IndexDecoder::new(true);
        let mut left = footer.backward_size;
        let mut at = index_start;
        let mut checked = false;
        let mut done = false;
        while left > 0 && !done {
            let n = left.min(chunk.len() as u64) as usize;
            read_at(r, at, &mut chunk[..n])?;
            let (used, d) = dec.decode(&chunk[..n], None).map_err(err)?;
            done = d;
            left -= used as u64;
            at += used as u64;
            if !checked && dec.count_known() {
                let base = if used_streams == 0 { 0 } else { index_memusage(used_streams, used_blocks) };
                let needed = base.saturating_add(index_memusage(1, dec.count()));
                if needed > memlimit {
                    return Err(err(Error::MemLimit { needed, limit: memlimit }));
                }
                checked = true;
            }
            if used < n && !done {
                return Err(err(Error::Corrupt("index decoder stalled")));
            }
        }
        if !done || left != 0 {
            return Err(err(Error::Corrupt("index size does not match the backward size")));
        }
        let blocks_total = dec.blocks_size_sum();
        let seek_amount = blocks_total
            .checked_add(STREAM_HEADER_SIZE as u64)
            .ok_or_else(|| err(Error::Corrupt("stream too large")))?;
        if index_start < seek_amount {
            return Err(err(Error::Corrupt("blocks are larger than the file")));
        }
        let stream_start = index_start - seek_amount;
        let header_flags = if stream_start == 0 {
            first_flags
        } else {
            let mut h = [0u8; STREAM_HEADER_SIZE];
            read_at(r, stream_start, &mut h)?;
            stream_flags::decode_header(&h).map_err(hide_format).map_err(err)?
        };
        if header_flags != footer.flags {
            return Err(err(Error::Corrupt("stream header and footer flags differ")));
        }
        used_streams += 1;
        used_blocks = used_blocks.saturating_add(dec.count());
        let info = StreamInfo {
            number: 0,
            flags: footer.flags,
            compressed_offset: stream_start,
            uncompressed_offset: 0,
            compressed_size: pos + STREAM_HEADER_SIZE as u64 - stream_start,
            uncompressed_size: dec.uncompressed_sum(),
            index_size: footer.backward_size,
            padding,
            blocks: Vec::new(),
        };
        rev.push((info, dec.records().to_vec()));
        pos = stream_start;
        if pos == 0 {
            break;
        }
    }
    let index_memusage = index_memusage(used_streams, used_blocks);
    let mut streams = Vec::with_capacity(rev.len());
    let mut uoff = 0u64;
    let mut block_no = 0u64;
    for (k, (mut s, records)) in rev.into_iter().rev().enumerate() {
        s.number = k as u64 + 1;
        s.uncompressed_offset = uoff;
        let mut coff = s.compressed_offset + STREAM_HEADER_SIZE as u64;
        for (j, rec) in records.iter().enumerate() {
            block_no += 1;
            let mut b = BlockInfo {
                number_in_stream: j as u64 + 1,
                number_in_file: block_no,
                compressed_offset: coff,
                uncompressed_offset: uoff,
                total_size: rec.total_size(),
                unpadded_size: rec.unpadded_size,
                uncompressed_size: rec.uncompressed_size,
                header: None,
            };
            if opts.block_headers {
                b.header = Some(read_block_header(r, &b, s.flags)?);
            }
            coff += b.total_size;
            uoff = uoff.saturating_add(rec.uncompressed_size);
            s.blocks.push(b);
        }
        streams.push(s);
    }
    Ok(FileInfo { file_size, streams, index_memusage })
}

fn read_block_header<R: Read + Seek>(r: &mut R, b: &BlockInfo, flags: StreamFlags) -> io::Result<BlockHeaderInfo> {
    let check_size = flags.check_size() as u64;
    let corrupt = || err(Error::Corrupt("block header does not match the index"));
    let size = b.total_size.saturating_sub(check_size).min(BLOCK_HEADER_SIZE_MAX as u64) as usize;
    let mut buf = vec![0u8; size];
    read_at(r, b.compressed_offset, &mut buf)?;
    let header_size = buf.first().and_then(|&x| header_size_from_byte(x)).ok_or_else(corrupt)?;
    if header_size > size {
        return Err(corrupt());
    }
    let h = BlockHeader::decode(&buf[..header_size], flags.check_id()).map_err(err)?;
    let container = header_size as u64 + check_size;
    if b.unpadded_size <= container {
        return Err(corrupt());
    }
    let compressed = b.unpadded_size - container;
    if h.compressed_size.is_some_and(|c| c != compressed)
        || h.uncompressed_size.is_some_and(|u| u != b.uncompressed_size)
    {
        return Err(corrupt());
    }
    let mut check_value = vec![0u8; check_size as usize];
    read_at(r, b.compressed_offset + b.unpadded_size - check_size, &mut check_value)?;
    let memusage = if backend::validate_chain(&h.filters, true).is_ok() {
        backend::decoder_memusage(&h.filters)
    } else {
        u64::MAX
    };
    Ok(BlockHeaderInfo {
        header_size,
        flags: h.flags_string(),
        compressed_size: compressed,
        has_sizes: h.compressed_size.is_some() && h.uncompressed_size.is_some(),
        filter_flags: h.filter_flags.iter().map(|f| (f.id, f.props.clone())).collect(),
        filters: h.filters,
        memusage,
        check_value,
    })
}
