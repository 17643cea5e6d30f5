//! Externally stored lists (RFC 6134): the resolver trait the interpreter queries, list
//! names and list types, and the backends that ship with the crate.
//!
//! A [`ListResolver`] answers three questions about a list, each with its own failure kinds
//! ([`ListError`]): does it exist ([`ListResolver::is_valid`], for `valid_ext_list`), does it
//! hold any of these values ([`ListResolver::find_first`], for `:list`, stopping at the first
//! member found), and who is on it ([`ListResolver::enumerate`], for `redirect :list`).
//! A temporary failure or a timeout makes the evaluation end with [`crate::Error::Defer`];
//! a permanent one is a runtime error.

use std::time::Instant;

pub use crate::error::ListError;

mod directory;
mod file;
mod memory;
mod name;
#[cfg(feature = "sqlite")]
mod sqlite;
mod typed;
pub use directory::{DirectoryLimits, DirectoryLists};
pub use file::open;
pub use memory::MemoryLists;
pub use name::{ListName, ListNameError};
#[cfg(feature = "sqlite")]
pub use sqlite::SqliteLists;

/// A summary of one stored list (for listing a store's contents).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ListInfo {
    /// The list's name, in its canonical form ([`ListName::key`]).
    pub name: String,
    /// What the list holds.
    pub list_type: ListType,
    /// How many distinct entries it holds.
    pub entries: u64,
}

/// What kind of values a list holds; it decides how a value is compared with the entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ListType {
    /// E-mail addresses, compared without regard to case (RFC 6134 §2.5); an entry
    /// `*@example.com` holds every address at that domain.
    Address,
    /// Plain strings, compared octet by octet.
    String,
    /// IPv4 and IPv6 addresses and CIDR ranges (`192.0.2.0/24`).
    Ip,
    /// Filename extensions (`exe`, `.exe`): a value matches when it is a file name ending in
    /// one of them, without regard to case.
    Extension,
    /// Calendar dates `yyyy-mm-dd`: a value matches when it is one of them.
    Date,
}

impl ListType {
    /// The name used in list files and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            ListType::Address => "address",
            ListType::String => "string",
            ListType::Ip => "ip",
            ListType::Extension => "extension",
            ListType::Date => "date",
        }
    }
}

impl std::str::FromStr for ListType {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.to_ascii_lowercase().as_str() {
            "address" => ListType::Address,
            "string" => ListType::String,
            "ip" => ListType::Ip,
            "extension" => ListType::Extension,
            "date" => ListType::Date,
            other => {
                return Err(format!(
                    "unknown list type \"{other}\" (address, string, ip, extension, date)"
                ));
            }
        })
    }
}

/// The first member found for a membership query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListMatch {
    /// Which of the queried values matched (index into the values passed).
    pub value_index: usize,
    /// The list entry that matched it, as stored (RFC 6134 §2.2: becomes `${0}`).
    pub entry: String,
}

/// What a resolver can say about the members of a list, for `redirect :list` (RFC 6134 §2.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Enumeration {
    /// The addresses on the list; at most `max + 1` of them, so the caller can tell that the
    /// list is longer than it allows.
    Members(Vec<String>),
    /// The list handler redirects on the engine's behalf (condition 2 of §2.3); the host gets
    /// a `redirect` action naming the list.
    Handled,
    /// Neither the engine nor the handler can enumerate the list (patterns, hashes, not
    /// addresses): a runtime error.
    NotEnumerable,
}

/// A source of externally stored lists. Implementations must be cheap to share across threads:
/// one resolver serves every evaluation of every script.
pub trait ListResolver: Send + Sync {
    /// The URI schemes whose lists this resolver serves (`urn`, `tag`…), for the ManageSieve
    /// `EXTLISTS` capability (RFC 6134 §2.8).
    fn schemes(&self) -> Vec<String>;

    /// Whether the list exists and can be queried (`valid_ext_list`, §2.7).
    fn is_valid(&self, list: &ListName) -> Result<bool, ListError>;

