//! The .xz container: stream header and footer, block headers, index, stream coders.
