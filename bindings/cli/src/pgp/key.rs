//! `mailsec pgp key generate|export|import|list`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand};
use facade::pgp::{CipherSuite, Key, KeyOptions, KeyProfile, KeyStore, Limits, PgpPolicy};
use serde::Serialize;

use super::files::{
    existing_store, file_failure, is_stdout, read_named, read_password, write_output,
};
use super::usage_error;
use crate::failure::Failure;
use crate::input::read_stdin;
use crate::output::{write_json, write_stdout};

#[derive(Subcommand)]
pub enum Verb {
    /// Generate a key (certify+sign primary key, signing subkey, encryption subkey) and write
    /// it, ASCII-armored, to --output, and its revocation certificate to --revocation-output
    /// (default: the output file name with `.rev` appended). Existing files are kept unless
    /// --force. Prints the fingerprint and where each file went.
    Generate(GenerateArgs),
    /// Write the public certificate of a key (ASCII-armored unless --binary) to --output
    /// (`-`: stdout).
    Export(ExportArgs),
    /// Import certificates (or keys: their secret key material is kept) into a key store
    /// directory, merging with what it holds. Reads the files given, or stdin.
    Import(ImportArgs),
    /// List the keys of a key store directory.
    List(ListArgs),
}

/// What to generate, and where to write it.
#[derive(Args)]
pub struct GenerateArgs {
    /// The user ID, usually "Name <address>".
    #[arg(long, value_name = "UID")]
    userid: String,
    /// The key file to write (secret key, ASCII-armored; mode 0600); `-` for stdout.
    #[arg(long, value_name = "FILE")]
    output: PathBuf,
    /// The algorithms: cv25519 (Ed25519 and X25519, the default), rsa3k or rsa4k.
    #[arg(long, value_name = "SUITE", default_value = "cv25519", value_parser = parse_suite)]
    cipher_suite: CipherSuite,
    /// The OpenPGP version: rfc4880 (v4 keys, read by GnuPG 2.2; the default) or rfc9580 (v6).
    #[arg(long, value_name = "PROFILE", default_value = "rfc4880", value_parser = parse_profile)]
    profile: KeyProfile,
    /// Protect the secret key material with the password in the first line of this file.
    #[arg(long, value_name = "FILE")]
    password_file: Option<PathBuf>,
    /// Where to write the revocation certificate (mode 0600). Default: the --output file name
    /// with `.rev` appended.
    #[arg(long, value_name = "FILE")]
    revocation_output: Option<PathBuf>,
    /// Replace existing output files.
    #[arg(long)]
    force: bool,
    /// Print JSON: {"fingerprint", "key_id", "version", "user_ids", "cipher_suite", "profile",
    /// "locked", "key_file", "revocation_file"}, or the error as an object.
    #[arg(long)]
    json: bool,
}

/// Which key, and where its certificate goes.
#[derive(Args)]
pub struct ExportArgs {
    /// The key file (secret or public, armored or binary).
    #[arg(long, value_name = "FILE")]
    key: PathBuf,
    /// The certificate file to write; `-` for stdout.
    #[arg(long, value_name = "FILE")]
    output: PathBuf,
    /// Write binary OpenPGP instead of ASCII armor.
    #[arg(long)]
    binary: bool,
    /// Replace an existing output file.
    #[arg(long)]
    force: bool,
}

/// The store, and what to import into it.
#[derive(Args)]
pub struct ImportArgs {
    /// The key store directory (created when missing).
    #[arg(long, value_name = "DIR")]
    store: PathBuf,
    /// Files of certificates or keys (armored or binary; each may hold several). None: stdin.
    #[arg(value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Print JSON: {"imported": [key, ...]} (see `key list --json`), or the error as an object.
    #[arg(long)]
    json: bool,
}

/// The store to list.
#[derive(Args)]
pub struct ListArgs {
    /// The key store directory.
    #[arg(long, value_name = "DIR")]
    store: PathBuf,
    /// Print JSON: {"keys": [{"fingerprint", "key_id", "version", "user_ids", "emails",
    /// "secret", "valid", "invalidity"}, ...]}, or the error as an object.
    #[arg(long)]
    json: bool,
}

fn parse_suite(name: &str) -> Result<CipherSuite, String> {
    name.parse().map_err(|e: facade::pgp::Error| e.to_string())
}

fn parse_profile(name: &str) -> Result<KeyProfile, String> {
    name.parse().map_err(|e: facade::pgp::Error| e.to_string())
}

pub fn run(verb: Verb) -> ExitCode {
    let (result, json) = match verb {
        Verb::Generate(args) => (generate(&args), args.json),
        Verb::Export(args) => (export(&args), false),
        Verb::Import(args) => (import(&args), args.json),
        Verb::List(args) => (list(&args), args.json),
    };
    result.unwrap_or_else(|failure| failure.report(json))
}

/// What `generate --json` prints.
#[derive(Serialize)]
struct Generated<'a> {
    fingerprint: String,
    key_id: String,
    version: u8,
    user_ids: Vec<String>,
    cipher_suite: &'static str,
    profile: &'static str,
    locked: bool,
    key_file: &'a Path,
    revocation_file: &'a Path,
}

