//! An example SMTP server speaking CLIENTID (draft-storey-smtp-client-id-13), replaying the
//! transcripts of draft §8 for real clients (Python's `smtplib`, `openssl s_client -starttls
//! smtp`). It authenticates against a [`UserTable`], asks the [`PolicyEngine`] at every AUTH,
//! and discards every message it accepts: it shows where an MTA calls the `clientid` crate,
//! it is not a mail server.
//!
//! # Session flow
//!
//! 1. Connection: `220 <host> ESMTP ready` (draft §8.1). A [`Session`] is created,
//!    unencrypted.
//! 2. `EHLO` in plaintext lists `STARTTLS` only: never `CLIENTID` (draft §3 rule 2, asked of
//!    [`Session::ehlo`]), and not `AUTH` either — passwords travel only under TLS here, a
//!    deliberate deviation from draft §8.1, whose plaintext EHLO reply lists `AUTH LOGIN`
//!    (the later AUTH is sent after STARTTLS there, so the transcript replays unchanged).
//!    `CLIENTID` in plaintext gets `500` (draft §4, §8.2); `MAIL` is accepted unless
//!    [`ServerConfig::require_auth_for_mail`] is set (draft §8.2 shows `MAIL FROM` → `250`).
//! 3. `STARTTLS` → `220 Go ahead`, the TLS handshake, then
//!    [`Session::tls_established`]: everything learnt before is discarded (RFC 3207 §4.2),
//!    and octets the client pipelined after `STARTTLS` are dropped unread.
//! 4. `EHLO` under TLS lists `AUTH PLAIN LOGIN` and `CLIENTID` (draft §3 rule 3).
//!    `CLIENTID` before that EHLO gets `503`: the keyword was not advertised yet (draft §4).
//! 5. `CLIENTID type token` is answered by [`Session::clientid`]: `250` for any well-formed
//!    identity (draft §6.1: the decision waits for AUTH), `501` malformed (§8.4), `503` a
//!    second time or after AUTH (§4).
//! 6. `AUTH PLAIN` / `AUTH LOGIN` (RFC 4954, RFC 4616): the password is checked, then
//!    [`PolicyEngine::decide`] answers with the identity, the account and whether the
//!    password matched. The reply is the decision's — `235`, `535`, or the generic `550`
//!    of draft §8.3, the same whether or not the password was right — and the reason goes
//!    to stderr as one line, `clientid: peer=… account=… mechanism=… credentials=valid|invalid
//!    [type=… token=…] decision=refuse reply=550 findings=[…] [alerts=[…]]` (the identity only
//!    when its handling allows the system log, draft §7 flag 3).
//! 7. `MAIL`, `RCPT`, `DATA` first ask [`Session::transaction_refusal`]: with
//!    `refuse_at = "transaction"` the policy lets AUTH answer `235` and refuses here with
//!    `550`, as draft §8.3 is written. Otherwise `250 OK`, `354 Ready for message content`,
//!    and `250 OK` once the message (discarded) ends.
//! 8. `QUIT` → `221 <host> Service closing transmission channel`. `RSET`, a repeated `EHLO`
//!    and `HELO` keep the identity (RFC 5321 §4.1.4); only a new TLS layer drops it.
//!
//! The server does not advertise ENHANCEDSTATUSCODES, so its replies carry the bare texts of
//! the draft. Every limit that protects it from a client is in [`Limits`].
//!
//! ```no_run
//! use std::sync::Arc;
//! use mailsec::clientid::server::{self, Hostname, Limits, ServerConfig, UserTable};
//! use mailsec::clientid::MemoryStore;
//!
//! let policy = mailsec::Policy::load("policy.toml")?;
//! let engine = mailsec::clientid::engine(&policy, Arc::new(MemoryStore::default()))?;
//! let config = ServerConfig {
//!     hostname: Hostname::new("server.example.com")?,
//!     tls: server::load_tls("cert.pem", "key.pem")?,
//!     users: UserTable::load("users")?,
//!     engine: Arc::new(engine),
//!     require_auth_for_mail: false,
//!     limits: Limits::default(),
//! };
//! server::run("127.0.0.1:2525".parse()?, Arc::new(config))?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod auth;
mod connection;
mod error;
mod line;
mod protocol;
mod tls;
mod users;

use std::fmt;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;

use super::PolicyEngine;
#[cfg(doc)]
use super::Session;

pub use error::LoadError;
pub use tls::{MAX_PEM_FILE_BYTES, load_tls};
pub use users::{MAX_USERS_FILE_BYTES, UserTable};

/// The name the server gives itself in its greeting, EHLO and QUIT replies: printable ASCII
/// without spaces, so that it cannot break a reply line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hostname(String);

impl Hostname {
    /// The longest name accepted (RFC 1035 §2.3.4 with room for an address literal).
    pub const MAX_LEN: usize = 255;

