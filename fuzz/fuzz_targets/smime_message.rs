#![no_main]

#[path = "../checks/smime_message.rs"]
mod check;

libfuzzer_sys::fuzz_target!(|data: &[u8]| check::check(data));
