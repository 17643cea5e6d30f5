//! An SMTP server speaking CLIENTID (draft-storey-smtp-client-id-13), to try the draft §8
//! transcripts with a real client. Messages are accepted and discarded.
//!
//! ```text
//! cargo run --features server --example clientid_smtp_server -- \
//!     127.0.0.1:2525 cert.pem key.pem users [policy.toml]
//! ```
//!
//! `users` holds one `user:password` per line (`test:1234` replays draft §8.1); the optional
//! policy file is a mailsec policy whose `[clientid]` table drives the decision at AUTH
//! (`denied_types = ["MAC"]` replays draft §8.3). A self-signed certificate will do:
//!
//! ```text
//! openssl req -x509 -newkey rsa:2048 -nodes -days 30 -keyout key.pem -out cert.pem \
//!     -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1
//! ```
//!
//! Then talk to it by hand, typing the client's lines of draft §8.1 (`EHLO client.example.net`,
//! `CLIENTID UUID 23bf83be-aad7-46aa-9e0f-39191ccf402f`, `AUTH PLAIN dGVzdAB0ZXN0ADEyMzQ=`,
//! …):
//!
//! ```text
//! openssl s_client -quiet -starttls smtp -crlf -connect 127.0.0.1:2525
//! ```
//!
//! or from Python:
//!
//! ```text
//! import smtplib, ssl
//! s = smtplib.SMTP("127.0.0.1", 2525)
//! s.starttls(context=ssl.create_default_context(cafile="cert.pem"))
//! s.ehlo("client.example.net")
//! print(s.docmd("CLIENTID", "UUID 23bf83be-aad7-46aa-9e0f-39191ccf402f"))  # (250, b'OK')
//! print(s.login("test", "1234"))                                            # (235, ...)
//! ```
//!
//! Each decision at AUTH is logged to stderr, with its reasons; the client only ever sees the
//! generic reply (draft §6.1).

use std::process::ExitCode;
use std::sync::Arc;

use mailsec::clientid::MemoryStore;
use mailsec::clientid::server::{self, Hostname, Limits, ServerConfig, UserTable};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (listen, cert, key, users, policy) = match args.as_slice() {
        [listen, cert, key, users] => (listen, cert, key, users, None),
        [listen, cert, key, users, policy] => (listen, cert, key, users, Some(policy)),
        _ => {
            eprintln!(
                "usage: clientid_smtp_server LISTEN_ADDR CERT.pem KEY.pem USERS [POLICY.toml]"
            );
            return ExitCode::from(2);
        }
    };
    match start(listen, cert, key, users, policy) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("clientid_smtp_server: {error}");
            ExitCode::FAILURE
        }
    }
}

fn start(
    listen: &str,
    cert: &str,
    key: &str,
    users: &str,
    policy: Option<&String>,
) -> Result<(), Box<dyn std::error::Error>> {
    let policy = match policy {
        Some(path) => mailsec::Policy::load(path)?,
        None => mailsec::Policy::default(),
    };
    let engine = mailsec::clientid::engine(&policy, Arc::new(MemoryStore::default()))?;
    let config = ServerConfig {
        hostname: Hostname::new("localhost")?,
        tls: server::load_tls(cert, key)?,
        users: UserTable::load(users)?,
        engine: Arc::new(engine),
        require_auth_for_mail: false,
        limits: Limits::default(),
    };
    server::run(listen.parse()?, Arc::new(config))?;
    Ok(())
}
