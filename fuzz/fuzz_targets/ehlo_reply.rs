#![no_main]

#[path = "../checks/ehlo_reply.rs"]
mod check;

libfuzzer_sys::fuzz_target!(|data: &[u8]| check::check(data));
