//! A directory of plain list files, one list per file, reloaded when a file changes so that
//! lists can be edited without restarting the host.
//!
//! # File format
//!
//! Every regular file whose name ends in `.list` is a list (other files, such as editor
//! backups, are ignored). The file starts with a header of `# key: value` lines naming the
//! list and its type; then comes one entry per line:
//!
//! ```text
//! # name: tag:example.com,2011-04-10:DisallowedIPs
//! # type: ip
//! # A comment: any line starting with '#' after the header, or not of the form "# key: value".
//! 192.0.2.0/24
//!
//! 2001:db8::/32
//! ```
//!
//! - `name` (required): the list's URI, as a script writes it (`:addrbook:default` works).
//! - `type` (required): `address`, `string`, `ip`, `extension` or `date`.
//! - `handled` (optional, `yes`/`no`): the list handler redirects on the engine's behalf
//!   (RFC 6134 §2.3).
//!
//! Leading and trailing white space is not part of an entry; blank lines and lines starting
//! with `#` are ignored (so a string entry cannot begin with `#`). The file is UTF-8.
//!
//! A file is read again when its modification time, size or inode changes; a file that
//! disappears takes its list with it. A file that no longer parses keeps its list name but
//! answers every query with [`ListError::Temporary`] until it is fixed, so mail is deferred
//! rather than filtered against a half-written list.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant, SystemTime};

use super::memory::{TypedList, check_deadline};
use super::typed;
use super::{Enumeration, ListError, ListInfo, ListMatch, ListName, ListResolver, ListType};
use crate::error::Error;

/// Bounds on what a list directory may hold (its files are read into memory).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct DirectoryLimits {
    /// The largest list file read, in bytes.
    pub max_file_bytes: u64,
    /// The most entries one list may hold.
    pub max_entries: usize,
    /// The most list files in the directory.
    pub max_files: usize,
    /// How often the directory is checked for changes (at most once per this interval, on a query).
    pub check_interval: Duration,
}

impl Default for DirectoryLimits {
    fn default() -> Self {
        Self {
            max_file_bytes: 64 * 1024 * 1024,
            max_entries: 1_000_000,
            max_files: 10_000,
            check_interval: Duration::from_secs(1),
        }
    }
}

/// What identifies a version of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    modified: Option<SystemTime>,
    len: u64,
    inode: u64,
}

impl Stamp {
    fn of(meta: &std::fs::Metadata) -> Self {
        #[cfg(unix)]
        let inode = std::os::unix::fs::MetadataExt::ino(meta);
        #[cfg(not(unix))]
        let inode = 0;
        Self {
            modified: meta.modified().ok(),
            len: meta.len(),
            inode,
        }
    }
}

/// One file as last read.
#[derive(Debug, Clone)]
struct FileState {
    stamp: Stamp,
    /// The list key the file declared (last known, kept when the file breaks).
    key: Option<String>,
    /// The list, or why the file cannot be read.
    list: Result<Arc<TypedList>, String>,
}

#[derive(Debug, Default)]
struct State {
    files: HashMap<PathBuf, FileState>,
    /// List key → the file holding it.
    by_key: HashMap<String, PathBuf>,
}

/// Lists read from a directory of list files (see the module documentation for the format).
#[derive(Debug)]
pub struct DirectoryLists {
    dir: PathBuf,
    limits: DirectoryLimits,
    state: RwLock<State>,
    /// When the directory was last checked; held while reloading so that one thread reloads.
    checked: Mutex<Instant>,
}

impl DirectoryLists {
    /// Reads every list file of `dir`, with the default [`DirectoryLimits`]. Any file that
    /// cannot be read, or two files naming the same list, is an error.
    pub fn open(dir: impl AsRef<Path>) -> Result<Self, Error> {
        Self::open_with(dir, DirectoryLimits::default())
    }

    /// Reads every list file of `dir` within `limits`.
    pub fn open_with(dir: impl AsRef<Path>, limits: DirectoryLimits) -> Result<Self, Error> {
        let lists = Self {
            dir: dir.as_ref().to_path_buf(),
            limits,
            state: RwLock::new(State::default()),
            checked: Mutex::new(Instant::now()),
        };
        let errors = lists.reload().map_err(Error::Store)?;
        if let Some(first) = errors.into_iter().next() {
            return Err(Error::Store(first));
        }
        Ok(lists)
    }

    /// The lists currently served, sorted by name (lists whose file is broken are left out).
    pub fn lists(&self) -> Vec<ListInfo> {
        self.refresh();
        let state = self
            .state
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut infos: Vec<ListInfo> = state
            .files
            .values()
            .filter_map(|f| f.list.as_ref().ok())
            .map(|l| l.info())
            .collect();
        infos.sort_by(|a, b| a.name.cmp(&b.name));
        infos
    }

