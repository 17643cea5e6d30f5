//! Opaque handles: the one place where Rust values become pointers for C and back.
//!
//! A handle type `mailsec_x` is an empty struct C only ever sees behind a pointer; the pointer is
//! really a `Box<Castable::RustType>` made by [`into_handle`] and released by [`free_handle`].

/// Ties an opaque C handle type to the Rust value it stands for.
pub(crate) trait Castable {
    /// The Rust value behind the handle.
    type RustType;
}

/// Boxes `value` and returns the pointer C will hold.
pub(crate) fn into_handle<C: Castable>(value: C::RustType) -> *mut C {
    Box::into_raw(Box::new(value)).cast::<C>()
}

/// Borrows the value behind a handle; `None` for NULL.
///
/// # Safety
/// `handle` is NULL or was returned by [`into_handle`] for the same `C` and not yet freed, and no
/// mutable borrow of it is alive.
pub(crate) unsafe fn borrow_handle<'a, C: Castable>(handle: *const C) -> Option<&'a C::RustType> {
    // SAFETY: by the caller's contract the pointer is NULL or points to a live, boxed RustType.
    unsafe { handle.cast::<C::RustType>().as_ref() }
}

/// Borrows the value behind a handle mutably; `None` for NULL.
///
/// # Safety
/// `handle` is NULL or was returned by [`into_handle`] for the same `C` and not yet freed, and no
/// other borrow of it is alive (C callers do not use one handle from two threads at once).
pub(crate) unsafe fn borrow_handle_mut<'a, C: Castable>(
    handle: *mut C,
) -> Option<&'a mut C::RustType> {
    // SAFETY: by the caller's contract the pointer is NULL or points to a live, boxed RustType
    // that nothing else borrows.
    unsafe { handle.cast::<C::RustType>().as_mut() }
}

/// Releases the value behind a handle; does nothing for NULL.
///
/// # Safety
/// `handle` is NULL or was returned by [`into_handle`] for the same `C`, and is freed only once.
pub(crate) unsafe fn free_handle<C: Castable>(handle: *mut C) {
    if !handle.is_null() {
        // SAFETY: by the caller's contract the pointer came from Box::into_raw of a RustType and
        // is released exactly once.
        drop(unsafe { Box::from_raw(handle.cast::<C::RustType>()) });
    }
}

/// Stores `value` through an out-parameter; `false` if the out-parameter is NULL.
///
/// # Safety
/// `out` is NULL or valid for a write of `T`.
pub(crate) unsafe fn write_out<T>(out: *mut T, value: T) -> bool {
    if out.is_null() {
        return false;
    }
    // SAFETY: non-NULL and valid for writes by the caller's contract; `write` does not read or
    // drop the previous (possibly uninitialised) contents.
    unsafe { out.write(value) };
    true
}
