//! Typed list entries: how an entry is checked and normalised when it is stored, and how a
//! queried value becomes the handful of keys looked up for it (RFC 6134 §2.2: the list
//! decides how values are compared, since `:list` takes no comparator).
//!
//! Every backend uses these rules, so a lookup is always a constant, small number of exact
//! key probes (an index seek in SQLite, a hash lookup in memory), never a scan of the list:
//!
//! | type | entry | value |
//! |------|-------|-------|
//! | `address` | `user@domain`, `*@domain` (every address at that domain), `*@*.domain` (every address at any subdomain of it, not the domain itself); stored in lower case | lower-cased, then the exact address, `*@domain` and `*@*.` each parent domain |
//! | `string` | any text, octet for octet | the same octets |
//! | `ip` | an IPv4/IPv6 address or a CIDR range without host bits; an IPv4-mapped IPv6 entry is stored as IPv4 | an IPv4/IPv6 address (optionally in `[ ]`); an IPv4-mapped IPv6 value is looked up as IPv4; anything else matches nothing |
//! | `extension` | `exe` or `.exe`, stored in lower case without the dot | the text after the last `.` of a file name, or a bare extension, lower-cased |
//! | `date` | `yyyy-mm-dd`, a real calendar date | `yyyy-mm-dd`, or an ISO 8601 date-time whose date part is used |
//!
//! Case is folded with Unicode lower-casing, the same on both sides.

use std::fmt;
use std::net::IpAddr;

use ipnet::IpNet;

use super::ListType;

/// Why a list entry was refused when the list was stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct EntryError {
    /// The entry as given.
    pub entry: String,
    /// What is wrong with it.
    pub reason: String,
}

impl fmt::Display for EntryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid entry \"{}\": {}",
            self.entry.escape_debug(),
            self.reason
        )
    }
}

/// The lookup key of a stored entry.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum EntryKey {
    /// Address, string, extension and date entries: compared as exact keys.
    Text(String),
    /// An IP network: the family (4 or 6), the prefix length and the network bits (an IPv4
    /// network sits in the low 32 bits).
    Net(IpKey),
}

/// An IP network as stored and probed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct IpKey {
    /// 4 or 6.
    pub family: u8,
    /// Prefix length: 0..=32 for IPv4, 0..=128 for IPv6.
    pub prefix_len: u8,
    /// The network address, host bits zero.
    pub network: u128,
}

impl IpKey {
    /// The network address as 4 or 16 big-endian bytes (the SQLite column).
    #[cfg(feature = "sqlite")]
    pub fn network_bytes(&self) -> Vec<u8> {
        if self.family == 4 {
            ((self.network & 0xffff_ffff) as u32).to_be_bytes().to_vec()
        } else {
            self.network.to_be_bytes().to_vec()
        }
    }
}

/// A checked entry: the text as stored (returned as the match, RFC 6134 §2.2 `${0}`) and its key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    /// The entry as stored.
    pub stored: String,
    /// Its lookup key.
    pub key: EntryKey,
    /// An address wildcard (`*@…`): such a list cannot be enumerated for `redirect :list`.
    pub wildcard: bool,
}

/// Checks and normalises one entry of a list of the given type.
pub(crate) fn normalize(list_type: ListType, entry: &str) -> Result<Entry, EntryError> {
    let fail = |reason: &str| EntryError {
        entry: entry.to_owned(),
        reason: reason.to_owned(),
    };
    match list_type {
        ListType::String => Ok(Entry {
            stored: entry.to_owned(),
            key: EntryKey::Text(entry.to_owned()),
            wildcard: false,
        }),
        ListType::Address => {
            let trimmed = entry.trim();
            let lower = trimmed.to_lowercase();
            let wildcard = check_address_entry(&lower).map_err(|reason| fail(&reason))?;
            Ok(Entry {
                stored: lower.clone(),
                key: EntryKey::Text(lower),
                wildcard,
            })
        }
        ListType::Ip => {
            let trimmed = entry.trim();
            let net = parse_ip_entry(trimmed).map_err(|reason| fail(&reason))?;
            Ok(Entry {
                stored: trimmed.to_owned(),
                key: EntryKey::Net(net),
                wildcard: false,
            })
        }
        ListType::Extension => {
            let trimmed = entry.trim();
            let bare = trimmed.strip_prefix('.').unwrap_or(trimmed);
            if bare.is_empty() {
                return Err(fail("an extension is not empty"));
            }
            if bare
                .chars()
                .any(|c| c == '.' || c == '/' || c == '\\' || c.is_whitespace() || c.is_control())
            {
                return Err(fail(
                    "an extension is the text after a file name's last dot: no dot, slash or space",
                ));
            }
            let key = bare.to_lowercase();
            Ok(Entry {
                stored: trimmed.to_owned(),
                key: EntryKey::Text(key),
                wildcard: false,
            })
        }
        ListType::Date => {
            let trimmed = entry.trim();
            let date = parse_date(trimmed)
                .ok_or_else(|| fail("a date is yyyy-mm-dd, a real calendar day"))?;
            Ok(Entry {
                stored: trimmed.to_owned(),
                key: EntryKey::Text(date),
                wildcard: false,
            })
        }
    }
}

