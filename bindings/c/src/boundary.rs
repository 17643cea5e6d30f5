//! The panic boundary: no Rust panic may unwind into C, so every entry point runs its body inside
//! [`ffi_boundary!`], which returns a neutral value if the body panics.

use std::ptr;

use crate::result::mailsec_result;
use crate::slice::mailsec_str;

/// The value an entry point returns when its body panicked.
pub(crate) trait PanicValue {
    fn panic_value() -> Self;
}

impl PanicValue for mailsec_result {
    fn panic_value() -> Self {
        mailsec_result::Panic
    }
}

impl PanicValue for () {
    fn panic_value() -> Self {}
}

impl PanicValue for bool {
    fn panic_value() -> Self {
        false
    }
}

impl PanicValue for usize {
    fn panic_value() -> Self {
        0
    }
}

impl PanicValue for u16 {
    fn panic_value() -> Self {
        0
    }
}

impl PanicValue for mailsec_str {
    fn panic_value() -> Self {
        mailsec_str::empty()
    }
}

impl<T> PanicValue for *const T {
    fn panic_value() -> Self {
        ptr::null()
    }
}

/// Runs the body, returning its value, or the return type's [`PanicValue`] if it panics.
macro_rules! ffi_boundary {
    ( $($body:tt)* ) => {
        match ::std::panic::catch_unwind(::std::panic::AssertUnwindSafe(|| { $($body)* })) {
            Ok(value) => value,
            Err(_) => $crate::boundary::PanicValue::panic_value(),
        }
    };
}

pub(crate) use ffi_boundary;
