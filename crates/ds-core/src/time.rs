//! Timestamp helpers.
