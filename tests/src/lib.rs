//! Shared helpers of the integration and differential tests.
#![forbid(unsafe_code)]
