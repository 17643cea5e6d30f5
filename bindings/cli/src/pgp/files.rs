//! Files named on the command line: keys, certificates, password files, key stores, and the
//! files `pgp key` writes.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use facade::Error;
use facade::pgp::{Error as PgpError, Key, KeyStore, Limits};

use crate::failure::Failure;
use crate::input::{read_file, read_stdin};
use crate::output::write_stdout;

/// Largest message read from stdin (pgp-core's default input limit).
pub const MAX_MESSAGE: usize = 64 << 20;

/// Largest key, certificate or signature file read: a key ring of a few thousand certificates.
pub const MAX_KEY_FILE: usize = 16 << 20;

/// Largest password file read (only its first line is the password).
const MAX_PASSWORD_FILE: usize = 64 << 10;

/// The message on stdin.
pub fn read_message() -> Result<Vec<u8>, Failure> {
    read_stdin(MAX_MESSAGE).map_err(|error| Failure::Read {
        what: "the message on stdin".to_owned(),
        error,
    })
}

/// The contents of the file at `path`; `what` says which kind for messages ("key file").
pub fn read_named(path: &Path, what: &str) -> Result<Vec<u8>, Failure> {
    read_file(path, MAX_KEY_FILE).map_err(|error| Failure::Read {
        what: format!("{what} {}", path.display()),
        error,
    })
}

/// Turns the facade's refusal of the file at `path` into a failure naming the file.
pub fn file_failure(path: &Path, what: &str) -> impl FnOnce(PgpError) -> Failure + use<> {
    let what = format!("{what} {}", path.display());
    move |error| Failure::File {
        what,
        error: super::one_line(error).into(),
    }
}

/// The password in the first line of the file at `path` (without its line ending), as
/// `gpg --passphrase-file` reads it.
pub fn read_password(path: &Path) -> Result<String, Failure> {
    let what = format!("password file {}", path.display());
    let bytes = read_file(path, MAX_PASSWORD_FILE).map_err(|error| Failure::Read {
        what: what.clone(),
        error,
    })?;
    let line = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    String::from_utf8(line.to_vec()).map_err(|_| Failure::Encoding(format!("{what} is not UTF-8")))
}

/// The secret keys in the files `paths`, one key per file, unlocked with the password in
/// `password_file` when they are protected. `purpose` ("signing", "decryption") is for the
/// message when a file holds a certificate without secret key material.
pub fn secret_keys(
    paths: &[PathBuf],
    password_file: Option<&Path>,
    purpose: &'static str,
) -> Result<Vec<Key>, Failure> {
    let password = password_file.map(read_password).transpose()?;
    let mut keys = Vec::with_capacity(paths.len());
    for path in paths {
        let failure = || file_failure(path, "key file");
        let key = Key::from_bytes(&read_named(path, "key file")?).map_err(failure())?;
        if !key.has_secret() {
            return Err(failure()(PgpError::NoSecretKey {
                fingerprint: key.fingerprint(),
                purpose,
            }));
        }
        let key = match (&password, key.is_locked()) {
            (_, false) => key,
            (Some(password), true) => key.unlock(password).map_err(failure())?,
            (None, true) => {
                return Err(failure()(PgpError::Locked {
                    fingerprint: key.fingerprint(),
                    message: "give its password with --password-file".to_owned(),
                }));
            }
        };
        keys.push(key);
    }
    Ok(keys)
}

/// Every certificate in the files `paths` (each may hold a key ring), without secret key
/// material.
pub fn certificates(paths: &[PathBuf], what: &str) -> Result<Vec<Key>, Failure> {
    let mut certs = Vec::new();
    for path in paths {
        let bytes = read_named(path, what)?;
        let keys =
            Key::read_keyring(&bytes, &Limits::default()).map_err(file_failure(path, what))?;
        certs.extend(keys.iter().map(Key::public));
    }
    Ok(certs)
}

/// The key store in `dir`, which must exist: a misspelt directory is an error, not a new,
/// empty store.
pub fn existing_store(dir: &Path) -> Result<KeyStore, Failure> {
    if !dir.is_dir() {
        return Err(Failure::Read {
            what: format!("key store {}", dir.display()),
            error: io::Error::new(io::ErrorKind::NotFound, "no such directory"),
        });
    }
    Ok(KeyStore::open(dir)?)
}

/// Every certificate of the store in `dir`, without secret key material.
pub fn store_certificates(dir: &Path) -> Result<Vec<Key>, Failure> {
    Ok(existing_store(dir)?
        .list()?
        .iter()
        .map(Key::public)
        .collect())
}

/// The certificates of `--cert`/`--verify-with` files and of `--cert-store`.
pub fn certificates_and_store(
    paths: &[PathBuf],
    what: &str,
    store: Option<&Path>,
) -> Result<Vec<Key>, Failure> {
    let mut certs = certificates(paths, what)?;
    if let Some(dir) = store {
        certs.extend(store_certificates(dir)?);
    }
    Ok(certs)
}

/// Whether `path` means stdout.
pub fn is_stdout(path: &Path) -> bool {
    path == Path::new("-")
}

/// Writes `bytes` to `path` (`-`: stdout). An existing file is replaced only with `replace`,
/// by renaming a fully written file over it; `private` files (secret keys, revocation
/// certificates) are readable by their owner only.
pub fn write_output(
    path: &Path,
    bytes: &[u8],
    replace: bool,
    private: bool,
) -> Result<(), Failure> {
    if is_stdout(path) {
        return write_stdout(bytes);
    }
    let failure = |error: io::Error| {
        Failure::Facade(Error::Io {
            what: format!("writing {}", path.display()),
            message: if error.kind() == io::ErrorKind::AlreadyExists {
                "the file exists (--force replaces it)".to_owned()
            } else {
                error.to_string()
            },
        })
    };
    if !replace {
        // create_new: never clobber, even a file that appeared since the command started.
        let mut file = create(path, private).map_err(failure)?;
        return file
            .write_all(bytes)
            .and_then(|()| file.sync_all())
            .inspect_err(|_| {
                // Best effort: a half-written file is worse than none.
                let _ = fs::remove_file(path);
            })
            .map_err(failure);
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let written = create(&tmp, private)
        .and_then(|mut file| file.write_all(bytes).and_then(|()| file.sync_all()))
        .and_then(|()| fs::rename(&tmp, path));
    if written.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    written.map_err(failure)
}

/// Creates a new file (failing when it exists), mode 0600 when `private`.
fn create(path: &Path, private: bool) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(if private { 0o600 } else { 0o666 });
    }
    #[cfg(not(unix))]
    let _ = private;
    options.open(path)
}
