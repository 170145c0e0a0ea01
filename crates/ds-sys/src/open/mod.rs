//! Open (Rust) implementation of the DeepStream 7.1 C functions, exported
//! under NVIDIA's symbol names. Compiled only on the `open` backend.

pub mod surface;
