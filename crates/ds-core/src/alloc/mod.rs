//! Owned allocators whose ownership moves into user meta.
