//! Verification of the secured fields against the received message (draft §4.5.2 steps 2–7;
//! step 1, the CMS signature, is smime-core's).

use crate::error::Error;
use crate::matching::pair;
use crate::message::{field_key, header_block};
use crate::model::{FieldValue, SecureHeaderFields};
use crate::policy::Policy;
use crate::report::{
    ExtraField, FieldReport, MandatoryMissing, MismatchReason, Verdict, VerificationReport,
};

/// Compare `shf`, decoded from a signature whose CMS verification succeeded, with `message`.
///
/// Never fails on a mismatch: every finding is an entry of the report. Fails only when the
/// message cannot be read within the policy's limits.
pub fn verify(
    shf: &SecureHeaderFields,
    message: &[u8],
    policy: &Policy,
) -> Result<VerificationReport, Error> {
    let block = header_block(message, policy.limits())?;
    // Steps 2 and 4: the algorithm named by the signature, not the local policy's.
    let pairing = pair(shf, &block);
    let fields = shf
        .fields
        .iter()
        .enumerate()
        .map(|(i, entry)| {
            let key = &pairing.entry_keys[i];
            let message_values = pairing
                .message
                .iter()
                .filter(|m| m.key == *key)
                .map(|m| FieldValue::raw(m.value.clone()))
                .collect();
            // Steps 3 and 5.
            let verdict = match (pairing.exact[i], pairing.same_name[i]) {
                (Some(_), _) => Verdict::Match,
                (None, Some(j)) => Verdict::Mismatch(match entry.value.defect() {
                    Some(defect) => MismatchReason::SignedValueDefect(defect),
                    None if pairing.message[j].value == entry.value.as_bytes() => {
                        MismatchReason::NameDiffers
                    }
                    None => MismatchReason::ValueDiffers,
                }),
                (None, None) => Verdict::MissingFromMessage,
            };
            FieldReport {
                name: entry.name.clone(),
                signed_value: entry.value.clone(),
                message_values,
                status: entry.status,
                verdict,
            }
        })
        .collect();
    // Step 6: secured fields present in the message that the signature does not account for.
    let extra = pairing
        .message
        .iter()
        .zip(&pairing.unclaimed)
        .filter(|(m, unclaimed)| {
            **unclaimed
                && (policy.rule_by_key(&m.key).is_some() || pairing.entry_keys.contains(&m.key))
        })
        .map(|(m, _)| ExtraField {
            name: String::from_utf8_lossy(&m.name).into_owned(),
            value: FieldValue::raw(m.value.clone()),
        })
        .collect();
    // Step 7: mandatory fields the signature does not secure.
    let mandatory_missing = policy
        .mandatory()
        .iter()
        .filter(|name| {
            let key = field_key(name.as_bytes());
            !pairing.entry_keys.contains(&key)
        })
        .map(|name| {
            let key = field_key(name.as_bytes());
            MandatoryMissing {
                name: name.clone(),
                in_message: pairing.message.iter().any(|m| m.key == key),
            }
        })
        .collect();
    Ok(VerificationReport {
        algorithm: shf.algorithm,
        fields,
        extra,
        mandatory_missing,
    })
}
