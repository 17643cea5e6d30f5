#![no_main]

#[path = "../checks/pgp_mime.rs"]
mod check;

libfuzzer_sys::fuzz_target!(|data: &[u8]| check::check(data));
