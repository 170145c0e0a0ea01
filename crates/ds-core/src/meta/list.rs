//! Typed iteration over DeepStream's `GList`s of meta.
use super::MetaError;
use glib_sys::GList;
use std::fmt;
use std::iter::FusedIterator;
use std::marker::PhantomData;
use std::os::raw::c_void;

/// Identifies one meta in its parent's list, for removal
/// (e.g. [`FrameMeta::remove_object`](crate::FrameMeta::remove_object)).
///
/// A key is a plain identity (no borrow); removing with a key checks that
/// the meta is in the list, so a stale or foreign key gives
/// [`MetaError::NotFound`](crate::MetaError::NotFound), never undefined
/// behaviour.
///
/// ```
/// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
/// let frame = batch.new_frame().unwrap();
/// let key = frame.new_object().unwrap().key();
/// frame.remove_object(key).unwrap();
/// assert_eq!(frame.remove_object(key), Err(ds_core::MetaError::NotFound));
/// ```
pub struct MetaKey<T> {
    ptr: *mut c_void,
    _t: PhantomData<fn() -> T>,
}

impl<T> MetaKey<T> {
    pub(crate) fn new(ptr: *mut c_void) -> Self {
        MetaKey {
            ptr,
            _t: PhantomData,
        }
    }

    pub(crate) fn ptr(self) -> *mut c_void {
        self.ptr
    }
}

impl<T> Clone for MetaKey<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for MetaKey<T> {}
impl<T> PartialEq for MetaKey<T> {
    fn eq(&self, other: &Self) -> bool {
        self.ptr == other.ptr
    }
}
impl<T> Eq for MetaKey<T> {}
impl<T> std::hash::Hash for MetaKey<T> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.ptr.hash(state)
    }
}
impl<T> fmt::Debug for MetaKey<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MetaKey({:p})", self.ptr)
    }
}

/// Iterator over a meta list, yielding `&'a T`.
///
/// ```
/// let mut batch = ds_core::OwnedBatchMeta::new(2).unwrap();
/// batch.new_frame().unwrap();
/// batch.new_frame().unwrap();
/// let frames: ds_core::Iter<'_, ds_core::FrameMeta> = batch.frames();
/// assert_eq!(frames.count(), 2);
/// ```
pub struct Iter<'a, T> {
    cur: *mut GList,
    _t: PhantomData<&'a T>,
}

impl<'a, T> Iter<'a, T> {
    /// # Safety
    /// `list` is NULL or a well-formed list whose data are live `T`s (as
    /// their C structs) that neither change nor go away for `'a`.
    pub(crate) unsafe fn new(list: *mut GList) -> Self {
        Iter {
            cur: list,
            _t: PhantomData,
        }
    }
}

impl<'a, T> Iterator for Iter<'a, T> {
    type Item = &'a T;
    fn next(&mut self) -> Option<&'a T> {
        loop {
            if self.cur.is_null() {
                return None;
            }
            // SAFETY: `cur` is a live node of the list (contract of `new`).
            let (data, next) = unsafe { ((*self.cur).data, (*self.cur).next) };
            self.cur = next;
            if !data.is_null() {
                // SAFETY: data is a live T for 'a (contract of `new`); T is
                // transparent over the C struct.
                return Some(unsafe { &*(data as *const T) });
            }
        }
    }
}

impl<T> FusedIterator for Iter<'_, T> {}

impl<T> Clone for Iter<'_, T> {
    fn clone(&self) -> Self {
        Iter {
            cur: self.cur,
            _t: PhantomData,
        }
    }
}

impl<T> fmt::Debug for Iter<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Iter").field("cur", &self.cur).finish()
    }
}

/// Iterator over a meta list, yielding `&'a mut T` (each element once).
///
/// ```
/// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
/// let frame = batch.new_frame().unwrap();
/// frame.new_object().unwrap();
/// for obj in frame.objects_mut() {
///     obj.set_confidence(0.5);
/// }
/// assert_eq!(frame.objects().next().unwrap().confidence(), 0.5);
/// ```
pub struct IterMut<'a, T> {
    cur: *mut GList,
    _t: PhantomData<&'a mut T>,
}

