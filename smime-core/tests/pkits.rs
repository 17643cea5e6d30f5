//! NIST PKITS, S/MIME flavour: every `smime/*.eml` message goes through `verify_message` with
//! the PKITS trust anchor; its signature must verify, and its signer's certificate path
//! verdict is compared with the PKITS expectation.
//!
//! Data location: `MAILSEC_PKITS_DIR` must name the PKITS_data directory (holding `smime/`,
//! `certs/`, `crls/`). The test fails, rather than skips, when it is unset or wrong.
//!
//! Settings: PKITS default settings for every message (initial-policy-set anyPolicy, no
//! explicit policy, mapping and anyPolicy allowed), validation time now, purpose Signing,
//! revocation checked against every CRL in `crls/` (offline; certval's `check_revocation_local`).
//! Candidates are the certificates carried in the message only; `certs/` is not needed.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use der::Decode;
use x509_cert::Certificate;

use smime_core::path::{PathReport, TrustAnchors};
use smime_core::{ChainOutcome, SignatureVerdict, VerifyOptions, verify_message};

/// Messages whose name carries neither `Valid` nor `Invalid`: their PKITS test has sub-cases
/// with non-default initial settings. The S/MIME message corresponds to the default-settings
/// result (PKITS §4.8, §4.4.1, §4.12.3); where PKITS lists no default sub-case the path is
/// valid under anyPolicy as well.
const BY_NAME: &[(&str, bool, &str)] = &[
    ("SignedAllCertificatesSamePolicyTest1", true, "4.8.1.1"),
    ("SignedAllCertificatesNoPoliciesTest2", true, "4.8.2.1"),
    ("SignedDifferentPoliciesTest3", true, "4.8.3.1"),
    ("SignedDifferentPoliciesTest4", false, "4.8.4"),
    ("SignedDifferentPoliciesTest5", false, "4.8.5"),
    ("SignedOverlappingPoliciesTest6", true, "4.8.6.1"),
    ("SignedDifferentPoliciesTest7", false, "4.8.7"),
    ("SignedDifferentPoliciesTest8", false, "4.8.8"),
    ("SignedDifferentPoliciesTest9", false, "4.8.9"),
    ("SignedAllCertificatesSamePoliciesTest10", true, "4.8.10.1"),
    ("SignedAllCertificatesAnyPolicyTest11", true, "4.8.11.1"),
    ("SignedDifferentPoliciesTest12", false, "4.8.12"),
    (
        "SignedAllCertificatesSamePoliciesTest13",
        true,
        "4.8.13 (valid for every initial set)",
    ),
    (
        "SignedAnyPolicyTest14",
        true,
        "4.8.14.1 (EE asserts policy 1)",
    ),
    ("SignedUserNoticeQualifierTest15", true, "4.8.15"),
    ("SignedUserNoticeQualifierTest16", true, "4.8.16"),
    ("SignedUserNoticeQualifierTest17", true, "4.8.17"),
    (
        "SignedUserNoticeQualifierTest18",
        true,
        "4.8.18 (valid for policy 1 and 2)",
    ),
    ("SignedUserNoticeQualifierTest19", true, "4.8.19"),
    ("SignedCPSPointerQualifierTest20", true, "4.8.20.1"),
    (
        "SignedMissingCRLTest1",
        false,
        "4.4.1 Invalid Missing CRL Test1",
    ),
    ("SignedinhibitAnyPolicyTest3", true, "4.12.3.1"),
];

