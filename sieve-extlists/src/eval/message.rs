//! The message as the tests see it: header fields per MIME part (raw, decoded on demand),
//! the part tree, and bodies. Parsing is mail-parser's; what a test reads from it is ours.

use mail_parser::parsers::MessageStream;
use mail_parser::{Address, HeaderValue, MessageParser, MimeHeaders, PartType};

/// One MIME part: its header fields, content type and place in the tree.
pub(crate) struct PartView<'m> {
    /// Header fields in message order: lower-cased name, raw value (after the colon, folded).
    pub(crate) headers: Vec<(String, &'m [u8])>,
    /// `type`, `subtype` in lower case (RFC 2045 defaults when absent).
    pub(crate) content_type: (String, String),
    pub(crate) children: Vec<usize>,
    /// Decoded text, for text/* leaves.
    pub(crate) text: Option<String>,
}

/// The parsed message. Part 0 is the message itself; the others follow in depth-first order.
pub(crate) struct MessageView<'m> {
    pub(crate) raw: &'m [u8],
    pub(crate) parts: Vec<PartView<'m>>,
    /// Where the top-level body starts.
    pub(crate) body_offset: usize,
    /// The message has more parts than the limit: the tree holds the first ones only, and any
    /// test that walks it fails with the limit rather than seeing part of the message.
    pub(crate) truncated: bool,
}

impl<'m> MessageView<'m> {
    /// Parses the message, keeping at most `max_parts` parts below the top level.
    pub(crate) fn parse(raw: &'m [u8], max_parts: usize) -> Self {
        let Some(message) = MessageParser::new().parse(raw) else {
            return Self {
                raw,
                parts: vec![empty_part()],
                body_offset: raw.len(),
                truncated: false,
            };
        };
        let mut parts = Vec::new();
        let mut truncated = false;
        // mail-parser can describe a malformed multipart with a cycle in its part graph: each
        // part is visited once.
        let mut seen = vec![false; message.parts.len()];
        // Depth-first over the multipart tree; message/rfc822 parts are leaves here.
        let mut stack: Vec<(u32, Option<usize>)> = vec![(0, None)];
        while let Some((id, parent)) = stack.pop() {
            let Some(part) = message.part(id) else {
                continue;
            };
            match seen.get_mut(id as usize) {
                Some(seen) if !*seen => *seen = true,
                _ => continue,
            }
            if parts.len() > max_parts {
                truncated = true;
                break;
            }
            let index = parts.len();
            if let Some(parent) = parent
                && let Some(p) = parts.get_mut(parent)
            {
                let p: &mut PartView<'m> = p;
                p.children.push(index);
            }
            let headers = part
                .headers
                .iter()
                .map(|h| {
                    let start = (h.offset_start as usize).min(raw.len());
                    let end = (h.offset_end as usize).clamp(start, raw.len());
                    (h.name.as_str().to_ascii_lowercase(), &raw[start..end])
                })
                .collect();
            let content_type = match part.content_type() {
                Some(ct) => (
                    ct.c_type.to_ascii_lowercase(),
                    ct.c_subtype
                        .as_deref()
                        .map_or_else(|| "plain".to_owned(), str::to_ascii_lowercase),
                ),
                None => ("text".to_owned(), "plain".to_owned()),
            };
            let text = match &part.body {
                PartType::Text(t) | PartType::Html(t) => Some(t.to_string()),
                _ => None,
            };
            if let PartType::Multipart(children) = &part.body {
                for child in children.iter().rev() {
                    stack.push((*child, Some(index)));
                }
            }
            parts.push(PartView {
                headers,
                content_type,
                children: Vec::new(),
                text,
            });
        }
        if parts.is_empty() {
            parts.push(empty_part());
        }
        let body_offset = (message.root_part().offset_body as usize).min(raw.len());
        Self {
            raw,
            parts,
            body_offset,
            truncated,
        }
    }

    /// All parts below `part`, depth-first (RFC 5703 §3.1: the parts a loop visits).
    pub(crate) fn descendants(&self, part: usize) -> Vec<usize> {
        let mut out = Vec::new();
        let mut stack: Vec<usize> = self
            .parts
            .get(part)
            .map(|p| p.children.iter().rev().copied().collect())
            .unwrap_or_default();
        while let Some(index) = stack.pop() {
            out.push(index);
            if let Some(p) = self.parts.get(index) {
                stack.extend(p.children.iter().rev().copied());
            }
        }
        out
    }

    /// The raw values of the fields called `name` in `part`.
    pub(crate) fn raw_fields(&self, part: usize, name: &str) -> Vec<&'m [u8]> {
        self.parts
            .get(part)
            .map(|p| {
                p.headers
                    .iter()
                    .filter(|(n, _)| n.eq_ignore_ascii_case(name))
                    .map(|(_, v)| *v)
                    .collect()
            })
            .unwrap_or_default()
    }
}

fn empty_part<'m>() -> PartView<'m> {
    PartView {
        headers: Vec::new(),
        content_type: ("text".into(), "plain".into()),
        children: Vec::new(),
        text: None,
    }
}

