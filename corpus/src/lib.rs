//! Test-vector generator: builds every test input from a readable description.
#![forbid(unsafe_code)]
