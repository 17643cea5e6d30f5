//! Signing, verifying, encrypting and decrypting a 10 KB and a 1 MB message with an
//! Ed25519/Cv25519 key and an RSA-3072 key (each generated once, version 4, no password), beside
//! two anchors per row.
//!
//! - `mailsec`: this crate's `sign` (detached), `verify_detached`, `encrypt` (to one
//!   certificate, unsigned) and `decrypt`, binary. sequoia caches the signatures it has verified
//!   (keyed on signature, digest and key), so verifying the same message twice skips the
//!   public-key operation (`mailsec-cached`); a gateway sees a new message each time, so the
//!   `mailsec` verify row changes the first octets of the data every iteration: the digest is
//!   new, the verification runs in full and says `bad`, which costs what `good` costs.
//! - `gpg`: GnuPG doing the same work the way a mail filter shelling out to it would, one
//!   `gpg --batch` process per operation (spawned each iteration) on a throwaway home holding
//!   the same keys; its gpg-agent stays up between operations, as it does in such a deployment.
//!   Sign is `--detach-sign --digest-algo SHA256`, verify `--verify`, encrypt
//!   `--encrypt -r FPR --trust-model always --compress-algo none` (we do not compress either),
//!   decrypt `--decrypt`, all binary with output to a pipe; gpg verifies and decrypts what *we*
//!   made. GnuPG 2.2 reads SEIPD v1 only: should we write v2, gpg decrypts its own ciphertext
//!   instead and `mailsec-v1` decrypts that one too. Skipped with a message without `gpg`.
//! - `limit`: the work no OpenPGP implementation on the same primitives can avoid:
//!   - sign: SHA-256 over the data, one raw signature over the digest (`crypto::Signer::sign`);
//!   - verify: SHA-256 over the data, one raw verification (`Key::verify`, no cache);
//!   - encrypt: a fresh session key encrypted to the recipient's subkey (PKESK: X25519 + AES
//!     key wrap, or RSA), then the bulk cipher of the packet our `encrypt` wrote: for SEIPD v1,
//!     AES-256-CFB with the SHA-1 modification detection code computed alongside; for SEIPD
//!     v2, AES-256 in sequoia's default AEAD mode (OCB) in 4 KiB chunks;
//!   - decrypt: the session key's decryption, then the bulk cipher back (and the SHA-1 check).
//!
//!   The SHA-1 is sequoia's collision-detecting SHA-1, which its SEIPD reader and writer use
//!   and which is slower than the plain SHA-1 GnuPG computes. Packet framing, the signature's
//!   hashed trailer and the literal data header are left out (a few dozen octets).
//!
//! Run: `cargo bench -p pgp-core --bench pgp -- --warm-up-time 1 --measurement-time 3`.
//! Report the time per operation and the ratios mailsec/gpg and mailsec/limit per row.
//! `cargo test --benches` (criterion's test mode) runs each function once, with the Cv25519
//! key and the 10 KB message only: three RSA-3072 key generations would dominate it.
#![allow(missing_docs)]
#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark may panic on setup errors

use std::hint::black_box;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, Throughput, criterion_group, criterion_main};
use pgp_core::openpgp;
use pgp_core::{
    CipherSuite, DecryptionReport, Key, KeyOptions, PgpPolicy, Protection, SignMode,
    SignatureVerdict, decrypt, encrypt, sign, verify_detached,
};

use openpgp::crypto::aead::{self, SEIPv2Schedule};
use openpgp::crypto::symmetric::{self, BlockCipherMode, PaddingMode, UnpaddingMode};
use openpgp::crypto::{KeyPair, SessionKey, Signer as _};
use openpgp::packet::key::{PublicParts, UnspecifiedRole};
use openpgp::packet::pkesk::{PKESK3, PKESK6};
use openpgp::parse::buffered_reader;
use openpgp::policy::StandardPolicy;
use openpgp::types::{AEADAlgorithm, HashAlgorithm, SymmetricAlgorithm};