/// The keys to probe for one queried value, most specific first. Empty when the value cannot
/// be a member of a list of this type (not an address, not an IP address…): no match, not an
/// error, as for any other non-matching value.
pub(crate) enum Probe {
    /// Exact text keys, in order.
    Text(Vec<String>),
    /// An address to test against every prefix length the list holds.
    Ip {
        /// 4 or 6.
        family: u8,
        /// The address bits (IPv4 in the low 32 bits).
        bits: u128,
    },
    /// Nothing can match.
    None,
}

/// The most labels a domain can have (255 octets, RFC 1035 §2.3.4): bounds the wildcard probes.
const MAX_DOMAIN_LABELS: usize = 128;

/// Turns a queried value into the keys to probe.
pub(crate) fn probe(list_type: ListType, value: &str) -> Probe {
    match list_type {
        ListType::String => Probe::Text(vec![value.to_owned()]),
        ListType::Address => {
            // A header value such as `Alice <alice@example.org>` (a `header :list "from"` test,
            // RFC 6134 §2.9.3) is looked up by its addr-spec.
            let trimmed = value.trim();
            let addr_spec = match (trimmed.rfind('<'), trimmed.ends_with('>')) {
                (Some(open), true) => &trimmed[open + 1..trimmed.len() - 1],
                _ => trimmed,
            };
            let lower = addr_spec.trim().to_lowercase();
            let Some((local, domain)) = lower.rsplit_once('@') else {
                return Probe::None;
            };
            if local.is_empty() || domain.is_empty() {
                return Probe::None;
            }
            let mut keys = vec![lower.clone(), format!("*@{domain}")];
            // `*@*.example.com` holds every address at a subdomain of example.com: probe each
            // parent domain of the value's domain.
            let mut rest = domain;
            while let Some((_, parent)) = rest.split_once('.')
                && keys.len() < MAX_DOMAIN_LABELS + 2
            {
                if parent.is_empty() {
                    break;
                }
                keys.push(format!("*@*.{parent}"));
                rest = parent;
            }
            Probe::Text(keys)
        }
        ListType::Ip => {
            let trimmed = value.trim();
            let inner = trimmed
                .strip_prefix('[')
                .and_then(|s| s.strip_suffix(']'))
                .unwrap_or(trimmed);
            match inner.parse::<IpAddr>() {
                Ok(addr) => {
                    let (family, bits) = ip_bits(addr);
                    Probe::Ip { family, bits }
                }
                Err(_) => Probe::None,
            }
        }
        ListType::Extension => {
            let trimmed = value.trim();
            let ext = trimmed.rsplit_once('.').map_or(trimmed, |(_, ext)| ext);
            if ext.is_empty() {
                Probe::None
            } else {
                Probe::Text(vec![ext.to_lowercase()])
            }
        }
        ListType::Date => {
            let trimmed = value.trim();
            // An ISO 8601 date-time (the date extension's "iso8601" part) is compared by its date.
            let date_part = match trimmed.get(..10) {
                Some(head) if trimmed.len() == 10 || trimmed[10..].starts_with(['T', 't', ' ']) => {
                    head
                }
                _ => return Probe::None,
            };
            match parse_date(date_part) {
                Some(date) => Probe::Text(vec![date]),
                None => Probe::None,
            }
        }
    }
}

/// The network of `bits` (of the given family) at `prefix_len`.
pub(crate) fn ip_network(family: u8, bits: u128, prefix_len: u8) -> u128 {
    let width: u32 = if family == 4 { 32 } else { 128 };
    let len = u32::from(prefix_len).min(width);
    if len == 0 {
        return 0;
    }
    let host_bits = width - len;
    let mask = if width == 128 {
        u128::MAX
    } else {
        (1u128 << width) - 1
    };
    let mask = if host_bits >= 128 {
        0
    } else {
        (mask >> host_bits) << host_bits
    };
    bits & mask
}