fn generate(args: &GenerateArgs) -> Result<ExitCode, Failure> {
    let revocation_file = match &args.revocation_output {
        Some(path) => path.clone(),
        None if is_stdout(&args.output) => {
            return Ok(usage_error(
                &["key", "generate"],
                "--output - needs --revocation-output: where should the revocation certificate go?",
            ));
        }
        None => {
            let mut name = args.output.clone().into_os_string();
            name.push(".rev");
            PathBuf::from(name)
        }
    };
    if revocation_file == args.output {
        return Ok(usage_error(
            &["key", "generate"],
            "--revocation-output must differ from --output",
        ));
    }
    let password = args
        .password_file
        .as_deref()
        .map(read_password)
        .transpose()?;
    if password.as_deref() == Some("") {
        return Ok(usage_error(
            &["key", "generate"],
            "the password file holds an empty password",
        ));
    }
    // Refuse before the work of generating (an RSA-4096 key takes a while), not after.
    for path in [&args.output, &revocation_file] {
        if !args.force && !is_stdout(path) && path.exists() {
            return Err(Failure::Facade(facade::Error::Io {
                what: format!("writing {}", path.display()),
                message: "the file exists (--force replaces it)".to_owned(),
            }));
        }
    }
    let options = KeyOptions {
        cipher_suite: args.cipher_suite,
        profile: args.profile,
        password,
        validity: None,
    };
    let (key, revocation) = Key::generate(&args.userid, &options)?;
    write_output(&args.output, &key.export_secret(true)?, args.force, true)?;
    write_output(&revocation_file, &revocation, args.force, true)?;
    let generated = Generated {
        fingerprint: key.fingerprint(),
        key_id: key.key_id(),
        version: key.version(),
        user_ids: key.user_ids(),
        cipher_suite: args.cipher_suite.name(),
        profile: args.profile.name(),
        locked: key.is_locked(),
        key_file: &args.output,
        revocation_file: &revocation_file,
    };
    if args.json {
        write_json(&generated)?;
    } else if !is_stdout(&args.output) {
        write_stdout(
            format!(
                "fingerprint: {}\nsecret key: {}\nrevocation certificate: {} (keep it apart \
                 from the key: importing it revokes the key)\n",
                generated.fingerprint,
                args.output.display(),
                revocation_file.display()
            )
            .as_bytes(),
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

fn export(args: &ExportArgs) -> Result<ExitCode, Failure> {
    let bytes = read_named(&args.key, "key file")?;
    let key = Key::from_bytes(&bytes).map_err(file_failure(&args.key, "key file"))?;
    let cert = key.export_cert(!args.binary)?;
    write_output(&args.output, &cert, args.force, false)?;
    Ok(ExitCode::SUCCESS)
}

/// One key as `key list --json` and `key import --json` show it.
#[derive(Serialize)]
struct Listed {
    fingerprint: String,
    key_id: String,
    version: u8,
    user_ids: Vec<String>,
    emails: Vec<String>,
    secret: bool,
    valid: bool,
    invalidity: Option<String>,
}

impl Listed {
    fn new(key: &Key, policy: &PgpPolicy) -> Listed {
        let invalidity = key.invalidity(policy);
        Listed {
            fingerprint: key.fingerprint(),
            key_id: key.key_id(),
            version: key.version(),
            user_ids: key.user_ids(),
            emails: key.emails(),
            secret: key.has_secret(),
            valid: invalidity.is_none(),
            invalidity,
        }
    }

    /// `FINGERPRINT v4 pub Name <address>, … [invalid: why]`
    fn line(&self) -> String {
        let mut line = format!(
            "{} v{} {} {}",
            self.fingerprint,
            self.version,
            if self.secret { "sec" } else { "pub" },
            self.user_ids.join(", ")
        );
        if let Some(why) = &self.invalidity {
            line.push_str(&format!(" [invalid: {why}]"));
        }
        line.push('\n');
        line
    }
}

fn import(args: &ImportArgs) -> Result<ExitCode, Failure> {
    // Every file is read and parsed before anything is stored: a bad file imports nothing.
    let mut keys = Vec::new();
    if args.files.is_empty() {
        let bytes = read_stdin(super::files::MAX_KEY_FILE).map_err(|error| Failure::Read {
            what: "stdin".to_owned(),
            error,
        })?;
        keys.extend(Key::read_keyring(&bytes, &Limits::default())?);
    }
    for path in &args.files {
        let bytes = read_named(path, "key file")?;
        keys.extend(
            Key::read_keyring(&bytes, &Limits::default())
                .map_err(file_failure(path, "key file"))?,
        );
    }
    let store = KeyStore::open(&args.store)?;
    let policy = PgpPolicy::new();
    let mut imported = Vec::with_capacity(keys.len());
    for key in &keys {
        imported.push(Listed::new(&store.insert(key)?, &policy));
    }
    if args.json {
        write_json(&serde_json::json!({ "imported": imported }))?;
    } else {
        let text: String = imported
            .iter()
            .map(|k| format!("imported {}", k.line()))
            .collect();
        write_stdout(text.as_bytes())?;
    }
    Ok(ExitCode::SUCCESS)
}

fn list(args: &ListArgs) -> Result<ExitCode, Failure> {
    let store = existing_store(&args.store)?;
    let policy = PgpPolicy::new();
    let keys: Vec<Listed> = store
        .list()?
        .iter()
        .map(|k| Listed::new(k, &policy))
        .collect();
    if args.json {
        write_json(&serde_json::json!({ "keys": keys }))?;
    } else {
        let text: String = keys.iter().map(Listed::line).collect();
        write_stdout(text.as_bytes())?;
    }
    Ok(ExitCode::SUCCESS)
}