/// Whether criterion measures (`cargo bench`) or only runs each function once (test mode).
fn measuring() -> bool {
    std::env::args().any(|a| a == "--bench")
}

fn content(size: usize) -> Vec<u8> {
    let line =
        b"The quick brown fox jumps over the lazy dog, and signs the message. 0123456789\r\n";
    line.iter().copied().cycle().take(size).collect()
}

/// A generated key and the sequoia key material the `limit` rows use.
struct Suite {
    name: &'static str,
    key: Key,
    cert: Key,
    signer: KeyPair,
    verifier: openpgp::packet::Key<PublicParts, UnspecifiedRole>,
    recipient: openpgp::packet::Key<PublicParts, UnspecifiedRole>,
    decryptor: KeyPair,
}

fn suite(name: &'static str, cipher_suite: CipherSuite) -> Suite {
    let options = KeyOptions {
        cipher_suite,
        ..KeyOptions::default()
    };
    let (key, _) = Key::generate("Bench <bench@example.org>", &options).unwrap();
    let policy = StandardPolicy::new();
    let valid = key.cert().with_policy(&policy, None).unwrap();
    let signing = valid.keys().for_signing().next().unwrap().key().clone();
    let encryption = valid
        .keys()
        .for_transport_encryption()
        .next()
        .unwrap()
        .key()
        .clone();
    Suite {
        name,
        cert: key.public(),
        signer: signing
            .clone()
            .parts_into_secret()
            .unwrap()
            .into_keypair()
            .unwrap(),
        verifier: signing,
        decryptor: encryption
            .clone()
            .parts_into_secret()
            .unwrap()
            .into_keypair()
            .unwrap(),
        recipient: encryption,
        key,
    }
}

/// A throwaway GnuPG home with the suites' secret keys imported; its agent is stopped and the
/// directory removed on drop.
struct Gpg {
    home: tempfile::TempDir,
}

impl Gpg {
    fn new(suites: &[Suite]) -> Option<Gpg> {
        if Command::new("gpg").arg("--version").output().is_err() {
            eprintln!("gpg is not installed: the gpg rows are skipped");
            return None;
        }
        // Short, under /tmp: gpg-agent's socket path must fit a sockaddr_un.
        let home = tempfile::Builder::new()
            .prefix("pgpb")
            .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700))
            .tempdir_in("/tmp")
            .unwrap();
        std::fs::write(
            home.path().join("gpg-agent.conf"),
            "allow-loopback-pinentry\n",
        )
        .unwrap();
        let gpg = Gpg { home };
        for s in suites {
            let file = gpg.file(
                &format!("{}.key", s.name),
                &s.key.export_secret(true).unwrap(),
            );
            gpg.run(&["--import", path(&file)]);
        }
        Some(gpg)
    }

    fn file(&self, name: &str, contents: &[u8]) -> PathBuf {
        let path = self.home.path().join(name);
        std::fs::write(&path, contents).unwrap();
        path
    }

    /// Runs one gpg process to completion, output piped, and insists on success.
    fn run(&self, args: &[&str]) -> Output {
        let output = Command::new("gpg")
            .arg("--homedir")
            .arg(self.home.path())
            .args(["--batch", "--quiet", "--yes", "--pinentry-mode", "loopback"])
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "gpg {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        output
    }
}

impl Drop for Gpg {
    fn drop(&mut self) {
        let _ = Command::new("gpgconf")
            .arg("--homedir")
            .arg(self.home.path())
            .args(["--kill", "gpg-agent"])
            .output();
    }
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn sha256(data: &[u8]) -> Vec<u8> {
    let mut ctx = HashAlgorithm::SHA256.context().unwrap().for_digest();
    ctx.update(data);
    ctx.into_digest().unwrap()
}

fn group<'a>(
    c: &'a mut Criterion,
    op: &str,
    s: &Suite,
    label: &str,
) -> BenchmarkGroup<'a, WallTime> {
    let mut group = c.benchmark_group(format!("{op}/{}/{label}", s.name));
    group.throughput(Throughput::Elements(1));
    group
}

