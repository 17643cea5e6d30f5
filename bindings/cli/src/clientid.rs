//! `mailsec clientid parse|build|ehlo|serve`.

use std::ffi::OsString;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::Subcommand;
use facade::clientid::server::{self, Hostname, Limits, LoadError, ServerConfig, UserTable};
// RedisStore exists because this leaf crate turns on the facade's `redis` feature.
use facade::clientid::store::{RedisStore, SqliteStore};
use facade::clientid::{
    ClientIdCommand, ClientIdToken, ClientIdType, EhloReply, HistoryStore, MemoryStore, StoreError,
    Strictness, SyntaxError,
};
use facade::{Error, ErrorKind, Policy};
use serde_json::json;

use crate::exit;
use crate::input::read_stdin;

/// Longest CLIENTID line read from stdin; a valid one is at most 156 bytes.
const MAX_LINE: usize = 4096;
/// Longest EHLO reply read from stdin.
const MAX_REPLY: usize = 64 * 1024;

#[derive(Subcommand)]
pub enum Verb {
    /// Parse a CLIENTID command line as a server receives it (draft §4–§5). Prints the type and
    /// token; a malformed line exits 65 with the 501 reason on stderr.
    Parse {
        /// The command line; read from stdin when absent (one final LF is dropped).
        line: Option<OsString>,
        /// Print JSON: {"type": ..., "token": ...}, or the error as an object.
        #[arg(long)]
        json: bool,
        /// Also accept `_` in the type (draft §7's DEVICE_ID), which the §5 grammar forbids.
        #[arg(long)]
        lenient: bool,
    },
    /// Build the CLIENTID command a client sends, validating type and token.
    Build {
        /// The client-id-type, e.g. UUID.
        client_type: OsString,
        /// The client-id-token.
        token: OsString,
        /// Also accept `_` in the type.
        #[arg(long)]
        lenient: bool,
    },
    /// Read a server's EHLO reply on stdin; exit 0 if it advertises CLIENTID (draft §3), 1 if not.
    Ehlo {
        /// Print JSON: {"advertises_clientid": ..., "keywords": [...]}.
        #[arg(long)]
        json: bool,
    },
    /// Run an example SMTP server speaking CLIENTID, to replay draft §8 with a real client.
    /// Messages are accepted and discarded; each AUTH decision is logged to stderr as one
    /// line. Prints `listening on ADDR` to stderr once bound; stops on Ctrl-C. A missing
    /// file or an address that cannot be bound exits 74, an unusable policy, certificate,
    /// key or users file 75.
    Serve {
        /// The address to listen on, e.g. 127.0.0.1:2525 (port 0: the system picks one,
        /// printed in the `listening on` line).
        #[arg(long)]
        listen: SocketAddr,
        /// The server's certificate chain, PEM, its own certificate first (for STARTTLS).
        #[arg(long)]
        cert: PathBuf,
        /// The certificate's private key, PEM.
        #[arg(long)]
        key: PathBuf,
        /// The accounts: one `user:password` per line, `#` comments.
        #[arg(long)]
        users: PathBuf,
        /// A policy file; its `[clientid]` table drives the decision at AUTH (draft §6).
        #[arg(long)]
        policy: Option<PathBuf>,
        /// Where identities are remembered (draft §6.3): an SQLite file (created if absent),
        /// or a `redis://[:password@]host[:port][/db]` URL. In memory when absent. A store
        /// that cannot be reached exits 74, a file that is not a history store 75.
        #[arg(long)]
        history: Option<String>,
        /// The name in the greeting, EHLO and QUIT replies.
        #[arg(long, default_value = "localhost")]
        hostname: String,
        /// Refuse MAIL before a successful AUTH (530). Off by default, so that draft §8.2
        /// (MAIL in plaintext answered 250) replays.
        #[arg(long)]
        require_auth: bool,
    },
}

pub fn run(verb: Verb) -> ExitCode {
    match verb {
        Verb::Parse {
            line,
            json,
            lenient,
        } => parse(line, json, lenient),
        Verb::Build {
            client_type,
            token,
            lenient,
        } => build(&client_type, &token, lenient),
        Verb::Ehlo { json } => ehlo(json),
        Verb::Serve {
            listen,
            cert,
            key,
            users,
            policy,
            history,
            hostname,
            require_auth,
        } => {
            let files = ServeFiles {
                cert: &cert,
                key: &key,
                users: &users,
                policy: policy.as_deref(),
                history: history.as_deref(),
            };
            serve(listen, &files, &hostname, require_auth)
        }
    }
}

fn parse(line: Option<OsString>, json: bool, lenient: bool) -> ExitCode {
    let line = match line {
        Some(line) => line.into_encoded_bytes(),
        None => match read_stdin(MAX_LINE) {
            Ok(mut data) => {
                if data.ends_with(b"\n") && !data.ends_with(b"\r\n") {
                    data.pop();
                }
                data
            }
            Err(e) => {
                eprintln!("mailsec: reading stdin: {e}");
                return ExitCode::from(exit::IO_ERROR);
            }
        },
    };
    match ClientIdCommand::parse_with(&line, Strictness::from_lenient(lenient)) {
        Ok(command) => {
            let (client_type, token) = (command.client_type().as_str(), command.token().as_str());
            if json {
                println!("{}", json!({ "type": client_type, "token": token }));
            } else {
                println!("type: {client_type}\ntoken: {token}");
            }
            ExitCode::SUCCESS
        }
        Err(error) => syntax_failure(error, json),
    }
}

