//! Helpers shared by the smime-core integration tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)] // a failed test may panic

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use base64::Engine as _;
use der::{Decode as _, Encode as _};
use smime_core::path::{PathFailure, PathVerdict, TrustAnchors};
use smime_core::{
    ChainOutcome, SignOptions, SignatureAlgorithm, SignedForm, Signer, SignerReport, VerifyOptions,
};

/// The contents of a file of the test PKI (tests/fixtures/pki at the workspace root).
pub fn pki(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/pki")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The path of a file of the test PKI.
pub fn pki_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/pki")
        .join(name)
}

/// The signer `name` (`<name>.pem`, `<name>.key`) with the intermediate as its chain.
pub fn signer(name: &str) -> Signer {
    Signer::from_pem(&pki(&format!("{name}.pem")), &pki(&format!("{name}.key")))
        .unwrap()
        .with_chain(smime_core::load_certificates(&pki("intermediate.pem")).unwrap())
}

/// [`signer`] with an explicit signature algorithm.
pub fn signer_with(name: &str, algorithm: SignatureAlgorithm) -> Signer {
    Signer::from_pem_with_algorithm(
        &pki(&format!("{name}.pem")),
        &pki(&format!("{name}.key")),
        algorithm,
    )
    .unwrap()
    .with_chain(smime_core::load_certificates(&pki("intermediate.pem")).unwrap())
}

/// Verification options trusting root.pem.
pub fn options() -> VerifyOptions {
    VerifyOptions::new(TrustAnchors::from_pem(&pki("root.pem")).unwrap())
}

/// A good test message from alice@example.com to bob@example.org.
pub const MESSAGE: &[u8] = b"From: Alice <alice@example.com>\r\n\
To: Bob <bob@example.org>\r\n\
Subject: Quarterly figures\r\n\
Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n\
Message-ID: <1@example.com>\r\n\
\r\n\
Hello Bob,\r\n\
the figures are attached.\r\n";

/// A secure-headers policy securing five fields, From and Subject mandatory.
pub const POLICY: &str = r#"
[secure_headers]
fields = ["From", "To", "Subject", "Date", "Message-ID"]
mandatory = ["From", "Subject"]
"#;

// ---------------------------------------------------------------------------------------------
// Shared by interop_openssl.rs, interop_gpgsm.rs and tampering.rs.

/// A MIME entity in canonical form (RFC 8551 §3.1.1: CRLF) with the body of [`MESSAGE`]: what
/// the interop tests hand to OpenSSL and gpgsm to sign.
pub const ENTITY: &[u8] =
    b"Content-Type: text/plain; charset=us-ascii\r\n\r\nHello Bob,\r\nthe figures are attached.\r\n";

/// The outer header fields of [`MESSAGE`], for messages the tests wrap themselves.
pub const OUTER: &[&str] = &[
    "From: Alice <alice@example.com>",
    "To: Bob <bob@example.org>",
    "Subject: Quarterly figures",
    "Date: Mon, 23 Nov 2026 10:00:00 +0000",
    "Message-ID: <1@example.com>",
];

/// [`POLICY`], parsed.
pub fn policy() -> secure_headers::Policy {
    secure_headers::Policy::from_toml_str(POLICY).unwrap()
}

/// Signs `message` with `signers` in `form`, with [`POLICY`] when `with_policy`.
pub fn sign(message: &[u8], signers: &[Signer], form: SignedForm, with_policy: bool) -> Vec<u8> {
    let options = SignOptions {
        form,
        secure_headers: with_policy.then(policy),
        ..SignOptions::default()
    };
    smime_core::sign_message(message, signers, &options).unwrap()
}

/// [`options`] with [`POLICY`].
pub fn options_with_policy() -> VerifyOptions {
    let mut o = options();
    o.secure_headers = Some(policy());
    o
}

