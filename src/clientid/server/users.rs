//! The accounts the example server accepts: a text file of `user:password` lines.
//!
//! Passwords are kept only as SHA-256 digests and compared in constant time, and an unknown
//! account costs the same comparison as a known one, so the time a reply takes tells a
//! password guesser nothing (RFC 4954 §9 asks servers not to help dictionary attacks).

use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::error::{LoadError, read_bounded};

/// The largest users file [`UserTable::load`] reads.
pub const MAX_USERS_FILE_BYTES: u64 = 1 << 20;

/// The accounts and their passwords.
///
/// ```
/// use mailsec::clientid::server::UserTable;
///
/// let users = UserTable::parse("# draft §8.1\ntest:1234\n")?;
/// assert!(users.verify("test", b"1234"));
/// assert!(!users.verify("test", b"12345"));
/// assert!(!users.verify("nobody", b"1234"));
/// # Ok::<(), mailsec::clientid::server::LoadError>(())
/// ```
#[derive(Clone, Default)]
pub struct UserTable {
    digests: HashMap<String, [u8; 32]>,
}

impl fmt::Debug for UserTable {
    /// Lists the accounts, never the digests.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut accounts: Vec<&String> = self.digests.keys().collect();
        accounts.sort();
        f.debug_struct("UserTable")
            .field("accounts", &accounts)
            .finish()
    }
}

impl UserTable {
    /// Parses the users file format: one `user:password` per line (the password is
    /// everything after the first colon), blank lines and lines starting with `#` ignored.
    /// An empty user name, a line without a colon or a user listed twice is an error naming
    /// the line.
    pub fn parse(text: &str) -> Result<UserTable, LoadError> {
        let mut digests = HashMap::new();
        for (index, line) in text.lines().enumerate() {
            let number = index + 1;
            let line = line.strip_suffix('\r').unwrap_or(line);
            if line.trim().is_empty() || line.trim_start().starts_with('#') {
                continue;
            }
            let invalid =
                |message: &str| LoadError::invalid("users", format!("line {number}: {message}"));
            let Some((user, password)) = line.split_once(':') else {
                return Err(invalid("expected user:password"));
            };
            if user.is_empty() {
                return Err(invalid("empty user name"));
            }
            if user.chars().any(char::is_control) {
                return Err(invalid("control character in the user name"));
            }
            if digests
                .insert(user.to_owned(), digest(password.as_bytes()))
                .is_some()
            {
                return Err(invalid(&format!("user {user} listed twice")));
            }
        }
        Ok(UserTable { digests })
    }

    /// Reads and parses a users file (at most [`MAX_USERS_FILE_BYTES`]).
    pub fn load(path: impl AsRef<Path>) -> Result<UserTable, LoadError> {
        let path = path.as_ref();
        let bytes = read_bounded(path, "users file", MAX_USERS_FILE_BYTES)?;
        let in_file =
            |message: String| LoadError::invalid(format!("users file {}", path.display()), message);
        let text = String::from_utf8(bytes).map_err(|e| in_file(format!("not UTF-8: {e}")))?;
        UserTable::parse(&text).map_err(|error| match error {
            LoadError::Invalid { message, .. } => in_file(message),
            other => other,
        })
    }

    /// Whether `password` is the password of `user`, compared in constant time. An unknown
    /// user is compared against a digest no password has, taking the same time.
    pub fn verify(&self, user: &str, password: &[u8]) -> bool {
        let offered = digest(password);
        let (stored, known) = match self.digests.get(user) {
            Some(stored) => (*stored, true),
            // No input hashes to this (it would be a SHA-256 preimage of zero).
            None => ([0u8; 32], false),
        };
        bool::from(offered.ct_eq(&stored)) & known
    }

    /// How many accounts the table holds.
    pub fn len(&self) -> usize {
        self.digests.len()
    }

    /// Whether the table holds no account.
    pub fn is_empty(&self) -> bool {
        self.digests.is_empty()
    }
}

fn digest(password: &[u8]) -> [u8; 32] {
    Sha256::digest(password).into()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn password_is_everything_after_the_first_colon() {
        let users = UserTable::parse("a:b:c\r\n\n  # comment\nempty:\n").unwrap();
        assert_eq!(users.len(), 2);
        assert!(users.verify("a", b"b:c"));
        assert!(!users.verify("a", b"b"));
        assert!(users.verify("empty", b""));
        assert!(!users.verify("empty", b"x"));
    }

    #[test]
    fn errors_name_the_line() {
        for (text, needle) in [
            ("ok:1\nnocolon\n", "line 2: expected user:password"),
            (":pw\n", "line 1: empty user name"),
            ("a:1\na:2\n", "line 2: user a listed twice"),
            ("a\u{7}b:1\n", "line 1: control character"),
        ] {
            let error = UserTable::parse(text).unwrap_err();
            assert!(error.to_string().contains(needle), "{error}");
            assert_eq!(error.kind(), crate::ErrorKind::Config);
        }
    }

    #[test]
    fn debug_shows_no_digest() {
        let users = UserTable::parse("test:1234\n").unwrap();
        let shown = format!("{users:?}");
        assert_eq!(shown, "UserTable { accounts: [\"test\"] }");
    }

    #[test]
    fn load_tells_missing_from_invalid() {
        let missing = UserTable::load("/nonexistent/users").unwrap_err();
        assert_eq!(missing.kind(), crate::ErrorKind::Io);
        let dir = std::env::temp_dir().join(format!("mailsec-users-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("users");
        std::fs::write(&path, b"\xff:1\n").unwrap();
        let invalid = UserTable::load(&path).unwrap_err();
        assert_eq!(invalid.kind(), crate::ErrorKind::Config);
        assert!(invalid.to_string().contains("not UTF-8"), "{invalid}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
