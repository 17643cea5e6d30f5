#![no_main]

#[path = "../checks/secure_headers_der.rs"]
mod check;

libfuzzer_sys::fuzz_target!(|data: &[u8]| check::check(data));