/// A directory under the system temporary directory, removed when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    /// A new, empty directory whose name starts with `smime-core-<tag>-`.
    pub fn new(tag: &str) -> TempDir {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let dir = std::env::temp_dir().join(format!(
            "smime-core-{tag}-{}-{}-{nanos}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        TempDir(dir)
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.0
    }

    /// A path in the directory.
    pub fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    /// Writes `bytes` to `name` in the directory; returns the path.
    pub fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    /// The contents of the file `name` in the directory.
    pub fn read(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs `program`; a missing binary fails the test (these tests never skip).
pub fn run<S: AsRef<OsStr>>(
    program: &str,
    args: &[S],
    env: &[(&str, &Path)],
    stdin: Option<&[u8]>,
) -> Output {
    let mut cmd = Command::new(program);
    cmd.args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap_or_else(|e| {
        panic!("cannot run `{program}` ({e}): the interop tests need it installed (openssl 3.0, gpgsm 2.2)")
    });
    if let Some(input) = stdin {
        use std::io::Write as _;
        child.stdin.take().unwrap().write_all(input).unwrap();
    }
    child.wait_with_output().unwrap()
}

/// A command line: an array of each argument converted to an `OsString` (`&str`, paths, …).
#[allow(unused_macros)]
macro_rules! args {
    ($($arg:expr),* $(,)?) => {
        [$(std::ffi::OsString::from($arg)),*]
    };
}
#[allow(unused_imports)]
pub(crate) use args;

/// Panics with the tool's output unless it succeeded.
pub fn succeeded<'o>(what: &str, out: &'o Output) -> &'o Output {
    assert!(
        out.status.success(),
        "{what} failed ({}):\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Runs `openssl` with `args`.
pub fn openssl<S: AsRef<OsStr>>(args: &[S]) -> Output {
    run("openssl", args, &[], None)
}

/// The `boundary` parameter of the message's Content-Type.
pub fn boundary(message: &[u8]) -> String {
    let text = String::from_utf8_lossy(message);
    let at = text.find("boundary=").expect("no boundary parameter") + "boundary=".len();
    let rest = &text[at..];
    let value = match rest.strip_prefix('"') {
        Some(quoted) => &quoted[..quoted.find('"').unwrap()],
        None => rest.split([';', '\r', '\n', ' ']).next().unwrap(),
    };
    value.to_string()
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| i + from)
}

/// The end of the line starting at or after `from` (the index after its LF).
fn next_line(bytes: &[u8], from: usize) -> usize {
    find(bytes, b"\n", from).map_or(bytes.len(), |i| i + 1)
}

/// Where the body starts: after the first empty line (CRLF or LF).
fn header_end(bytes: &[u8]) -> usize {
    let crlf = find(bytes, b"\n\r\n", 0).map(|i| i + 3);
    let lf = find(bytes, b"\n\n", 0).map(|i| i + 2);
    match (crlf, lf) {
        (Some(a), Some(b)) => a.min(b),
        (a, b) => a.or(b).expect("no empty line after the header"),
    }
}

/// The decoded base64 body of a part or message (everything after its first empty line).
fn base64_body(bytes: &[u8]) -> Vec<u8> {
    let start = header_end(bytes);
    let text: Vec<u8> = bytes[start..]
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    base64::engine::general_purpose::STANDARD
        .decode(&text)
        .unwrap_or_else(|e| panic!("base64 body: {e}"))
}

/// The parts of multipart/signed, read independently of smime-core (RFC 1847 §2.1): the
/// signed entity (the bytes between the first delimiter line and the line ending before the
/// second delimiter, as they are in the message) and the DER of the signature part.
pub fn detached_parts(message: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let delimiter = format!("--{}", boundary(message));
    let delimiter = delimiter.as_bytes();
    let mut first = find(message, delimiter, 0).unwrap();
    while first > 0 && message[first - 1] != b'\n' {
        first = find(message, delimiter, first + 1).unwrap();
    }
    let start = next_line(message, first);
    let second = find(message, &[b"\n", delimiter].concat(), start).expect("second delimiter");
    let end = if second > start && message[second - 1] == b'\r' {
        second - 1
    } else {
        second
    };
    let sig_start = next_line(message, second + 1);
    let close = find(message, delimiter, sig_start).expect("closing delimiter");
    (
        message[start..end].to_vec(),
        base64_body(&message[sig_start..close]),
    )
}

/// The DER of application/pkcs7-mime (the whole body is the base64 CMS object).
pub fn opaque_cms(message: &[u8]) -> Vec<u8> {
    base64_body(message)
}

/// The CMS object of a detached or opaque message.
pub fn cms_of(message: &[u8]) -> Vec<u8> {
    let header = String::from_utf8_lossy(header_of(message)).to_ascii_lowercase();
    if header.contains("multipart/signed") {
        detached_parts(message).1
    } else {
        opaque_cms(message)
    }
}

/// Base64 in lines of 76 characters, each ending in CRLF.
pub fn base64_lines(der: &[u8]) -> Vec<u8> {
    let text = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = Vec::new();
    for chunk in text.as_bytes().chunks(76) {
        out.extend_from_slice(chunk);
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// multipart/signed around `entity` (kept byte for byte) and the DER signature, CRLF.
pub fn multipart_signed(outer: &[&str], entity: &[u8], cms: &[u8], micalg: &str) -> Vec<u8> {
    let boundary = "----=_interop_test_boundary_0123456789";
    let mut out = Vec::new();
    for field in outer {
        out.extend_from_slice(field.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(
        format!(
            "MIME-Version: 1.0\r\nContent-Type: multipart/signed; protocol=\"application/pkcs7-signature\";\r\n micalg=\"{micalg}\"; boundary=\"{boundary}\"\r\n\r\nThis is an S/MIME signed message\r\n\r\n--{boundary}\r\n"
        )
        .as_bytes(),
    );
    out.extend_from_slice(entity);
    out.extend_from_slice(
        format!(
            "\r\n--{boundary}\r\nContent-Type: application/pkcs7-signature; name=\"smime.p7s\"\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"smime.p7s\"\r\n\r\n"
        )
        .as_bytes(),
    );
    out.extend_from_slice(&base64_lines(cms));
    out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    out
}

/// application/pkcs7-mime; smime-type=signed-data around the DER, CRLF.
pub fn opaque_message(outer: &[&str], cms: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for field in outer {
        out.extend_from_slice(field.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(
        b"MIME-Version: 1.0\r\nContent-Type: application/pkcs7-mime; smime-type=signed-data; name=\"smime.p7m\"\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"smime.p7m\"\r\n\r\n",
    );
    out.extend_from_slice(&base64_lines(cms));
    out
}

/// The header block of `message`, with the empty line that ends it.
pub fn header_of(message: &[u8]) -> &[u8] {
    &message[..header_end(message)]
}

/// Decodes a DER ContentInfo holding SignedData with the `cms` crate.
pub fn signed_data(der: &[u8]) -> cms::signed_data::SignedData {
    let info = cms::content_info::ContentInfo::from_der(der).unwrap();
    assert_eq!(info.content_type, smime_core::oid::ID_SIGNED_DATA);
    info.content.decode_as().unwrap()
}

/// Encodes SignedData as a DER ContentInfo.
pub fn encode_signed_data(sd: &cms::signed_data::SignedData) -> Vec<u8> {
    cms::content_info::ContentInfo {
        content_type: smime_core::oid::ID_SIGNED_DATA,
        content: der::Any::encode_from(sd).unwrap(),
    }
    .to_der()
    .unwrap()
}

/// The encapsulated content of a DER SignedData.
pub fn econtent(der: &[u8]) -> Vec<u8> {
    let sd = signed_data(der);
    let any = sd.encap_content_info.econtent.expect("no eContent");
    any.decode_as::<der::asn1::OctetString>()
        .unwrap()
        .into_bytes()
        .into_vec()
}

/// Why a signer's certificate path failed; `None` when it is valid or was not checked.
pub fn path_failure(signer: &SignerReport) -> Option<PathFailure> {
    match &signer.chain {
        ChainOutcome::Checked(p) => match p.verdict {
            PathVerdict::Valid => None,
            PathVerdict::Invalid { reason, .. } => Some(reason),
        },
        ChainOutcome::NotChecked => None,
    }
}

/// A report in full, for assertion messages.
pub fn show(report: &smime_core::SmimeReport) -> String {
    format!(
        "{report}\n{}",
        serde_json::to_string_pretty(report).unwrap()
    )
}