/// The family and bits of an address; an IPv4-mapped IPv6 address counts as IPv4.
fn ip_bits(addr: IpAddr) -> (u8, u128) {
    match addr {
        IpAddr::V4(v4) => (4, u128::from(u32::from(v4))),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => (4, u128::from(u32::from(v4))),
            None => (6, u128::from(v6)),
        },
    }
}

fn parse_ip_entry(text: &str) -> Result<IpKey, String> {
    let net: IpNet = if text.contains('/') {
        text.parse::<IpNet>().map_err(|_| {
            "not an IP address or CIDR range (192.0.2.0/24, 2001:db8::/32)".to_owned()
        })?
    } else {
        let addr: IpAddr = text.parse().map_err(|_| {
            "not an IP address or CIDR range (192.0.2.0/24, 2001:db8::/32)".to_owned()
        })?;
        IpNet::from(addr)
    };
    if net.trunc() != net {
        return Err(format!(
            "host bits are set in a CIDR range (the network is {})",
            net.trunc()
        ));
    }
    let (family, bits, prefix_len) = match net {
        IpNet::V4(v4) => (4u8, u128::from(u32::from(v4.network())), v4.prefix_len()),
        IpNet::V6(v6) => match v6.network().to_ipv4_mapped() {
            // ::ffff:192.0.2.0/120 is 192.0.2.0/24: stored as IPv4 so that IPv4 and mapped
            // values both find it.
            Some(v4) if v6.prefix_len() >= 96 => {
                (4u8, u128::from(u32::from(v4)), v6.prefix_len() - 96)
            }
            _ => (6u8, u128::from(v6.network()), v6.prefix_len()),
        },
    };
    Ok(IpKey {
        family,
        prefix_len,
        network: bits,
    })
}

/// Checks a lower-cased address entry; returns whether it is a wildcard.
fn check_address_entry(lower: &str) -> Result<bool, String> {
    let Some((local, domain)) = lower.rsplit_once('@') else {
        return Err("an address is local-part@domain, or *@domain for a whole domain".to_owned());
    };
    if local.is_empty() {
        return Err("the local part is empty".to_owned());
    }
    if local.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("the local part holds a space or control character".to_owned());
    }
    if local.contains('*') && local != "*" {
        return Err("a wildcard is the whole local part: *@domain".to_owned());
    }
    let wildcard = local == "*";
    let host = match domain.strip_prefix("*.") {
        Some(parent) if wildcard => parent,
        Some(_) => return Err("a subdomain wildcard *@*.domain has * as its local part".to_owned()),
        None => domain,
    };
    if host.starts_with('[') && host.ends_with(']') && !wildcard {
        return Ok(false); // an address literal (RFC 5321 §4.1.3)
    }
    check_domain(host)?;
    Ok(wildcard)
}

fn check_domain(domain: &str) -> Result<(), String> {
    if domain.is_empty() {
        return Err("the domain is empty".to_owned());
    }
    if domain.len() > 255 {
        return Err("the domain is longer than 255 octets".to_owned());
    }
    for label in domain.split('.') {
        if label.is_empty() {
            return Err("the domain has an empty label".to_owned());
        }
        if !label
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
        {
            return Err(format!(
                "the domain label \"{label}\" holds a character a domain cannot"
            ));
        }
    }
    Ok(())
}