    /// The first of `values` that is a member of the list, if any. Implementations stop at the
    /// first member found (§2.2) and give up with [`ListError::Timeout`] after `deadline`.
    fn find_first(
        &self,
        list: &ListName,
        values: &[&str],
        deadline: Instant,
    ) -> Result<Option<ListMatch>, ListError>;

    /// The members of the list, for `redirect :list`: at most `max + 1` of them.
    fn enumerate(
        &self,
        list: &ListName,
        max: usize,
        deadline: Instant,
    ) -> Result<Enumeration, ListError>;
}

impl<T: ListResolver + ?Sized> ListResolver for &T {
    fn schemes(&self) -> Vec<String> {
        (**self).schemes()
    }
    fn is_valid(&self, list: &ListName) -> Result<bool, ListError> {
        (**self).is_valid(list)
    }
    fn find_first(
        &self,
        list: &ListName,
        values: &[&str],
        deadline: Instant,
    ) -> Result<Option<ListMatch>, ListError> {
        (**self).find_first(list, values, deadline)
    }
    fn enumerate(
        &self,
        list: &ListName,
        max: usize,
        deadline: Instant,
    ) -> Result<Enumeration, ListError> {
        (**self).enumerate(list, max, deadline)
    }
}

/// So that what [`open`] returns can be passed wherever a resolver is expected.
impl<T: ListResolver + ?Sized> ListResolver for Box<T> {
    fn schemes(&self) -> Vec<String> {
        (**self).schemes()
    }
    fn is_valid(&self, list: &ListName) -> Result<bool, ListError> {
        (**self).is_valid(list)
    }
    fn find_first(
        &self,
        list: &ListName,
        values: &[&str],
        deadline: Instant,
    ) -> Result<Option<ListMatch>, ListError> {
        (**self).find_first(list, values, deadline)
    }
    fn enumerate(
        &self,
        list: &ListName,
        max: usize,
        deadline: Instant,
    ) -> Result<Enumeration, ListError> {
        (**self).enumerate(list, max, deadline)
    }
}

impl<T: ListResolver + ?Sized> ListResolver for std::sync::Arc<T> {
    fn schemes(&self) -> Vec<String> {
        (**self).schemes()
    }
    fn is_valid(&self, list: &ListName) -> Result<bool, ListError> {
        (**self).is_valid(list)
    }
    fn find_first(
        &self,
        list: &ListName,
        values: &[&str],
        deadline: Instant,
    ) -> Result<Option<ListMatch>, ListError> {
        (**self).find_first(list, values, deadline)
    }
    fn enumerate(
        &self,
        list: &ListName,
        max: usize,
        deadline: Instant,
    ) -> Result<Enumeration, ListError> {
        (**self).enumerate(list, max, deadline)
    }
}

/// A resolver with no lists: every name is unknown. For hosts that offer no lists.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoLists;

impl ListResolver for NoLists {
    fn schemes(&self) -> Vec<String> {
        Vec::new()
    }
    fn is_valid(&self, _list: &ListName) -> Result<bool, ListError> {
        Ok(false)
    }
    fn find_first(
        &self,
        _list: &ListName,
        _values: &[&str],
        _deadline: Instant,
    ) -> Result<Option<ListMatch>, ListError> {
        Err(ListError::UnknownList)
    }
    fn enumerate(
        &self,
        _list: &ListName,
        _max: usize,
        _deadline: Instant,
    ) -> Result<Enumeration, ListError> {
        Err(ListError::UnknownList)
    }
}

/// The ManageSieve `EXTLISTS` capability value (RFC 6134 §2.8): the URI schemes the resolver
/// serves, space-separated, sorted, without duplicates. `urn` (for `:addrbook:default`) is
/// always present: the RFC makes the default address book mandatory and the value must not be
/// empty.
pub fn extlists_capability(resolver: &dyn ListResolver) -> String {
    let mut schemes: Vec<String> = resolver
        .schemes()
        .into_iter()
        .map(|s| s.to_ascii_lowercase())
        .collect();
    schemes.push("urn".to_owned());
    schemes.sort();
    schemes.dedup();
    schemes.join(" ")
}
