//! Lists held in memory, hash-indexed: a lookup is a constant number of hash probes per
//! value (per prefix length held, for IP lists), never a scan of the list.

use std::collections::{BTreeSet, HashMap};
use std::time::Instant;

use super::typed::{self, Entry, EntryKey, IpKey, Probe};
use super::{Enumeration, ListError, ListInfo, ListMatch, ListName, ListResolver, ListType};
use crate::error::Error;

/// One typed list, indexed for lookups. Shared by the in-memory and directory backends.
#[derive(Debug, Clone)]
pub(crate) struct TypedList {
    /// The name as first given.
    pub name: ListName,
    /// The entry type.
    pub list_type: ListType,
    /// The list handler redirects on the engine's behalf (RFC 6134 §2.3 condition 2).
    pub handled: bool,
    /// Text keys → entry as stored.
    text: HashMap<String, String>,
    /// IP networks → entry as stored.
    nets: HashMap<IpKey, String>,
    /// The (family, prefix length) pairs present, longest prefix first per family.
    prefixes: BTreeSet<(u8, std::cmp::Reverse<u8>)>,
    /// Entries in the order given (first spelling of each key), for enumeration.
    order: Vec<String>,
    /// How many address wildcards the list holds.
    wildcards: usize,
}

impl TypedList {
    /// An empty list.
    pub fn new(name: ListName, list_type: ListType) -> Self {
        Self {
            name,
            list_type,
            handled: false,
            text: HashMap::new(),
            nets: HashMap::new(),
            prefixes: BTreeSet::new(),
            order: Vec::new(),
            wildcards: 0,
        }
    }

    /// Adds a checked entry; a second entry with the same key is ignored (the first spelling stays).
    pub fn add(&mut self, entry: Entry) {
        let stored = entry.stored;
        let added = match entry.key {
            EntryKey::Text(key) => match self.text.entry(key) {
                std::collections::hash_map::Entry::Occupied(_) => false,
                std::collections::hash_map::Entry::Vacant(slot) => {
                    slot.insert(stored.clone());
                    true
                }
            },
            EntryKey::Net(key) => match self.nets.entry(key) {
                std::collections::hash_map::Entry::Occupied(_) => false,
                std::collections::hash_map::Entry::Vacant(slot) => {
                    self.prefixes
                        .insert((key.family, std::cmp::Reverse(key.prefix_len)));
                    slot.insert(stored.clone());
                    true
                }
            },
        };
        if added {
            if entry.wildcard {
                self.wildcards += 1;
            }
            self.order.push(stored);
        }
    }

    /// How many distinct entries the list holds.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// The entry `value` matches, if any (RFC 6134 §2.2).
    pub fn lookup(&self, value: &str) -> Option<&str> {
        match typed::probe(self.list_type, value) {
            Probe::Text(keys) => keys
                .iter()
                .find_map(|key| self.text.get(key))
                .map(String::as_str),
            Probe::Ip { family, bits } => self
                .prefixes
                .range((family, std::cmp::Reverse(u8::MAX))..=(family, std::cmp::Reverse(0)))
                .find_map(|&(_, std::cmp::Reverse(prefix_len))| {
                    let network = typed::ip_network(family, bits, prefix_len);
                    self.nets.get(&IpKey {
                        family,
                        prefix_len,
                        network,
                    })
                })
                .map(String::as_str),
            Probe::None => None,
        }
    }

    /// The first of `values` on the list, checking the deadline between values.
    pub fn find_first(
        &self,
        values: &[&str],
        deadline: Instant,
    ) -> Result<Option<ListMatch>, ListError> {
        let start = Instant::now();
        for (value_index, value) in values.iter().enumerate() {
            check_deadline(start, deadline)?;
            if let Some(entry) = self.lookup(value) {
                return Ok(Some(ListMatch {
                    value_index,
                    entry: entry.to_owned(),
                }));
            }
        }
        Ok(None)
    }