/// A header value unfolded and with RFC 2047 encoded words decoded (RFC 5228 §5.7).
pub(crate) fn decode_unstructured(raw: &[u8]) -> String {
    match MessageStream::new(raw).parse_unstructured() {
        HeaderValue::Text(text) => text.into_owned(),
        HeaderValue::TextList(list) => list.join(", "),
        _ => String::new(),
    }
}

/// The addresses in a header value (RFC 5228 §2.7.4), group names left out.
pub(crate) fn decode_addresses(raw: &[u8]) -> Vec<String> {
    match MessageStream::new(raw).parse_address() {
        HeaderValue::Address(Address::List(list)) => list
            .into_iter()
            .filter_map(|a| a.address.map(|s| s.into_owned()))
            .collect(),
        HeaderValue::Address(Address::Group(groups)) => groups
            .into_iter()
            .flat_map(|g| {
                g.addresses
                    .into_iter()
                    .filter_map(|a| a.address.map(|s| s.into_owned()))
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// A parameterized header value (Content-Type, Content-Disposition): the value and the
/// parameters, RFC 2231 continuations joined (RFC 5703 §4.2 `:param`).
pub(crate) struct Parameterized {
    pub(crate) main: String,
    pub(crate) sub: Option<String>,
    pub(crate) params: Vec<(String, String)>,
}

pub(crate) fn decode_parameterized(raw: &[u8]) -> Option<Parameterized> {
    match MessageStream::new(raw).parse_content_type() {
        HeaderValue::ContentType(ct) => Some(Parameterized {
            main: ct.c_type.into_owned(),
            sub: ct.c_subtype.map(|s| s.into_owned()),
            params: ct
                .attributes
                .unwrap_or_default()
                .into_iter()
                .map(|a| (a.name.into_owned(), a.value.into_owned()))
                .collect(),
        }),
        _ => None,
    }
}

/// A Date header value as (seconds since the epoch, original offset in minutes).
pub(crate) fn decode_date(raw: &[u8]) -> Option<(i64, i32)> {
    match MessageStream::new(raw).parse_date() {
        HeaderValue::DateTime(dt) if dt.is_valid() => {
            let offset = (i32::from(dt.tz_hour) * 60 + i32::from(dt.tz_minute))
                * if dt.tz_before_gmt { -1 } else { 1 };
            let local = super::date::civil_to_unix(
                i64::from(dt.year),
                u32::from(dt.month),
                u32::from(dt.day),
            ) + i64::from(dt.hour) * 3600
                + i64::from(dt.minute) * 60
                + i64::from(dt.second);
            Some((local - i64::from(offset) * 60, offset))
        }
        _ => None,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn parts_and_headers() {
        let raw = b"From: A <a@example.com>, b@example.org\r\nSubject: =?utf-8?q?caf=C3=A9?=\r\n  folded\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: text/plain\r\n\r\nhello\r\n--x\r\nContent-Type: application/octet-stream; name=\"a.exe\"\r\nContent-Disposition: attachment; filename=\"a.exe\"\r\n\r\nMZ\r\n--x--\r\n";
        let view = MessageView::parse(raw, 100);
        assert_eq!(view.parts.len(), 3);
        assert_eq!(view.descendants(0), [1, 2]);
        assert_eq!(
            decode_addresses(view.raw_fields(0, "from")[0]),
            ["a@example.com", "b@example.org"]
        );
        assert_eq!(
            decode_unstructured(view.raw_fields(0, "SUBJECT")[0]),
            "café folded"
        );
        let cd = decode_parameterized(view.raw_fields(2, "content-disposition")[0]).unwrap();
        assert_eq!(cd.main, "attachment");
        assert_eq!(cd.params, [("filename".to_owned(), "a.exe".to_owned())]);
        assert_eq!(view.parts[1].text.as_deref(), Some("hello"));
    }

    /// The graph mail-parser built for a malformed multipart once had a cycle; a walk without
    /// a visited set ran out of memory (found by the sieve_eval fuzz target).
    #[test]
    fn parts_are_bounded() {
        let mut raw = b"Content-Type: multipart/mixed; boundary=b\r\n\r\n".to_vec();
        for _ in 0..50 {
            raw.extend_from_slice(b"--b\r\nContent-Type: text/plain\r\n\r\nx\r\n");
        }
        raw.extend_from_slice(b"--b--\r\n");
        let view = MessageView::parse(&raw, 10);
        assert!(view.truncated);
        assert!(view.parts.len() <= 11);
        assert!(!MessageView::parse(&raw, 100).truncated);
    }

    #[test]
    fn dates() {
        let (unix, offset) = decode_date(b" Tue, 1 Dec 2009 10:00:00 +0100\r\n").unwrap();
        assert_eq!(unix, 1_259_658_000);
        assert_eq!(offset, 60);
        assert!(decode_date(b" not a date\r\n").is_none());
    }
}
