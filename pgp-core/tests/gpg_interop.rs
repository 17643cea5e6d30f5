//! Interoperability with GnuPG 2.2, both ways, for RSA-3072 and Ed25519/Cv25519 keys.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed test may panic

// Each test runs gpg in a throwaway GNUPGHOME (short, under /tmp: the agent's socket path
// must fit in a `sockaddr_un`) with a loopback pinentry, and stops its agent when done. When
// `gpg` is not installed a test prints a note and passes, unless `MAILSEC_REQUIRE_GPG=1`
// (CI) makes it fail.

use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

use pgp_core::openpgp;
use pgp_core::{
    CipherSuite, Error, Key, KeyOptions, KeyStore, PgpPolicy, Protection, RevocationReason,
    SignMode, SignatureVerdict, VerificationReport, decrypt, encrypt, sign, verify_detached,
    verify_inline,
};

use openpgp::packet::Tag;
use openpgp::parse::Parse;

/// The passphrase of every protected key here, ours and gpg's.
const PASSPHRASE: &str = "interop passphrase";

const DATA: &[u8] = b"From: someone@example.org\r\nSubject: interop\r\n\r\nHello, GnuPG.\r\n";

/// A message to wrap in PGP/MIME.
const MESSAGE: &[u8] = b"From: Cleo <cleo@example.org>\r\n\
To: Bob <bob@example.net>\r\n\
Subject: PGP/MIME with GnuPG\r\n\
Date: Mon, 23 Nov 2026 08:00:00 +0000\r\n\
Message-ID: <interop-1@example.org>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: text/plain; charset=us-ascii\r\n\
\r\n\
Hello over PGP/MIME.\r\n";

fn policy() -> PgpPolicy {
    PgpPolicy::new()
}

/// Our key of each cipher suite, generated once (RSA-3072 costs about a second).
fn our_key(suite: CipherSuite) -> &'static Key {
    static RSA: OnceLock<Key> = OnceLock::new();
    static CV: OnceLock<Key> = OnceLock::new();
    let (cell, userid) = match suite {
        CipherSuite::Cv25519 => (&CV, "Cleo Interop <cleo@example.org>"),
        _ => (&RSA, "Rosa Interop <rosa@example.org>"),
    };
    cell.get_or_init(|| {
        let options = KeyOptions {
            cipher_suite: suite,
            ..KeyOptions::default()
        };
        Key::generate(userid, &options).unwrap().0
    })
}

const SUITES: [CipherSuite; 2] = [CipherSuite::Rsa3k, CipherSuite::Cv25519];

/// The fingerprint of the one subkey of `key` with the capability `signing` (else encryption).
fn subkey(key: &Key, signing: bool) -> String {
    let policy = policy();
    let valid = key.cert().with_policy(policy.standard(), None).unwrap();
    let found: Vec<String> = if signing {
        valid
            .keys()
            .subkeys()
            .for_signing()
            .map(|k| k.key().fingerprint().to_hex())
            .collect()
    } else {
        valid
            .keys()
            .subkeys()
            .for_transport_encryption()
            .map(|k| k.key().fingerprint().to_hex())
            .collect()
    };
    assert_eq!(found.len(), 1, "{key:?}");
    found[0].clone()
}

/// A gpg run: its exit status, output, and the status lines (`--status-fd 2`).
struct Run {
    output: Output,
    status: Vec<String>,
}

impl Run {
    fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }

    /// The fields after the keyword of the first status line `[GNUPG:] KEYWORD ...`.
    fn status_line(&self, keyword: &str) -> Option<Vec<&str>> {
        self.status.iter().find_map(|line| {
            let mut words = line.split(' ');
            (words.next() == Some(keyword)).then(|| words.collect())
        })
    }

    fn has(&self, keyword: &str) -> bool {
        self.status_line(keyword).is_some()
    }

    fn success(&self) -> bool {
        self.output.status.success()
    }

    /// gpg found a good signature by `key`: exit 0, GOODSIG, and VALIDSIG naming its signing
    /// subkey and its primary key.
    fn assert_good_signature(&self, key: &Key) {
        assert!(self.success(), "gpg failed:\n{}", self.stderr());
        assert!(self.has("GOODSIG"), "{}", self.stderr());
        assert!(!self.has("BADSIG"), "{}", self.stderr());
        let validsig = self.status_line("VALIDSIG").expect("VALIDSIG");
        assert_eq!(validsig[0], subkey(key, true), "{}", self.stderr());
        assert_eq!(validsig.last().copied(), Some(key.fingerprint().as_str()));
    }
}

