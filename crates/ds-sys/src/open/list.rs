//! Doubly linked `GList` operations written in Rust.
//!
//! The meta lists of DeepStream are plain `GList`s that C code walks with
//! `l = l->next`. The operations are implemented here so that Miri can run
//! them. Nodes come from `g_list_alloc` / go back with `g_list_free_1` in
//! normal builds (so C code that calls `g_list_append` or `g_list_free` on
//! our lists stays compatible with GLib's slice allocator); under Miri they
//! come from [`crate::mem`].
use glib_sys::GList;
use std::os::raw::c_void;
use std::ptr;

/// Allocates one zeroed node.
fn node_alloc() -> *mut GList {
    #[cfg(not(miri))]
    {
        // SAFETY: g_list_alloc has no preconditions and returns a zeroed node
        // (it aborts on OOM).
        unsafe { glib_sys::g_list_alloc() }
    }
    #[cfg(miri)]
    {
        // SAFETY: GList is valid when zeroed; freed by node_free.
        unsafe { crate::mem::new0::<GList>() }
    }
}

/// Frees one node (not its data).
///
/// # Safety
/// `node` came from [`node_alloc`] and is unlinked from every list.
unsafe fn node_free(node: *mut GList) {
    #[cfg(not(miri))]
    {
        // SAFETY: per contract, node came from g_list_alloc.
        unsafe { glib_sys::g_list_free_1(node) }
    }
    #[cfg(miri)]
    {
        // SAFETY: per contract, node came from mem::new0.
        unsafe { crate::mem::free(node as *mut c_void) }
    }
}

/// Iterator over the data pointers of a list. The list must not be modified
/// while it is iterated (take a [`snapshot`] for that).
pub(crate) struct Iter {
    cur: *mut GList,
}

impl Iterator for Iter {
    type Item = *mut c_void;
    fn next(&mut self) -> Option<*mut c_void> {
        if self.cur.is_null() {
            return None;
        }
        // SAFETY: `cur` is a live node of a well-formed list (contract of iter).
        let node = unsafe { &*self.cur };
        self.cur = node.next;
        Some(node.data)
    }
}

/// Iterates the data of `list`.
///
/// # Safety
/// `list` is NULL or the head (or any node) of a well-formed list that stays
/// unchanged while the iterator is used.
pub(crate) unsafe fn iter(list: *mut GList) -> Iter {
    Iter { cur: list }
}

/// Copies the data pointers of `list` into a vector.
///
/// # Safety
/// As for [`iter`].
pub(crate) unsafe fn snapshot(list: *mut GList) -> Vec<*mut c_void> {
    // SAFETY: forwarded contract.
    unsafe { iter(list) }.collect()
}

/// Appends `data` and returns the (possibly new) head.
///
/// # Safety
/// `list` is NULL or the head of a well-formed list.
pub(crate) unsafe fn append(list: *mut GList, data: *mut c_void) -> *mut GList {
    let node = node_alloc();
    // SAFETY: node is a fresh zeroed node; `list` is a well-formed list whose
    // nodes we may modify.
    unsafe {
        (*node).data = data;
        if list.is_null() {
            return node;
        }
        let mut last = list;
        while !(*last).next.is_null() {
            last = (*last).next;
        }
        (*last).next = node;
        (*node).prev = last;
    }
    list
}

/// Prepends `data` and returns the new head.
///
/// # Safety
/// `list` is NULL or the head of a well-formed list.
pub(crate) unsafe fn prepend(list: *mut GList, data: *mut c_void) -> *mut GList {
    let node = node_alloc();
    // SAFETY: node is fresh; list is NULL or a valid head.
    unsafe {
        (*node).data = data;
        (*node).next = list;
        if !list.is_null() {
            (*node).prev = (*list).prev;
            (*list).prev = node;
        }
    }
    node
}

/// Finds the node holding `data`.
///
/// # Safety
/// `list` is NULL or a well-formed list.
pub(crate) unsafe fn find(list: *mut GList, data: *mut c_void) -> *mut GList {
    let mut cur = list;
    while !cur.is_null() {
        // SAFETY: cur is a live node.
        unsafe {
            if (*cur).data == data {
                return cur;
            }
            cur = (*cur).next;
        }
    }
    ptr::null_mut()
}

/// Unlinks `node` from the list headed by `*head` and frees the node.
///
/// # Safety
/// `node` is a node of the list headed by `*head`.
unsafe fn unlink(head: &mut *mut GList, node: *mut GList) {
    // SAFETY: node and its neighbours are live nodes of the list.
    unsafe {
        let prev = (*node).prev;
        let next = (*node).next;
        if !prev.is_null() {
            (*prev).next = next;
        }
        if !next.is_null() {
            (*next).prev = prev;
        }
        if *head == node {
            *head = next;
        }
        node_free(node);
    }
}

/// Removes the first node holding `data` from `*head`. Returns whether
/// `data` was found.
///
/// # Safety
/// `*head` is NULL or the head of a well-formed list.
pub(crate) unsafe fn remove(head: &mut *mut GList, data: *mut c_void) -> bool {
    // SAFETY: forwarded contract.
    let node = unsafe { find(*head, data) };
    if node.is_null() {
        return false;
    }
    // SAFETY: node belongs to the list.
    unsafe { unlink(head, node) };
    true
}

/// Removes and returns the data of the first node, or NULL when empty.
///
/// # Safety
/// `*head` is NULL or the head of a well-formed list.
pub(crate) unsafe fn pop_front(head: &mut *mut GList) -> *mut c_void {
    let node = *head;
    if node.is_null() {
        return ptr::null_mut();
    }
    // SAFETY: node is the head node of the list.
    unsafe {
        let data = (*node).data;
        unlink(head, node);
        data
    }
}

/// Frees every node of `list` (not the data).
///
/// # Safety
/// `list` is NULL or the head of a well-formed list no one else uses.
pub(crate) unsafe fn free(list: *mut GList) {
    let mut cur = list;
    while !cur.is_null() {
        // SAFETY: cur is a live node; read next before freeing it.
        unsafe {
            let next = (*cur).next;
            node_free(cur);
            cur = next;
        }
    }
}

/// Whether `node` is one of the nodes of the list headed by `list`.
///
/// # Safety
/// `list` is NULL or a well-formed list.
pub(crate) unsafe fn contains_node(list: *mut GList, node: *mut GList) -> bool {
    let mut cur = list;
    while !cur.is_null() {
        if cur == node {
            return true;
        }
        // SAFETY: cur is a live node.
        cur = unsafe { (*cur).next };
    }
    false
}

/// The `n`th data pointer, or NULL when the list is shorter.
///
/// # Safety
/// `list` is NULL or a well-formed list.
pub(crate) unsafe fn nth_data(list: *mut GList, n: usize) -> *mut c_void {
    // SAFETY: forwarded contract.
    unsafe { iter(list) }.nth(n).unwrap_or(ptr::null_mut())
}
