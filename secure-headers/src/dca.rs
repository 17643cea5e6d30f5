//! The DCA header transforms (draft §4.6): hiding fields when a Domain Confidentiality
//! Authority encrypts a message, and restoring them when it decrypts one.

use crate::error::Error;
use crate::limits::Limits;
use crate::matching::pair;
use crate::message::{HeaderBlock, header_block};
use crate::model::{CanonAlgorithm, FieldStatus, SecureHeaderField, SecureHeaderFields};
use crate::policy::{FieldRule, Policy};

/// RFC 5322 §3.6: the only fields every message must carry, kept whatever the status says
/// (§4.6.1 step 1.2).
const RFC5322_MANDATORY: [&str; 2] = ["from", "date"];

/// Longest line RFC 5322 §2.1.1 allows, line ending excluded.
const MAX_LINE: usize = 998;

/// One change to the header block.
enum Edit {
    Remove(usize),
    Replace(usize, Vec<u8>),
}

/// Encryption side (§4.6.1): for each field of the structure found in the message, `deleted`
/// removes it (From and Date are kept) and `modified` replaces its value with the policy's
/// replacement. `duplicated` fields and everything else stay byte for byte.
pub fn apply(message: &[u8], shf: &SecureHeaderFields, policy: &Policy) -> Result<Vec<u8>, Error> {
    let block = header_block(message, policy.limits())?;
    let pairing = pair(shf, &block);
    let mut edits = Vec::new();
    for (i, entry) in shf.fields.iter().enumerate() {
        let Some(j) = pairing.exact[i] else {
            continue;
        };
        let key = &pairing.entry_keys[i];
        match entry.status {
            FieldStatus::Duplicated => {}
            FieldStatus::Deleted => {
                if !RFC5322_MANDATORY.contains(&key.as_str()) {
                    edits.push(Edit::Remove(j));
                }
            }
            FieldStatus::Modified => {
                let Some(FieldRule::Modified { value }) = policy.rule_by_key(key) else {
                    return Err(Error::NoReplacement {
                        field: entry.name.clone(),
                    });
                };
                let raw = &block.fields[j];
                let mut field = raw.name.to_vec();
                field.push(b':');
                push_unstructured(
                    &mut field,
                    value.as_bytes(),
                    raw.name.len() + 1,
                    block.line_ending,
                );
                field.extend_from_slice(block.line_ending);
                edits.push(Edit::Replace(j, field));
            }
        }
    }
    Ok(rewrite(message, &block, edits, Vec::new()))
}

/// Decryption side (§4.6.2): every `deleted` field of the structure is written back and every
/// `modified` field gets its signed value back, so that the result verifies.
///
/// A field already present with its signed value is left alone; a `modified` field replaces
/// the first instance of its name that does not match; a field that cannot be found is
/// appended to the header block. `duplicated` fields are never touched: a difference there is
/// for verification to report.
pub fn restore(
    message: &[u8],
    shf: &SecureHeaderFields,
    limits: &Limits,
) -> Result<Vec<u8>, Error> {
    let block = header_block(message, limits)?;
    let pairing = pair(shf, &block);
    let mut edits = Vec::new();
    let mut appended = Vec::new();
    for (i, entry) in shf.fields.iter().enumerate() {
        if pairing.exact[i].is_some() {
            continue;
        }
        match entry.status {
            FieldStatus::Duplicated => {}
            FieldStatus::Modified => match pairing.same_name[i] {
                Some(j) => edits.push(Edit::Replace(
                    j,
                    render(entry, shf.algorithm, block.line_ending),
                )),
                None => appended.push(render(entry, shf.algorithm, block.line_ending)),
            },
            FieldStatus::Deleted => appended.push(render(entry, shf.algorithm, block.line_ending)),
        }
    }
    Ok(rewrite(message, &block, edits, appended))
}

/// The field as it goes back into a message, such that canonicalizing it with `algorithm`
/// gives the entry back: under `simple` the name and value are the original bytes; under
/// `relaxed` one space follows the colon and lines over 998 octets are folded at a space.
fn render(entry: &SecureHeaderField, algorithm: CanonAlgorithm, line_ending: &[u8]) -> Vec<u8> {
    let mut field = entry.name.as_bytes().to_vec();
    field.push(b':');
    match algorithm {
        CanonAlgorithm::Simple => field.extend_from_slice(entry.value.as_bytes()),
        CanonAlgorithm::Relaxed => {
            let column = field.len();
            push_unstructured(&mut field, entry.value.as_bytes(), column, line_ending);
        }
    }
    field.extend_from_slice(line_end_after(&field, line_ending));
    field
}

/// The line ending to put after `line`: the message's, except after a bare CR, which a bare LF
/// would turn into a CRLF line ending (losing the CR from the value): CRLF there.
fn line_end_after<'a>(line: &[u8], line_ending: &'a [u8]) -> &'a [u8] {
    if line.ends_with(b"\r") {
        b"\r\n"
    } else {
        line_ending
    }
}

/// Append ` value` (nothing for an empty value), folding before a space whenever the line
/// would exceed 998 octets. `column` is the length of the line so far.
fn push_unstructured(out: &mut Vec<u8>, value: &[u8], mut column: usize, line_ending: &[u8]) {
    if value.is_empty() {
        return;
    }
    out.push(b' ');
    column += 1;
    for (i, word) in value.split(|&b| b == b' ').enumerate() {
        if i > 0 {
            if column + 1 + word.len() > MAX_LINE {
                out.extend_from_slice(line_ending);
                column = 0;
            }
            out.push(b' ');
            column += 1;
        }
        out.extend_from_slice(word);
        column += word.len();
    }
}

/// The message with `edits` applied to its fields and `appended` fields added after the last
/// one; every other byte is copied unchanged.
fn rewrite(
    message: &[u8],
    block: &HeaderBlock<'_>,
    mut edits: Vec<Edit>,
    appended: Vec<Vec<u8>>,
) -> Vec<u8> {
    edits.sort_by_key(|e| match e {
        Edit::Remove(j) | Edit::Replace(j, _) => *j,
    });
    let extra: usize = appended.iter().map(Vec::len).sum::<usize>()
        + edits
            .iter()
            .map(|e| match e {
                Edit::Replace(_, f) => f.len(),
                Edit::Remove(_) => 0,
            })
            .sum::<usize>();
    let mut out = Vec::with_capacity(message.len() + extra);
    let mut copied = 0;
    for edit in edits {
        let (j, replacement) = match edit {
            Edit::Remove(j) => (j, None),
            Edit::Replace(j, f) => (j, Some(f)),
        };
        let span = block.fields[j].range();
        out.extend_from_slice(&message[copied..span.start]);
        if let Some(field) = replacement {
            out.extend_from_slice(&field);
        }
        copied = span.end;
    }
    let insert_at = block.end.max(copied);
    out.extend_from_slice(&message[copied..insert_at]);
    if !appended.is_empty() && insert_at > 0 && !message[..insert_at].ends_with(b"\n") {
        // The last field had no line ending (a message that is only a header block).
        out.extend_from_slice(line_end_after(&message[..insert_at], block.line_ending));
    }
    let mut resume = insert_at;
    let mut separator: &[u8] = b"";
    if let (false, Some((tail_end, has_line_ending))) = (appended.is_empty(), block.folding_tail) {
        resume = tail_end;
        if has_line_ending {
            separator = block.line_ending;
        }
    }
    for field in appended {
        out.extend_from_slice(&field);
    }
    out.extend_from_slice(separator);
    out.extend_from_slice(&message[resume..]);
    out
}