fn build(client_type: &OsString, token: &OsString, lenient: bool) -> ExitCode {
    let built = ClientIdType::from_bytes(
        client_type.as_encoded_bytes(),
        Strictness::from_lenient(lenient),
    )
    .and_then(|client_type| {
        let token = ClientIdToken::from_bytes(token.as_encoded_bytes())?;
        Ok(ClientIdCommand::new(client_type, token))
    });
    match built {
        Ok(command) => {
            println!("{command}");
            ExitCode::SUCCESS
        }
        Err(error) => syntax_failure(error, false),
    }
}

/// Reports a syntax error: `501 <reason>` on stderr, the error object on stdout with --json.
fn syntax_failure(error: SyntaxError, json: bool) -> ExitCode {
    if json {
        println!(
            "{}",
            json!({
                "error": error.code(),
                "message": error.to_string(),
                "offset": error.offset(),
                "rule": error.rule().abnf_name(),
                "reply_code": error.reply_code(),
            })
        );
    }
    eprintln!("mailsec: {} {error}", error.reply_code());
    exit::for_error(&Error::from(error))
}

fn ehlo(json: bool) -> ExitCode {
    let reply = match read_stdin(MAX_REPLY) {
        Ok(reply) => reply,
        Err(e) => {
            eprintln!("mailsec: reading stdin: {e}");
            return ExitCode::from(exit::IO_ERROR);
        }
    };
    match EhloReply::parse(&reply) {
        Ok(reply) => {
            let advertised = reply.advertises_clientid();
            if json {
                let keywords: Vec<&str> = reply
                    .extensions()
                    .iter()
                    .map(|e| e.keyword.as_str())
                    .collect();
                println!(
                    "{}",
                    json!({ "advertises_clientid": advertised, "keywords": keywords })
                );
            } else if advertised {
                println!("CLIENTID advertised");
            } else {
                println!("CLIENTID not advertised");
            }
            if advertised {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(exit::NEGATIVE)
            }
        }
        Err(error) => {
            eprintln!("mailsec: {error}");
            exit::for_error(&Error::from(error))
        }
    }
}

/// The files `serve` loads.
struct ServeFiles<'a> {
    cert: &'a Path,
    key: &'a Path,
    users: &'a Path,
    policy: Option<&'a Path>,
    history: Option<&'a str>,
}

fn serve(
    listen: SocketAddr,
    files: &ServeFiles<'_>,
    hostname: &str,
    require_auth: bool,
) -> ExitCode {
    let config = match server_config(files, hostname, require_auth) {
        Ok(config) => config,
        Err(code) => return code,
    };
    match server::run(listen, Arc::new(config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("mailsec: serving on {listen}: {error}");
            ExitCode::from(exit::IO_ERROR)
        }
    }
}

/// Loads everything the server needs; a failure is reported and becomes the exit code.
fn server_config(
    files: &ServeFiles<'_>,
    hostname: &str,
    require_auth: bool,
) -> Result<ServerConfig, ExitCode> {
    let facade_failure = |error: Error| {
        eprintln!("mailsec: {error}");
        exit::for_error(&error)
    };
    let load_failure = |error: LoadError| {
        eprintln!("mailsec: {error}");
        ExitCode::from(match error.kind() {
            ErrorKind::Io => exit::IO_ERROR,
            _ => exit::TEMPORARY_FAILURE,
        })
    };
    let hostname = Hostname::new(hostname).map_err(load_failure)?;
    let policy = match files.policy {
        Some(path) => Policy::load(path).map_err(facade_failure)?,
        None => Policy::default(),
    };
    let tls = server::load_tls(files.cert, files.key).map_err(load_failure)?;
    let users = UserTable::load(files.users).map_err(load_failure)?;
    let store = open_history(files.history)?;
    let engine = facade::clientid::engine(&policy, store).map_err(facade_failure)?;
    Ok(ServerConfig {
        hostname,
        tls,
        users,
        engine: Arc::new(engine),
        require_auth_for_mail: require_auth,
        limits: Limits::default(),
    })
}

/// The history store `--history` names: memory when absent, Redis for a `redis://` URL, an
/// SQLite file otherwise.
fn open_history(spec: Option<&str>) -> Result<Arc<dyn HistoryStore>, ExitCode> {
    let Some(spec) = spec else {
        return Ok(Arc::new(MemoryStore::default()));
    };
    let opened: Result<Arc<dyn HistoryStore>, StoreError> =
        if spec.starts_with("redis://") || spec.starts_with("rediss://") {
            RedisStore::connect(spec).map(|store| Arc::new(store) as Arc<dyn HistoryStore>)
        } else {
            SqliteStore::open(spec).map(|store| Arc::new(store) as Arc<dyn HistoryStore>)
        };
    opened.map_err(|error| {
        // Not the spec itself: a Redis URL may hold a password.
        let error = Error::from(error);
        eprintln!("mailsec: --history: {error}");
        exit::for_error(&error)
    })
}