    /// RFC 6134 §2.3: only plain address lists can be expanded by the engine.
    pub fn enumerate(&self, max: usize, deadline: Instant) -> Result<Enumeration, ListError> {
        check_deadline(Instant::now(), deadline)?;
        if self.handled {
            return Ok(Enumeration::Handled);
        }
        if self.list_type != ListType::Address || self.wildcards > 0 {
            return Ok(Enumeration::NotEnumerable);
        }
        Ok(Enumeration::Members(
            self.order
                .iter()
                .take(max.saturating_add(1))
                .cloned()
                .collect(),
        ))
    }

    /// The list's summary.
    pub fn info(&self) -> ListInfo {
        ListInfo {
            name: self.name.key().to_owned(),
            list_type: self.list_type,
            entries: self.len() as u64,
        }
    }
}

/// [`ListError::Timeout`] once the deadline has passed; the duration reported is what the
/// caller allowed from the start of the query.
pub(crate) fn check_deadline(start: Instant, deadline: Instant) -> Result<(), ListError> {
    if Instant::now() >= deadline {
        return Err(ListError::Timeout(
            deadline.saturating_duration_since(start),
        ));
    }
    Ok(())
}

/// Parses a list name given to a backend, as a store error.
pub(crate) fn parse_name(name: &str) -> Result<ListName, Error> {
    ListName::parse(name).map_err(|e| Error::Store(e.to_string()))
}

/// Builds a list from entries, refusing the first bad one with its 1-based position.
pub(crate) fn build_list<I, S>(
    name: ListName,
    list_type: ListType,
    entries: I,
) -> Result<TypedList, Error>
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    let mut list = TypedList::new(name, list_type);
    for (index, entry) in entries.into_iter().enumerate() {
        let entry: String = entry.into();
        let checked = typed::normalize(list_type, &entry).map_err(|e| {
            Error::Store(format!(
                "list {}: entry {}: {e}",
                list.name.key(),
                index + 1
            ))
        })?;
        list.add(checked);
    }
    Ok(list)
}

/// Lists held in memory, looked up by [`ListName::key`].
///
/// ```
/// use std::time::{Duration, Instant};
/// use sieve_extlists::{ListName, ListResolver, ListType, MemoryLists};
///
/// let mut lists = MemoryLists::new();
/// lists.insert("tag:example.com,2011-04-10:DisallowedIPs", ListType::Ip, ["192.0.2.0/24", "2001:db8::/32"])?;
/// let name = ListName::parse("tag:example.com,2011-04-10:DisallowedIPs")?;
/// let deadline = Instant::now() + Duration::from_secs(1);
/// let found = lists.find_first(&name, &["198.51.100.1", "192.0.2.77"], deadline).unwrap();
/// assert_eq!(found.map(|m| (m.value_index, m.entry)), Some((1, "192.0.2.0/24".to_owned())));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct MemoryLists {
    lists: HashMap<String, TypedList>,
}

impl MemoryLists {
    /// No lists.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a list, replacing any list of the same name (compared by [`ListName::key`], so
    /// `:addrbook:DEFAULT` replaces `:addrbook:default`). Every entry is checked against the
    /// type first; the error names the list and the 1-based position of the bad entry.
    pub fn insert<I, S>(&mut self, name: &str, list_type: ListType, entries: I) -> Result<(), Error>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let list = build_list(parse_name(name)?, list_type, entries)?;
        self.lists.insert(list.name.key().to_owned(), list);
        Ok(())
    }

    /// Adds an already built list.
    pub(crate) fn insert_list(&mut self, list: TypedList) {
        self.lists.insert(list.name.key().to_owned(), list);
    }

    /// Removes a list; whether it was there.
    pub fn remove(&mut self, name: &str) -> Result<bool, Error> {
        Ok(self.lists.remove(parse_name(name)?.key()).is_some())
    }

    /// Marks a list as redirected by its handler (RFC 6134 §2.3 condition 2): `redirect :list`
    /// then yields a redirect action naming the list instead of expanding it. Returns whether
    /// the list exists.
    pub fn set_handled(&mut self, name: &str, handled: bool) -> Result<bool, Error> {
        Ok(match self.lists.get_mut(parse_name(name)?.key()) {
            Some(list) => {
                list.handled = handled;
                true
            }
            None => false,
        })
    }

    /// The lists held, sorted by name.
    pub fn lists(&self) -> Vec<ListInfo> {
        let mut infos: Vec<ListInfo> = self.lists.values().map(TypedList::info).collect();
        infos.sort_by(|a, b| a.name.cmp(&b.name));
        infos
    }

    /// How many lists are held.
    pub fn len(&self) -> usize {
        self.lists.len()
    }

    /// Whether no list is held.
    pub fn is_empty(&self) -> bool {
        self.lists.is_empty()
    }
}