/// Known mismatches, each with the reason. The test fails if this list is wrong in either
/// direction (an unlisted mismatch, or a listed case that now matches).
const EXPECTED_FAILURES: &[(&str, &str)] = &[
    // Not revocation related.
    (
        "SignedValidDSASignaturesTest4",
        "4.1.4: DSA certificate signatures; certval has no DSA",
    ),
    (
        "SignedValidDSAParameterInheritanceTest5",
        "4.1.5: DSA with inherited parameters; certval has no DSA",
    ),
    (
        "SignedValidpre2000UTCnotBeforeDateTest3",
        "4.2.3: notBefore is UTCTime 1950; der/x509-cert cannot represent years before 1970, so the SignedData certificates do not decode",
    ),
    // certval verifies a CRL only with the key that verified the certificate: no key rollover
    // (self-issued new/old key certificates) and no separate CRL signing key.
    (
        "SignedValidSeparateCertificateandCRLKeysTest19",
        "4.4.19: CRL signed by a separate CRL signing key",
    ),
    (
        "SignedValidBasicSelfIssuedOldWithNewTest1",
        "4.5.1: CRL signed by the CA's new key, EE verified through the old-with-new rollover certificate",
    ),
    (
        "SignedValidBasicSelfIssuedNewWithOldTest4",
        "4.5.4: CRL signed by the CA's old key, EE signed by the new key",
    ),
    (
        "SignedValidBasicSelfIssuedCRLSigningKeyTest6",
        "4.5.6: CRL signed by a self-issued CRL signing key",
    ),
    (
        "SignedValidSelfIssuedpathLenConstraintTest15",
        "4.6.15: EE issued under a self-issued key-rollover certificate, CRL under the other key",
    ),
    (
        "SignedValidSelfIssuedpathLenConstraintTest17",
        "4.6.17: as 4.6.15, two self-issued certificates",
    ),
    (
        "SignedValidSelfIssuedrequireExplicitPolicyTest6",
        "4.9.6: EE issued under a self-issued key-rollover certificate, CRL under the other key",
    ),
    (
        "SignedValidSelfIssuedinhibitPolicyMappingTest7",
        "4.11.7: CA issued under a self-issued key-rollover certificate, CRL under the other key",
    ),
    (
        "SignedValidSelfIssuedinhibitAnyPolicyTest7",
        "4.12.7: CA issued under a self-issued key-rollover certificate, CRL under the other key",
    ),
    (
        "SignedValidSelfIssuedinhibitAnyPolicyTest9",
        "4.12.9: CA issued under a self-issued key-rollover certificate, CRL under the other key",
    ),
    (
        "SignedValidSelfIssuedDNnameConstraintsTest19",
        "4.13.19: EE issued under a self-issued key-rollover certificate, CRL under the other key",
    ),
    // CRL features certval does not implement (its crl.rs: no delta CRLs, indirect CRLs,
    // onlySomeReasons, certificateHold, nameRelativeToCRLIssuer).
    (
        "SignedValiddistributionPointTest4",
        "4.14.4: nameRelativeToCRLIssuer distribution point not supported",
    ),
    (
        "SignedValiddistributionPointTest5",
        "4.14.5: nameRelativeToCRLIssuer distribution point not supported",
    ),
    (
        "SignedValiddistributionPointTest7",
        "4.14.7: nameRelativeToCRLIssuer distribution point not supported",
    ),
    (
        "SignedValidonlySomeReasonsTest18",
        "4.14.18: CRLs partitioned by onlySomeReasons not supported",
    ),
    (
        "SignedValidonlySomeReasonsTest19",
        "4.14.19: CRLs partitioned by onlySomeReasons not supported",
    ),
    (
        "SignedValidIDPwithindirectCRLTest24",
        "4.14.24: indirect CRL not supported",
    ),
    (
        "SignedValidIDPwithindirectCRLTest25",
        "4.14.25: indirect CRL not supported",
    ),
    (
        "SignedValidcRLIssuerTest28",
        "4.14.28: indirect CRL (cRLIssuer) not supported",
    ),
    (
        "SignedValidcRLIssuerTest29",
        "4.14.29: indirect CRL (cRLIssuer) not supported",
    ),
    (
        "SignedValidcRLIssuerTest30",
        "4.14.30: indirect CRL (cRLIssuer) not supported",
    ),
    (
        "SignedValidcRLIssuerTest33",
        "4.14.33: indirect CRL (cRLIssuer) not supported",
    ),
    (
        "SignedInvaliddeltaCRLTest4",
        "4.15.4: delta CRLs ignored; EE revoked only in the delta, the current base CRL says good (accepted!)",
    ),
    (
        "SignedValiddeltaCRLTest5",
        "4.15.5: delta CRLs ignored; EE on hold in the base CRL, released by the delta, reported revoked",
    ),
];

fn pkits_dir() -> PathBuf {
    let Some(dir) = std::env::var_os("MAILSEC_PKITS_DIR") else {
        panic!(
            "MAILSEC_PKITS_DIR is not set: point it at the PKITS_data directory \
             (the one holding smime/, certs/ and crls/)"
        );
    };
    let dir = PathBuf::from(dir);
    for sub in ["smime", "certs", "crls"] {
        assert!(
            dir.join(sub).is_dir(),
            "MAILSEC_PKITS_DIR={} has no {sub}/ directory",
            dir.display()
        );
    }
    dir
}

