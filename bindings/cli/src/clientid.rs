//! `mailsec clientid parse|build|ehlo`.

use std::ffi::OsString;
use std::process::ExitCode;

use clap::Subcommand;
use facade::Error;
use facade::clientid::{
    ClientIdCommand, ClientIdToken, ClientIdType, EhloReply, Strictness, SyntaxError,
};
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
