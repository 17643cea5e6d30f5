//! `mailsec sieve lists …`: the SQLite list store (import, list, remove), and opening the
//! lists `run` and `capabilities` are given.

use std::io;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{ArgGroup, Args, Subcommand};
use facade::Error;
use facade::sieve::{self, ListResolver, ListType, SqliteLists};
use serde_json::json;

use crate::exit;
use crate::failure::Failure;
use crate::input::{read_file, read_stdin};
use crate::output::{write_json, write_stdout};

/// Largest file of list entries read: a million addresses or networks (the limit of the TOML
/// lists file's entries files).
const MAX_ENTRIES_FILE: usize = 64 << 20;

#[derive(Subcommand)]
pub enum Verb {
    /// Import a list into a SQLite list store (created when missing), replacing the list of
    /// that name: all the lists of a TOML lists file (--toml), or one list (--name, --type)
    /// from a file or stdin, one entry per line (blank lines and lines starting with `#` are
    /// skipped). A bad name or entry is refused with its position and changes nothing.
    Import(ImportArgs),
    /// Show the lists of a store: name, type and number of entries, one list per line.
    List {
        /// The SQLite list store; it must exist.
        #[arg(long, value_name = "DB")]
        db: PathBuf,
        /// Print {"lists": [{"name": ..., "type": ..., "entries": N}]}.
        #[arg(long)]
        json: bool,
    },
    /// Remove a list from a store. Exits 1 when the store has no such list.
    Remove {
        /// The SQLite list store; it must exist.
        #[arg(long, value_name = "DB")]
        db: PathBuf,
        /// The list name (`tag:example.com,2026:blocked`, `:addrbook:default`).
        name: String,
    },
}

/// Where the lists come from.
#[derive(Args)]
#[command(group(ArgGroup::new("source").required(true).args(["toml", "name"])))]
pub struct ImportArgs {
    /// The SQLite list store.
    #[arg(long, value_name = "DB")]
    db: PathBuf,
    /// A TOML lists file: import every list in it.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["name", "list_type", "file"])]
    toml: Option<PathBuf>,
    /// The name of the list to import (`tag:example.com,2026:blocked`, `:addrbook:default`).
    #[arg(long, value_name = "NAME", requires = "list_type")]
    name: Option<String>,
    /// What the list holds: address, string, ip, extension or date.
    #[arg(long = "type", value_name = "TYPE", requires = "name", value_parser = parse_type)]
    list_type: Option<ListType>,
    /// The entries, one per line; `-` or absent: stdin.
    #[arg(value_name = "FILE", requires = "name")]
    file: Option<PathBuf>,
    /// Print {"lists": [{"name": ..., "type": ..., "entries": N}]} for the lists imported.
    #[arg(long)]
    json: bool,
}

pub fn run(verb: Verb) -> ExitCode {
    match verb {
        Verb::Import(args) => import(&args).unwrap_or_else(|f| f.report(args.json)),
        Verb::List { db, json } => list(&db, json).unwrap_or_else(|f| f.report(json)),
        Verb::Remove { db, name } => remove(&db, &name).unwrap_or_else(|f| f.report(false)),
    }
}

fn parse_type(text: &str) -> Result<ListType, String> {
    text.parse()
}

/// The lists at `path`: a SQLite list store or a TOML lists file, told apart by content.
pub fn open_lists(path: &Path) -> Result<Box<dyn ListResolver>, Failure> {
    // A misspelt path is an unreadable file, not an empty store.
    if !path.is_file() {
        return Err(not_found("lists", path));
    }
    sieve::lists::open(path).map_err(|error| Failure::File {
        what: format!("lists {}", path.display()),
        error: Error::Sieve(error),
    })
}

fn not_found(what: &str, path: &Path) -> Failure {
    Failure::Read {
        what: format!("{what} {}", path.display()),
        error: io::Error::new(io::ErrorKind::NotFound, "no such file"),
    }
}

