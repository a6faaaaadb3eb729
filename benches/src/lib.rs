//! Benchmark inputs (the standard corpus) shared by the criterion benches and scripts.
#![forbid(unsafe_code)]
