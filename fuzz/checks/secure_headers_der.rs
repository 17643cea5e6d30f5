//! Invariants of the SecureHeaderFields DER decoder on arbitrary bytes: no panic under either
//! profile or as a whole attribute; an error names an offset inside the input; whatever
//! decodes without defects re-encodes, and the re-encoding decodes to the same structure.

use mailsec::headers::{Error, Limits, Profile, SecureHeaderFields};

fn round_trips(shf: &SecureHeaderFields, profile: Profile, limits: &Limits) {
    if shf.fields.iter().any(|f| f.value.defect().is_some()) {
        return;
    }
    let der = shf
        .to_der(profile)
        .expect("a defect-free structure encodes");
    let again = SecureHeaderFields::from_der(&der, profile, limits).expect("our DER decodes");
    match profile {
        Profile::Rfc7508 => assert_eq!(&again, shf, "decode(encode(x)) == x"),
        // A SET OF is re-encoded in DER order.
        _ => assert!(
            again.same_content(shf),
            "decode(encode(x)) has the content of x"
        ),
    }
}

pub fn check(data: &[u8]) {
    let limits = Limits {
        max_secured_fields: 64,
        ..Limits::default()
    };
    for profile in Profile::ALL {
        match SecureHeaderFields::from_der(data, profile, &limits) {
            Ok(shf) => round_trips(&shf, profile, &limits),
            Err(error) => {
                if let Error::Malformed { offset, .. } = error {
                    assert!(offset <= data.len(), "offset beyond the input");
                }
                assert!(!error.to_string().is_empty());
            }
        }
    }
    if let Ok((profile, shf)) = SecureHeaderFields::from_attribute_der(data, &Profile::ALL, &limits)
    {
        round_trips(&shf, profile, &limits);
    }
}
