//! DeepStream metadata access (batch, frame, object, classifier, label, display, user meta).

mod user;
pub use user::UserMeta;
