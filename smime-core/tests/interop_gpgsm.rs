#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed test may panic
//! Interoperability with gpgsm (GnuPG 2.2), both ways: we verify what `gpgsm --sign` and
//! `gpgsm --detach-sign` produce (wrapped in MIME here: gpgsm signs bytes, not messages), and
//! `gpgsm --verify` accepts our signatures. Each test runs gpgsm in a throwaway GNUPGHOME
//! holding alice-rsa's key and trusting the test root; `gpgsm`, `gpgconf` and `openssl` must be
//! installed: these tests fail, never skip, without them.

mod common;

use std::process::Output;

use common::*;
use der::Encode as _;
use sha1::Digest as _;
use smime_core::{
    AddressMatch, HeadersOutcome, SignatureAlgorithm, SignatureFailure, SignatureVerdict,
    SignedForm, SmimeReport, verify_message,
};

/// A GnuPG home with alice-rsa's key and certificate, the intermediate, and root.pem marked
/// trusted. Dropping it stops the gpg-agent gpgsm started for it and removes the directory.
struct GpgHome {
    dir: TempDir,
    /// One gpgsm home at a time: several gpg-agents starting together under load have handed
    /// gpgsm an empty loopback passphrase for the PKCS#12 import.
    _serial: std::sync::MutexGuard<'static, ()>,
}

static ONE_HOME_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

impl GpgHome {
    fn new() -> GpgHome {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = TempDir::new("gpgsm");
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
        let serial = ONE_HOME_AT_A_TIME
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let home = GpgHome {
            dir,
            _serial: serial,
        };
        // Start this home's agent before anything asks it for a passphrase.
        let _ = run(
            "gpgconf",
            &args!["--launch", "gpg-agent"],
            &[("GNUPGHOME", home.dir.path())],
            None,
        );

        // gpgsm 2.2 cannot read OpenSSL 3's default PKCS#12 (PBES2 with AES-256 and
        // HMAC-SHA-256: "encryptedData error at pkcs5PBES2-params"); it reads 3DES PBE with a
        // SHA-1 MAC, which the default provider still writes.
        let p12 = home.dir.join("alice.p12");
        succeeded(
            "openssl pkcs12 -export",
            &openssl(&args![
                "pkcs12",
                "-export",
                "-in",
                pki_path("alice-rsa.pem"),
                "-inkey",
                pki_path("alice-rsa.key"),
                "-certfile",
                pki_path("intermediate.pem"),
                "-passout",
                "pass:test",
                "-keypbe",
                "PBE-SHA1-3DES",
                "-certpbe",
                "PBE-SHA1-3DES",
                "-macalg",
                "sha1",
                "-out",
                &p12,
            ]),
        );
        // gpgsm 2.2 has no --passphrase (an abbreviation of --passphrase-fd would be taken):
        // the passphrase comes on stdin.
        // Under load, gpg-agent 2.2 sometimes starts while gpgsm asks it for the loopback
        // passphrase and the PKCS#12 key bag is then decrypted with an empty one ("decryption
        // failed"); the import is repeated (at most three times) before it must succeed.
        let mut import = home.gpgsm_with_passphrase(&args!["--import", &p12]);
        for _ in 0..2 {
            if import.status.success() {
                break;
            }
            import = home.gpgsm_with_passphrase(&args!["--import", &p12]);
        }
        succeeded("gpgsm --import alice.p12", &import);
        let stderr = String::from_utf8_lossy(&import.stderr);
        assert!(stderr.contains("secret keys imported: 1"), "{stderr}");
        succeeded(
            "gpgsm --import root.pem",
            &home.gpgsm(&args!["--import", pki_path("root.pem")], None),
        );
        // trustlist.txt: the root's SHA-1 fingerprint, flag S (trusted for S/MIME).
        let root = smime_core::load_certificates(&pki("root.pem"))
            .unwrap()
            .remove(0);
        let fingerprint: Vec<String> = sha1::Sha1::digest(root.to_der().unwrap())
            .iter()
            .map(|b| format!("{b:02X}"))
            .collect();
        home.dir.write(
            "trustlist.txt",
            format!("{} S\n", fingerprint.join(":")).as_bytes(),
        );
        home
    }

