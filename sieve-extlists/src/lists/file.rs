//! The TOML lists file, and opening a list source by looking at what a path holds.
//!
//! ```toml
//! [[list]]
//! name = "tag:example.com,2011-04-10:DisallowedIPs"
//! type = "ip"        # address | string | ip | extension | date
//! entries = ["192.0.2.0/24", "198.51.100.7"]
//!
//! [[list]]
//! name = ":addrbook:default"
//! type = "address"
//! file = "addrbook.txt"     # one entry per line, relative to the TOML file's directory
//! ```
//!
//! Each `[[list]]` has a `name` (a list URI as a script writes it), a `type`, and exactly one
//! of `entries` (an array of strings) or `file` (a text file with one entry per line; leading
//! and trailing white space, blank lines and lines starting with `#` are ignored). Any other
//! key is an error, as is a list named twice. Errors give the line and column in the TOML
//! file, or the line in the entries file, and name the list.

use std::collections::HashMap;
use std::io::Read;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use super::memory::TypedList;
use super::typed::{self, Entry};
use super::{ListName, ListResolver, ListType, MemoryLists};
use crate::error::Error;

/// The largest lists file (TOML or entries file) read, in bytes.
const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;
/// The first 16 octets of every SQLite database file.
const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    list: Vec<Spanned<RawList>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawList {
    name: Spanned<String>,
    #[serde(rename = "type")]
    list_type: Spanned<String>,
    entries: Option<Vec<Spanned<String>>>,
    file: Option<Spanned<String>>,
}

/// A list read from a lists file, every entry checked.
pub(crate) struct CheckedList {
    pub name: ListName,
    pub list_type: ListType,
    pub entries: Vec<Entry>,
}

/// `line:column` (1-based, columns in characters) of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
    (line, column)
}

/// Reads a file of at most [`MAX_FILE_BYTES`] as UTF-8.
fn read_bounded(path: &Path) -> Result<String, Error> {
    let shown = path.display();
    let file = std::fs::File::open(path).map_err(|e| Error::Store(format!("{shown}: {e}")))?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::Store(format!("{shown}: {e}")))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(Error::Store(format!(
            "{shown}: larger than the limit of {MAX_FILE_BYTES} bytes"
        )));
    }
    String::from_utf8(bytes).map_err(|_| Error::Store(format!("{shown}: not UTF-8")))
}

/// Parses and checks a TOML lists file's text. `origin` prefixes error positions (the file
/// name, or empty); `base_dir` resolves `file = …`.
fn parse_toml(text: &str, origin: &str, base_dir: &Path) -> Result<Vec<CheckedList>, Error> {
    let at = |span: Range<usize>, message: &str| {
        let (line, column) = line_column(text, span.start);
        Error::Store(format!("{origin}{line}:{column}: {message}"))
    };
    let raw: RawFile = toml::from_str(text).map_err(|e| {
        let message = e.message().trim_end().to_owned();
        match e.span() {
            Some(span) => at(span, &message),
            None => Error::Store(format!("{origin}{message}")),
        }
    })?;

    let mut seen: HashMap<String, Range<usize>> = HashMap::new();
    let mut lists = Vec::with_capacity(raw.list.len());
    for spanned in raw.list {
        let table_span = spanned.span();
        let raw_list = spanned.into_inner();
        let name = ListName::parse(raw_list.name.get_ref())
            .map_err(|e| at(raw_list.name.span(), &e.to_string()))?;
        if let Some(first) = seen.get(name.key()) {
            let (line, column) = line_column(text, first.start);
            return Err(at(
                raw_list.name.span(),
                &format!("list {} is already defined at {line}:{column}", name.key()),
            ));
        }
        seen.insert(name.key().to_owned(), raw_list.name.span());
        let list_type: ListType = raw_list
            .list_type
            .get_ref()
            .parse()
            .map_err(|e: String| at(raw_list.list_type.span(), &e))?;
        let entries = match (raw_list.entries, raw_list.file) {
            (Some(entries), None) => {
                let mut checked = Vec::with_capacity(entries.len());
                for entry in entries {
                    let ok = typed::normalize(list_type, entry.get_ref())
                        .map_err(|e| at(entry.span(), &format!("list {}: {e}", name.key())))?;
                    checked.push(ok);
                }
                checked
            }
            (None, Some(file)) => {
                let path = base_dir.join(file.get_ref());
                let content = read_bounded(&path)
                    .map_err(|e| at(file.span(), &format!("list {}: {e}", name.key())))?;
                parse_entries_file(&content, &path, &name, list_type)?
            }
            (Some(_), Some(_)) | (None, None) => {
                return Err(at(
                    table_span,
                    &format!("list {}: give exactly one of entries or file", name.key()),
                ));
            }
        };
        lists.push(CheckedList {
            name,
            list_type,
            entries,
        });
    }
    Ok(lists)
}

