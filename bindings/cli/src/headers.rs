//! `mailsec headers canon|build|decode|verify|apply|restore`: secure header fields (RFC 7508,
//! draft-cailleux-secure-headers-05) over the facade.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use clap::{ArgGroup, Args, Subcommand};
use facade::headers::{self, CanonAlgorithm, Limits, Profile, SecureHeaderFields};
use serde_json::{Map, Value, json};

use crate::exit;
use crate::failure::Failure;
use crate::input::{read_file, read_stdin};
use crate::output::{write_json, write_stdout};

/// Largest message read from stdin, body included (only the header block is parsed, within the
/// policy's limits; the body is passed through by `apply` and `restore`).
const MAX_MESSAGE: usize = 64 << 20;

/// Room for whitespace and line breaks around an encoded structure.
const ENCODING_SLACK: usize = 4096;

#[derive(Subcommand)]
pub enum Verb {
    /// Print the canonical form of the header fields of the message on stdin (RFC 6376
    /// §3.4.1–§3.4.2), one `name:value` per line: what a signature would secure.
    #[command(group(
        ArgGroup::new("algorithm").args(["relaxed", "simple", "policy"]).required(true).multiple(true)
    ))]
    Canon {
        /// `relaxed` canonicalization (§3.4.2).
        #[arg(long, conflicts_with = "simple")]
        relaxed: bool,
        /// `simple` canonicalization (§3.4.1): fields as they are, folding included.
        #[arg(long)]
        simple: bool,
        /// Print only the fields this policy secures (and default to its canonicalization).
        #[arg(long, value_name = "FILE")]
        policy: Option<PathBuf>,
        /// Print JSON: {"algorithm": ..., "fields": [{"name": ..., "value": ...}]}.
        #[arg(long)]
        json: bool,
    },
    /// Build the SecureHeaderFields value for the message on stdin (draft §4.5.1) and print its
    /// DER encoding, hex by default.
    Build {
        /// The policy file (its `[secure_headers]` table).
        #[arg(long, value_name = "FILE")]
        policy: PathBuf,
        #[command(flatten)]
        encoding: Encoding,
        /// Print the whole signed attribute (SEQUENCE { OID, SET { value } }), not only the value.
        #[arg(long)]
        attribute: bool,
        /// The wire profile, `rfc7508` or `draft-05`; defaults to the policy's.
        #[arg(long, value_name = "PROFILE", value_parser = parse_profile)]
        profile: Option<Profile>,
    },
    /// Decode a SecureHeaderFields value (or attribute) read on stdin and print it.
    Decode {
        #[command(flatten)]
        encoding: Encoding,
        /// The input is the whole signed attribute; its identifier names the profile.
        #[arg(long)]
        attribute: bool,
        /// The wire profile, `rfc7508` or `draft-05`: the layout of a value, or the only profile
        /// an attribute may have.
        /// Defaults to the policy's (any profile for an attribute without a policy).
        #[arg(long, value_name = "PROFILE", value_parser = parse_profile)]
        profile: Option<Profile>,
        /// Take profiles and limits from this policy file.
        #[arg(long, value_name = "FILE")]
        policy: Option<PathBuf>,
        /// Print JSON: {"profile": ..., "algorithm": ..., "fields": [...]}.
        #[arg(long)]
        json: bool,
    },
    /// Verify the message on stdin against a SecureHeaderFields structure (draft §4.5.2). Exits
    /// 0 when every secured field matches, 1 when not, printing the report either way.
    Verify {
        #[command(flatten)]
        structure: StructureArgs,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Hide fields of the message on stdin as a DCA does when it encrypts (draft §4.6.1):
    /// `deleted` fields are removed, `modified` ones get the policy's replacement value.
    Apply {
        #[command(flatten)]
        structure: StructureArgs,
    },
    /// Restore the fields a DCA hid (draft §4.6.2) in the message on stdin, from the structure.
    Restore {
        #[command(flatten)]
        structure: StructureArgs,
    },
}

/// How a structure is encoded (read or printed); hex when none is given.
#[derive(Args, Clone, Copy)]
#[group(multiple = false)]
pub struct Encoding {
    /// Hexadecimal (the default; whitespace is ignored on input).
    #[arg(long)]
    hex: bool,
    /// Base64 (whitespace is ignored on input).
    #[arg(long)]
    base64: bool,
    /// Raw DER bytes.
    #[arg(long)]
    der: bool,
}

