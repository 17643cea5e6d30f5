//! Several signers, one structure (draft §4.5.1, RFC 4853): "If multiple signatures are used
//! ... SecureHeaderFields structure MUST be the same in each SignerInfos object."

use crate::model::SecureHeaderFields;

/// Whether the SignerInfos of one message agree on their SecureHeaderFields.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SignerAgreement {
    /// Index of the first signer that carries the structure: the one the others are compared to.
    pub reference: Option<usize>,
    /// Signers whose structure differs from the reference's.
    pub differing: Vec<usize>,
    /// Signers that carry no structure while another one does.
    pub lacking: Vec<usize>,
}

impl SignerAgreement {
    /// True when every signer carries the same structure (or none carries one).
    pub fn is_consistent(&self) -> bool {
        self.differing.is_empty() && self.lacking.is_empty()
    }
}

/// Compare the structures of each signer, in SignerInfo order (`None` for a signer without
/// the attribute). Structures are compared decoded and as sets
/// ([`SecureHeaderFields::same_content`]), so two encodings of the same content (a DEFAULT
/// status written out, a SET OF in another order) agree.
pub fn signers_agree(per_signer: &[Option<&SecureHeaderFields>]) -> SignerAgreement {
    let reference = per_signer.iter().position(Option::is_some);
    let Some(reference_index) = reference else {
        return SignerAgreement::default();
    };
    let expected = per_signer[reference_index];
    let mut agreement = SignerAgreement {
        reference,
        ..SignerAgreement::default()
    };
    for (i, shf) in per_signer.iter().enumerate() {
        match shf {
            None => agreement.lacking.push(i),
            Some(shf) if !expected.is_some_and(|e| e.same_content(shf)) => {
                agreement.differing.push(i)
            }
            Some(_) => {}
        }
    }
    agreement
}