    /// Checks `name`: 1 to [`Hostname::MAX_LEN`] printable ASCII characters, no space.
    pub fn new(name: &str) -> Result<Hostname, LoadError> {
        if name.is_empty()
            || name.len() > Hostname::MAX_LEN
            || !name.bytes().all(|b| b.is_ascii_graphic())
        {
            return Err(LoadError::Invalid {
                what: "hostname".into(),
                message: format!(
                    "{name:?} is not 1 to {} printable ASCII characters without spaces",
                    Hostname::MAX_LEN
                ),
            });
        }
        Ok(Hostname(name.to_owned()))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for Hostname {
    /// `localhost`.
    fn default() -> Self {
        Hostname("localhost".into())
    }
}

impl fmt::Display for Hostname {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What one client may cost the server. Each limit ends the offending line, message or
/// session with a reply, never with unbounded memory or a panic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The longest line, CRLF included (RFC 5321 §4.5.3.1.6: 1000). A longer command gets
    /// `500 Line too long`; a longer message line makes the message fail with it.
    pub max_line_octets: usize,
    /// The largest message; a larger one gets `552` once it ends.
    pub max_message_octets: u64,
    /// Commands (and AUTH exchange lines) per session; the next one gets `421` and the
    /// connection is closed.
    pub max_commands: u32,
    /// Recipients per message (RFC 5321 §4.5.3.1.8 asks for at least 100); more get `452`.
    pub max_recipients: usize,
    /// AUTH attempts per session that ended in `535` or `550`; the next AUTH gets `421` and
    /// the connection is closed.
    pub max_auth_failures: u32,
    /// Sessions served at once; a connection beyond gets `421` and is closed.
    pub max_sessions: usize,
    /// How long the server waits for a line (RFC 5321 §4.5.3.2.7: 5 minutes) or for a reply
    /// to be taken.
    pub idle_timeout: Duration,
    /// How long the TLS handshake after STARTTLS may take.
    pub tls_handshake_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_line_octets: 1000,
            max_message_octets: 10 << 20,
            max_commands: 1000,
            max_recipients: 100,
            max_auth_failures: 3,
            max_sessions: 100,
            idle_timeout: Duration::from_secs(300),
            tls_handshake_timeout: Duration::from_secs(30),
        }
    }
}

/// Everything the server needs.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// The name in the greeting, EHLO and QUIT replies.
    pub hostname: Hostname,
    /// The TLS configuration STARTTLS uses ([`load_tls`]).
    pub tls: Arc<rustls::ServerConfig>,
    /// The accounts AUTH accepts.
    pub users: UserTable,
    /// The CLIENTID policy, its history store and its connection counts.
    pub engine: Arc<PolicyEngine>,
    /// Whether MAIL needs an authenticated session (`530 Authentication required`
    /// otherwise). Off by default, so that draft §8.2 (`MAIL FROM` in plaintext → `250`)
    /// replays.
    pub require_auth_for_mail: bool,
    /// The limits.
    pub limits: Limits,
}

/// Serves SMTP on `listener` until `shutdown` completes, then stops accepting and ends the
/// sessions still open. Each connection is served by its own task; policy decisions, which
/// may read a history store, run on the blocking pool.
pub async fn serve(
    listener: TcpListener,
    config: Arc<ServerConfig>,
    shutdown: impl Future<Output = ()>,
) -> io::Result<()> {
    connection::accept_loop(listener, config, shutdown).await
}

/// Binds `listen`, prints `listening on ADDR` to stderr with the address actually bound (the
/// port the system chose for port 0), and serves until Ctrl-C, on a runtime of its own.
pub fn run(listen: SocketAddr, config: Arc<ServerConfig>) -> io::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let listener = TcpListener::bind(listen).await?;
        log(&format!("listening on {}", listener.local_addr()?));
        serve(listener, config, async {
            // If the signal cannot be watched, serve until killed rather than stop at once.
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await;
            }
        })
        .await
    })
}

/// Writes one line to stderr. A closed stderr loses the line but never stops the server
/// (`eprintln!` would panic).
pub(crate) fn log(line: &str) {
    use std::io::Write;
    let mut stderr = io::stderr().lock();
    let _ = stderr.write_all(line.as_bytes());
    let _ = stderr.write_all(b"\n");
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn hostnames_cannot_break_a_reply_line() {
        assert_eq!(
            Hostname::new("server.example.com").unwrap().as_str(),
            "server.example.com"
        );
        assert_eq!(
            Hostname::new("[192.0.2.1]").unwrap().to_string(),
            "[192.0.2.1]"
        );
        for bad in ["", "a b", "a\r\n250 x", "é", &"a".repeat(256)] {
            let error = Hostname::new(bad).unwrap_err();
            assert_eq!(error.kind(), crate::ErrorKind::Config, "{bad:?}");
        }
    }
}
