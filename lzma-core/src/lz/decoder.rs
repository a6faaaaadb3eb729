//! Placeholder: owned by the helper building it.