fn store_failure(db: &Path) -> impl FnOnce(sieve::Error) -> Failure + use<> {
    let what = format!("list store {}", db.display());
    move |error| Failure::File {
        what,
        error: Error::Sieve(error),
    }
}

/// The store at `db`, which must exist unless `create`.
fn open_store(db: &Path, create: bool) -> Result<SqliteLists, Failure> {
    if !create && !db.is_file() {
        return Err(not_found("list store", db));
    }
    SqliteLists::open(db).map_err(store_failure(db))
}

fn import(args: &ImportArgs) -> Result<ExitCode, Failure> {
    let imported: Vec<(String, ListType, u64)> = if let Some(toml) = &args.toml {
        if !toml.is_file() {
            return Err(not_found("lists file", toml));
        }
        let store = open_store(&args.db, true)?;
        store
            .import_toml(toml)
            .map_err(store_failure(&args.db))?
            .into_iter()
            .map(|info| (info.name, info.list_type, info.entries))
            .collect()
    } else if let (Some(name), Some(list_type)) = (&args.name, args.list_type) {
        let (what, data) = match args.file.as_deref() {
            None => ("stdin".to_owned(), read_stdin(MAX_ENTRIES_FILE)),
            Some(path) if path == Path::new("-") => {
                ("stdin".to_owned(), read_stdin(MAX_ENTRIES_FILE))
            }
            Some(path) => (
                format!("entries file {}", path.display()),
                read_file(path, MAX_ENTRIES_FILE),
            ),
        };
        let data = data.map_err(|error| Failure::Read {
            what: what.clone(),
            error,
        })?;
        let text = String::from_utf8(data)
            .map_err(|_| Failure::Encoding(format!("{what} is not UTF-8")))?;
        let entries = text
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with('#'));
        let store = open_store(&args.db, true)?;
        let count = store
            .import(name, list_type, entries)
            .map_err(store_failure(&args.db))?;
        vec![(
            name.clone(),
            list_type,
            u64::try_from(count).unwrap_or(u64::MAX),
        )]
    } else {
        // clap requires --toml or --name with --type.
        return Err(Failure::Internal("no lists to import".to_owned()));
    };
    if args.json {
        write_json(&json!({ "lists": lists_json(&imported) }))?;
    } else {
        let mut out = String::new();
        for (name, list_type, entries) in &imported {
            out.push_str(&format!(
                "imported {name} ({}): {entries} entries\n",
                list_type.as_str()
            ));
        }
        write_stdout(out.as_bytes())?;
    }
    Ok(ExitCode::SUCCESS)
}

fn lists_json(lists: &[(String, ListType, u64)]) -> Vec<serde_json::Value> {
    lists
        .iter()
        .map(|(name, list_type, entries)| {
            json!({ "name": name, "type": list_type.as_str(), "entries": entries })
        })
        .collect()
}

fn list(db: &Path, json: bool) -> Result<ExitCode, Failure> {
    let store = open_store(db, false)?;
    let lists: Vec<(String, ListType, u64)> = store
        .lists()
        .map_err(store_failure(db))?
        .into_iter()
        .map(|info| (info.name, info.list_type, info.entries))
        .collect();
    if json {
        write_json(&json!({ "lists": lists_json(&lists) }))?;
    } else {
        let mut out = String::new();
        for (name, list_type, entries) in &lists {
            out.push_str(&format!("{name} {} {entries}\n", list_type.as_str()));
        }
        write_stdout(out.as_bytes())?;
    }
    Ok(ExitCode::SUCCESS)
}

fn remove(db: &Path, name: &str) -> Result<ExitCode, Failure> {
    let store = open_store(db, false)?;
    if store.remove(name).map_err(store_failure(db))? {
        write_stdout(format!("removed {name}\n").as_bytes())?;
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("mailsec: list store {}: no list {name}", db.display());
        Ok(ExitCode::from(exit::NEGATIVE))
    }
}
