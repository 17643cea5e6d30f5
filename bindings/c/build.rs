//! Generates the C header from the crate's source into OUT_DIR. The committed copy,
//! include/mailsec.h, is compared with it by tests/header.rs, so a stale header fails the tests.

use std::env;
use std::path::PathBuf;

fn main() {
    let crate_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into()));
    let out_dir = PathBuf::from(env::var("OUT_DIR").unwrap_or_else(|_| ".".into()));
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=cbindgen.toml");
    let config = match cbindgen::Config::from_file(crate_dir.join("cbindgen.toml")) {
        Ok(config) => config,
        Err(e) => panic!("bindings/c/cbindgen.toml: {e}"),
    };
    match cbindgen::generate_with_config(&crate_dir, config) {
        Ok(bindings) => {
            bindings.write_to_file(out_dir.join("mailsec.h"));
        }
        Err(e) => panic!("cbindgen could not generate the C header: {e}"),
    }
}
