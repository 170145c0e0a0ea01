//! `sinks` (open implementation): not written yet.

/// Registers the element(s) of this module.
pub(crate) fn register() -> Result<(), glib::BoolError> {
    Ok(())
}