fn bench(c: &mut Criterion) {
    let measuring = measuring();
    let policy = PgpPolicy::new();
    let mut suites = vec![suite("cv25519", CipherSuite::Cv25519)];
    if measuring {
        suites.push(suite("rsa3072", CipherSuite::Rsa3k));
    }
    let gpg = Gpg::new(&suites);
    let sizes: &[(usize, &str)] = if measuring {
        &[(10 * 1024, "10KB"), (1024 * 1024, "1MB")]
    } else {
        &[(10 * 1024, "10KB")]
    };

    for &(size, label) in sizes {
        let data = content(size);
        let data_file = gpg.as_ref().map(|g| g.file(&format!("{label}.txt"), &data));
        for s in &mut suites {
            let key = std::slice::from_ref(&s.key);
            let cert = std::slice::from_ref(&s.cert);
            let fpr = s.key.fingerprint();

            // Sign.
            let mut g = group(c, "sign", s, label);
            g.bench_function("mailsec", |b| {
                b.iter(|| sign(black_box(&data), key, SignMode::Detached, false, &policy).unwrap())
            });
            if let (Some(gpg), Some(data_file)) = (&gpg, &data_file) {
                g.bench_function("gpg", |b| {
                    b.iter(|| {
                        gpg.run(&[
                            "--digest-algo",
                            "SHA256",
                            "--local-user",
                            &fpr,
                            "--output",
                            "-",
                            "--detach-sign",
                            path(data_file),
                        ])
                    })
                });
            }
            g.bench_function("limit", |b| {
                b.iter(|| {
                    let digest = sha256(black_box(&data));
                    s.signer.sign(HashAlgorithm::SHA256, &digest).unwrap()
                })
            });
            g.finish();

            // Verify our own detached signature. sequoia remembers every signature it has
            // verified (keyed on signature, digest and key), so verifying the same message again
            // skips the public-key operation: `mailsec-cached` is that case. A gateway sees a new
            // message each time: `mailsec` changes the first octets of the data on every
            // iteration, so the digest is new, the full verification runs, and the verdict is
            // `bad` (a bad signature costs exactly what a good one does).
            let signature = sign(&data, key, SignMode::Detached, false, &policy).unwrap();
            let report = verify_detached(&data, &signature, cert, &policy).unwrap();
            assert!(report.is_valid(), "{report}");
            let raw_signature = s
                .signer
                .sign(HashAlgorithm::SHA256, &sha256(&data))
                .unwrap();
            let mut g = group(c, "verify", s, label);
            let mut altered = data.clone();
            let mut n = 0u64;
            g.bench_function("mailsec", |b| {
                b.iter(|| {
                    n += 1;
                    altered[..8].copy_from_slice(&n.to_le_bytes());
                    let report =
                        verify_detached(black_box(&altered), &signature, cert, &policy).unwrap();
                    assert_eq!(report.signatures[0].verdict, SignatureVerdict::Bad);
                    report
                })
            });
            g.bench_function("mailsec-cached", |b| {
                b.iter(|| {
                    let report =
                        verify_detached(black_box(&data), &signature, cert, &policy).unwrap();
                    assert!(report.is_valid(), "{report}");
                    report
                })
            });
            if let (Some(gpg), Some(data_file)) = (&gpg, &data_file) {
                let sig_file = gpg.file(&format!("{}-{label}.sig", s.name), &signature);
                g.bench_function("gpg", |b| {
                    b.iter(|| gpg.run(&["--verify", path(&sig_file), path(data_file)]))
                });
            }
            g.bench_function("limit", |b| {
                b.iter(|| {
                    let digest = sha256(black_box(&data));
                    s.verifier
                        .verify(&raw_signature, HashAlgorithm::SHA256, &digest)
                        .unwrap()
                })
            });
            g.finish();

            // Encrypt to the key's own certificate. What packet version we write follows the
            // features the certificate announces; the limit follows what we wrote.
            let ciphertext = encrypt(&data, cert, &[], false, &policy).unwrap();
            let format = Format::of(&decrypt(&ciphertext, key, &[], &policy).unwrap().report);
            let mut g = group(c, "encrypt", s, label);
            g.bench_function("mailsec", |b| {
                b.iter(|| encrypt(black_box(&data), cert, &[], false, &policy).unwrap())
            });
            let mut gpg_ciphertext = None;
            if let (Some(gpg), Some(data_file)) = (&gpg, &data_file) {
                let args = [
                    "--trust-model",
                    "always",
                    "--compress-algo",
                    "none",
                    "--recipient",
                    &fpr,
                    "--output",
                    "-",
                    "--encrypt",
                    path(data_file),
                ];
                g.bench_function("gpg", |b| b.iter(|| gpg.run(&args)));
                gpg_ciphertext = Some(gpg.run(&args).stdout);
            }
            g.bench_function("limit", |b| {
                b.iter(|| format.seal(&s.recipient, black_box(&data)))
            });
            g.finish();

            // Decrypt. GnuPG 2.2 reads SEIPD v1 only: when we wrote v2, gpg decrypts its own
            // ciphertext, and we decrypt that one too (`mailsec-v1`) for a like-for-like row.
            let (sealed_key, sealed) = format.seal(&s.recipient, &data);
            let mut g = group(c, "decrypt", s, label);
            g.bench_function("mailsec", |b| {
                b.iter(|| {
                    let opened = decrypt(black_box(&ciphertext), key, &[], &policy).unwrap();
                    assert_eq!(opened.content.len(), data.len());
                    opened
                })
            });
            if let (Some(gpg), Some(gpg_ciphertext)) = (&gpg, &gpg_ciphertext) {
                let for_gpg = if format == Format::SeipdV1 {
                    &ciphertext
                } else {
                    g.bench_function("mailsec-v1", |b| {
                        b.iter(|| {
                            let opened =
                                decrypt(black_box(gpg_ciphertext), key, &[], &policy).unwrap();
                            assert_eq!(opened.report.protection, Protection::SeipdV1);
                            opened
                        })
                    });
                    gpg_ciphertext
                };
                let ct_file = gpg.file(&format!("{}-{label}.gpg", s.name), for_gpg);
                g.bench_function("gpg", |b| {
                    b.iter(|| {
                        let output = gpg.run(&["--output", "-", "--decrypt", path(&ct_file)]);
                        assert_eq!(output.stdout.len(), data.len());
                        output
                    })
                });
            }
            let decryptor = &mut s.decryptor;
            g.bench_function("limit", |b| {
                b.iter(|| {
                    let plain = format.open(decryptor, &sealed_key, black_box(&sealed));
                    assert_eq!(plain.len(), data.len());
                    plain
                })
            });
            g.finish();
        }
    }
}

