//! Inference tensor output meta.