/// The policy and the structure that `verify`, `apply` and `restore` work with.
#[derive(Args)]
pub struct StructureArgs {
    /// The policy file (its `[secure_headers]` table).
    #[arg(long, value_name = "FILE")]
    policy: PathBuf,
    /// The file holding the SecureHeaderFields structure.
    #[arg(long, value_name = "FILE")]
    structure: PathBuf,
    #[command(flatten)]
    encoding: Encoding,
    /// The structure is the whole signed attribute; its identifier must name a profile the
    /// policy accepts.
    #[arg(long, conflicts_with = "profile")]
    attribute: bool,
    /// The layout (`rfc7508` or `draft-05`) of a structure that is a bare value; defaults to
    /// the policy's profile, and must be one the policy accepts.
    #[arg(long, value_name = "PROFILE", value_parser = parse_profile)]
    profile: Option<Profile>,
}

fn parse_profile(name: &str) -> Result<Profile, String> {
    Profile::from_name(name).ok_or_else(|| {
        let names: Vec<&str> = Profile::ALL.iter().map(|p| p.name()).collect();
        format!("unknown profile (expected one of: {})", names.join(", "))
    })
}

pub fn run(verb: Verb) -> ExitCode {
    let (result, json) = match verb {
        Verb::Canon {
            relaxed,
            simple,
            policy,
            json,
        } => (canon(relaxed, simple, policy.as_deref(), json), json),
        Verb::Build {
            policy,
            encoding,
            attribute,
            profile,
        } => (build(&policy, encoding, attribute, profile), false),
        Verb::Decode {
            encoding,
            attribute,
            profile,
            policy,
            json,
        } => (
            decode(encoding, attribute, profile, policy.as_deref(), json),
            json,
        ),
        Verb::Verify { structure, json } => (verify(&structure, json), json),
        Verb::Apply { structure } => (rewrite(&structure, Rewrite::Apply), false),
        Verb::Restore { structure } => (rewrite(&structure, Rewrite::Restore), false),
    };
    result.unwrap_or_else(|failure| failure.report(json))
}