/// The encrypted data packet our `encrypt` writes, and the bare work of writing or reading one
/// (the `limit` rows): one session key encrypted to the recipient, the bulk cipher over the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    /// SEIPD v1 (RFC 9580 §5.13.1): PKESK v3, AES-256-CFB, SHA-1 modification detection code.
    SeipdV1,
    /// SEIPD v2 (RFC 9580 §5.13.2): PKESK v6, HKDF-SHA256 key schedule, AES-256 with the AEAD
    /// mode sequoia defaults to (OCB), 4 KiB chunks as sequoia writes them.
    SeipdV2(AEADAlgorithm),
}

/// What a sealed session key looks like in each format.
enum SealedKey {
    V3(PKESK3),
    V6(PKESK6),
}

const CIPHER: SymmetricAlgorithm = SymmetricAlgorithm::AES256;
const CHUNK: usize = 4096;
const SALT: [u8; 32] = [7; 32];

impl Format {
    fn of(report: &DecryptionReport) -> Format {
        assert_eq!(
            report.symmetric_algorithm.as_deref(),
            Some(CIPHER.to_string().as_str()),
            "the limit rows assume AES-256"
        );
        match report.protection {
            Protection::SeipdV1 => Format::SeipdV1,
            Protection::SeipdV2 => {
                let aead = AEADAlgorithm::default();
                assert_eq!(report.aead_algorithm, Some(aead.to_string()));
                Format::SeipdV2(aead)
            }
        }
    }

