//! `mailsec smime sign|verify`: S/MIME (RFC 8551) signatures carrying SecureHeaderFields
//! (RFC 7508) over the facade.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::error::ErrorKind;
use clap::{Args, CommandFactory as _, Subcommand};
use facade::Error;
use facade::smime::{
    self, SignOptions, SignatureAlgorithm, SignedForm, Signer, SignerIdentifierKind, TrustAnchors,
    VerifyOptions,
};

use crate::exit;
use crate::failure::Failure;
use crate::input::{read_file, read_stdin};
use crate::output::{write_json, write_stdout};

/// Largest message read from stdin (the facade's default message limit).
const MAX_MESSAGE: usize = 64 << 20;

/// Largest certificate, key or policy file read.
const MAX_FILE: usize = 1 << 20;

#[derive(Subcommand)]
pub enum Verb {
    /// Sign the message on stdin (draft §4.5.1, RFC 8551 §3.5) and print the signed message:
    /// multipart/signed by default. The header fields the policy's [secure_headers] table names
    /// are secured. Unusable keys, certificates or policy exit 75, a malformed message 65.
    Sign(SignArgs),
    /// Verify the signed message on stdin (RFC 5652 §5.6, RFC 5280 §6, RFC 8550 §3, draft
    /// §4.5.2) and print the report. Exits 0 when valid, 1 when not, 65 when the message cannot
    /// be read as a signed message.
    Verify(VerifyArgs),
}

/// Who signs, and how.
#[derive(Args)]
pub struct SignArgs {
    /// The signer's certificate (PEM; further certificates in the file are sent as its chain).
    /// Repeat --cert and --key for several signers: the n-th --key goes with the n-th --cert.
    #[arg(long, value_name = "FILE", required = true)]
    cert: Vec<PathBuf>,
    /// The signer's private key (PKCS#8, PKCS#1 or SEC1 PEM).
    #[arg(long, value_name = "FILE", required = true)]
    key: Vec<PathBuf>,
    /// Intermediate certificates (PEM) to send with every signature; repeatable.
    #[arg(long, value_name = "FILE")]
    chain: Vec<PathBuf>,
    /// The signature algorithm: once for every signer, or once per signer in --cert order.
    /// Default: the key's (rsa-pkcs1-sha256, ecdsa-p256-sha256, ecdsa-p384-sha384, ed25519).
    #[arg(long, value_name = "NAME", value_parser = parse_algorithm)]
    algorithm: Vec<SignatureAlgorithm>,
    /// Name each signer's certificate by its subjectKeyIdentifier instead of issuer and serial
    /// number (RFC 5652 §5.3).
    #[arg(long)]
    subject_key_id: bool,
    /// The policy file: the fields its [secure_headers] table names are secured. Without the
    /// table, or without --policy, the signature secures no header field.
    #[arg(long, value_name = "FILE")]
    policy: Option<PathBuf>,
    /// Produce application/pkcs7-mime signed-data (the content inside the signature) instead of
    /// multipart/signed.
    #[arg(long)]
    opaque: bool,
    /// signingTime, in seconds since the Unix epoch. Default: now.
    #[arg(long, value_name = "UNIX")]
    signing_time: Option<u64>,
}

/// What to verify against.
#[derive(Args)]
pub struct VerifyArgs {
    /// Trust anchors (PEM, or one DER certificate); repeatable.
    #[arg(long, value_name = "FILE", required = true)]
    trust: Vec<PathBuf>,
    /// Further certificates (PEM, or one DER certificate): intermediates, and signer
    /// certificates the message does not carry; repeatable.
    #[arg(long, value_name = "FILE")]
    certs: Vec<PathBuf>,
    /// The policy file: its [secure_headers] table gives the mandatory fields, accepted
    /// profiles and limits. Without it, whatever fields the signature secures are compared.
    #[arg(long, value_name = "FILE")]
    policy: Option<PathBuf>,
    /// Check certificates at this time, in seconds since the Unix epoch. Default: now.
    #[arg(long, value_name = "UNIX")]
    time: Option<u64>,
    /// Accept SHA-1 in signatures and certificates (legacy mail; RFC 8551 §2.1 says not to).
    #[arg(long)]
    allow_sha1: bool,
    /// Print the report as JSON: {"valid": ..., "form": ..., "signers": [...], "headers": ...,
    /// "failures": [...]}, or the error as an object.
    #[arg(long)]
    json: bool,
}

fn parse_algorithm(name: &str) -> Result<SignatureAlgorithm, String> {
    SignatureAlgorithm::from_name(name).ok_or_else(|| {
        let names: Vec<&str> = smime::ALL_SIGNATURE_ALGORITHMS
            .iter()
            .map(|a| a.name())
            .collect();
        format!(
            "unknown signature algorithm (expected one of: {})",
            names.join(", ")
        )
    })
}

pub fn run(verb: Verb) -> ExitCode {
    let (result, json) = match verb {
        Verb::Sign(args) => (sign(&args), false),
        Verb::Verify(args) => (verify(&args), args.json),
    };
    result.unwrap_or_else(|failure| failure.report(json))
}