fn files_with_extension(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    files.sort();
    files
}

/// What the test expects for a message: `true` = valid.
fn expectation(name: &str) -> bool {
    if let Some(rest) = name.strip_prefix("Signed") {
        if rest.starts_with("Valid") {
            return true;
        }
        if rest.starts_with("Invalid") {
            return false;
        }
    }
    BY_NAME
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, valid, _)| *valid)
        .unwrap_or_else(|| panic!("{name}: no expectation (neither Valid/Invalid nor in BY_NAME)"))
}

/// Verifies one message with `verify_message` (signature and path; the address check is
/// reported but not judged: PKITS certificates carry no e-mail address) and returns whether
/// the path holds, or why the message could not be judged.
fn check_message(path: &Path, options: &VerifyOptions) -> Result<PathReport, String> {
    let raw = std::fs::read(path).map_err(|e| e.to_string())?;
    let report = verify_message(&raw, options).map_err(|e| e.to_string())?;
    let [signer] = &report.signers[..] else {
        return Err(format!("{} signers, expected one", report.signers.len()));
    };
    // Every PKITS message is correctly signed: a bad signature is a mismatch whatever the path.
    if signer.signature != SignatureVerdict::Valid {
        return Err(format!("signature: {:?}", signer.signature));
    }
    match &signer.chain {
        ChainOutcome::Checked(path) => Ok(path.clone()),
        ChainOutcome::NotChecked => Err("path not checked".into()),
    }
}

#[test]
fn pkits_smime() {
    let dir = pkits_dir();
    let ta_der = std::fs::read(dir.join("certs/TrustAnchorRootCertificate.crt"))
        .expect("certs/TrustAnchorRootCertificate.crt");
    let mut anchors = TrustAnchors::new();
    anchors.add(Certificate::from_der(&ta_der).expect("trust anchor decodes"));

    let crls: Vec<Vec<u8>> = files_with_extension(&dir.join("crls"), "crl")
        .iter()
        .map(|p| std::fs::read(p).unwrap())
        .collect();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let mut options = VerifyOptions::new(anchors);
    options.time = Some(now);
    options.crls = crls;
    options.check_revocation = true;

    let messages = files_with_extension(&dir.join("smime"), "eml");
    assert!(
        !messages.is_empty(),
        "no .eml files in {}",
        dir.join("smime").display()
    );

    // PKITS_VERBOSE=1 prints every verdict, not only the mismatches.
    let verbose = std::env::var_os("PKITS_VERBOSE").is_some();
    let started = Instant::now();
    let mut matched = 0;
    let mut mismatches: BTreeMap<String, String> = BTreeMap::new();
    for message in &messages {
        let name = message.file_stem().unwrap().to_string_lossy().into_owned();
        let want_valid = expectation(&name);
        let outcome = check_message(message, &options);
        let got_valid = matches!(&outcome, Ok(r) if r.is_valid());
        if verbose {
            match &outcome {
                Ok(r) => println!("  {name}: {} [{} certs]", r.verdict, r.path.len()),
                Err(e) => println!("  {name}: not validated: {e}"),
            }
        }
        if got_valid == want_valid {
            matched += 1;
            continue;
        }
        let detail = match &outcome {
            Ok(report) => format!("{}", report.verdict),
            Err(e) => format!("not validated: {e}"),
        };
        let want = if want_valid { "valid" } else { "invalid" };
        mismatches.insert(name, format!("expected {want}, got {detail}"));
    }
    let elapsed = started.elapsed();

    println!("PKITS: {matched}/{} match", messages.len());
    println!("PKITS: validated in {elapsed:.2?}");
    for (name, detail) in &mismatches {
        let note = EXPECTED_FAILURES
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, why)| format!(" [expected failure: {why}]"))
            .unwrap_or_default();
        println!("  MISMATCH {name}: {detail}{note}");
    }

    let unexpected: Vec<&String> = mismatches
        .keys()
        .filter(|n| !EXPECTED_FAILURES.iter().any(|(e, _)| e == n))
        .collect();
    let stale: Vec<&str> = EXPECTED_FAILURES
        .iter()
        .map(|(n, _)| *n)
        .filter(|n| !mismatches.contains_key(*n))
        .collect();
    assert!(
        unexpected.is_empty(),
        "unexpected mismatches: {unexpected:?}"
    );
    assert!(
        stale.is_empty(),
        "listed as expected failures but now match: {stale:?}"
    );
}