impl ListResolver for MemoryLists {
    fn schemes(&self) -> Vec<String> {
        let mut schemes: Vec<String> = self
            .lists
            .values()
            .map(|l| l.name.scheme().to_owned())
            .collect();
        schemes.sort();
        schemes.dedup();
        schemes
    }

    fn is_valid(&self, list: &ListName) -> Result<bool, ListError> {
        Ok(self.lists.contains_key(list.key()))
    }

    fn find_first(
        &self,
        list: &ListName,
        values: &[&str],
        deadline: Instant,
    ) -> Result<Option<ListMatch>, ListError> {
        self.lists
            .get(list.key())
            .ok_or(ListError::UnknownList)?
            .find_first(values, deadline)
    }

    fn enumerate(
        &self,
        list: &ListName,
        max: usize,
        deadline: Instant,
    ) -> Result<Enumeration, ListError> {
        self.lists
            .get(list.key())
            .ok_or(ListError::UnknownList)?
            .enumerate(max, deadline)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn later() -> Instant {
        Instant::now() + Duration::from_secs(10)
    }

    #[test]
    fn insert_refuses_bad_entries_naming_list_and_position() {
        let mut lists = MemoryLists::new();
        let err = lists
            .insert(
                "tag:x,2024:l",
                ListType::Address,
                ["a@example.org", "not an address"],
            )
            .unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("tag:x,2024:l")
                && text.contains("entry 2")
                && text.contains("not an address"),
            "{text}"
        );
        assert!(lists.is_empty());
    }

    #[test]
    fn longest_prefix_wins_and_duplicates_keep_first_spelling() {
        let mut lists = MemoryLists::new();
        lists
            .insert(
                "tag:x,2024:ips",
                ListType::Ip,
                ["10.0.0.0/8", "10.1.0.0/16", "10.1.0.0/16"],
            )
            .unwrap();
        lists
            .insert(
                ":addrbook:default",
                ListType::Address,
                ["A@x.org", "a@X.org"],
            )
            .unwrap();
        let ips = ListName::parse("tag:x,2024:ips").unwrap();
        let found = lists
            .find_first(&ips, &["10.1.2.3"], later())
            .unwrap()
            .unwrap();
        assert_eq!(found.entry, "10.1.0.0/16");
        let book = ListName::parse(":addrbook:default").unwrap();
        assert_eq!(
            lists.enumerate(&book, 10, later()).unwrap(),
            Enumeration::Members(vec!["a@x.org".into()])
        );
        assert_eq!(
            lists.lists().iter().map(|l| l.entries).collect::<Vec<_>>(),
            [2, 1]
        );
    }

    #[test]
    fn handled_lists_are_redirected_by_the_handler() {
        let mut lists = MemoryLists::new();
        lists
            .insert("tag:x,2024:team", ListType::Address, ["*@x.org"])
            .unwrap();
        let name = ListName::parse("tag:x,2024:team").unwrap();
        assert_eq!(
            lists.enumerate(&name, 10, later()).unwrap(),
            Enumeration::NotEnumerable
        );
        assert!(lists.set_handled("tag:x,2024:team", true).unwrap());
        assert_eq!(
            lists.enumerate(&name, 10, later()).unwrap(),
            Enumeration::Handled
        );
        assert!(!lists.set_handled("tag:x,2024:none", true).unwrap());
    }

    #[test]
    fn schemes_are_those_of_the_lists_held() {
        let mut lists = MemoryLists::new();
        lists
            .insert("TAG:x,2024:a", ListType::String, ["a"])
            .unwrap();
        lists
            .insert(":addrbook:default", ListType::Address, ["a@x.org"])
            .unwrap();
        assert_eq!(lists.schemes(), ["tag", "urn"]);
        assert!(lists.remove("tag:x,2024:a").unwrap());
        assert_eq!(lists.schemes(), ["urn"]);
    }
}
