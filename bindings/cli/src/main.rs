//! `mailsec <area> <verb>`: the command line over the mailsec facade.
//!
//! Exit codes (sysexits, what MTAs expect from filters): 0 success, 1 a check answered no or a
//! verification failed, 2 usage error, 65 bad input (EX_DATAERR), 75 temporary failure
//! (EX_TEMPFAIL).

mod clientid;
mod exit;
mod input;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Mail security: S/MIME with secure headers, OpenPGP, SMTP CLIENTID, Sieve external lists.
#[derive(Parser)]
#[command(name = "mailsec", version, about)]
struct Cli {
    #[command(subcommand)]
    area: Area,
}

#[derive(Subcommand)]
enum Area {
    /// The SMTP CLIENTID extension (draft-storey-smtp-client-id-13).
    #[command(subcommand)]
    Clientid(clientid::Verb),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.area {
        Area::Clientid(verb) => clientid::run(verb),
    }
}