    /// gpgsm in this home, offline (no dirmngr, no CRL checks), status lines on stdout.
    fn gpgsm(&self, args: &[std::ffi::OsString], stdin: Option<&[u8]>) -> Output {
        let mut all = Vec::from(args![
            "--batch",
            "--disable-dirmngr",
            "--disable-crl-checks",
            "--status-fd",
            "1"
        ]);
        all.extend(args.iter().cloned());
        run("gpgsm", &all, &[("GNUPGHOME", self.dir.path())], stdin)
    }

    fn gpgsm_with_passphrase(&self, args: &[std::ffi::OsString]) -> Output {
        let mut all = Vec::from(args!["--pinentry-mode", "loopback", "--passphrase-fd", "0"]);
        all.extend(args.iter().cloned());
        self.gpgsm(&all, Some(b"test\n"))
    }

    /// Signs `content` as alice@example.com; returns the DER gpgsm wrote.
    fn sign(&self, content: &[u8], form: SignedForm) -> Vec<u8> {
        let input = self.dir.write("content", content);
        let output = self.dir.join("signature");
        let _ = std::fs::remove_file(&output);
        let mode = match form {
            SignedForm::Detached => "--detach-sign",
            SignedForm::Opaque => "--sign",
        };
        let out = self.gpgsm_with_passphrase(&args![
            "-u",
            "alice@example.com",
            "-o",
            &output,
            mode,
            &input
        ]);
        succeeded(&format!("gpgsm {mode}"), &out);
        assert!(String::from_utf8_lossy(&out.stdout).contains("[GNUPG:] SIG_CREATED"));
        std::fs::read(output).unwrap()
    }

    /// `gpgsm --verify` of a detached signature over `content`, or of an opaque one
    /// (`content` None); returns the status lines, and what gpgsm wrote for an opaque one.
    fn verify(&self, cms: &[u8], content: Option<&[u8]>) -> (Output, Vec<u8>) {
        let signature = self.dir.write("verify.p7s", cms);
        let output = self.dir.join("verified");
        let _ = std::fs::remove_file(&output);
        let out = match content {
            Some(content) => {
                let data = self.dir.write("verify.data", content);
                self.gpgsm(&args!["--verify", &signature, &data], None)
            }
            None => self.gpgsm(&args!["-o", &output, "--verify", &signature], None),
        };
        (out, std::fs::read(output).unwrap_or_default())
    }
}

impl Drop for GpgHome {
    fn drop(&mut self) {
        // Stop the agent gpgsm started for this home only.
        let _ = run(
            "gpgconf",
            &["--kill", "gpg-agent"],
            &[("GNUPGHOME", self.dir.path())],
            None,
        );
    }
}

