//! Speed of building + encoding and of decoding + verifying SecureHeaderFields: ns per message.
//! Run: `cargo bench -p secure-headers --bench headers`.
#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use secure_headers::{Policy, Profile, SecureHeaderFields, build, verify};

mod workload;

fn case(c: &mut Criterion, label: &str, message: &[u8], policy: &Policy) {
    let der = build(message, policy)
        .and_then(|shf| shf.to_der(Profile::Rfc7508))
        .unwrap_or_else(|e| panic!("{e}"));
    let mut group = c.benchmark_group(format!("secure-headers/{label}"));
    group.throughput(Throughput::Elements(1));
    group.bench_function("build+encode", |b| {
        b.iter(|| build(black_box(message), policy).and_then(|shf| shf.to_der(Profile::Rfc7508)))
    });
    group.bench_function("decode+verify", |b| {
        b.iter(|| {
            let shf =
                SecureHeaderFields::from_der(black_box(&der), Profile::Rfc7508, policy.limits())?;
            verify(&shf, black_box(message), policy)
        })
    });
    group.finish();
}

fn bench_headers(c: &mut Criterion) {
    case(
        c,
        "4 fields",
        workload::FOUR_FIELDS,
        &workload::four_field_policy(),
    );
    let forty = workload::forty_fields();
    case(
        c,
        "40-field header",
        &forty,
        &workload::forty_field_policy(),
    );
}

criterion_group!(benches, bench_headers);
criterion_main!(benches);