/// Parses `yyyy-mm-dd` (a real calendar day) into its canonical text.
fn parse_date(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let digits = |range: std::ops::Range<usize>| -> Option<u32> {
        let part = text.get(range)?;
        if !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        part.parse().ok()
    };
    let (year, month, day) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if day == 0 || day > days {
        return None;
    }
    Some(format!("{year:04}-{month:02}-{day:02}"))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn keys(list_type: ListType, value: &str) -> Vec<String> {
        match probe(list_type, value) {
            Probe::Text(keys) => keys,
            Probe::Ip { .. } | Probe::None => Vec::new(),
        }
    }

    #[test]
    fn address_entries_are_lower_cased_and_checked() {
        let entry = normalize(ListType::Address, " Alice@Example.ORG ").unwrap();
        assert_eq!(entry.stored, "alice@example.org");
        assert!(!entry.wildcard);
        assert!(
            normalize(ListType::Address, "*@Example.org")
                .unwrap()
                .wildcard
        );
        assert!(
            normalize(ListType::Address, "*@*.example.org")
                .unwrap()
                .wildcard
        );
        assert!(normalize(ListType::Address, "bob@[192.0.2.1]").is_ok());
        for bad in [
            "",
            "alice",
            "@example.org",
            "alice@",
            "al ice@example.org",
            "a*@example.org",
            "alice@*.example.org",
            "alice@exa mple.org",
            "alice@example..org",
            "*@*",
            "*@",
        ] {
            let err = normalize(ListType::Address, bad).unwrap_err();
            assert_eq!(err.entry, bad);
        }
    }

    #[test]
    fn address_values_in_name_addr_form_probe_the_addr_spec() {
        assert_eq!(
            keys(ListType::Address, "\"Alice\" <Alice@Example.org>")[0],
            "alice@example.org"
        );
        assert!(matches!(probe(ListType::Address, "Alice <>"), Probe::None));
    }

    #[test]
    fn address_values_probe_exact_domain_and_parent_wildcards() {
        assert_eq!(
            keys(ListType::Address, "Bob@Mail.Example.ORG"),
            [
                "bob@mail.example.org",
                "*@mail.example.org",
                "*@*.example.org",
                "*@*.org"
            ]
        );
        assert!(keys(ListType::Address, "no-at-sign").is_empty());
        assert!(keys(ListType::Address, "@example.org").is_empty());
    }

    #[test]
    fn ip_entries_are_networks_without_host_bits() {
        let key = |text: &str| match normalize(ListType::Ip, text).unwrap().key {
            EntryKey::Net(net) => net,
            EntryKey::Text(_) => unreachable!("ip entries have network keys"),
        };
        assert_eq!(
            key("192.0.2.0/24"),
            IpKey {
                family: 4,
                prefix_len: 24,
                network: 0xc000_0200
            }
        );
        assert_eq!(
            key("198.51.100.7"),
            IpKey {
                family: 4,
                prefix_len: 32,
                network: 0xc633_6407
            }
        );
        assert_eq!(
            key("::ffff:192.0.2.0/120"),
            IpKey {
                family: 4,
                prefix_len: 24,
                network: 0xc000_0200
            }
        );
        assert_eq!(key("2001:db8::/32").family, 6);
        let err = normalize(ListType::Ip, "192.0.2.1/24").unwrap_err();
        assert!(err.reason.contains("192.0.2.0/24"), "{err}");
        assert!(normalize(ListType::Ip, "example.com").is_err());
        assert!(normalize(ListType::Ip, "192.0.2.0/33").is_err());
    }

    #[test]
    fn ip_networks_mask_host_bits() {
        assert_eq!(ip_network(4, 0xc000_0207, 24), 0xc000_0200);
        assert_eq!(ip_network(4, 0xc000_0207, 0), 0);
        assert_eq!(ip_network(4, 0xc000_0207, 32), 0xc000_0207);
        assert_eq!(ip_network(6, u128::MAX, 128), u128::MAX);
        assert_eq!(ip_network(6, u128::MAX, 1), 1u128 << 127);
        assert!(matches!(
            probe(ListType::Ip, "::ffff:192.0.2.7"),
            Probe::Ip {
                family: 4,
                bits: 0xc000_0207
            }
        ));
        assert!(matches!(
            probe(ListType::Ip, "[2001:db8::1]"),
            Probe::Ip { family: 6, .. }
        ));
        assert!(matches!(probe(ListType::Ip, "not-an-ip"), Probe::None));
    }

    #[test]
    fn extensions_and_dates() {
        assert_eq!(
            normalize(ListType::Extension, ".EXE").unwrap().key,
            EntryKey::Text("exe".into())
        );
        assert!(normalize(ListType::Extension, "tar.gz").is_err());
        assert!(normalize(ListType::Extension, ".").is_err());
        assert_eq!(keys(ListType::Extension, "Report.PDF.Exe"), ["exe"]);
        assert_eq!(keys(ListType::Extension, "exe"), ["exe"]);
        assert!(keys(ListType::Extension, "trailing.").is_empty());
        assert_eq!(
            normalize(ListType::Date, "2024-02-29").unwrap().key,
            EntryKey::Text("2024-02-29".into())
        );
        for bad in [
            "2023-02-29",
            "2024-13-01",
            "2024-1-01",
            "24-01-01",
            "2024-01-00",
            "2024/01/01",
        ] {
            assert!(normalize(ListType::Date, bad).is_err(), "{bad}");
        }
        assert_eq!(keys(ListType::Date, "2011-04-10T12:00:00Z"), ["2011-04-10"]);
        assert!(keys(ListType::Date, "2011-04-100").is_empty());
    }

    #[test]
    fn strings_are_exact() {
        assert_eq!(
            normalize(ListType::String, " Mixed ").unwrap().stored,
            " Mixed "
        );
        assert_eq!(keys(ListType::String, "Mixed"), ["Mixed"]);
    }
}
