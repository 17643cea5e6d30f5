//! `mailsec <area> <verb>`: the command line over the mailsec facade.
//!
//! Exit codes (sysexits, what MTAs expect from filters): 0 success, 1 a check answered no or a
//! verification failed, 2 usage error, 65 bad input (EX_DATAERR), 74 a file or stream could
//! not be read (EX_IOERR), 75 temporary failure or unusable configuration (EX_TEMPFAIL).

mod clientid;
mod exit;
mod failure;
mod headers;
mod input;
mod output;
mod pgp;
mod policy;
mod sieve;
mod smime;

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
    /// The SMTP CLIENTID extension (draft-storey-smtp-client-id-13): parse, build, check an
    /// EHLO reply, and `serve`, an example SMTP server speaking it.
    #[command(subcommand)]
    Clientid(clientid::Verb),
    /// Secure header fields (RFC 7508): canonicalize, build, decode, verify, and the DCA
    /// transforms. Messages on stdin; a broken policy exits 75.
    #[command(subcommand)]
    Headers(headers::Verb),
    /// OpenPGP (RFC 9580, RFC 4880) and PGP/MIME (RFC 3156): keys and a key store, sign,
    /// verify, encrypt, decrypt. Messages on stdin, results on stdout; malformed input exits
    /// 65, unusable keys 75, a key store or file that cannot be read or written 74.
    #[command(subcommand)]
    Pgp(pgp::Verb),
    /// The policy file.
    #[command(subcommand)]
    Policy(policy::Verb),
    /// Sieve (RFC 5228) with externally stored lists (RFC 6134): check and run scripts, keep
    /// lists in a SQLite store, print the ManageSieve capabilities. A script error exits 65
    /// (the implicit keep is still printed), a list backend that is down 75.
    #[command(subcommand)]
    Sieve(sieve::Verb),
    /// S/MIME (RFC 8551) signatures carrying secure header fields: sign and verify whole
    /// messages. Messages on stdin; unusable keys, certificates or policy exit 75.
    #[command(subcommand)]
    Smime(smime::Verb),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.area {
        Area::Clientid(verb) => clientid::run(verb),
        Area::Headers(verb) => headers::run(verb),
        Area::Pgp(verb) => pgp::run(verb),
        Area::Policy(verb) => policy::run(verb),
        Area::Sieve(verb) => sieve::run(verb),
        Area::Smime(verb) => smime::run(verb),
    }
}