    fn seal(
        self,
        recipient: &openpgp::packet::Key<PublicParts, UnspecifiedRole>,
        data: &[u8],
    ) -> (SealedKey, Vec<u8>) {
        let session_key = SessionKey::new(CIPHER.key_size().unwrap()).unwrap();
        let mut out = Vec::with_capacity(data.len() + data.len() / CHUNK * 16 + 64);
        match self {
            Format::SeipdV1 => {
                let pkesk = PKESK3::for_recipient(CIPHER, &session_key, recipient).unwrap();
                let mut mdc = HashAlgorithm::SHA1.context().unwrap().for_digest();
                mdc.update(data);
                let mut cipher = symmetric::Encryptor::new(
                    CIPHER,
                    BlockCipherMode::CFB,
                    PaddingMode::None,
                    &session_key,
                    None,
                    &mut out,
                )
                .unwrap();
                cipher.write_all(data).unwrap();
                cipher.write_all(&mdc.into_digest().unwrap()).unwrap();
                cipher.finalize().unwrap();
                (SealedKey::V3(pkesk), out)
            }
            Format::SeipdV2(aead_algo) => {
                let pkesk = PKESK6::for_recipient(&session_key, recipient).unwrap();
                let schedule =
                    SEIPv2Schedule::new(&session_key, CIPHER, aead_algo, CHUNK, &SALT).unwrap();
                let mut cipher =
                    aead::Encryptor::new(CIPHER, aead_algo, CHUNK, schedule, &mut out).unwrap();
                cipher.write_all(data).unwrap();
                cipher.finalize().unwrap();
                (SealedKey::V6(pkesk), out)
            }
        }
    }

    fn open(self, decryptor: &mut KeyPair, sealed_key: &SealedKey, sealed: &[u8]) -> Vec<u8> {
        let mut plain = Vec::with_capacity(sealed.len());
        let reader = buffered_reader::Memory::with_cookie(sealed, Default::default());
        match (self, sealed_key) {
            (Format::SeipdV1, SealedKey::V3(pkesk)) => {
                let (algo, session_key) = pkesk.decrypt(decryptor, Some(CIPHER)).unwrap();
                symmetric::Decryptor::new(
                    algo,
                    BlockCipherMode::CFB,
                    UnpaddingMode::None,
                    &session_key,
                    None,
                    reader,
                )
                .unwrap()
                .read_to_end(&mut plain)
                .unwrap();
                let (data, code) = plain.split_at(plain.len() - 20);
                let mut mdc = HashAlgorithm::SHA1.context().unwrap().for_digest();
                mdc.update(data);
                assert_eq!(mdc.into_digest().unwrap(), code);
                plain.truncate(plain.len() - 20);
            }
            (Format::SeipdV2(aead_algo), SealedKey::V6(pkesk)) => {
                let session_key = pkesk.decrypt(decryptor, Some(CIPHER)).unwrap();
                let schedule =
                    SEIPv2Schedule::new(&session_key, CIPHER, aead_algo, CHUNK, &SALT).unwrap();
                aead::Decryptor::new(CIPHER, aead_algo, CHUNK, schedule, Box::new(reader))
                    .unwrap()
                    .read_to_end(&mut plain)
                    .unwrap();
            }
            _ => unreachable!("sealed in the other format"),
        }
        plain
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(std::time::Duration::from_secs(2)).warm_up_time(std::time::Duration::from_millis(500));
    targets = bench
}
criterion_main!(benches);