fn canon(
    relaxed: bool,
    simple: bool,
    policy: Option<&Path>,
    json: bool,
) -> Result<ExitCode, Failure> {
    let policy = policy.map(load_policy).transpose()?;
    let algorithm = if simple {
        CanonAlgorithm::Simple
    } else if relaxed {
        CanonAlgorithm::Relaxed
    } else {
        // clap requires --relaxed or --simple unless a policy is given.
        policy
            .as_ref()
            .map_or(CanonAlgorithm::Relaxed, headers::Policy::canonicalization)
    };
    let limits = policy
        .as_ref()
        .map_or_else(Limits::default, |p| *p.limits());
    let message = read_message()?;
    let mut fields = headers::canon::canonical_header(&message, algorithm, &limits)?;
    if let Some(policy) = &policy {
        fields.retain(|field| policy.secures(&field.name));
    }
    if json {
        write_json(&json!({ "algorithm": algorithm, "fields": fields }))?;
    } else {
        let mut out = Vec::new();
        for field in &fields {
            out.extend_from_slice(field.name.as_bytes());
            out.push(b':');
            out.extend_from_slice(field.value.as_bytes());
            out.push(b'\n');
        }
        write_stdout(&out)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn build(
    policy: &Path,
    encoding: Encoding,
    attribute: bool,
    profile: Option<Profile>,
) -> Result<ExitCode, Failure> {
    let policy = load_policy(policy)?;
    let message = read_message()?;
    let shf = headers::build(&message, &policy)?;
    let profile = profile.unwrap_or(policy.profile());
    let der = if attribute {
        shf.to_attribute_der(profile)?
    } else {
        shf.to_der(profile)?
    };
    write_stdout(&encoding.encode(der))?;
    Ok(ExitCode::SUCCESS)
}

fn decode(
    encoding: Encoding,
    attribute: bool,
    profile: Option<Profile>,
    policy: Option<&Path>,
    json: bool,
) -> Result<ExitCode, Failure> {
    let policy = policy.map(load_policy).transpose()?;
    let limits = policy
        .as_ref()
        .map_or_else(Limits::default, |p| *p.limits());
    let input = read_stdin(structure_cap(&limits)).map_err(|error| Failure::Read {
        what: "stdin".to_owned(),
        error,
    })?;
    let der = encoding.decode(&input, "stdin")?;
    let (profile, shf) = if attribute {
        let accepted = match (profile, &policy) {
            (Some(profile), _) => vec![profile],
            (None, Some(policy)) => policy.accepted_profiles().to_vec(),
            (None, None) => Profile::ALL.to_vec(),
        };
        SecureHeaderFields::from_attribute_der(&der, &accepted, &limits)?
    } else {
        let profile = profile
            .or(policy.as_ref().map(headers::Policy::profile))
            .unwrap_or_default();
        (
            profile,
            SecureHeaderFields::from_der(&der, profile, &limits)?,
        )
    };
    if json {
        let mut object = Map::new();
        object.insert("profile".to_owned(), profile.name().into());
        match serde_json::to_value(&shf) {
            Ok(Value::Object(fields)) => object.extend(fields),
            Ok(other) => return Err(Failure::Internal(format!("unexpected JSON {other}"))),
            Err(e) => return Err(Failure::Internal(e.to_string())),
        }
        write_json(&object)?;
    } else {
        write_stdout(format!("profile: {profile}\n{shf}").as_bytes())?;
    }
    Ok(ExitCode::SUCCESS)
}

fn verify(args: &StructureArgs, json: bool) -> Result<ExitCode, Failure> {
    let policy = load_policy(&args.policy)?;
    let shf = read_structure(args, &policy)?;
    let message = read_message()?;
    let report = headers::verify(&shf, &message, &policy)?;
    if json {
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

enum Rewrite {
    Apply,
    Restore,
}

fn rewrite(args: &StructureArgs, direction: Rewrite) -> Result<ExitCode, Failure> {
    let policy = load_policy(&args.policy)?;
    let shf = read_structure(args, &policy)?;
    let message = read_message()?;
    let rewritten = match direction {
        Rewrite::Apply => headers::apply(&message, &shf, &policy)?,
        Rewrite::Restore => headers::restore(&message, &shf, policy.limits())?,
    };
    write_stdout(&rewritten)?;
    Ok(ExitCode::SUCCESS)
}

/// The `[secure_headers]` table of the policy file at `path`. A broken policy is a
/// configuration error (exit 75), a missing table too.
fn load_policy(path: &Path) -> Result<headers::Policy, Failure> {
    facade::Policy::load(path)
        .and_then(|policy| policy.require_secure_headers().cloned())
        .map_err(|error| match error {
            facade::Error::Policy(error) => Failure::Policy {
                path: path.to_owned(),
                error,
            },
            other => Failure::Facade(other),
        })
}

fn read_message() -> Result<Vec<u8>, Failure> {
    read_stdin(MAX_MESSAGE).map_err(|error| Failure::Read {
        what: "the message on stdin".to_owned(),
        error,
    })
}

/// The most bytes read for a structure: its DER limit, encoded in hex (the largest encoding),
/// plus whitespace. The DER limit itself is checked by the facade.
fn structure_cap(limits: &Limits) -> usize {
    limits
        .max_der_bytes
        .saturating_mul(3)
        .saturating_add(ENCODING_SLACK)
}

/// Reads and decodes the structure file named by `args`, under the policy's profiles and
/// limits.
fn read_structure(
    args: &StructureArgs,
    policy: &headers::Policy,
) -> Result<SecureHeaderFields, Failure> {
    let what = format!("structure file {}", args.structure.display());
    let input = read_file(&args.structure, structure_cap(policy.limits())).map_err(|error| {
        Failure::Read {
            what: what.clone(),
            error,
        }
    })?;
    let der = args.encoding.decode(&input, &what)?;
    if args.attribute {
        let (_, shf) = SecureHeaderFields::from_attribute_der(
            &der,
            policy.accepted_profiles(),
            policy.limits(),
        )?;
        return Ok(shf);
    }
    let profile = args.profile.unwrap_or(policy.profile());
    if !policy.accepted_profiles().contains(&profile) {
        let accepted: Vec<&str> = policy
            .accepted_profiles()
            .iter()
            .map(|p| p.name())
            .collect();
        return Err(headers::Error::ProfileNotAccepted {
            oid: profile.attribute_oid().to_string(),
            accepted: accepted.join(", "),
        }
        .into());
    }
    Ok(SecureHeaderFields::from_der(
        &der,
        profile,
        policy.limits(),
    )?)
}

impl Encoding {
    /// The text (or bytes) to print for `der`.
    fn encode(self, der: Vec<u8>) -> Vec<u8> {
        if self.der {
            return der;
        }
        let mut text = if self.base64 {
            BASE64.encode(der)
        } else {
            hex::encode(der)
        };
        text.push('\n');
        text.into_bytes()
    }

    /// The DER in `input`, read from `what`.
    fn decode(self, input: &[u8], what: &str) -> Result<Vec<u8>, Failure> {
        if self.der {
            return Ok(input.to_vec());
        }
        let text: Vec<u8> = input
            .iter()
            .copied()
            .filter(|b| !b.is_ascii_whitespace())
            .collect();
        if self.base64 {
            BASE64
                .decode(&text)
                .map_err(|e| Failure::Encoding(format!("{what}: not base64: {e}")))
        } else {
            hex::decode(&text).map_err(|e| Failure::Encoding(format!("{what}: not hex: {e}")))
        }
    }
}