/// One entry per line; blank lines and `#` comments ignored.
fn parse_entries_file(
    content: &str,
    path: &Path,
    name: &ListName,
    list_type: ListType,
) -> Result<Vec<Entry>, Error> {
    let mut entries = Vec::new();
    for (index, raw) in content.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let entry = typed::normalize(list_type, line).map_err(|e| {
            Error::Store(format!(
                "{}:{}: list {}: {e}",
                path.display(),
                index + 1,
                name.key()
            ))
        })?;
        entries.push(entry);
    }
    Ok(entries)
}

/// Reads and checks a TOML lists file.
pub(crate) fn read_toml_file(path: &Path) -> Result<Vec<CheckedList>, Error> {
    let text = read_bounded(path)?;
    let base_dir = path
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    parse_toml(&text, &format!("{}:", path.display()), &base_dir)
}

fn into_memory(lists: Vec<CheckedList>) -> MemoryLists {
    let mut memory = MemoryLists::new();
    for list in lists {
        let mut typed_list = TypedList::new(list.name, list.list_type);
        for entry in list.entries {
            typed_list.add(entry);
        }
        memory.insert_list(typed_list);
    }
    memory
}

impl MemoryLists {
    /// Reads a TOML lists file (see [`crate::lists`] module `file` documentation for its shape):
    ///
    /// ```toml
    /// [[list]]
    /// name = "tag:example.com,2011-04-10:DisallowedIPs"
    /// type = "ip"        # address | string | ip | extension | date
    /// entries = ["192.0.2.0/24", "198.51.100.7"]
    ///
    /// [[list]]
    /// name = ":addrbook:default"
    /// type = "address"
    /// file = "addrbook.txt"     # one entry per line, relative to the TOML file's directory
    /// ```
    ///
    /// Errors give `path:line:column` for the TOML file (unknown keys, a bad type, a bad
    /// entry, a list named twice, both or neither of `entries` and `file`) and `path:line`
    /// for an entries file, and name the list.
    pub fn from_toml_file(path: impl AsRef<Path>) -> Result<Self, Error> {
        read_toml_file(path.as_ref()).map(into_memory)
    }

    /// Parses the text of a TOML lists file; `file = …` paths are relative to `base_dir`.
    /// Errors start with `line:column`.
    ///
    /// ```
    /// use sieve_extlists::MemoryLists;
    ///
    /// let lists = MemoryLists::from_toml_str(
    ///     "[[list]]\nname = \":addrbook:default\"\ntype = \"address\"\nentries = [\"*@example.org\"]\n",
    ///     ".",
    /// )?;
    /// assert_eq!(lists.len(), 1);
    /// let err = MemoryLists::from_toml_str("[[list]]\nname = \"tag:x,2024:l\"\ntype = \"colour\"\nentries = []\n", ".")
    ///     .unwrap_err();
    /// assert!(err.to_string().contains("3:8: unknown list type"));
    /// # Ok::<(), sieve_extlists::Error>(())
    /// ```
    pub fn from_toml_str(text: &str, base_dir: impl AsRef<Path>) -> Result<Self, Error> {
        parse_toml(text, "", base_dir.as_ref()).map(into_memory)
    }
}