fn status(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn good_signature(out: &Output) -> bool {
    let status = status(out);
    out.status.success()
        && status.contains("[GNUPG:] GOODSIG")
        && status.contains("[GNUPG:] VALIDSIG")
        && !status.contains("[GNUPG:] BADSIG")
}

/// gpgsm's signature of [`ENTITY`] (CRLF, exactly the bytes gpgsm signed) as a message from
/// Alice to Bob.
fn gpgsm_message(home: &GpgHome, form: SignedForm) -> Vec<u8> {
    let cms = home.sign(ENTITY, form);
    match form {
        SignedForm::Detached => multipart_signed(OUTER, ENTITY, &cms, "sha-256"),
        SignedForm::Opaque => {
            // Check the gpgsm output carries the entity itself.
            let message = opaque_message(OUTER, &cms);
            assert!(
                cms.windows(ENTITY.len()).any(|w| w == ENTITY),
                "no encapsulated entity"
            );
            message
        }
    }
}

fn check_gpgsm_message(message: &[u8], form: SignedForm) -> SmimeReport {
    let report = verify_message(message, &options()).unwrap_or_else(|e| {
        panic!("{e}\n{}", String::from_utf8_lossy(message));
    });
    assert_eq!(report.form, form);
    assert_eq!(report.signers.len(), 1, "{}", show(&report));
    let s = &report.signers[0];
    assert_eq!(s.signature, SignatureVerdict::Valid, "{}", show(&report));
    assert!(s.algorithm.contains("rsa"), "{}", s.algorithm);
    assert_eq!(
        s.address,
        AddressMatch::Matched {
            address: "alice@example.com".into()
        },
        "{}",
        show(&report)
    );
    assert!(
        matches!(&report.headers, HeadersOutcome::NotSecured { mandatory } if mandatory.is_empty()),
        "{}",
        show(&report)
    );
    report
}

#[test]
fn we_verify_gpgsm_detached() {
    let home = GpgHome::new();
    check_gpgsm_message(
        &gpgsm_message(&home, SignedForm::Detached),
        SignedForm::Detached,
    );
}

#[test]
fn we_verify_gpgsm_opaque() {
    let home = GpgHome::new();
    check_gpgsm_message(
        &gpgsm_message(&home, SignedForm::Opaque),
        SignedForm::Opaque,
    );
}

#[test]
fn we_detect_a_changed_entity_under_a_gpgsm_signature() {
    let home = GpgHome::new();
    let cms = home.sign(ENTITY, SignedForm::Detached);
    let changed = String::from_utf8(ENTITY.to_vec())
        .unwrap()
        .replace("Hello Bob", "Hello Rob");
    let message = multipart_signed(OUTER, changed.as_bytes(), &cms, "sha-256");
    let report = verify_message(&message, &options()).unwrap();
    assert!(
        matches!(
            &report.signers[0].signature,
            SignatureVerdict::Invalid {
                reason: SignatureFailure::DigestMismatch,
                ..
            }
        ),
        "{}",
        show(&report)
    );
    assert!(!report.is_valid());
}

#[test]
fn gpgsm_verifies_our_detached_signatures() {
    let home = GpgHome::new();
    // RSASSA-PSS: gpgsm 2.2 accepts only a salt as long as the hash, which is what we write.
    // Ed25519 in CMS is not supported by gpgsm 2.2.
    let cases = [
        ("alice-rsa", SignatureAlgorithm::RsaPkcs1Sha256),
        ("alice-rsa", SignatureAlgorithm::RsaPkcs1Sha384),
        ("alice-rsa", SignatureAlgorithm::RsaPkcs1Sha512),
        ("alice-rsa", SignatureAlgorithm::RsaPssSha256),
        ("alice-rsa", SignatureAlgorithm::RsaPssSha384),
        ("alice-rsa", SignatureAlgorithm::RsaPssSha512),
        ("alice-p256", SignatureAlgorithm::EcdsaP256Sha256),
        ("alice-p384", SignatureAlgorithm::EcdsaP384Sha384),
    ];
    for (name, algorithm) in cases {
        let message = sign(
            MESSAGE,
            &[signer_with(name, algorithm)],
            SignedForm::Detached,
            true,
        );
        let (entity, cms) = detached_parts(&message);
        let (out, _) = home.verify(&cms, Some(&entity));
        assert!(
            good_signature(&out),
            "{}: gpgsm --verify failed:\n{}\n{}",
            algorithm.name(),
            status(&out),
            String::from_utf8_lossy(&out.stderr)
        );
        // And the check can fail: one changed byte of the entity.
        let changed = String::from_utf8(entity)
            .unwrap()
            .replace("Hello Bob", "Hello Rob");
        let (out, _) = home.verify(&cms, Some(changed.as_bytes()));
        assert!(
            !good_signature(&out),
            "{}: gpgsm accepted a changed entity",
            algorithm.name()
        );
        assert!(status(&out).contains("[GNUPG:] BADSIG"), "{}", status(&out));
    }
}

#[test]
fn gpgsm_verifies_our_opaque_signature() {
    let home = GpgHome::new();
    for name in ["alice-rsa", "alice-p256"] {
        let message = sign(MESSAGE, &[signer(name)], SignedForm::Opaque, true);
        let cms = opaque_cms(&message);
        let (out, content) = home.verify(&cms, None);
        assert!(
            good_signature(&out),
            "{name}: {}\n{}",
            status(&out),
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            content,
            econtent(&cms),
            "{name}: gpgsm gives back another content"
        );
        assert!(content.ends_with(b"\r\n\r\nHello Bob,\r\nthe figures are attached.\r\n"));
    }
}

/// Needs certificate path validation: gpgsm's messages verify as valid (signature, chain
/// to root.pem through the intermediate gpgsm includes, address, headers).
#[test]
fn gpgsm_messages_are_valid_reports() {
    let home = GpgHome::new();
    let mut failures = Vec::new();
    for form in [SignedForm::Detached, SignedForm::Opaque] {
        match verify_message(&gpgsm_message(&home, form), &options()) {
            Ok(report) if report.is_valid() => {}
            Ok(report) => failures.push(format!("{}: {:?}", form.name(), report.failures())),
            Err(e) => failures.push(format!("{}: {e}", form.name())),
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
