//! Signing and verifying CMS SignedData, side by side with OpenSSL's CMS (through the `openssl`
//! crate) doing the same work: a detached signature over a 10 KB and a 1 MB message, with
//! RSA-2048, ECDSA P-256 and Ed25519. OpenSSL 3.0 cannot make Ed25519 CMS signatures, so that
//! row's anchor is a bare Ed25519 signature over the same signed attributes' size plus the
//! content hash. `sha256/*` is the hashing limit the 1 MB rows are compared to.
//!
//! Run: `cargo bench -p smime-core --bench smime`. Report figures as messages per second and
//! the ratio mailsec/OpenSSL per row.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark may panic on setup errors

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use openssl::cms::{CMSOptions, CmsContentInfo};
use openssl::pkey::PKey;
use openssl::stack::Stack;
use openssl::x509::X509;
use openssl::x509::store::X509StoreBuilder;
use smime_core::path::TrustAnchors;
use smime_core::{
    SignRequest, Signer, VerifyOptions, load_certificates, sign_content, verify_signed_data,
};

fn pki(name: &str) -> Vec<u8> {
    std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/fixtures/pki")
            .join(name),
    )
    .unwrap()
}

fn content(size: usize) -> Vec<u8> {
    let line =
        b"The quick brown fox jumps over the lazy dog, and signs the message. 0123456789\r\n";
    line.iter().copied().cycle().take(size).collect()
}

struct Keys {
    name: &'static str,
    ours: Signer,
    cert: X509,
    key: PKey<openssl::pkey::Private>,
}

fn keys() -> Vec<Keys> {
    [
        ("rsa2048", "alice-rsa"),
        ("p256", "alice-p256"),
        ("ed25519", "alice-ed25519"),
    ]
    .into_iter()
    .map(|(name, file)| {
        let cert_pem = pki(&format!("{file}.pem"));
        let key_pem = pki(&format!("{file}.key"));
        Keys {
            name,
            ours: Signer::from_pem(&cert_pem, &key_pem)
                .unwrap()
                .with_chain(load_certificates(&pki("intermediate.pem")).unwrap()),
            cert: X509::from_pem(&cert_pem).unwrap(),
            key: PKey::private_key_from_pem(&key_pem).unwrap(),
        }
    })
    .collect()
}

fn bench(c: &mut Criterion) {
    let intermediate = X509::from_pem(&pki("intermediate.pem")).unwrap();
    let root = X509::from_pem(&pki("root.pem")).unwrap();
    let mut chain = Stack::new().unwrap();
    chain.push(intermediate).unwrap();
    let options = VerifyOptions::new(TrustAnchors::from_pem(&pki("root.pem")).unwrap());

    for size in [10 * 1024, 1024 * 1024] {
        let data = content(size);
        let label = if size < 100_000 { "10KB" } else { "1MB" };
        let mut group = c.benchmark_group(format!("sha256/{label}"));
        group.throughput(Throughput::Bytes(size as u64));
        group.bench_function("openssl", |b| {
            b.iter(|| openssl::sha::sha256(black_box(&data)))
        });
        group.finish();

        for k in keys() {
            let mut group = c.benchmark_group(format!("sign/{}/{label}", k.name));
            group.throughput(Throughput::Elements(1));
            let request = SignRequest {
                content: &data,
                detached: true,
                signing_time: 1_790_000_000,
                secure_header_fields: None,
            };
            group.bench_function("mailsec", |b| {
                b.iter(|| sign_content(black_box(&request), std::slice::from_ref(&k.ours)).unwrap())
            });
            let flags = CMSOptions::DETACHED | CMSOptions::BINARY;
            let openssl_sig = CmsContentInfo::sign(
                Some(&k.cert),
                Some(&k.key),
                Some(&chain),
                Some(&data),
                flags,
            );
            match &openssl_sig {
                Ok(_) => {
                    group.bench_function("openssl", |b| {
                        b.iter(|| {
                            CmsContentInfo::sign(
                                Some(&k.cert),
                                Some(&k.key),
                                Some(&chain),
                                Some(black_box(&data)),
                                flags,
                            )
                            .unwrap()
                        })
                    });
                }
                Err(_) => {
                    // OpenSSL 3.0 CMS cannot sign with Ed25519: the anchor is the work it
                    // would do, a SHA-512 of the content plus one Ed25519 signature.
                    group.bench_function("openssl-hash+sign", |b| {
                        b.iter(|| {
                            let digest = openssl::sha::sha512(black_box(&data));
                            let mut signer =
                                openssl::sign::Signer::new_without_digest(&k.key).unwrap();
                            signer
                                .sign_oneshot_to_vec(&[&digest[..], &[0u8; 200][..]].concat())
                                .unwrap()
                        })
                    });
                }
            }
            group.finish();

            let ours = sign_content(&request, std::slice::from_ref(&k.ours)).unwrap();
            let mut group = c.benchmark_group(format!("verify/{}/{label}", k.name));
            group.throughput(Throughput::Elements(1));
            group.bench_function("mailsec", |b| {
                b.iter(|| {
                    let report =
                        verify_signed_data(black_box(&ours), Some(&data), &options).unwrap();
                    assert!(report.signers[0].signature == smime_core::SignatureVerdict::Valid);
                    report
                })
            });
            if let Ok(sig) = &openssl_sig {
                let der = sig.to_der().unwrap();
                let mut store = X509StoreBuilder::new().unwrap();
                store.add_cert(root.clone()).unwrap();
                let store = store.build();
                group.bench_function("openssl", |b| {
                    b.iter(|| {
                        let mut cms = CmsContentInfo::from_der(black_box(&der)).unwrap();
                        cms.verify(
                            Some(&chain),
                            Some(&store),
                            Some(&data),
                            None,
                            CMSOptions::BINARY,
                        )
                        .unwrap()
                    })
                });
            }
            group.finish();
        }
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(std::time::Duration::from_secs(2)).warm_up_time(std::time::Duration::from_millis(500));
    targets = bench
}
criterion_main!(benches);
