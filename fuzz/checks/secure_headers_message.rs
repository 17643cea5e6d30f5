//! Invariants of header canonicalization, building, verification and the DCA transforms on
//! arbitrary messages: no panic; canonical forms are idempotent under `relaxed`; a structure
//! built from a message verifies against it; restore(apply(m)) verifies.

use std::sync::OnceLock;

use mailsec::headers::canon::{canonical_header, canonical_value};
use mailsec::headers::{CanonAlgorithm, Limits, Policy, apply, build, restore, verify};

fn policies() -> &'static [Policy; 2] {
    static POLICIES: OnceLock<[Policy; 2]> = OnceLock::new();
    POLICIES.get_or_init(|| {
        let load = |canonicalization: &str| {
            Policy::from_toml_str(&format!(
                "[secure_headers]\ncanonicalization = \"{canonicalization}\"\n\
                 fields = [\"From\", \"To\", \"Subject\", \"Date\", \"Cc\"]\n\
                 [secure_headers.status]\n\
                 Subject = {{ status = \"modified\", value = \"[hidden]\" }}\n\
                 To = {{ status = \"deleted\" }}\n"
            ))
            .expect("the fuzz policy is valid")
        };
        [load("relaxed"), load("simple")]
    })
}

pub fn check(data: &[u8]) {
    let limits = Limits {
        max_header_bytes: 1 << 16,
        ..Limits::default()
    };
    for algorithm in [CanonAlgorithm::Simple, CanonAlgorithm::Relaxed] {
        let fields = canonical_header(data, algorithm, &limits);
        if let (Ok(fields), CanonAlgorithm::Relaxed) = (fields, algorithm) {
            for field in &fields {
                let once = field.value.as_bytes();
                assert_eq!(
                    canonical_value(once, algorithm).as_ref(),
                    once,
                    "relaxed is idempotent"
                );
            }
        }
    }
    for policy in policies() {
        let policy = policy.clone().with_limits(limits);
        let Ok(shf) = build(data, &policy) else {
            continue;
        };
        let report = verify(&shf, data, &policy).expect("a message that built also verifies");
        // Fields outside the header block's recognised fields cannot appear; every secured
        // field of the message is in the structure, so nothing is extra or mismatched.
        assert!(report.is_valid(), "{report}");
        if let Ok(hidden) = apply(data, &shf, &policy) {
            let restored = restore(&hidden, &shf, &limits).expect("restore reads what apply wrote");
            let report = verify(&shf, &restored, &policy).expect("restored message parses");
            assert!(report.is_valid(), "restore(apply(m)) verifies: {report}");
        }
    }
}
