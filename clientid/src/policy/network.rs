//! Which network a client is on, for the travel heuristic (draft §6.2 item 4): the host's own
//! location label when it has one (a GeoIP country or an AS number), otherwise the address
//! truncated to a prefix.

use std::net::IpAddr;

/// The label of the network `peer` is on: `location` when given, otherwise the prefix of
/// `peer` of the given length, as `address/length`.
pub fn network_label(peer: IpAddr, location: Option<&str>, v4_prefix: u8, v6_prefix: u8) -> String {
    if let Some(location) = location {
        return location.to_owned();
    }
    match peer {
        IpAddr::V4(address) => {
            let length = v4_prefix.min(32);
            let mask = u32::MAX.checked_shl(32 - u32::from(length)).unwrap_or(0);
            let network = std::net::Ipv4Addr::from(u32::from(address) & mask);
            format!("{network}/{length}")
        }
        IpAddr::V6(address) => {
            let length = v6_prefix.min(128);
            let mask = u128::MAX.checked_shl(128 - u32::from(length)).unwrap_or(0);
            let network = std::net::Ipv6Addr::from(u128::from(address) & mask);
            format!("{network}/{length}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::network_label;

    #[test]
    fn prefixes_truncate_the_address() {
        let v4 = "198.51.100.7".parse().unwrap_or_else(|_| unreachable!());
        assert_eq!(network_label(v4, None, 16, 32), "198.51.0.0/16");
        assert_eq!(network_label(v4, None, 0, 32), "0.0.0.0/0");
        assert_eq!(network_label(v4, None, 32, 32), "198.51.100.7/32");
        let v6 = "2001:db8:abcd::1"
            .parse()
            .unwrap_or_else(|_| unreachable!());
        assert_eq!(network_label(v6, None, 16, 32), "2001:db8::/32");
        assert_eq!(network_label(v6, Some("AS64500"), 16, 32), "AS64500");
    }
}