    /// Checks the directory now and reloads what changed; returns the problems found (files
    /// that cannot be read, duplicate names).
    pub fn reload_now(&self) -> Result<Vec<String>, Error> {
        let mut checked = self
            .checked
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let result = self.reload().map_err(Error::Store);
        *checked = Instant::now();
        result
    }

    /// Reloads when the check interval has passed. A directory that cannot be listed keeps
    /// the lists as they were.
    fn refresh(&self) {
        let Ok(mut checked) = self.checked.try_lock() else {
            return; // another thread is reloading; serve what we have
        };
        if checked.elapsed() < self.limits.check_interval {
            return;
        }
        let _ = self.reload();
        *checked = Instant::now();
    }

    /// Reads what changed; the state lock is only taken to swap the result in.
    fn reload(&self) -> Result<Vec<String>, String> {
        let entries =
            std::fs::read_dir(&self.dir).map_err(|e| format!("{}: {e}", self.dir.display()))?;
        let mut paths = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| format!("{}: {e}", self.dir.display()))?;
            let path = entry.path();
            if path.extension().is_some_and(|ext| ext == "list") {
                paths.push(path);
            }
        }
        paths.sort();
        let mut errors = Vec::new();
        if paths.len() > self.limits.max_files {
            errors.push(format!(
                "{}: more than {} list files; the rest are ignored",
                self.dir.display(),
                self.limits.max_files
            ));
            paths.truncate(self.limits.max_files);
        }

        let old: HashMap<PathBuf, FileState> = self
            .state
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .files
            .clone();
        let mut files = HashMap::new();
        for path in paths {
            let Ok(meta) = std::fs::metadata(&path) else {
                continue;
            };
            if !meta.is_file() {
                continue;
            }
            let stamp = Stamp::of(&meta);
            let previous = old.get(&path);
            if let Some(previous) = previous
                && previous.stamp == stamp
            {
                if let Err(problem) = &previous.list {
                    errors.push(problem.clone());
                }
                files.insert(path, previous.clone());
                continue;
            }
            let state = match read_list_file(&path, &self.limits) {
                Ok(list) => FileState {
                    stamp,
                    key: Some(list.name.key().to_owned()),
                    list: Ok(Arc::new(list)),
                },
                Err(problem) => {
                    errors.push(problem.clone());
                    FileState {
                        stamp,
                        key: previous.and_then(|p| p.key.clone()),
                        list: Err(problem),
                    }
                }
            };
            files.insert(path, state);
        }

        let mut by_key: HashMap<String, PathBuf> = HashMap::new();
        let mut ordered: Vec<(&PathBuf, &FileState)> = files.iter().collect();
        ordered.sort_by(|a, b| a.0.cmp(b.0));
        for (path, state) in ordered {
            if let Some(key) = &state.key {
                if let Some(first) = by_key.get(key) {
                    errors.push(format!(
                        "{}: list {key} is already defined by {}; ignored",
                        path.display(),
                        first.display()
                    ));
                } else {
                    by_key.insert(key.clone(), path.clone());
                }
            }
        }
        let mut state = self
            .state
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *state = State { files, by_key };
        Ok(errors)
    }

    /// The list for a name, after checking the directory for changes.
    fn get(&self, list: &ListName) -> Result<Option<Arc<TypedList>>, ListError> {
        self.refresh();
        let state = self
            .state
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let Some(path) = state.by_key.get(list.key()) else {
            return Ok(None);
        };
        match state.files.get(path).map(|f| &f.list) {
            Some(Ok(list)) => Ok(Some(Arc::clone(list))),
            Some(Err(problem)) => Err(ListError::Temporary(problem.clone())),
            None => Ok(None),
        }
    }
}

/// Reads and parses one list file within the limits.
fn read_list_file(path: &Path, limits: &DirectoryLimits) -> Result<TypedList, String> {
    let shown = path.display();
    let file = std::fs::File::open(path).map_err(|e| format!("{shown}: {e}"))?;
    let mut bytes = Vec::new();
    file.take(limits.max_file_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| format!("{shown}: {e}"))?;
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(format!(
            "{shown}: larger than the limit of {} bytes",
            limits.max_file_bytes
        ));
    }
    let text = String::from_utf8(bytes).map_err(|_| format!("{shown}: not UTF-8"))?;
    parse_list_text(&text, limits.max_entries).map_err(|e| format!("{shown}:{e}"))
}

