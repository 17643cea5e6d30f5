//! `enclose` (RFC 5703 §6): a new message whose body is the explanatory text followed by the
//! original message as a message/rfc822 part.

/// Header fields of the original that the new message carries over unless the script sets
/// them (RFC 5703 §6: the enclosing message looks like it came from the same place).
const CARRIED: &[&str] = &["from", "to", "cc", "date", "message-id", "reply-to"];

pub(crate) fn enclose(
    original: &[u8],
    subject: Option<&str>,
    headers: &[String],
    text: &str,
) -> Vec<u8> {
    let boundary = boundary_for(original);
    let given: Vec<String> = headers
        .iter()
        .filter_map(|h| {
            h.split_once(':')
                .map(|(name, _)| name.trim().to_ascii_lowercase())
        })
        .collect();
    let original_view = super::message::MessageView::parse(original, 0);
    let mut out = Vec::with_capacity(original.len() + text.len() + 512);
    for name in CARRIED {
        if given.iter().any(|g| g == name) {
            continue;
        }
        for raw in original_view.raw_fields(0, name) {
            out.extend_from_slice(canonical_name(name).as_bytes());
            out.push(b':');
            out.extend_from_slice(raw);
            if !raw.ends_with(b"\n") {
                out.extend_from_slice(b"\r\n");
            }
        }
    }
    let subject = match subject {
        Some(s) => Some(s.to_owned()),
        None => original_view
            .raw_fields(0, "subject")
            .first()
            .map(|raw| super::message::decode_unstructured(raw)),
    };
    if let Some(subject) = subject
        && !given.iter().any(|g| g == "subject")
    {
        out.extend_from_slice(format!("Subject: {}\r\n", single_line(&subject)).as_bytes());
    }
    for header in headers {
        out.extend_from_slice(single_line(header).as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"MIME-Version: 1.0\r\n");
    out.extend_from_slice(
        format!("Content-Type: multipart/mixed; boundary=\"{boundary}\"\r\n\r\n").as_bytes(),
    );
    out.extend_from_slice(format!("--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n").as_bytes());
    out.extend_from_slice(text.replace("\r\n", "\n").replace('\n', "\r\n").as_bytes());
    if !text.ends_with('\n') {
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(
        format!("--{boundary}\r\nContent-Type: message/rfc822\r\n\r\n").as_bytes(),
    );
    out.extend_from_slice(original);
    if !original.ends_with(b"\n") {
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    out
}

fn canonical_name(name: &str) -> String {
    name.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map_or_else(String::new, |f| f.to_uppercase().chain(c).collect())
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// No CR or LF inside a header field the script supplies.
fn single_line(s: &str) -> String {
    s.replace(['\r', '\n'], " ")
}

/// A boundary that does not occur in the original (RFC 2046 §5.1.1).
fn boundary_for(original: &[u8]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in original {
        hash = (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3);
    }
    let mut candidate = format!("=_sieve_enclose_{hash:016x}");
    while original
        .windows(candidate.len())
        .any(|w| w == candidate.as_bytes())
    {
        candidate.push('x');
    }
    candidate
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn encloses_the_original() {
        let original = b"From: a@example.com\r\nSubject: hi\r\n\r\nbody\r\n";
        let out = enclose(
            original,
            Some("Warning"),
            &["X-Scanned: yes".into()],
            "careful\r\n",
        );
        let parsed = mail_parser::MessageParser::new().parse(&out).unwrap();
        assert_eq!(parsed.subject(), Some("Warning"));
        assert_eq!(
            parsed
                .from()
                .and_then(|f| f.first())
                .and_then(|a| a.address()),
            Some("a@example.com")
        );
        assert_eq!(parsed.header_raw("X-Scanned").map(str::trim), Some("yes"));
        assert_eq!(parsed.attachment_count(), 1);
        let inner = parsed.attachment(0).unwrap().message().unwrap();
        assert_eq!(inner.subject(), Some("hi"));
    }
}