impl<'a, T> IterMut<'a, T> {
    /// # Safety
    /// As [`Iter::new`], and nothing else accesses the elements during `'a`
    /// except through the yielded references; the list's links do not change
    /// during `'a`.
    pub(crate) unsafe fn new(list: *mut GList) -> Self {
        IterMut {
            cur: list,
            _t: PhantomData,
        }
    }
}

impl<'a, T> Iterator for IterMut<'a, T> {
    type Item = &'a mut T;
    fn next(&mut self) -> Option<&'a mut T> {
        loop {
            if self.cur.is_null() {
                return None;
            }
            // SAFETY: `cur` is a live node of the list (contract of `new`).
            let (data, next) = unsafe { ((*self.cur).data, (*self.cur).next) };
            self.cur = next;
            if !data.is_null() {
                // SAFETY: each node holds a distinct element, yielded once;
                // exclusive for 'a per the contract of `new`.
                return Some(unsafe { &mut *(data as *mut T) });
            }
        }
    }
}

impl<T> FusedIterator for IterMut<'_, T> {}

impl<T> fmt::Debug for IterMut<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IterMut").field("cur", &self.cur).finish()
    }
}

/// The data pointers of a list, copied (so the list may change afterwards).
///
/// # Safety
/// `list` is NULL or a well-formed list.
pub(crate) unsafe fn snapshot(list: *mut GList) -> Vec<*mut c_void> {
    let mut out = Vec::new();
    let mut cur = list;
    while !cur.is_null() {
        // SAFETY: cur is a live node.
        unsafe {
            if !(*cur).data.is_null() {
                out.push((*cur).data);
            }
            cur = (*cur).next;
        }
    }
    out
}

/// The data pointer of `list` equal to `data` (with the list's own
/// provenance, which C code may later free through), or NULL.
///
/// # Safety
/// `list` is NULL or a well-formed list.
pub(crate) unsafe fn find(list: *mut GList, data: *mut c_void) -> *mut c_void {
    let mut cur = list;
    while !cur.is_null() {
        // SAFETY: cur is a live node.
        unsafe {
            if (*cur).data == data {
                return (*cur).data;
            }
            cur = (*cur).next;
        }
    }
    std::ptr::null_mut()
}

/// Runs `remove` on the elements of `list` for which `keep` is false;
/// returns how many were removed.
///
/// # Safety
/// `list` is NULL or a well-formed list of live `T`s; `remove` unlinks an
/// element (changing the list only by that) and returns it to its pool.
pub(crate) unsafe fn retain<T>(
    list: *mut GList,
    mut keep: impl FnMut(&T) -> bool,
    mut remove: impl FnMut(*mut c_void),
) -> usize {
    // SAFETY: forwarded contract.
    let items = unsafe { snapshot(list) };
    let mut removed = 0;
    for p in items {
        // SAFETY: p is a live T (contract); the reference ends before
        // `remove` runs.
        let k = keep(unsafe { &*(p as *const T) });
        if !k {
            remove(p);
            removed += 1;
        }
    }
    removed
}

/// Checks that `key` names an element of `list`; returns the element
/// pointer as the list holds it.
///
/// Removal must pass this pointer, not one derived from a Rust reference:
/// the pools keep it and eventually free the allocation through it.
///
/// # Safety
/// `list` is NULL or a well-formed list.
pub(crate) unsafe fn check_key<T, R>(
    list: *mut GList,
    key: MetaKey<T>,
) -> Result<*mut R, MetaError> {
    if key.ptr().is_null() {
        return Err(MetaError::NotFound);
    }
    // SAFETY: forwarded contract.
    let p = unsafe { find(list, key.ptr()) };
    if p.is_null() {
        Err(MetaError::NotFound)
    } else {
        Ok(p as *mut R)
    }
}
