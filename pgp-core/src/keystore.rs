//! A key store on disk: one file per certificate in a directory, named by fingerprint.
//!
//! Writers take an exclusive lock on `.lock` in the directory, merge with what is stored, and
//! replace the file by renaming a fully written temporary file over it, so readers see the old
//! or the new certificate and never half of one, and two writers never lose each other's
//! user IDs or subkeys.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::keys::Key;

/// Extension of certificate files (binary OpenPGP, secret key material included when known).
const EXTENSION: &str = "pgp";

/// A directory of keys.
///
/// ```
/// use pgp_core::{Key, KeyOptions, KeyStore};
///
/// let dir = tempfile::tempdir().unwrap();
/// let store = KeyStore::open(dir.path())?;
/// let (alice, _) = Key::generate("Alice <alice@example.org>", &KeyOptions::default())?;
/// store.insert(&alice.public())?;
/// assert_eq!(store.lookup("alice@example.org")?[0].fingerprint(), alice.fingerprint());
/// assert_eq!(store.lookup(&alice.key_id())?.len(), 1);
/// # Ok::<(), pgp_core::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct KeyStore {
    dir: PathBuf,
}

impl KeyStore {
    /// Opens (creating if needed) the store in `dir`.
    pub fn open(dir: impl AsRef<Path>) -> Result<KeyStore, Error> {
        let dir = dir.as_ref().to_path_buf();
        fs::create_dir_all(&dir).map_err(|e| store_error(&dir, e))?;
        Ok(KeyStore { dir })
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Adds `key`, merging it with what is stored under the same fingerprint (new user IDs,
    /// subkeys, signatures, revocations and secret key material are added; nothing is
    /// removed). Returns the key as stored.
    pub fn insert(&self, key: &Key) -> Result<Key, Error> {
        let _lock = self.lock()?;
        let path = self.file_of(&key.fingerprint());
        let merged = match self.read_file(&path)? {
            Some(stored) => stored.merge(key.clone())?,
            None => key.clone(),
        };
        let bytes = if merged.has_secret() {
            merged.export_secret(false)?
        } else {
            merged.export_cert(false)?
        };
        let tmp = self
            .dir
            .join(format!(".{}.{}.tmp", key.fingerprint(), std::process::id()));
        {
            let mut file = File::create(&tmp).map_err(|e| store_error(&tmp, e))?;
            file.write_all(&bytes).map_err(|e| store_error(&tmp, e))?;
            file.sync_all().map_err(|e| store_error(&tmp, e))?;
        }
        fs::rename(&tmp, &path).map_err(|e| store_error(&path, e))?;
        Ok(merged)
    }

    /// The key with this primary-key fingerprint (hex, any case, spaces allowed).
    pub fn get(&self, fingerprint: &str) -> Result<Option<Key>, Error> {
        let normalized = normalize_hex(fingerprint);
        if !matches!(normalized.len(), 40 | 64) {
            return Ok(None);
        }
        self.read_file(&self.file_of(&normalized))
    }

    /// Keys matching `query`: a fingerprint or key ID of the primary key or any subkey (hex,
    /// with or without `0x`), or an e-mail address (case-insensitive, with or without angle
    /// brackets).
    ///
    /// Lookups other than by primary fingerprint read every stored certificate; that suits
    /// the per-user or per-site stores of a mail host (thousands of keys), not a key server.
    pub fn lookup(&self, query: &str) -> Result<Vec<Key>, Error> {
        let query = query.trim();
        if let Some(key) = self.get(query)? {
            return Ok(vec![key]);
        }
        let hex = normalize_hex(query);
        let is_hex = !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit());
        let email = query
            .trim_start_matches('<')
            .trim_end_matches('>')
            .to_ascii_lowercase();
        let mut found = Vec::new();
        for key in self.list()? {
            // A v4 key ID is the end of the fingerprint, a v6 one its start (RFC 9580
            // §5.5.4.2, §5.5.4.3): compare with the key ID sequoia derives.
            let by_id = is_hex
                && matches!(hex.len(), 16 | 40 | 64)
                && key.cert().keys().any(|ka| {
                    let k = ka.key();
                    k.fingerprint().to_hex() == hex || hex.len() == 16 && k.keyid().to_hex() == hex
                });
            let by_email = email.contains('@') && key.emails().contains(&email);
            if by_id || by_email {
                found.push(key);
            }
        }
        Ok(found)
    }

    /// Every stored key, in fingerprint order.
    pub fn list(&self) -> Result<Vec<Key>, Error> {
        let mut paths: Vec<PathBuf> = fs::read_dir(&self.dir)
            .map_err(|e| store_error(&self.dir, e))?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == EXTENSION))
            .collect();
        paths.sort();
        let mut keys = Vec::with_capacity(paths.len());
        for path in paths {
            if let Some(key) = self.read_file(&path)? {
                keys.push(key);
            }
        }
        Ok(keys)
    }

    /// Removes the key with this fingerprint; `false` when there was none.
    pub fn remove(&self, fingerprint: &str) -> Result<bool, Error> {
        let _lock = self.lock()?;
        let path = self.file_of(&normalize_hex(fingerprint));
        match fs::remove_file(&path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(store_error(&path, e)),
        }
    }

    fn file_of(&self, fingerprint: &str) -> PathBuf {
        self.dir.join(format!("{fingerprint}.{EXTENSION}"))
    }

    fn read_file(&self, path: &Path) -> Result<Option<Key>, Error> {
        match fs::read(path) {
            Ok(bytes) => Key::from_bytes(&bytes).map(Some).map_err(|e| Error::Store {
                path: path.display().to_string(),
                message: e.to_string(),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(store_error(path, e)),
        }
    }

    /// The store's write lock, held until the returned file is dropped.
    fn lock(&self) -> Result<File, Error> {
        let path = self.dir.join(".lock");
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| store_error(&path, e))?;
        file.lock().map_err(|e| store_error(&path, e))?;
        Ok(file)
    }
}

fn normalize_hex(s: &str) -> String {
    let s = s.trim();
    let s = s
        .strip_prefix("0x")
        .or_else(|| s.strip_prefix("0X"))
        .unwrap_or(s);
    s.chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase()
}

fn store_error(path: &Path, e: std::io::Error) -> Error {
    Error::Store {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}
