//! DeepStream metadata access (batch, frame, object, classifier, label,
//! display, user meta).

mod user;
#[allow(unused_imports)]
pub(crate) use user::fill_user_meta;
pub use user::{UserMeta, UserMetaData};
