//! Frame surface (image) access.
