//! The helpers of the `xz_*` tests under their old module name, for test files that still
//! say `mod xz_common;`: everything lives in `tests/common/mod.rs`.
#![allow(unused_imports)]

#[path = "../common/mod.rs"]
mod common;

pub use self::common::*;