/// Parses the text of a list file; errors start with the line number (`12: …`).
fn parse_list_text(text: &str, max_entries: usize) -> Result<TypedList, String> {
    let mut name: Option<ListName> = None;
    let mut list_type: Option<ListType> = None;
    let mut handled = false;
    let mut list: Option<TypedList> = None;
    for (index, raw) in text.lines().enumerate() {
        let line_no = index + 1;
        let line = raw.trim();
        if list.is_none() {
            // The header: `# key: value` lines before the first entry.
            if let Some(comment) = line.strip_prefix('#') {
                if let Some((key, value)) = comment.split_once(':') {
                    let (key, value) = (key.trim().to_ascii_lowercase(), value.trim());
                    match key.as_str() {
                        "name" => {
                            name = Some(
                                ListName::parse(value).map_err(|e| format!("{line_no}: {e}"))?,
                            );
                        }
                        "type" => {
                            list_type = Some(value.parse().map_err(|e| format!("{line_no}: {e}"))?);
                        }
                        "handled" => {
                            handled = match value.to_ascii_lowercase().as_str() {
                                "yes" | "true" => true,
                                "no" | "false" => false,
                                _ => return Err(format!("{line_no}: handled is yes or no")),
                            };
                        }
                        _ => {} // a comment that happens to hold a colon
                    }
                }
                continue;
            }
            if line.is_empty() {
                continue;
            }
            let name = name.take().ok_or_else(|| {
                format!("{line_no}: an entry before the \"# name: <uri>\" header")
            })?;
            let list_type = list_type.ok_or_else(|| {
                format!("{line_no}: an entry before the \"# type: <type>\" header")
            })?;
            let mut new = TypedList::new(name, list_type);
            new.handled = handled;
            list = Some(new);
        }
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some(current) = list.as_mut() else {
            continue;
        };
        if current.len() >= max_entries {
            return Err(format!("{line_no}: more than {max_entries} entries"));
        }
        let entry = typed::normalize(current.list_type, line)
            .map_err(|e| format!("{line_no}: list {}: {e}", current.name.key()))?;
        current.add(entry);
    }
    match list {
        Some(list) => Ok(list),
        // A list with no entries yet: the header alone.
        None => {
            let name = name.ok_or_else(|| "1: no \"# name: <uri>\" header".to_owned())?;
            let list_type =
                list_type.ok_or_else(|| "1: no \"# type: <type>\" header".to_owned())?;
            let mut empty = TypedList::new(name, list_type);
            empty.handled = handled;
            Ok(empty)
        }
    }
}

impl ListResolver for DirectoryLists {
    fn schemes(&self) -> Vec<String> {
        self.refresh();
        let state = self
            .state
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut schemes: Vec<String> = state
            .files
            .values()
            .filter_map(|f| f.list.as_ref().ok())
            .map(|l| l.name.scheme().to_owned())
            .collect();
        schemes.sort();
        schemes.dedup();
        schemes
    }

    fn is_valid(&self, list: &ListName) -> Result<bool, ListError> {
        Ok(self.get(list)?.is_some())
    }

    fn find_first(
        &self,
        list: &ListName,
        values: &[&str],
        deadline: Instant,
    ) -> Result<Option<ListMatch>, ListError> {
        check_deadline(Instant::now(), deadline)?;
        self.get(list)?
            .ok_or(ListError::UnknownList)?
            .find_first(values, deadline)
    }

    fn enumerate(
        &self,
        list: &ListName,
        max: usize,
        deadline: Instant,
    ) -> Result<Enumeration, ListError> {
        check_deadline(Instant::now(), deadline)?;
        self.get(list)?
            .ok_or(ListError::UnknownList)?
            .enumerate(max, deadline)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn header_then_entries() {
        let list = parse_list_text(
            "# name: :addrbook:DEFAULT\n# type: address\n# handled: no\n\nAlice@Example.org\n# a comment\n*@example.net\n",
            10,
        )
        .unwrap();
        assert_eq!(list.name.key(), "urn:ietf:params:sieve:addrbook:default");
        assert_eq!(list.len(), 2);
        assert_eq!(list.lookup("alice@EXAMPLE.org"), Some("alice@example.org"));
    }

    #[test]
    fn errors_name_the_line() {
        assert_eq!(
            parse_list_text("# type: ip\n1.2.3.4\n", 10).unwrap_err(),
            "2: an entry before the \"# name: <uri>\" header"
        );
        let err =
            parse_list_text("# name: tag:x,2024:a\n# type: ip\n1.2.3.4\nbogus\n", 10).unwrap_err();
        assert!(
            err.starts_with("4: list tag:x,2024:a: invalid entry \"bogus\""),
            "{err}"
        );
        let err =
            parse_list_text("# name: tag:x,2024:a\n# type: ip\n1.2.3.4\n1.2.3.5\n", 1).unwrap_err();
        assert_eq!(err, "4: more than 1 entries");
        assert!(
            parse_list_text("# name: tag:x,2024:a\n# type: colour\n", 1)
                .unwrap_err()
                .starts_with("2: unknown list type")
        );
        assert!(
            parse_list_text("# name: tag:x,2024:a\n# type: string\n", 1)
                .unwrap()
                .len()
                == 0
        );
    }
}