/// A throwaway GnuPG home. Dropping it stops its agent and removes it.
struct Gpg {
    dir: tempfile::TempDir,
}

/// A GnuPG home, or `None` (after a note) when gpg is not installed and not required.
fn gpg() -> Option<Gpg> {
    let installed = Command::new("gpg")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !installed {
        assert!(
            std::env::var("MAILSEC_REQUIRE_GPG").as_deref() != Ok("1"),
            "gpg is not installed, and MAILSEC_REQUIRE_GPG=1 requires it"
        );
        eprintln!("note: gpg is not installed; GnuPG interoperability not tested");
        return None;
    }
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::Builder::new()
        .prefix("gpg")
        .tempdir_in("/tmp")
        .unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
    // The smallest S2K count: with the calibrated default, every use of a protected key
    // costs the agent about a second on a busy machine.
    std::fs::write(
        dir.path().join("gpg-agent.conf"),
        "allow-loopback-pinentry\ns2k-count 65536\n",
    )
    .unwrap();
    Some(Gpg { dir })
}

impl Drop for Gpg {
    fn drop(&mut self) {
        let _ = Command::new("gpgconf")
            .arg("--homedir")
            .arg(self.dir.path())
            .args(["--kill", "gpg-agent"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

impl Gpg {
    /// Runs gpg in this home, in batch mode, with the loopback passphrase, status lines on
    /// stderr, every key trusted, and no key fetched from the network.
    fn run(&self, args: &[&str]) -> Run {
        let output = Command::new("gpg")
            .arg("--homedir")
            .arg(self.dir.path())
            .args([
                "--batch",
                "--no-tty",
                "--yes",
                "--pinentry-mode",
                "loopback",
                "--passphrase",
                PASSPHRASE,
                "--status-fd",
                "2",
                "--trust-model",
                "always",
                "--no-auto-key-retrieve",
                "--auto-key-locate",
                "local",
            ])
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let status = String::from_utf8_lossy(&output.stderr)
            .lines()
            .filter_map(|l| l.strip_prefix("[GNUPG:] ").map(str::to_owned))
            .collect();
        Run { output, status }
    }

    /// Like [`Gpg::run`], failing the test when gpg fails.
    fn ok(&self, args: &[&str]) -> Run {
        let run = self.run(args);
        assert!(run.success(), "gpg {args:?} failed:\n{}", run.stderr());
        run
    }

    /// Writes `bytes` to a file of the home and returns its path.
    fn file(&self, name: &str, bytes: &[u8]) -> String {
        let path = self.dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path.to_str().unwrap().to_owned()
    }

    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).to_str().unwrap().to_owned()
    }

    fn import(&self, bytes: &[u8]) {
        let path = self.file("import.pgp", bytes);
        let run = self.ok(&["--import", &path]);
        assert!(run.has("IMPORT_OK"), "{}", run.stderr());
    }

    /// The fingerprint of the first key matching `query`.
    fn fingerprint(&self, query: &str) -> String {
        let run = self.ok(&["--with-colons", "--list-keys", query]);
        let listing = String::from_utf8_lossy(&run.output.stdout).into_owned();
        let fpr = listing
            .lines()
            .find_map(|l| l.strip_prefix("fpr:"))
            .expect("a fingerprint in the listing");
        fpr.split(':').nth(8).unwrap().to_owned()
    }
}

fn read(path: &str) -> Vec<u8> {
    std::fs::read(path).unwrap()
}

fn assert_good(report: &VerificationReport, key: &Key) {
    assert!(report.is_valid(), "{report}");
    assert_eq!(report.signatures.len(), 1, "{report}");
    assert_eq!(report.signatures[0].verdict, SignatureVerdict::Good);
    assert_eq!(report.good_signers(), [key.fingerprint().as_str()]);
}

fn gpg_verifies_our_signatures(suite: CipherSuite) {
    let Some(gpg) = gpg() else { return };
    let key = our_key(suite);
    gpg.import(&key.export_cert(true).unwrap());
    let data = gpg.file("data.txt", DATA);
    let mut altered = DATA.to_vec();
    altered[DATA.len() - 4] ^= 0x01;
    let altered = gpg.file("altered.txt", &altered);

    for armor in [true, false] {
        let sig = sign(
            DATA,
            std::slice::from_ref(key),
            SignMode::Detached,
            armor,
            &policy(),
        )
        .unwrap();
        let sig = gpg.file("data.sig", &sig);
        gpg.run(&["--verify", &sig, &data])
            .assert_good_signature(key);
        // gpg notices altered data: the check above means something.
        let run = gpg.run(&["--verify", &sig, &altered]);
        assert!(!run.success());
        assert!(run.has("BADSIG"), "{}", run.stderr());

        let msg = sign(
            DATA,
            std::slice::from_ref(key),
            SignMode::Inline,
            armor,
            &policy(),
        )
        .unwrap();
        let msg = gpg.file("msg.gpg", &msg);
        gpg.run(&["--verify", &msg]).assert_good_signature(key);
        let run = gpg.run(&["--decrypt", &msg]);
        run.assert_good_signature(key);
        assert_eq!(run.output.stdout, DATA);
    }
}

#[test]
fn gpg_verifies_our_signatures_rsa() {
    gpg_verifies_our_signatures(CipherSuite::Rsa3k);
}

#[test]
fn gpg_verifies_our_signatures_ed25519() {
    gpg_verifies_our_signatures(CipherSuite::Cv25519);
}

fn gpg_decrypts_our_messages(suite: CipherSuite) {
    let Some(gpg) = gpg() else { return };
    let key = our_key(suite);
    gpg.import(&key.export_secret(true).unwrap());
    for armor in [true, false] {
        let sealed = encrypt(DATA, &[key.public()], &[], armor, &policy()).unwrap();
        let sealed = gpg.file("sealed.gpg", &sealed);
        let run = gpg.ok(&["--decrypt", &sealed]);
        assert!(run.has("DECRYPTION_OKAY"), "{}", run.stderr());
        assert!(!run.has("GOODSIG"));
        assert_eq!(run.output.stdout, DATA);

        // Signed, then encrypted.
        let sealed = encrypt(
            DATA,
            &[key.public()],
            std::slice::from_ref(key),
            armor,
            &policy(),
        )
        .unwrap();
        let sealed = gpg.file("signed.gpg", &sealed);
        let run = gpg.run(&["--decrypt", &sealed]);
        run.assert_good_signature(key);
        assert!(run.has("DECRYPTION_OKAY"), "{}", run.stderr());
        assert_eq!(run.output.stdout, DATA);
    }
}

#[test]
fn gpg_decrypts_our_messages_rsa() {
    gpg_decrypts_our_messages(CipherSuite::Rsa3k);
}

#[test]
fn gpg_decrypts_our_messages_cv25519() {
    gpg_decrypts_our_messages(CipherSuite::Cv25519);
}

fn we_verify_gpg_signatures(suite: CipherSuite) {
    let Some(gpg) = gpg() else { return };
    let key = our_key(suite);
    gpg.import(&key.export_secret(true).unwrap());
    let fpr = key.fingerprint();
    let data = gpg.file("data.txt", DATA);

    for armor in [&[][..], &["--armor"][..]] {
        let out = gpg.path("data.sig");
        gpg.ok(&[&["-u", &fpr, "--detach-sign", "-o", &out], armor, &[&data]].concat());
        let sig = read(&out);
        assert_eq!(
            sig.starts_with(b"-----BEGIN PGP SIGNATURE-----"),
            !armor.is_empty()
        );
        let report = verify_detached(DATA, &sig, &[key.public()], &policy()).unwrap();
        assert_good(&report, key);
        assert_eq!(
            report.signatures[0].signing_key.as_deref(),
            Some(subkey(key, true).as_str())
        );
        let report = verify_detached(b"other data", &sig, &[key.public()], &policy()).unwrap();
        assert_eq!(report.signatures[0].verdict, SignatureVerdict::Bad);

        let out = gpg.path("data.gpg");
        gpg.ok(&[&["-u", &fpr, "--sign", "-o", &out], armor, &[&data]].concat());
        let verified = verify_inline(&read(&out), &[key.public()], &policy()).unwrap();
        assert_eq!(verified.content, DATA);
        assert_good(&verified.report, key);
    }

    // The cleartext signature framework (RFC 9580 §7).
    let out = gpg.path("data.asc");
    gpg.ok(&["-u", &fpr, "--clearsign", "-o", &out, &data]);
    let verified = verify_inline(&read(&out), &[key.public()], &policy()).unwrap();
    assert_good(&verified.report, key);
    assert!(
        String::from_utf8_lossy(&verified.content).contains("Hello, GnuPG."),
        "{:?}",
        String::from_utf8_lossy(&verified.content)
    );
}

#[test]
fn we_verify_gpg_signatures_rsa() {
    we_verify_gpg_signatures(CipherSuite::Rsa3k);
}

#[test]
fn we_verify_gpg_signatures_ed25519() {
    we_verify_gpg_signatures(CipherSuite::Cv25519);
}

fn we_decrypt_gpg_messages(suite: CipherSuite) {
    let Some(gpg) = gpg() else { return };
    let key = our_key(suite);
    gpg.import(&key.export_secret(true).unwrap());
    let fpr = key.fingerprint();
    let data = gpg.file("data.txt", DATA);

    for armor in [&[][..], &["--armor"][..]] {
        let out = gpg.path("data.gpg");
        gpg.ok(&[&["-r", &fpr, "--encrypt", "-o", &out], armor, &[&data]].concat());
        let opened = decrypt(&read(&out), std::slice::from_ref(key), &[], &policy()).unwrap();
        assert_eq!(opened.content, DATA);
        assert_eq!(
            opened.report.decrypted_with.as_deref(),
            Some(subkey(key, false).as_str())
        );
        assert_eq!(
            opened.report.decrypted_with_cert.as_deref(),
            Some(fpr.as_str())
        );
        assert_eq!(opened.report.protection, Protection::SeipdV1);
        assert!(opened.report.signatures.signatures.is_empty());

        let out = gpg.path("signed.gpg");
        gpg.ok(&[
            &["-u", &fpr, "-r", &fpr, "--encrypt", "--sign", "-o", &out],
            armor,
            &[&data],
        ]
        .concat());
        let opened = decrypt(
            &read(&out),
            std::slice::from_ref(key),
            &[key.public()],
            &policy(),
        )
        .unwrap();
        assert_eq!(opened.content, DATA);
        assert_good(&opened.report.signatures, key);
    }
}

#[test]
fn we_decrypt_gpg_messages_rsa() {
    we_decrypt_gpg_messages(CipherSuite::Rsa3k);
}

#[test]
fn we_decrypt_gpg_messages_cv25519() {
    we_decrypt_gpg_messages(CipherSuite::Cv25519);
}

/// A key made by gpg (protected with the passphrase) goes into our key store and works both
/// ways.
fn gpg_generated_key_works_here(primary: &str, encryption: &str) {
    let Some(gpg) = gpg() else { return };
    let userid = format!("Gee Pee {primary} <gee@example.org>");
    gpg.ok(&["--quick-gen-key", &userid, primary, "sign", "never"]);
    let fpr = gpg.fingerprint("gee@example.org");
    gpg.ok(&["--quick-add-key", &fpr, encryption, "encr", "never"]);

    let cert = gpg.ok(&["--armor", "--export", &fpr]).output.stdout;
    let secret = gpg
        .ok(&["--armor", "--export-secret-keys", &fpr])
        .output
        .stdout;
    let cert = Key::from_bytes(&cert).unwrap();
    assert_eq!(cert.fingerprint(), fpr);
    assert_eq!(cert.user_ids(), [userid.as_str()]);
    assert_eq!(cert.key_fingerprints().len(), 2);
    assert!(!cert.has_secret());
    let secret = Key::from_bytes(&secret).unwrap();
    assert!(secret.has_secret());
    assert!(secret.is_locked());

    let store_dir = tempfile::tempdir().unwrap();
    let store = KeyStore::open(store_dir.path()).unwrap();
    store.insert(&cert).unwrap();
    store.insert(&secret).unwrap();
    let found = store.lookup("<GEE@example.org>").unwrap();
    assert_eq!(found.len(), 1);
    let stored = &found[0];
    assert_eq!(stored.fingerprint(), fpr);
    assert!(stored.is_locked());
    assert!(matches!(stored.unlock("not it"), Err(Error::Locked { .. })));
    let e = sign(
        DATA,
        std::slice::from_ref(stored),
        SignMode::Detached,
        true,
        &policy(),
    )
    .unwrap_err();
    assert!(matches!(e, Error::Locked { .. }), "{e:?}");
    let unlocked = stored.unlock(PASSPHRASE).unwrap();
    assert!(!unlocked.is_locked());
    let cert = store.lookup(&fpr).unwrap().remove(0).public();

    // Our signature with gpg's key, checked by gpg.
    let data = gpg.file("data.txt", DATA);
    let sig = sign(
        DATA,
        std::slice::from_ref(&unlocked),
        SignMode::Detached,
        true,
        &policy(),
    )
    .unwrap();
    let sig = gpg.file("data.sig", &sig);
    let run = gpg.run(&["--verify", &sig, &data]);
    assert!(run.success(), "{}", run.stderr());
    let validsig = run.status_line("VALIDSIG").expect("VALIDSIG");
    assert_eq!(validsig.last().copied(), Some(fpr.as_str()));

    // Our encryption to gpg's key, read by gpg.
    let sealed = encrypt(
        DATA,
        std::slice::from_ref(&cert),
        std::slice::from_ref(&unlocked),
        true,
        &policy(),
    )
    .unwrap();
    let sealed = gpg.file("sealed.asc", &sealed);
    let run = gpg.ok(&["--decrypt", &sealed]);
    assert!(
        run.has("DECRYPTION_OKAY") && run.has("GOODSIG"),
        "{}",
        run.stderr()
    );
    assert_eq!(run.output.stdout, DATA);

    // gpg's signature and encryption, read here with the stored keys.
    let out = gpg.path("signed.gpg");
    gpg.ok(&[
        "-u",
        &fpr,
        "-r",
        &fpr,
        "--encrypt",
        "--sign",
        "-o",
        &out,
        &data,
    ]);
    let opened = decrypt(
        &read(&out),
        std::slice::from_ref(&unlocked),
        std::slice::from_ref(&cert),
        &policy(),
    )
    .unwrap();
    assert_eq!(opened.content, DATA);
    assert_good(&opened.report.signatures, &cert);
    let e = decrypt(&read(&out), std::slice::from_ref(stored), &[], &policy()).unwrap_err();
    assert!(matches!(e, Error::Locked { .. }), "{e:?}");
}

#[test]
fn gpg_generated_ed25519_key_works_here() {
    gpg_generated_key_works_here("ed25519", "cv25519");
}

#[test]
fn gpg_generated_rsa_key_works_here() {
    gpg_generated_key_works_here("rsa3072", "rsa3072");
}

/// Our password-protected secret key and our revocation certificate import into gpg.
fn our_keys_work_in_gpg(suite: CipherSuite) {
    let Some(gpg) = gpg() else { return };
    let key = our_key(suite);
    let fpr = key.fingerprint();
    let locked = key.lock(PASSPHRASE).unwrap();

    gpg.import(&key.export_cert(true).unwrap());
    gpg.import(&locked.export_secret(false).unwrap());
    let run = gpg.ok(&["--with-colons", "--list-secret-keys", &fpr]);
    let listing = String::from_utf8_lossy(&run.output.stdout).into_owned();
    assert!(listing.lines().any(|l| l.starts_with("sec:")), "{listing}");
    assert_eq!(
        listing.lines().filter(|l| l.starts_with("ssb:")).count(),
        2,
        "{listing}"
    );
    assert!(
        listing.contains(&format!("fpr:::::::::{fpr}:")),
        "{listing}"
    );
    let uid = &key.user_ids()[0];
    assert!(
        listing
            .lines()
            .any(|l| l.starts_with("uid:") && l.contains(uid.as_str())),
        "{listing}"
    );

    // gpg uses it (with the passphrase): signs and decrypts.
    let data = gpg.file("data.txt", DATA);
    let out = gpg.path("data.sig");
    gpg.ok(&["-u", &fpr, "--detach-sign", "-o", &out, &data]);
    let report = verify_detached(DATA, &read(&out), &[key.public()], &policy()).unwrap();
    assert_good(&report, key);
    let sealed = encrypt(DATA, &[key.public()], &[], false, &policy()).unwrap();
    let sealed = gpg.file("sealed.gpg", &sealed);
    assert_eq!(gpg.ok(&["--decrypt", &sealed]).output.stdout, DATA);

    // Our revocation certificate revokes the key in gpg too.
    let revocation = key
        .revocation_certificate(RevocationReason::Retired, "interop test")
        .unwrap();
    // gpg 2.2 updates its trust database on importing a revocation, which the "always"
    // trust model never created: this import uses the default model.
    let path = gpg.file("revocation.asc", &revocation);
    let run = gpg.ok(&["--trust-model", "pgp", "--import", &path]);
    // IMPORT_RES: the ninth count is of new revocations.
    let counts = run.status_line("IMPORT_RES").expect("IMPORT_RES");
    assert_eq!(counts[8], "1", "{}", run.stderr());
    let run = gpg.ok(&["--with-colons", "--list-keys", &fpr]);
    let listing = String::from_utf8_lossy(&run.output.stdout).into_owned();
    let pub_line = listing.lines().find(|l| l.starts_with("pub:")).unwrap();
    assert_eq!(pub_line.split(':').nth(1), Some("r"), "{listing}");
    let run = gpg.run(&["-r", &fpr, "--encrypt", "-o", &gpg.path("x.gpg"), &data]);
    assert!(!run.success(), "gpg encrypted to a revoked key");
}

#[test]
fn our_rsa_keys_work_in_gpg() {
    our_keys_work_in_gpg(CipherSuite::Rsa3k);
}

#[test]
fn our_cv25519_keys_work_in_gpg() {
    our_keys_work_in_gpg(CipherSuite::Cv25519);
}

#[test]
fn sha1_signatures_from_gpg_are_rejected() {
    let Some(gpg) = gpg() else { return };
    let key = our_key(CipherSuite::Rsa3k);
    gpg.import(&key.export_secret(true).unwrap());
    let fpr = key.fingerprint();
    let data = gpg.file("data.txt", DATA);

    let out = gpg.path("data.sig");
    gpg.ok(&[
        "-u",
        &fpr,
        "--digest-algo",
        "SHA1",
        "--detach-sign",
        "-o",
        &out,
        &data,
    ]);
    let report = verify_detached(DATA, &read(&out), &[key.public()], &policy()).unwrap();
    assert!(!report.is_valid(), "{report}");
    assert_eq!(report.signatures.len(), 1);
    assert_eq!(
        report.signatures[0].verdict,
        SignatureVerdict::Rejected,
        "{report}"
    );
    assert_eq!(report.signatures[0].hash_algorithm, "SHA1");

    let out = gpg.path("data.gpg");
    gpg.ok(&[
        "-u",
        &fpr,
        "--digest-algo",
        "SHA1",
        "--sign",
        "-o",
        &out,
        &data,
    ]);
    let verified = verify_inline(&read(&out), &[key.public()], &policy()).unwrap();
    assert_eq!(
        verified.report.signatures[0].verdict,
        SignatureVerdict::Rejected
    );
    assert!(!verified.report.is_valid());

    // The same signature with SHA-256 is good: the hash is what was rejected.
    let out = gpg.path("data256.sig");
    gpg.ok(&[
        "-u",
        &fpr,
        "--digest-algo",
        "SHA256",
        "--detach-sign",
        "-o",
        &out,
        &data,
    ]);
    let report = verify_detached(DATA, &read(&out), &[key.public()], &policy()).unwrap();
    assert_good(&report, key);
}

#[test]
fn unprotected_gpg_messages_are_refused() {
    let Some(gpg) = gpg() else { return };
    for suite in SUITES {
        let key = our_key(suite);
        gpg.import(&key.export_cert(true).unwrap());
        let fpr = key.fingerprint();
        let data = gpg.file("data.txt", DATA);
        let out = gpg.path("sed.gpg");
        // RFC 2440 mode with a 64-bit block cipher: gpg 2.2 writes a Symmetrically Encrypted
        // Data packet, without MDC.
        gpg.ok(&[
            "-r",
            &fpr,
            "--rfc2440",
            "--cipher-algo",
            "CAST5",
            "--encrypt",
            "-o",
            &out,
            &data,
        ]);
        let message = read(&out);
        let pile = openpgp::PacketPile::from_bytes(&message).unwrap();
        assert!(
            pile.children().any(|p| p.tag() == Tag::SED),
            "gpg wrote no SED packet: {pile:?}"
        );
        let e = decrypt(&message, std::slice::from_ref(key), &[], &policy()).unwrap_err();
        assert!(matches!(e, Error::Unprotected), "{e:?}");
        assert!(e.is_bad_input());
    }
}

/// The header (up to and with the CRLF ending its last field) and the body of an entity.
fn split_entity(entity: &[u8]) -> (&[u8], &[u8]) {
    let at = entity
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("an empty line after the header");
    (&entity[..at + 2], &entity[at + 4..])
}

/// The unfolded value of the first header field `name`.
fn field(header: &[u8], name: &str) -> Option<String> {
    let text = String::from_utf8_lossy(header)
        .replace("\r\n ", " ")
        .replace("\r\n\t", " ");
    text.split("\r\n").find_map(|line| {
        let (n, v) = line.split_once(':')?;
        n.trim()
            .eq_ignore_ascii_case(name)
            .then(|| v.trim().to_owned())
    })
}

/// A parameter of a structured field value (`boundary="x"` or `boundary=x`).
fn param(value: &str, name: &str) -> Option<String> {
    value.split(';').skip(1).find_map(|p| {
        let (n, v) = p.split_once('=')?;
        n.trim()
            .eq_ignore_ascii_case(name)
            .then(|| v.trim().trim_matches('"').to_owned())
    })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The parts of a multipart message, each exactly as between its delimiters: after the CRLF
/// that ends the delimiter line, before the CRLF that begins the next delimiter (RFC 2046
/// §5.1.1: that CRLF belongs to the delimiter).
fn multipart_parts(message: &[u8]) -> (String, Vec<&[u8]>) {
    let (header, body) = split_entity(message);
    let content_type = field(header, "Content-Type").expect("a Content-Type");
    let boundary = param(&content_type, "boundary").expect("a boundary");
    let delimiter = format!("--{boundary}");
    let next_delimiter = format!("\r\n--{boundary}");
    let mut pos = if body.starts_with(delimiter.as_bytes()) {
        0
    } else {
        find(body, next_delimiter.as_bytes()).expect("a first delimiter") + 2
    };
    let mut parts = Vec::new();
    loop {
        pos += delimiter.len();
        if body[pos..].starts_with(b"--") {
            break;
        }
        let start = pos + find(&body[pos..], b"\r\n").expect("the delimiter line's end") + 2;
        let end = start
            + find(&body[start..], next_delimiter.as_bytes()).expect("a delimiter after a part");
        parts.push(&body[start..end]);
        pos = end + 2;
    }
    (content_type, parts)
}

#[test]
fn gpg_verifies_our_pgp_mime_signatures() {
    let Some(gpg) = gpg() else { return };
    for suite in SUITES {
        let key = our_key(suite);
        gpg.import(&key.export_cert(true).unwrap());
        let signed = pgp_core::mime::sign(MESSAGE, std::slice::from_ref(key), &policy()).unwrap();
        let (content_type, parts) = multipart_parts(&signed);
        // RFC 3156 §5.
        assert!(
            content_type.starts_with("multipart/signed"),
            "{content_type}"
        );
        assert_eq!(
            param(&content_type, "protocol").as_deref(),
            Some("application/pgp-signature")
        );
        assert_eq!(
            param(&content_type, "micalg").as_deref(),
            Some("pgp-sha256")
        );
        assert_eq!(parts.len(), 2);
        let signed_part = parts[0];
        assert!(find(signed_part, b"Hello over PGP/MIME.").is_some());
        let (sig_header, sig_body) = split_entity(parts[1]);
        let sig_type = field(sig_header, "Content-Type").unwrap();
        assert!(
            sig_type.starts_with("application/pgp-signature"),
            "{sig_type}"
        );

        let part = gpg.file("part.eml", signed_part);
        let sig = gpg.file("part.asc", sig_body);
        gpg.run(&["--verify", &sig, &part])
            .assert_good_signature(key);
        // The signature covers the part's bytes exactly: one byte less, and it is bad.
        let shorter = gpg.file("shorter.eml", &signed_part[..signed_part.len() - 1]);
        let run = gpg.run(&["--verify", &sig, &shorter]);
        assert!(run.has("BADSIG"), "{}", run.stderr());
    }
}

#[test]
fn gpg_decrypts_our_pgp_mime_messages() {
    let Some(gpg) = gpg() else { return };
    for suite in SUITES {
        let key = our_key(suite);
        gpg.import(&key.export_secret(true).unwrap());
        for signers in [vec![], vec![key.clone()]] {
            let sealed =
                pgp_core::mime::encrypt(MESSAGE, &[key.public()], &signers, &policy()).unwrap();
            let (content_type, parts) = multipart_parts(&sealed);
            // RFC 3156 §4.
            assert!(
                content_type.starts_with("multipart/encrypted"),
                "{content_type}"
            );
            assert_eq!(
                param(&content_type, "protocol").as_deref(),
                Some("application/pgp-encrypted")
            );
            assert_eq!(parts.len(), 2);
            let (control_header, control_body) = split_entity(parts[0]);
            assert!(
                field(control_header, "Content-Type")
                    .unwrap()
                    .starts_with("application/pgp-encrypted")
            );
            assert!(find(control_body, b"Version: 1").is_some());
            let (data_header, data_body) = split_entity(parts[1]);
            assert!(
                field(data_header, "Content-Type")
                    .unwrap()
                    .starts_with("application/octet-stream")
            );
            assert!(data_body.starts_with(b"-----BEGIN PGP MESSAGE-----"));

            let encrypted = gpg.file("encrypted.asc", data_body);
            let run = gpg.run(&["--decrypt", &encrypted]);
            assert!(run.success(), "{}", run.stderr());
            assert!(run.has("DECRYPTION_OKAY"), "{}", run.stderr());
            if signers.is_empty() {
                assert!(!run.has("GOODSIG"));
            } else {
                run.assert_good_signature(key);
            }
            let inner = &run.output.stdout;
            assert!(find(inner, b"Hello over PGP/MIME.").is_some());
            // The header fields travel inside (RFC 9788), the real Subject among them.
            assert!(find(inner, b"Subject: PGP/MIME with GnuPG").is_some());
        }
    }
}

/// A `multipart/signed` message built by hand around a signature gpg made over the part.
#[test]
fn we_verify_pgp_mime_signed_by_gpg() {
    let Some(gpg) = gpg() else { return };
    for suite in SUITES {
        let key = our_key(suite);
        gpg.import(&key.export_secret(true).unwrap());
        let fpr = key.fingerprint();
        let part = b"Content-Type: text/plain; charset=us-ascii\r\n\r\nSigned by GnuPG.\r\n";
        let part_path = gpg.file("part.eml", part);
        let sig = gpg.path("part.asc");
        gpg.ok(&[
            "-u",
            &fpr,
            "--digest-algo",
            "SHA256",
            "--armor",
            "--detach-sign",
            "-o",
            &sig,
            &part_path,
        ]);
        let sig = read(&sig);
        let build = |part: &[u8]| {
            let mut m = b"From: Cleo <cleo@example.org>\r\nTo: bob@example.net\r\n\
Subject: signed by gpg\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/signed; micalg=pgp-sha256;\r\n protocol=\"application/pgp-signature\"; \
boundary=\"=-gpg-1\"\r\n\r\n--=-gpg-1\r\n"
                .to_vec();
            m.extend_from_slice(part);
            m.extend_from_slice(
                b"\r\n--=-gpg-1\r\nContent-Type: application/pgp-signature\r\n\r\n",
            );
            m.extend_from_slice(&sig);
            m.extend_from_slice(b"\r\n--=-gpg-1--\r\n");
            m
        };
        let message = build(part);
        assert_eq!(
            pgp_core::mime::detect(&message, &policy()).unwrap(),
            pgp_core::mime::MimeKind::Signed
        );
        let opened = pgp_core::mime::open(&message, &[], &[key.public()], &policy()).unwrap();
        assert!(opened.is_valid(), "{opened}");
        assert!(!opened.is_encrypted());
        assert_good(&opened.signatures, key);
        assert!(find(&opened.content, b"Signed by GnuPG.").is_some());

        // The same signature over an altered part is bad.
        let altered =
            build(b"Content-Type: text/plain; charset=us-ascii\r\n\r\nSigned by GnuPG!\r\n");
        let opened = pgp_core::mime::open(&altered, &[], &[key.public()], &policy()).unwrap();
        assert!(!opened.is_valid(), "{opened}");
        assert_eq!(
            opened.signatures.signatures[0].verdict,
            SignatureVerdict::Bad
        );
    }
}

/// A `multipart/encrypted` message built by hand around what `gpg --encrypt --sign` made.
#[test]
fn we_open_pgp_mime_encrypted_by_gpg() {
    let Some(gpg) = gpg() else { return };
    for suite in SUITES {
        let key = our_key(suite);
        gpg.import(&key.export_secret(true).unwrap());
        let fpr = key.fingerprint();
        let inner = b"Content-Type: text/plain; charset=us-ascii\r\n\r\nSealed by GnuPG.\r\n";
        let inner_path = gpg.file("inner.eml", inner);
        let out = gpg.path("inner.asc");
        gpg.ok(&[
            "-u",
            &fpr,
            "-r",
            &fpr,
            "--armor",
            "--encrypt",
            "--sign",
            "-o",
            &out,
            &inner_path,
        ]);
        let mut message = b"From: Cleo <cleo@example.org>\r\nTo: bob@example.net\r\n\
Subject: sealed by gpg\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\";\r\n \
boundary=\"=-gpg-2\"\r\n\r\n--=-gpg-2\r\nContent-Type: application/pgp-encrypted\r\n\r\n\
Version: 1\r\n\r\n--=-gpg-2\r\nContent-Type: application/octet-stream\r\n\r\n"
            .to_vec();
        message.extend_from_slice(&read(&out));
        message.extend_from_slice(b"\r\n--=-gpg-2--\r\n");

        let opened = pgp_core::mime::open(
            &message,
            std::slice::from_ref(key),
            &[key.public()],
            &policy(),
        )
        .unwrap();
        assert!(opened.is_encrypted());
        assert!(opened.is_valid(), "{opened}");
        assert_good(&opened.signatures, key);
        let decryption = opened.decryption.as_ref().unwrap();
        assert_eq!(decryption.protection, Protection::SeipdV1);
        assert_eq!(
            decryption.decrypted_with.as_deref(),
            Some(subkey(key, false).as_str())
        );
        assert!(find(&opened.content, b"Sealed by GnuPG.").is_some());
    }
}
