//! Invariants of CMS SignedData verification on arbitrary bytes: no panic with or without
//! detached content; a decoding error's offset lies inside the input; with no trust anchor,
//! no report is ever valid; every report displays and serializes.

use mailsec::smime::{Error, TrustAnchors, VerifyOptions, verify_signed_data};

pub fn check(data: &[u8]) {
    let options = VerifyOptions::new(TrustAnchors::new());
    for detached in [None, Some(&b"This is some sample content."[..])] {
        match verify_signed_data(data, detached, &options) {
            Ok(report) => {
                assert!(!report.is_valid(), "valid without any trust anchor");
                assert!(!report.to_string().is_empty());
                let _ = report.failures();
            }
            Err(error) => {
                if let Error::Malformed {
                    offset: Some(offset),
                    ..
                } = error
                {
                    assert!(offset <= data.len(), "offset beyond the input");
                }
                assert!(!error.to_string().is_empty());
            }
        }
    }
}
