//! Names of externally stored lists (RFC 6134 §2.5, §2.6): absolute URIs, the `:` shorthand
//! for Sieve URN parameters, and the `addrbook` URN.

use std::fmt;

/// The prefix a leading `:` stands for (RFC 6134 §2.5).
const SIEVE_URN: &str = "urn:ietf:params:sieve:";
/// The addrbook URN parameter (RFC 6134 §2.6).
const ADDRBOOK_URN: &str = "urn:ietf:params:sieve:addrbook:";

/// A validated list name.
///
/// [`ListName::key`] is the form backends store and look up: for an `addrbook` URN it is
/// `urn:ietf:params:sieve:addrbook:` followed by the percent-decoded book name, with the
/// reserved name `default` in lower case whatever its spelling (§2.5: case-insensitive after
/// decoding) and every other name case-preserved (§2.6); for any other URI it is the URI with
/// its scheme in lower case (RFC 3986 §3.1) and the rest as written.
///
/// ```
/// use sieve_extlists::ListName;
///
/// let a = ListName::parse(":AddrBook:%44%65%66ault")?;
/// let b = ListName::parse("urn:ietf:params:sieve:addrbook:default")?;
/// assert_eq!(a.key(), b.key());
/// assert_eq!(a.addrbook(), Some("default"));
/// assert_eq!(ListName::parse("TAG:example.com,2011:Friends")?.key(), "tag:example.com,2011:Friends");
/// assert!(ListName::parse("no scheme").is_err());
/// # Ok::<(), sieve_extlists::ListNameError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ListName {
    written: String,
    key: String,
    scheme: String,
    addrbook: Option<String>,
}

/// Why a string is not a list name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid list name \"{name}\": {reason}")]
pub struct ListNameError {
    /// The name as written.
    pub name: String,
    /// Why it is invalid.
    pub reason: String,
}

impl ListName {
    /// Validates a list name as written in a script (after variable expansion).
    pub fn parse(written: &str) -> Result<Self, ListNameError> {
        let fail = |reason: &str| ListNameError {
            name: written.to_owned(),
            reason: reason.to_owned(),
        };
        // §2.5: a name that begins with ":" references a Sieve URN parameter.
        let expanded = match written.strip_prefix(':') {
            Some(rest) => format!("{SIEVE_URN}{rest}"),
            None => written.to_owned(),
        };
        let uri = fluent_uri::Uri::parse(expanded.as_str())
            .map_err(|e| fail(&format!("not an absolute URI (RFC 3986): {e}")))?;
        if uri.fragment().is_some() {
            return Err(fail("an absolute URI has no fragment (RFC 3986 §4.3)"));
        }
        let scheme = uri.scheme().as_str().to_ascii_lowercase();
        // URN namespace identifiers and the Sieve parameter names are case-insensitive.
        let addrbook = if expanded.len() >= ADDRBOOK_URN.len()
            && expanded.is_char_boundary(ADDRBOOK_URN.len())
            && expanded[..ADDRBOOK_URN.len()].eq_ignore_ascii_case(ADDRBOOK_URN)
        {
            let rest = &expanded[ADDRBOOK_URN.len()..];
            // §2.6: addrbook-urn = "addrbook:" addrbook [ "?" extensions ]; addrbook = segment.
            let segment = rest.split_once('?').map_or(rest, |(segment, _)| segment);
            if segment.is_empty() {
                return Err(fail("an addrbook URN names a book (RFC 6134 §2.6)"));
            }
            if segment.contains('/') {
                return Err(fail("an addrbook name is one URI segment (RFC 6134 §2.6)"));
            }
            let decoded = percent_encoding::percent_decode_str(segment)
                .decode_utf8()
                .map_err(|_| fail("the addrbook name is not UTF-8 once decoded"))?;
            Some(if decoded.eq_ignore_ascii_case("default") {
                "default".to_owned()
            } else {
                decoded.into_owned()
            })
        } else if expanded.len() >= SIEVE_URN.len()
            && expanded.is_char_boundary(SIEVE_URN.len())
            && expanded[..SIEVE_URN.len()].eq_ignore_ascii_case(SIEVE_URN)
        {
            return Err(fail(
                "unknown Sieve URN parameter (only addrbook is defined)",
            ));
        } else {
            None
        };
        let key = match &addrbook {
            Some(book) => format!("{ADDRBOOK_URN}{book}"),
            None => format!("{scheme}{}", &expanded[scheme.len()..]),
        };
        Ok(Self {
            written: written.to_owned(),
            key,
            scheme,
            addrbook,
        })
    }

    /// The name as written in the script.
    pub fn written(&self) -> &str {
        &self.written
    }

    /// The canonical form backends store and look up (see the type's documentation).
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The URI scheme, in lower case (`urn`, `tag`, `ldap`…).
    pub fn scheme(&self) -> &str {
        &self.scheme
    }

    /// For an `addrbook` URN, the decoded book name (`default` in lower case).
    pub fn addrbook(&self) -> Option<&str> {
        self.addrbook.as_deref()
    }
}

impl fmt::Display for ListName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.key)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// RFC 6134 §2.5: these four are all equivalent.
    #[test]
    fn default_addrbook_spellings_are_equivalent() {
        for written in [
            ":addrbook:default",
            ":ADDRBOOK:DEFAULT",
            ":aDdRbOOk:DeFauLt",
            ":AddrBook:%44%65%66ault",
        ] {
            let name = ListName::parse(written).unwrap();
            assert_eq!(
                name.key(),
                "urn:ietf:params:sieve:addrbook:default",
                "{written}"
            );
            assert_eq!(name.written(), written);
        }
    }

    /// §2.6: other book names keep their case after decoding.
    #[test]
    fn other_addrbook_names_keep_case() {
        let name = ListName::parse(":addrbook:Co%2DWorkers").unwrap();
        assert_eq!(name.addrbook(), Some("Co-Workers"));
        assert_ne!(
            name.key(),
            ListName::parse(":addrbook:co-workers").unwrap().key()
        );
    }

    #[test]
    fn addrbook_extensions_are_not_part_of_the_book() {
        let name =
            ListName::parse("urn:ietf:params:sieve:addrbook:personal?name.contains=fred").unwrap();
        assert_eq!(name.addrbook(), Some("personal"));
    }

    #[test]
    fn invalid_names_are_refused() {
        for bad in [
            "",
            "mylist",
            ":addrbook:",
            "urn:ietf:params:sieve:addrbook:",
            ":other:x",
            "tag:a#frag",
            "a b:c",
            ":addrbook:%ff",
        ] {
            assert!(ListName::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn other_uris_keep_case_except_scheme() {
        let name = ListName::parse("LDAP://ldap.example.com/cn=Friends").unwrap();
        assert_eq!(name.scheme(), "ldap");
        assert_eq!(name.key(), "ldap://ldap.example.com/cn=Friends");
        assert_eq!(name.addrbook(), None);
    }
}
