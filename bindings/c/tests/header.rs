//! The committed C header must be exactly what cbindgen generates from the current source: a stale
//! header would let C callers compile against functions that no longer exist or changed shape.
//!
//! To update it after changing the C API: `MAILSEC_BLESS_HEADER=1 cargo test -p mailsec-c --test header`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed test may panic

use std::path::Path;

const GENERATED: &str = include_str!(concat!(env!("OUT_DIR"), "/mailsec.h"));

#[test]
fn committed_header_matches_generated() {
    let committed_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("include/mailsec.h");
    if std::env::var_os("MAILSEC_BLESS_HEADER").is_some() {
        std::fs::write(&committed_path, GENERATED).expect("write include/mailsec.h");
    }
    let committed = std::fs::read_to_string(&committed_path).unwrap_or_default();
    assert!(
        committed == GENERATED,
        "bindings/c/include/mailsec.h is stale: regenerate it with \
         `MAILSEC_BLESS_HEADER=1 cargo test -p mailsec-c --test header` and commit it"
    );
}
