//! `nvinfer`: DeepStream's inference element (open backend). This stub holds
//! only the config-file parser; the element replaces it.

pub mod config;

/// Registers the element (stub: nothing to register yet).
pub(crate) fn register() -> Result<(), glib::BoolError> {
    Ok(())
}
