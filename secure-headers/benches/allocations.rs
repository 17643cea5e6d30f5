//! Heap allocations per operation, counted by dhat's allocator (no timing).
//! Run: `cargo bench -p secure-headers --bench allocations`.
#![allow(missing_docs)]

use secure_headers::{Policy, Profile, SecureHeaderFields, build, verify};

mod workload;

#[global_allocator]
static ALLOCATOR: dhat::Alloc = dhat::Alloc;

const ROUNDS: u64 = 100;

/// Allocations per call of `op`, after one warm-up call (one-time initialisation excluded).
fn allocations_per_op(mut op: impl FnMut()) -> u64 {
    op();
    let before = dhat::HeapStats::get().total_blocks;
    for _ in 0..ROUNDS {
        op();
    }
    (dhat::HeapStats::get().total_blocks - before) / ROUNDS
}

fn report(label: &str, message: &[u8], policy: &Policy) {
    let der = build(message, policy)
        .and_then(|shf| shf.to_der(Profile::Rfc7508))
        .unwrap_or_else(|e| panic!("{e}"));
    let build_encode = allocations_per_op(|| {
        let _ = build(message, policy).and_then(|shf| shf.to_der(Profile::Rfc7508));
    });
    let decode_verify = allocations_per_op(|| {
        let _ = SecureHeaderFields::from_der(&der, Profile::Rfc7508, policy.limits())
            .and_then(|shf| verify(&shf, message, policy));
    });
    println!("secure-headers/{label}/build+encode: {build_encode} allocations");
    println!("secure-headers/{label}/decode+verify: {decode_verify} allocations");
}

fn main() {
    let _profiler = dhat::Profiler::builder().testing().build();
    report(
        "4 fields",
        workload::FOUR_FIELDS,
        &workload::four_field_policy(),
    );
    let forty = workload::forty_fields();
    report("40-field header", &forty, &workload::forty_field_policy());
}
