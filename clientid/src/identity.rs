//! How an identity is named in a history store: by a keyed hash of its type and token, so that
//! a copy of the store does not hand out the tokens (draft §9: CLIENTID information "SHOULD
//! never be shared"; §7: never stored with credentials), or in plain text when a site asks.

use std::fmt;

use hmac::{KeyInit, Mac};
use serde::Deserialize;

use crate::{ClientIdToken, ClientIdType};

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

/// How tokens are kept in a history store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TokenStorage {
    /// HMAC-SHA256 of the type and token under a server key (the default).
    #[default]
    KeyedHash,
    /// The type and token themselves, for sites that must read them back.
    Plain,
}

/// The name of an identity in a history store: 32 bytes of HMAC-SHA256, or `TYPE:token` in
/// plain storage. Types are upper-cased first, because they compare without regard to case
/// (draft §5); tokens are kept as sent.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IdentityKey(Vec<u8>);

impl IdentityKey {
    /// The key's bytes, as stores keep them.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// A key read back from a store.
    pub fn from_bytes(bytes: Vec<u8>) -> IdentityKey {
        IdentityKey(bytes)
    }

    /// The key as lowercase hex (for stores that key by strings, and for logs).
    pub fn to_hex(&self) -> String {
        hex::encode(&self.0)
    }
}

impl fmt::Debug for IdentityKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdentityKey({})", self.to_hex())
    }
}

impl fmt::Display for IdentityKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

/// Turns a (type, token) pair into its [`IdentityKey`].
#[derive(Clone)]
pub struct TokenHasher {
    storage: TokenStorage,
    key: [u8; 32],
}

impl fmt::Debug for TokenHasher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenHasher")
            .field("storage", &self.storage)
            .finish_non_exhaustive()
    }
}

impl TokenHasher {
    /// A hasher with a fixed 32-byte key. Keep the key outside the history store, and the same
    /// across restarts and nodes, or known devices become unknown.
    pub fn keyed(key: [u8; 32]) -> TokenHasher {
        TokenHasher {
            storage: TokenStorage::KeyedHash,
            key,
        }
    }

    /// A hasher with a fresh random key: right for an in-memory store that dies with the
    /// process, wrong for a store that outlives it.
    pub fn random() -> TokenHasher {
        let mut key = [0u8; 32];
        rand::fill(&mut key);
        TokenHasher::keyed(key)
    }

    /// A hasher that keeps tokens in plain text ([`TokenStorage::Plain`]).
    pub fn plain() -> TokenHasher {
        TokenHasher {
            storage: TokenStorage::Plain,
            key: [0; 32],
        }
    }

    /// How this hasher stores tokens.
    pub fn storage(&self) -> TokenStorage {
        self.storage
    }

    /// The key naming `(client_type, token)`.
    pub fn key_of(&self, client_type: &ClientIdType, token: &ClientIdToken) -> IdentityKey {
        let client_type = client_type.as_str().to_ascii_uppercase();
        match self.storage {
            TokenStorage::Plain => {
                IdentityKey(format!("{client_type}:{}", token.as_str()).into_bytes())
            }
            TokenStorage::KeyedHash => {
                let mut mac = <HmacSha256 as KeyInit>::new_from_slice(&self.key)
                    .unwrap_or_else(|_| unreachable_key_length());
                // Type and token are separated by a byte neither may contain (draft §5).
                mac.update(client_type.as_bytes());
                mac.update(&[0]);
                mac.update(token.as_str().as_bytes());
                IdentityKey(mac.finalize().into_bytes().to_vec())
            }
        }
    }
}

/// HMAC takes keys of any length, so `new_from_slice` cannot fail.
#[cold]
fn unreachable_key_length() -> HmacSha256 {
    unreachable!("HMAC accepts keys of any length")
}
