//! OSD helpers.
