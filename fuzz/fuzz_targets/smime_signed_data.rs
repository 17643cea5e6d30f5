#![no_main]

#[path = "../checks/smime_signed_data.rs"]
mod check;

libfuzzer_sys::fuzz_target!(|data: &[u8]| check::check(data));
