//! Replays every fuzz target's corpus (fuzz/corpus/<target>/) through the same check the fuzzer
//! runs (fuzz/checks/<target>.rs), so that seeds and past findings stay fixed in every CI run.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed test may panic

use std::fs;
use std::path::{Path, PathBuf};

#[path = "../fuzz/checks/clientid_command.rs"]
mod clientid_command;
#[path = "../fuzz/checks/clientid_session.rs"]
mod clientid_session;
#[path = "../fuzz/checks/ehlo_reply.rs"]
mod ehlo_reply;
#[path = "../fuzz/checks/pgp_mime.rs"]
mod pgp_mime;
#[path = "../fuzz/checks/pgp_packets.rs"]
mod pgp_packets;
#[path = "../fuzz/checks/secure_headers_der.rs"]
mod secure_headers_der;
#[path = "../fuzz/checks/secure_headers_message.rs"]
mod secure_headers_message;
#[path = "../fuzz/checks/sieve_eval.rs"]
mod sieve_eval;
#[path = "../fuzz/checks/sieve_parser.rs"]
mod sieve_parser;
#[path = "../fuzz/checks/smime_message.rs"]
mod smime_message;
#[path = "../fuzz/checks/smime_signed_data.rs"]
mod smime_signed_data;

/// A fuzz target's body: panics when an invariant breaks.
type Check = fn(&[u8]);

/// Every fuzz target, with its check. A target missing here fails `every_target_is_replayed`.
const TARGETS: &[(&str, Check)] = &[
    ("clientid_command", clientid_command::check),
    ("clientid_session", clientid_session::check),
    ("ehlo_reply", ehlo_reply::check),
    ("pgp_mime", pgp_mime::check),
    ("pgp_packets", pgp_packets::check),
    ("secure_headers_der", secure_headers_der::check),
    ("secure_headers_message", secure_headers_message::check),
    ("sieve_eval", sieve_eval::check),
    ("sieve_parser", sieve_parser::check),
    ("smime_message", smime_message::check),
    ("smime_signed_data", smime_signed_data::check),
];

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

#[test]
fn every_target_is_replayed() {
    let mut targets: Vec<String> = fs::read_dir(fuzz_dir().join("fuzz_targets"))
        .expect("fuzz/fuzz_targets")
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "rs"))
        .map(|path| {
            path.file_stem()
                .expect("file name")
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    targets.sort();
    let mut replayed: Vec<String> = TARGETS.iter().map(|(name, _)| name.to_string()).collect();
    replayed.sort();
    assert_eq!(
        targets, replayed,
        "fuzz targets and replayed corpora differ"
    );
}

#[test]
fn corpora_replay_without_failure() {
    for (target, check) in TARGETS {
        let dir = fuzz_dir().join("corpus").join(target);
        let mut inputs = 0;
        for entry in fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.expect("directory entry").path();
            let data = fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            check(&data);
            inputs += 1;
        }
        assert!(inputs > 0, "{target}: empty corpus");
    }
}