/// Opens a list source by what `path` holds: a directory is a [`super::DirectoryLists`], a
/// file starting with the SQLite magic (`SQLite format 3\0`) a [`super::SqliteLists`], any
/// other file a TOML lists file read into [`MemoryLists`].
pub fn open(path: impl AsRef<Path>) -> Result<Box<dyn ListResolver>, Error> {
    let path = path.as_ref();
    let meta =
        std::fs::metadata(path).map_err(|e| Error::Store(format!("{}: {e}", path.display())))?;
    if meta.is_dir() {
        return Ok(Box::new(super::DirectoryLists::open(path)?));
    }
    let mut head = Vec::with_capacity(SQLITE_MAGIC.len());
    std::fs::File::open(path)
        .and_then(|f| f.take(SQLITE_MAGIC.len() as u64).read_to_end(&mut head))
        .map_err(|e| Error::Store(format!("{}: {e}", path.display())))?;
    if head == SQLITE_MAGIC {
        #[cfg(feature = "sqlite")]
        return Ok(Box::new(super::SqliteLists::open(path)?));
        #[cfg(not(feature = "sqlite"))]
        return Err(Error::Store(format!(
            "{}: an SQLite list store, and SQLite support is not built in",
            path.display()
        )));
    }
    Ok(Box::new(MemoryLists::from_toml_file(path)?))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        let message = MemoryLists::from_toml_str(text, ".")
            .unwrap_err()
            .to_string();
        eprintln!("{message}");
        message
    }

    #[test]
    fn line_columns_count_characters() {
        assert_eq!(line_column("ab\ncé d", 7), (2, 4));
        assert_eq!(line_column("", 0), (1, 1));
    }

    #[test]
    fn toml_errors_have_line_and_column() {
        assert!(err("[[list]]\nname = \"tag:x,2024:l\"\ntype = \"ip\"\nentries = [\"192.0.2.0/24\",\n  \"bogus\"]\n")
            .contains("list store: 5:3: list tag:x,2024:l: invalid entry \"bogus\""));
        assert!(
            err("[[list]]\nname = \"tag:x,2024:l\"\ntype = \"ip\"\nentries = []\ncolour = 1\n")
                .contains("5:1: unknown field `colour`")
        );
        assert!(
            err("[[list]]\nname = 'x'\ntype = 'ip'\nentries = []\n")
                .contains("2:8: invalid list name")
        );
        assert!(
            err("[[list]]\nname = 'tag:x,2024:l'\nentries = []\n")
                .contains("1:1: missing field `type`")
        );
        assert!(
            err("[[list]]\nname = \"tag:x,2024:l\"\ntype = \"ip\"\n")
                .contains("1:1: list tag:x,2024:l: give exactly one of entries or file")
        );
        assert!(err("[[list]\n").starts_with("list store: 1:"));
        let twice = "[[list]]\nname = \":addrbook:default\"\ntype = \"address\"\nentries = []\n\
                     [[list]]\nname = \":ADDRBOOK:Default\"\ntype = \"address\"\nentries = []\n";
        assert!(err(twice).contains(
            "6:8: list urn:ietf:params:sieve:addrbook:default is already defined at 2:8"
        ));
    }

    #[test]
    fn entries_files_are_relative_to_the_toml_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("book.txt"),
            "# friends\nAlice@Example.org\n\n  *@example.net  \n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("bad.txt"),
            "ok@example.org\nnot-an-address\n",
        )
        .unwrap();
        let toml_path = dir.path().join("lists.toml");
        std::fs::write(
            &toml_path,
            "[[list]]\nname = \":addrbook:default\"\ntype = \"address\"\nfile = \"book.txt\"\n",
        )
        .unwrap();
        let lists = MemoryLists::from_toml_file(&toml_path).unwrap();
        assert_eq!(lists.lists()[0].entries, 2);
        std::fs::write(
            &toml_path,
            "[[list]]\nname = \":addrbook:default\"\ntype = \"address\"\nfile = \"bad.txt\"\n",
        )
        .unwrap();
        let message = MemoryLists::from_toml_file(&toml_path)
            .unwrap_err()
            .to_string();
        assert!(message.contains("bad.txt:2: list urn:ietf:params:sieve:addrbook:default: invalid entry \"not-an-address\""), "{message}");
        std::fs::write(
            &toml_path,
            "[[list]]\nname = \":addrbook:default\"\ntype = \"address\"\nfile = \"missing.txt\"\n",
        )
        .unwrap();
        let message = MemoryLists::from_toml_file(&toml_path)
            .unwrap_err()
            .to_string();
        assert!(
            message.contains("lists.toml:4:8: list urn:ietf:params:sieve:addrbook:default:"),
            "{message}"
        );
    }
}
