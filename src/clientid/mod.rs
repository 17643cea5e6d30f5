//! The SMTP CLIENTID extension (draft-storey-smtp-client-id-13), from the `clientid` crate,
//! plus what ties it to a mailsec [`crate::Policy`]: the `[clientid]` table and the key file of
//! the token hash.
//!
//! ```
//! use std::sync::Arc;
//! use mailsec::clientid::{AuthAttempt, MemoryStore, Session, Verdict};
//!
//! let policy = mailsec::Policy::from_toml_str("[clientid]\ndenied_types = [\"MAC\"]\n")?;
//! let engine = mailsec::clientid::engine(&policy, Arc::new(MemoryStore::default()))?;
//! let mut session = Session::new(engine.session_config(), true);
//! assert!(session.ehlo());
//! assert_eq!(session.clientid(b"CLIENTID MAC 08:9e:01:70:f6:46").code, 250);
//! let attempt = AuthAttempt { account: "test", credentials_valid: true,
//!     peer: "192.0.2.1".parse().unwrap(), location: None, now: 1_700_000_000 };
//! let decision = engine.decide(&mut session, &attempt);
//! assert_eq!((decision.verdict, decision.reply.code), (Verdict::Refuse, 550)); // draft §8.3
//! # Ok::<(), mailsec::Error>(())
//! ```

use std::io::Read;
use std::sync::Arc;

pub use ::clientid::*;

use crate::{Error, Policy};

#[cfg(feature = "server")]
pub mod server;

/// The smallest token key file accepted, in bytes.
pub const MIN_TOKEN_KEY_BYTES: usize = 32;
/// The largest token key file read, in bytes.
pub const MAX_TOKEN_KEY_BYTES: u64 = 4096;

/// The hasher the `[clientid]` table asks for: plain, keyed by the key file, or keyed by a
/// random key when no key file is named.
pub fn token_hasher(policy: &ClientIdPolicy) -> Result<TokenHasher, Error> {
    use sha2::Digest;
    if policy.token_storage == TokenStorage::Plain {
        return Ok(TokenHasher::plain());
    }
    let Some(path) = &policy.token_key_file else {
        return Ok(TokenHasher::random());
    };
    let io_error = |source: std::io::Error| Error::Io {
        what: format!("token key file {}", path.display()),
        message: source.to_string(),
    };
    let mut secret = Vec::new();
    std::fs::File::open(path)
        .map_err(io_error)?
        .take(MAX_TOKEN_KEY_BYTES)
        .read_to_end(&mut secret)
        .map_err(io_error)?;
    if secret.len() < MIN_TOKEN_KEY_BYTES {
        return Err(Error::ClientIdPolicy(policy::PolicyConfigError {
            setting: "token_key_file".into(),
            message: format!(
                "{} holds {} bytes, at least {MIN_TOKEN_KEY_BYTES} are needed",
                path.display(),
                secret.len()
            ),
        }));
    }
    Ok(TokenHasher::keyed(sha2::Sha256::digest(&secret).into()))
}

/// The policy engine for `policy`'s `[clientid]` table (the defaults when it has none), over
/// `store`.
pub fn engine(policy: &Policy, store: Arc<dyn HistoryStore>) -> Result<PolicyEngine, Error> {
    let clientid = policy.clientid().cloned().unwrap_or_default();
    let hasher = token_hasher(&clientid)?;
    Ok(PolicyEngine::new(clientid, store, hasher))
}
