//! placeholder, filled in by the ABI work