fn sign(args: &SignArgs) -> Result<ExitCode, Failure> {
    if args.cert.len() != args.key.len() {
        return Ok(usage_error(
            "sign",
            &format!(
                "{} --cert but {} --key: give one --key for each --cert",
                args.cert.len(),
                args.key.len()
            ),
        ));
    }
    if args.algorithm.len() > 1 && args.algorithm.len() != args.cert.len() {
        return Ok(usage_error(
            "sign",
            &format!(
                "{} --algorithm for {} signers: give one for every signer, or one per signer",
                args.algorithm.len(),
                args.cert.len()
            ),
        ));
    }
    let policy = args.policy.as_deref().map(load_policy).transpose()?;
    let mut chain = Vec::new();
    for path in &args.chain {
        let pem = read_pem(path, "chain file")?;
        chain.extend(smime::load_certificates(&pem).map_err(file_failure(path, "chain file"))?);
    }
    let identifier = if args.subject_key_id {
        SignerIdentifierKind::SubjectKeyIdentifier
    } else {
        SignerIdentifierKind::IssuerAndSerialNumber
    };
    let mut signers = Vec::with_capacity(args.cert.len());
    for (i, (cert, key)) in args.cert.iter().zip(&args.key).enumerate() {
        let cert_pem = read_pem(cert, "certificate file")?;
        let key_pem = read_pem(key, "key file")?;
        let algorithm = args.algorithm.get(i).or(args.algorithm.first());
        let signer = match algorithm {
            Some(&algorithm) => Signer::from_pem_with_algorithm(&cert_pem, &key_pem, algorithm),
            None => Signer::from_pem(&cert_pem, &key_pem),
        }
        .map_err(|error| Failure::File {
            what: format!(
                "certificate file {} with key file {}",
                cert.display(),
                key.display()
            ),
            error: error.into(),
        })?;
        signers.push(signer.with_chain(chain.clone()).with_identifier(identifier));
    }
    let message = read_message()?;
    let options = SignOptions {
        form: if args.opaque {
            SignedForm::Opaque
        } else {
            SignedForm::Detached
        },
        signing_time: args.signing_time,
        secure_headers: policy.as_ref().and_then(|p| p.secure_headers().cloned()),
        ..SignOptions::default()
    };
    let signed = smime::sign_message(&message, &signers, &options)?;
    write_stdout(&signed)?;
    Ok(ExitCode::SUCCESS)
}

fn verify(args: &VerifyArgs) -> Result<ExitCode, Failure> {
    let policy = args.policy.as_deref().map(load_policy).transpose()?;
    let mut trust = TrustAnchors::new();
    for path in &args.trust {
        let pem = read_pem(path, "trust anchor file")?;
        let certificates =
            smime::load_certificates(&pem).map_err(file_failure(path, "trust anchor file"))?;
        for certificate in certificates {
            trust.add(certificate);
        }
    }
    let mut options = VerifyOptions::new(trust);
    for path in &args.certs {
        let pem = read_pem(path, "certificate file")?;
        let certificates =
            smime::load_certificates(&pem).map_err(file_failure(path, "certificate file"))?;
        options.certificates.extend(certificates);
    }
    options.time = args.time;
    options.allow_sha1 = args.allow_sha1;
    options.secure_headers = policy.as_ref().and_then(|p| p.secure_headers().cloned());
    let message = read_message()?;
    let report = smime::verify_message(&message, &options)?;
    if args.json {
        write_json(&report)?;
    } else {
        write_stdout(report.to_string().as_bytes())?;
    }
    Ok(if report.is_valid() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(exit::NEGATIVE)
    })
}

/// Tells a usage error clap cannot check (counts of repeated options) the way clap tells its
/// own: on stderr, with the verb's usage, exit 2.
fn usage_error(verb: &str, message: &str) -> ExitCode {
    let mut command = crate::Cli::command();
    command.build();
    let error = match command
        .find_subcommand_mut("smime")
        .and_then(|area| area.find_subcommand_mut(verb))
    {
        Some(verb) => verb.error(ErrorKind::WrongNumberOfValues, message),
        None => clap::Error::raw(ErrorKind::WrongNumberOfValues, message),
    };
    // Best effort: the exit code still tells if stderr is gone.
    let _ = error.print();
    ExitCode::from(u8::try_from(error.exit_code()).unwrap_or(2))
}

/// The whole policy file at `path`; only its [secure_headers] table is used here. A broken
/// policy is a configuration error (exit 75).
fn load_policy(path: &Path) -> Result<facade::Policy, Failure> {
    facade::Policy::load(path).map_err(|error| match error {
        Error::Policy(error) => Failure::Policy {
            path: path.to_owned(),
            error,
        },
        other => Failure::Facade(other),
    })
}

/// The contents of a certificate or key file; `what` says which kind for messages.
fn read_pem(path: &Path, what: &str) -> Result<Vec<u8>, Failure> {
    read_file(path, MAX_FILE).map_err(|error| Failure::Read {
        what: format!("{what} {}", path.display()),
        error,
    })
}

/// Turns the facade's refusal of the file at `path` into a failure naming the file.
fn file_failure(path: &Path, what: &str) -> impl FnOnce(smime::Error) -> Failure + use<> {
    let what = format!("{what} {}", path.display());
    move |error| Failure::File {
        what,
        error: error.into(),
    }
}

fn read_message() -> Result<Vec<u8>, Failure> {
    read_stdin(MAX_MESSAGE).map_err(|error| Failure::Read {
        what: "the message on stdin".to_owned(),
        error,
    })
}
