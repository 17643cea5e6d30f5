//! The compiler: checks the syntax tree against the commands and tests of RFC 5228 and the
//! supported extensions, and produces the executable [`Program`]. Everything that can be known
//! before a message arrives is an error here, with the line and column of the offending token.

use std::collections::HashSet;

use crate::error::{CompileError, CompileErrorKind, Position};
use crate::lexer::tokenize;
use crate::limits::Limits;
use crate::lists::ListName;
use crate::parser::{self, Argument};
pub(crate) use crate::program::Program;
use crate::program::*;

/// The capabilities this implementation supports (RFC 5228 §3.2 `require`), which is also the
/// ManageSieve `SIEVE` capability (RFC 5804 §1.7).
pub const CAPABILITIES: &[&str] = &[
    "body",
    "comparator-i;ascii-casemap",
    "comparator-i;ascii-numeric",
    "comparator-i;octet",
    "copy",
    "date",
    "encoded-character",
    "enclose",
    "enotify",
    "envelope",
    "ereject",
    "extlists",
    "fileinto",
    "foreverypart",
    "ihave",
    "imap4flags",
    "index",
    "mime",
    "reject",
    "relational",
    "spamtest",
    "spamtestplus",
    "subaddress",
    "variables",
    "virustest",
];

/// Notification methods `notify` accepts (RFC 5435 §3.1: the scheme of the method URI).
pub(crate) const NOTIFY_METHODS: &[&str] = &["mailto", "xmpp", "sms", "tel"];

fn supported(capability: &str) -> bool {
    CAPABILITIES.contains(&capability)
}

pub(crate) fn compile(source: &str, limits: &Limits) -> Result<Program, CompileError> {
    let tokens = tokenize(source, limits)?;
    let end = end_position(source);
    let tree = parser::parse(&tokens, limits, end)?;
    let mut compiler = Compiler {
        capabilities: HashSet::new(),
        required: Vec::new(),
        variables: HashSet::new(),
        loops: Vec::new(),
        limits,
    };
    let commands = compiler.block(&tree, true)?;
    let variables = compiler.capabilities.contains("variables");
    Ok(Program {
        required: compiler.required,
        commands,
        variables,
    })
}

fn end_position(source: &str) -> Position {
    let line = source.matches('\n').count() as u32 + 1;
    let column = source
        .rsplit('\n')
        .next()
        .map_or(0, |l| l.chars().count() as u32)
        + 1;
    Position { line, column }
}

fn error(position: Position, kind: CompileErrorKind) -> CompileError {
    CompileError::new(position, kind)
}

fn arguments_error(name: &str, position: Position, detail: impl Into<String>) -> CompileError {
    error(
        position,
        CompileErrorKind::Arguments {
            name: name.to_owned(),
            detail: detail.into(),
        },
    )
}

struct Compiler<'a> {
    capabilities: HashSet<String>,
    required: Vec<String>,
    /// Variable names `set` assigns, for the `max_variables` limit.
    variables: HashSet<String>,
    /// Enclosing `foreverypart` loops and their names, for `break` (RFC 5703 §3.2).
    loops: Vec<Option<String>>,
    limits: &'a Limits,
}

/// What a tag takes, and the capability it needs; `None` for a tag the command does not take.
type TagSpec = Option<(TagArgument, Option<&'static str>)>;

/// What a tag takes after it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum TagArgument {
    None,
    String,
    Strings,
    Number,
}

/// The tagged and positional arguments of one command or test, split.
struct Arguments<'t> {
    name: &'t str,
    position: Position,
    tags: Vec<(&'t str, Position, Option<&'t Argument>)>,
    positional: Vec<&'t Argument>,
}

impl<'t> Arguments<'t> {
    fn has(&self, tag: &str) -> bool {
        self.tags.iter().any(|(t, _, _)| *t == tag)
    }

    fn tag(&self, tag: &str) -> Option<(Position, Option<&'t Argument>)> {
        self.tags
            .iter()
            .find(|(t, _, _)| *t == tag)
            .map(|(_, p, a)| (*p, *a))
    }

    fn expect_positional(&self, count: usize) -> Result<(), CompileError> {
        if self.positional.len() != count {
            let position = self
                .positional
                .get(count)
                .map_or(self.position, |a| a.position());
            return Err(arguments_error(
                self.name,
                position,
                format!(
                    "takes {count} positional argument(s), found {}",
                    self.positional.len()
                ),
            ));
        }
        Ok(())
    }
}

const MATCH_TAGS: &[&str] = &["is", "contains", "matches", "value", "count", "list"];

impl Compiler<'_> {
    fn has(&self, capability: &str) -> bool {
        self.capabilities.contains(capability)
    }

    fn need(&self, capability: &str, used: &str, position: Position) -> Result<(), CompileError> {
        if self.has(capability) {
            Ok(())
        } else {
            Err(error(
                position,
                CompileErrorKind::NotRequired {
                    used: used.to_owned(),
                    extension: capability.to_owned(),
                },
            ))
        }
    }

    /// Splits arguments into tags and positionals; `spec` says what each accepted tag takes and
    /// which capability it needs.
    fn split<'t>(
        &self,
        name: &'t str,
        position: Position,
        arguments: &'t [Argument],
        spec: &dyn Fn(&str) -> TagSpec,
    ) -> Result<Arguments<'t>, CompileError> {
        let mut result = Arguments {
            name,
            position,
            tags: Vec::new(),
            positional: Vec::new(),
        };
        let mut iter = arguments.iter().peekable();
        while let Some(argument) = iter.next() {
            match argument {
                Argument::Tag(tag, tag_position) => {
                    if !result.positional.is_empty() {
                        return Err(arguments_error(
                            name,
                            *tag_position,
                            format!(":{tag} must come before the positional arguments"),
                        ));
                    }
                    let Some((takes, capability)) = spec(tag) else {
                        return Err(arguments_error(
                            name,
                            *tag_position,
                            format!("unknown tag :{tag}"),
                        ));
                    };
                    if let Some(capability) = capability {
                        self.need(capability, &format!(":{tag}"), *tag_position)?;
                    }
                    if result.has(tag) {
                        return Err(arguments_error(
                            name,
                            *tag_position,
                            format!(":{tag} given twice"),
                        ));
                    }
                    let value = match takes {
                        TagArgument::None => None,
                        _ => {
                            let Some(next) = iter.next() else {
                                return Err(arguments_error(
                                    name,
                                    *tag_position,
                                    format!(":{tag} needs an argument"),
                                ));
                            };
                            let fits = match (takes, next) {
                                (TagArgument::Number, Argument::Number(..)) => true,
                                (TagArgument::String, Argument::Strings { values, list, .. }) => {
                                    !list || values.len() == 1
                                }
                                (TagArgument::Strings, Argument::Strings { .. }) => true,
                                _ => false,
                            };
                            if !fits {
                                let wanted = match takes {
                                    TagArgument::Number => "a number",
                                    TagArgument::String => "a string",
                                    _ => "a string list",
                                };
                                return Err(arguments_error(
                                    name,
                                    next.position(),
                                    format!(":{tag} takes {wanted}"),
                                ));
                            }
                            Some(next)
                        }
                    };
                    result.tags.push((tag, *tag_position, value));
                }
                other => result.positional.push(other),
            }
        }
        Ok(result)
    }

    // ---- strings -------------------------------------------------------------------------

    /// A string as written: encoded characters decoded (RFC 5228 §2.4.2.4) and, with
    /// "variables", split at variable references (RFC 5229 §3).
    fn template(&self, text: &str, position: Position) -> Result<Template, CompileError> {
        let decoded;
        let text = if self.has("encoded-character") && text.contains("${") {
            decoded = decode_encoded_characters(text)
                .map_err(|reason| error(position, CompileErrorKind::Syntax(reason)))?;
            decoded.as_str()
        } else {
            text
        };
        if !self.has("variables") || !text.contains("${") {
            return Ok(Template::literal(text));
        }
        Ok(split_variables(text))
    }

    fn string_arg(&self, name: &str, argument: &Argument) -> Result<Template, CompileError> {
        match argument {
            Argument::Strings {
                values,
                list,
                position,
            } if !list || values.len() == 1 => self.template(&values[0], *position),
            other => Err(arguments_error(name, other.position(), "expects a string")),
        }
    }

    fn strings_arg(&self, name: &str, argument: &Argument) -> Result<Vec<Template>, CompileError> {
        match argument {
            Argument::Strings {
                values, position, ..
            } => values.iter().map(|v| self.template(v, *position)).collect(),
            other => Err(arguments_error(
                name,
                other.position(),
                "expects a string list",
            )),
        }
    }

    /// A string that must be known at compile time (a variable name, a date part…).
    fn constant_arg(
        &self,
        name: &str,
        argument: &Argument,
    ) -> Result<(String, Position), CompileError> {
        match argument {
            Argument::Strings {
                values,
                list,
                position,
            } if !list || values.len() == 1 => Ok((values[0].clone(), *position)),
            other => Err(arguments_error(name, other.position(), "expects a string")),
        }
    }

    // ---- commands ------------------------------------------------------------------------

    fn block(
        &mut self,
        commands: &[parser::Command],
        top: bool,
    ) -> Result<Vec<Command>, CompileError> {
        let mut compiled = Vec::new();
        let mut require_allowed = top;
        let mut index = 0;
        while index < commands.len() {
            let command = &commands[index];
            index += 1;
            if command.name == "require" {
                if !require_allowed {
                    return Err(error(
                        command.position,
                        CompileErrorKind::Misplaced(
                            "require must come before any other command (RFC 5228 §3.2)".into(),
                        ),
                    ));
                }
                self.require(command)?;
                continue;
            }
            require_allowed = false;
            match command.name.as_str() {
                "if" => {
                    let mut branches = vec![self.branch(command)?];
                    let mut otherwise = None;
                    while let Some(next) = commands.get(index) {
                        match next.name.as_str() {
                            "elsif" => branches.push(self.branch(next)?),
                            "else" => {
                                if !next.arguments.is_empty() || !next.tests.is_empty() {
                                    return Err(arguments_error(
                                        "else",
                                        next.position,
                                        "takes no arguments",
                                    ));
                                }
                                let Some(block) = &next.block else {
                                    return Err(arguments_error(
                                        "else",
                                        next.position,
                                        "needs a block",
                                    ));
                                };
                                otherwise = Some(self.block(block, false)?);
                                index += 1;
                                break;
                            }
                            _ => break,
                        }
                        index += 1;
                    }
                    compiled.push(Command {
                        position: command.position,
                        kind: CommandKind::If {
                            branches,
                            otherwise,
                        },
                    });
                }
                "elsif" | "else" => {
                    return Err(error(
                        command.position,
                        CompileErrorKind::Misplaced(format!(
                            "{} without a preceding if",
                            command.name
                        )),
                    ));
                }
                _ => compiled.push(self.command(command)?),
            }
        }
        Ok(compiled)
    }

    fn require(&mut self, command: &parser::Command) -> Result<(), CompileError> {
        if command.block.is_some() || !command.tests.is_empty() || command.arguments.len() != 1 {
            return Err(arguments_error(
                "require",
                command.position,
                "takes one string list",
            ));
        }
        let Argument::Strings {
            values, position, ..
        } = &command.arguments[0]
        else {
            return Err(arguments_error(
                "require",
                command.position,
                "takes one string list",
            ));
        };
        for value in values {
            let capability = value.to_ascii_lowercase();
            if !supported(&capability) {
                return Err(error(
                    *position,
                    CompileErrorKind::UnsupportedExtension(value.clone()),
                ));
            }
            // RFC 5233, RFC 5235: spamtestplus includes spamtest.
            if capability == "spamtestplus" {
                self.capabilities.insert("spamtest".into());
            }
            // RFC 5429: ereject is defined together with reject.
            if !self.required.contains(&capability) {
                self.required.push(capability.clone());
            }
            self.capabilities.insert(capability);
        }
        Ok(())
    }

    fn branch(&mut self, command: &parser::Command) -> Result<(Test, Vec<Command>), CompileError> {
        if !command.arguments.is_empty() || command.tests.len() != 1 || command.test_list {
            return Err(arguments_error(
                &command.name,
                command.position,
                "takes exactly one test",
            ));
        }
        let Some(block) = &command.block else {
            return Err(arguments_error(
                &command.name,
                command.position,
                "needs a block",
            ));
        };
        let test = &command.tests[0];
        // RFC 5463 §4: a block guarded by ihave may use the capabilities it names; when one of
        // them is unsupported, the block is never run and is not checked.
        if test.name == "ihave" {
            self.need("ihave", "ihave", test.position)?;
            let names = self.ihave_names(test)?;
            if names.iter().all(|n| supported(n)) {
                let added: Vec<String> = names
                    .into_iter()
                    .filter(|n| self.capabilities.insert(n.clone()))
                    .collect();
                let body = self.block(block, false);
                for name in added {
                    self.capabilities.remove(&name);
                }
                return Ok((
                    Test {
                        position: test.position,
                        kind: TestKind::IHave(true),
                    },
                    body?,
                ));
            }
            return Ok((
                Test {
                    position: test.position,
                    kind: TestKind::IHave(false),
                },
                Vec::new(),
            ));
        }
        let test = self.test(test)?;
        Ok((test, self.block(block, false)?))
    }

    fn ihave_names(&self, test: &parser::Test) -> Result<Vec<String>, CompileError> {
        if test.arguments.len() != 1 || !test.tests.is_empty() {
            return Err(arguments_error(
                "ihave",
                test.position,
                "takes one string list",
            ));
        }
        match &test.arguments[0] {
            Argument::Strings { values, .. } => {
                Ok(values.iter().map(|v| v.to_ascii_lowercase()).collect())
            }
            other => Err(arguments_error(
                "ihave",
                other.position(),
                "takes one string list",
            )),
        }
    }

    fn no_block(&self, command: &parser::Command) -> Result<(), CompileError> {
        if command.block.is_some() {
            return Err(arguments_error(
                &command.name,
                command.position,
                "takes no block",
            ));
        }
        if !command.tests.is_empty() {
            return Err(arguments_error(
                &command.name,
                command.tests[0].position,
                "takes no test",
            ));
        }
        Ok(())
    }

    fn command(&mut self, command: &parser::Command) -> Result<Command, CompileError> {
        let name = command.name.as_str();
        let position = command.position;
        let kind = match name {
            "stop" | "keep" | "discard" | "fileinto" | "redirect" | "set" | "reject"
            | "ereject" | "notify" | "break" | "enclose" | "setflag" | "addflag" | "removeflag"
            | "error" => {
                self.no_block(command)?;
                self.simple_command(command)?
            }
            "foreverypart" => {
                self.need("foreverypart", name, position)?;
                if !command.tests.is_empty() {
                    return Err(arguments_error(
                        name,
                        command.tests[0].position,
                        "takes no test",
                    ));
                }
                let args = self.split(name, position, &command.arguments, &|t| {
                    (t == "name").then_some((TagArgument::String, None))
                })?;
                args.expect_positional(0)?;
                let loop_name = match args.tag("name") {
                    Some((_, Some(a))) => Some(self.constant_arg(name, a)?.0),
                    _ => None,
                };
                let Some(block) = &command.block else {
                    return Err(arguments_error(name, position, "needs a block"));
                };
                self.loops.push(loop_name.clone());
                let body = self.block(block, false);
                self.loops.pop();
                CommandKind::ForEveryPart {
                    name: loop_name,
                    body: body?,
                }
            }
            _ => {
                return Err(error(
                    position,
                    CompileErrorKind::UnknownCommand(name.to_owned()),
                ));
            }
        };
        Ok(Command { position, kind })
    }

    fn simple_command(&mut self, command: &parser::Command) -> Result<CommandKind, CompileError> {
        let name = command.name.as_str();
        let position = command.position;
        let arguments = &command.arguments;
        Ok(match name {
            "stop" => {
                self.split(name, position, arguments, &|_| None)?
                    .expect_positional(0)?;
                CommandKind::Stop
            }
            "discard" => {
                self.split(name, position, arguments, &|_| None)?
                    .expect_positional(0)?;
                CommandKind::Discard
            }
            "keep" => {
                let args = self.split(name, position, arguments, &|t| {
                    (t == "flags").then_some((TagArgument::Strings, Some("imap4flags")))
                })?;
                args.expect_positional(0)?;
                CommandKind::Keep {
                    flags: self.optional_strings(&args, "flags")?,
                }
            }
            "fileinto" => {
                self.need("fileinto", name, position)?;
                let args = self.split(name, position, arguments, &|t| match t {
                    "copy" => Some((TagArgument::None, Some("copy"))),
                    "flags" => Some((TagArgument::Strings, Some("imap4flags"))),
                    _ => None,
                })?;
                args.expect_positional(1)?;
                CommandKind::Fileinto {
                    mailbox: self.string_arg(name, args.positional[0])?,
                    flags: self.optional_strings(&args, "flags")?,
                    copy: args.has("copy"),
                }
            }
            "redirect" => {
                let args = self.split(name, position, arguments, &|t| match t {
                    "copy" => Some((TagArgument::None, Some("copy"))),
                    "list" => Some((TagArgument::None, Some("extlists"))),
                    _ => None,
                })?;
                args.expect_positional(1)?;
                let target = self.string_arg(name, args.positional[0])?;
                let list = args.has("list");
                if let Some(constant) = target.as_constant() {
                    let at = args.positional[0].position();
                    if list {
                        check_list_name(constant, at)?;
                    } else if redirect_address(constant).is_none() {
                        return Err(arguments_error(
                            name,
                            at,
                            format!("\"{constant}\" is not a valid address (RFC 5228 §4.2)"),
                        ));
                    }
                }
                CommandKind::Redirect {
                    target,
                    list,
                    copy: args.has("copy"),
                }
            }
            "set" => {
                self.need("variables", name, position)?;
                let args = self.split(name, position, arguments, &|t| {
                    Some(match t {
                        "lower" | "upper" | "lowerfirst" | "upperfirst" | "quotewildcard"
                        | "length" => (TagArgument::None, None),
                        "encodeurl" => (TagArgument::None, Some("enotify")),
                        _ => return None,
                    })
                })?;
                args.expect_positional(2)?;
                let (variable, at) = self.constant_arg(name, args.positional[0])?;
                if !is_identifier(&variable) {
                    return Err(arguments_error(
                        name,
                        at,
                        format!("\"{variable}\" is not a variable name (RFC 5229 §3)"),
                    ));
                }
                let variable = variable.to_ascii_lowercase();
                if self.variables.insert(variable.clone())
                    && self.variables.len() > self.limits.max_variables
                {
                    return Err(error(
                        at,
                        CompileErrorKind::Limit {
                            limit: "max_variables",
                            max: self.limits.max_variables as u64,
                        },
                    ));
                }
                let mut modifiers: Vec<Modifier> = args
                    .tags
                    .iter()
                    .filter_map(|(t, _, _)| {
                        Some(match *t {
                            "lower" => Modifier::Lower,
                            "upper" => Modifier::Upper,
                            "lowerfirst" => Modifier::LowerFirst,
                            "upperfirst" => Modifier::UpperFirst,
                            "quotewildcard" => Modifier::QuoteWildcard,
                            "encodeurl" => Modifier::EncodeUrl,
                            "length" => Modifier::Length,
                            _ => return None,
                        })
                    })
                    .collect();
                modifiers.sort_by_key(|m| std::cmp::Reverse(m.precedence()));
                // RFC 5229 §4.1: two modifiers of the same precedence are an error.
                if modifiers
                    .windows(2)
                    .any(|w| w[0].precedence() == w[1].precedence())
                {
                    return Err(arguments_error(
                        name,
                        position,
                        "two modifiers of the same precedence (RFC 5229 §4.1)",
                    ));
                }
                CommandKind::Set {
                    name: variable,
                    value: self.string_arg(name, args.positional[1])?,
                    modifiers,
                }
            }
            "reject" | "ereject" => {
                self.need(name, name, position)?;
                let args = self.split(name, position, arguments, &|_| None)?;
                args.expect_positional(1)?;
                CommandKind::Reject {
                    reason: self.string_arg(name, args.positional[0])?,
                    extended: name == "ereject",
                }
            }
            "notify" => {
                self.need("enotify", name, position)?;
                let args = self.split(name, position, arguments, &|t| match t {
                    "from" | "importance" | "message" => Some((TagArgument::String, None)),
                    "options" => Some((TagArgument::Strings, None)),
                    _ => None,
                })?;
                args.expect_positional(1)?;
                let method = self.string_arg(name, args.positional[0])?;
                if let Some(constant) = method.as_constant()
                    && !is_valid_notify_method(constant)
                {
                    return Err(arguments_error(
                        name,
                        args.positional[0].position(),
                        format!("unsupported notification method \"{constant}\" (RFC 5435 §3.1)"),
                    ));
                }
                let importance = self.optional_string(&args, "importance")?;
                if let Some(constant) = importance.as_ref().and_then(Template::as_constant)
                    && !matches!(constant, "1" | "2" | "3")
                {
                    return Err(arguments_error(
                        name,
                        position,
                        ":importance is \"1\", \"2\" or \"3\" (RFC 5435 §3.4)",
                    ));
                }
                let from = self.optional_string(&args, "from")?;
                // RFC 5436 §2.7: with mailto, :from is an address.
                if let (Some(method), Some(from)) = (
                    method.as_constant(),
                    from.as_ref().and_then(Template::as_constant),
                ) && method
                    .get(..7)
                    .is_some_and(|s| s.eq_ignore_ascii_case("mailto:"))
                    && redirect_address(from).is_none()
                {
                    return Err(arguments_error(
                        name,
                        position,
                        format!(":from \"{from}\" is not an address (RFC 5436 §2.7)"),
                    ));
                }
                let options = self.optional_strings(&args, "options")?.unwrap_or_default();
                for option in options.iter().filter_map(Template::as_constant) {
                    if !is_valid_notify_option(option) {
                        return Err(arguments_error(
                            name,
                            position,
                            format!(":options \"{option}\" is not name=value (RFC 5435 §3.5)"),
                        ));
                    }
                }
                CommandKind::Notify {
                    method,
                    from,
                    importance,
                    options,
                    message: self.optional_string(&args, "message")?,
                }
            }
            "break" => {
                self.need("foreverypart", name, position)?;
                let args = self.split(name, position, arguments, &|t| {
                    (t == "name").then_some((TagArgument::String, None))
                })?;
                args.expect_positional(0)?;
                let loop_name = match args.tag("name") {
                    Some((_, Some(a))) => Some(self.constant_arg(name, a)?.0),
                    _ => None,
                };
                let inside = match &loop_name {
                    None => !self.loops.is_empty(),
                    Some(n) => self.loops.iter().any(|l| l.as_deref() == Some(n.as_str())),
                };
                if !inside {
                    return Err(error(
                        position,
                        CompileErrorKind::Misplaced(
                            "break outside a matching foreverypart (RFC 5703 §3.2)".into(),
                        ),
                    ));
                }
                CommandKind::Break { name: loop_name }
            }
            "enclose" => {
                self.need("enclose", name, position)?;
                let args = self.split(name, position, arguments, &|t| match t {
                    "subject" => Some((TagArgument::String, None)),
                    "headers" => Some((TagArgument::Strings, None)),
                    _ => None,
                })?;
                args.expect_positional(1)?;
                CommandKind::Enclose {
                    subject: self.optional_string(&args, "subject")?,
                    headers: self.optional_strings(&args, "headers")?.unwrap_or_default(),
                    text: self.string_arg(name, args.positional[0])?,
                }
            }
            "setflag" | "addflag" | "removeflag" => {
                self.need("imap4flags", name, position)?;
                let args = self.split(name, position, arguments, &|_| None)?;
                let (variable, flags) = match &args.positional[..] {
                    [flags] => (None, *flags),
                    [variable, flags] => {
                        self.need("variables", &format!("{name} with a variable"), position)?;
                        let (variable, at) = self.constant_arg(name, variable)?;
                        if !is_identifier(&variable) {
                            return Err(arguments_error(
                                name,
                                at,
                                format!("\"{variable}\" is not a variable name"),
                            ));
                        }
                        (Some(variable.to_ascii_lowercase()), *flags)
                    }
                    _ => {
                        return Err(arguments_error(
                            name,
                            position,
                            "takes [variable] flag-list",
                        ));
                    }
                };
                let operation = match name {
                    "setflag" => FlagOperation::Set,
                    "addflag" => FlagOperation::Add,
                    _ => FlagOperation::Remove,
                };
                CommandKind::Flags {
                    operation,
                    variable,
                    flags: self.strings_arg(name, flags)?,
                }
            }
            "error" => {
                self.need("ihave", name, position)?;
                let args = self.split(name, position, arguments, &|_| None)?;
                args.expect_positional(1)?;
                CommandKind::Error {
                    message: self.string_arg(name, args.positional[0])?,
                }
            }
            _ => {
                return Err(error(
                    position,
                    CompileErrorKind::UnknownCommand(name.to_owned()),
                ));
            }
        })
    }

    fn optional_string(
        &self,
        args: &Arguments<'_>,
        tag: &str,
    ) -> Result<Option<Template>, CompileError> {
        match args.tag(tag) {
            Some((_, Some(a))) => Ok(Some(self.string_arg(args.name, a)?)),
            _ => Ok(None),
        }
    }

    fn optional_strings(
        &self,
        args: &Arguments<'_>,
        tag: &str,
    ) -> Result<Option<Vec<Template>>, CompileError> {
        match args.tag(tag) {
            Some((_, Some(a))) => Ok(Some(self.strings_arg(args.name, a)?)),
            _ => Ok(None),
        }
    }

    // ---- tests ---------------------------------------------------------------------------

    fn test(&mut self, test: &parser::Test) -> Result<Test, CompileError> {
        let name = test.name.as_str();
        let position = test.position;
        let nested = |this: &mut Self, expect_list: bool| -> Result<Vec<Test>, CompileError> {
            if !test.arguments.is_empty() {
                return Err(arguments_error(
                    name,
                    test.arguments[0].position(),
                    "takes only tests",
                ));
            }
            if expect_list != test.test_list || test.tests.is_empty() {
                return Err(arguments_error(
                    name,
                    position,
                    if expect_list {
                        "takes a test list in parentheses"
                    } else {
                        "takes one test"
                    },
                ));
            }
            test.tests.iter().map(|t| this.test(t)).collect()
        };
        let kind = match name {
            "true" | "false" => {
                if !test.arguments.is_empty() || !test.tests.is_empty() {
                    return Err(arguments_error(name, position, "takes no arguments"));
                }
                if name == "true" {
                    TestKind::True
                } else {
                    TestKind::False
                }
            }
            "not" => {
                let mut tests = nested(self, false)?;
                if tests.len() != 1 {
                    return Err(arguments_error(name, position, "takes one test"));
                }
                TestKind::Not(Box::new(tests.remove(0)))
            }
            "allof" => TestKind::AllOf(nested(self, true)?),
            "anyof" => TestKind::AnyOf(nested(self, true)?),
            _ => {
                if !test.tests.is_empty() {
                    return Err(arguments_error(
                        name,
                        test.tests[0].position,
                        "takes no nested test",
                    ));
                }
                self.simple_test(name, position, &test.arguments)?
            }
        };
        Ok(Test { position, kind })
    }

    /// The tags every match-capable test takes: comparator and match type (RFC 5228 §2.7).
    fn match_tag(tag: &str) -> Option<(TagArgument, Option<&'static str>)> {
        Some(match tag {
            "comparator" => (TagArgument::String, None),
            "is" | "contains" | "matches" => (TagArgument::None, None),
            "value" | "count" => (TagArgument::String, Some("relational")),
            "list" => (TagArgument::None, Some("extlists")),
            _ => return None,
        })
    }

    fn address_part_tag(tag: &str) -> Option<(TagArgument, Option<&'static str>)> {
        Some(match tag {
            "all" | "localpart" | "domain" => (TagArgument::None, None),
            "user" | "detail" => (TagArgument::None, Some("subaddress")),
            _ => return None,
        })
    }

    fn index_tag(tag: &str) -> Option<(TagArgument, Option<&'static str>)> {
        Some(match tag {
            "index" => (TagArgument::Number, Some("index")),
            "last" => (TagArgument::None, Some("index")),
            _ => return None,
        })
    }

    fn mime_tag(tag: &str) -> Option<(TagArgument, Option<&'static str>)> {
        Some(match tag {
            "mime" | "anychild" | "type" | "subtype" | "contenttype" => {
                (TagArgument::None, Some("mime"))
            }
            "param" => (TagArgument::Strings, Some("mime")),
            _ => return None,
        })
    }

    /// Builds the matcher from the tags, enforcing RFC 5228 §2.7 (one match type, one
    /// comparator), RFC 5231 (relational operators) and RFC 6134 §2.2 (`:list` without a
    /// comparator, only on tests that support it).
    fn matcher(&self, args: &Arguments<'_>, list_allowed: bool) -> Result<Matcher, CompileError> {
        let name = args.name;
        let given: Vec<&(&str, Position, Option<&Argument>)> = args
            .tags
            .iter()
            .filter(|(t, _, _)| MATCH_TAGS.contains(t))
            .collect();
        if given.len() > 1 {
            return Err(arguments_error(
                name,
                given[1].1,
                "more than one match type",
            ));
        }
        let kind = match given.first() {
            None => MatchKind::Is,
            Some((tag, at, value)) => match *tag {
                "is" => MatchKind::Is,
                "contains" => MatchKind::Contains,
                "matches" => MatchKind::Matches,
                "list" => {
                    if !list_allowed {
                        return Err(error(
                            *at,
                            CompileErrorKind::ListNotSupported(name.to_owned()),
                        ));
                    }
                    if let Some((at, _)) = args.tag("comparator") {
                        return Err(error(
                            at,
                            CompileErrorKind::ListWithComparator(name.to_owned()),
                        ));
                    }
                    MatchKind::List
                }
                relational => {
                    let Some(value) = value else {
                        return Err(arguments_error(name, *at, "needs an operator"));
                    };
                    let (operator, op_at) = self.constant_arg(name, value)?;
                    let relation = match operator.to_ascii_lowercase().as_str() {
                        "gt" => Relation::Gt,
                        "ge" => Relation::Ge,
                        "lt" => Relation::Lt,
                        "le" => Relation::Le,
                        "eq" => Relation::Eq,
                        "ne" => Relation::Ne,
                        _ => {
                            return Err(arguments_error(
                                name,
                                op_at,
                                format!(
                                    "\"{operator}\" is not a relational operator (RFC 5231 §4)"
                                ),
                            ));
                        }
                    };
                    if relational == "value" {
                        MatchKind::Value(relation)
                    } else {
                        MatchKind::Count(relation)
                    }
                }
            },
        };
        let comparator = match args.tag("comparator") {
            None => Comparator::AsciiCasemap,
            Some((_, value)) => {
                let Some(value) = value else {
                    return Err(arguments_error(
                        name,
                        args.position,
                        ":comparator needs a name",
                    ));
                };
                let (comparator, at) = self.constant_arg(name, value)?;
                let comparator_lower = comparator.to_ascii_lowercase();
                let (resolved, capability) = match comparator_lower.as_str() {
                    "i;octet" => (Comparator::Octet, None),
                    "i;ascii-casemap" => (Comparator::AsciiCasemap, None),
                    "i;ascii-numeric" => {
                        (Comparator::AsciiNumeric, Some("comparator-i;ascii-numeric"))
                    }
                    _ => {
                        return Err(arguments_error(
                            name,
                            at,
                            format!("unknown comparator \"{comparator}\""),
                        ));
                    }
                };
                if let Some(capability) = capability {
                    self.need(capability, &comparator, at)?;
                }
                resolved
            }
        };
        // RFC 4790 §9.1: i;ascii-numeric offers equality and ordering, not substrings.
        if comparator == Comparator::AsciiNumeric
            && matches!(kind, MatchKind::Contains | MatchKind::Matches)
        {
            return Err(arguments_error(
                name,
                args.position,
                "i;ascii-numeric supports :is, :value and :count only",
            ));
        }
        Ok(Matcher { kind, comparator })
    }

    fn address_part(args: &Arguments<'_>) -> Result<AddressPart, CompileError> {
        let parts: Vec<AddressPart> = args
            .tags
            .iter()
            .filter_map(|(t, _, _)| {
                Some(match *t {
                    "all" => AddressPart::All,
                    "localpart" => AddressPart::LocalPart,
                    "domain" => AddressPart::Domain,
                    "user" => AddressPart::User,
                    "detail" => AddressPart::Detail,
                    _ => return None,
                })
            })
            .collect();
        match parts[..] {
            [] => Ok(AddressPart::All),
            [part] => Ok(part),
            _ => Err(arguments_error(
                args.name,
                args.position,
                "more than one address part",
            )),
        }
    }

    fn index(&self, args: &Arguments<'_>) -> Result<Option<Index>, CompileError> {
        match (args.tag("index"), args.tag("last")) {
            (None, None) => Ok(None),
            (None, Some((at, _))) => Err(arguments_error(
                args.name,
                at,
                ":last needs :index (RFC 5260 §6)",
            )),
            (Some((at, value)), _) => {
                let Some(Argument::Number(n, _)) = value else {
                    return Err(arguments_error(args.name, at, ":index takes a number"));
                };
                if *n == 0 {
                    return Err(arguments_error(
                        args.name,
                        at,
                        ":index counts from 1 (RFC 5260 §6)",
                    ));
                }
                Ok(Some(Index {
                    n: *n,
                    last: args.has("last"),
                }))
            }
        }
    }

    fn mime_options(
        &self,
        args: &Arguments<'_>,
        options_allowed: bool,
    ) -> Result<MimeOptions, CompileError> {
        let mime = args.has("mime");
        let anychild = args.has("anychild");
        let mut chosen = Vec::new();
        for tag in ["type", "subtype", "contenttype", "param"] {
            if let Some((at, value)) = args.tag(tag) {
                chosen.push((tag, at, value));
            }
        }
        if (anychild || !chosen.is_empty()) && !mime {
            return Err(arguments_error(
                args.name,
                args.position,
                ":anychild, :type, :subtype, :contenttype and :param need :mime (RFC 5703 §4.1)",
            ));
        }
        if !options_allowed && !chosen.is_empty() {
            return Err(arguments_error(
                args.name,
                chosen[0].1,
                "takes :mime and :anychild only",
            ));
        }
        if chosen.len() > 1 {
            return Err(arguments_error(
                args.name,
                chosen[1].1,
                "more than one of :type, :subtype, :contenttype, :param",
            ));
        }
        let option = match chosen.first() {
            None => None,
            Some(("type", _, _)) => Some(MimeOption::Type),
            Some(("subtype", _, _)) => Some(MimeOption::Subtype),
            Some(("contenttype", _, _)) => Some(MimeOption::ContentType),
            Some((_, at, value)) => {
                let Some(value) = value else {
                    return Err(arguments_error(
                        args.name,
                        *at,
                        ":param takes a string list",
                    ));
                };
                Some(MimeOption::Param(self.strings_arg(args.name, value)?))
            }
        };
        Ok(MimeOptions {
            mime,
            anychild,
            option,
        })
    }

    /// Keys of a `:list` test are list names: validate constant ones now (RFC 6134 §2.5).
    fn keys(
        &self,
        args: &Arguments<'_>,
        matcher: &Matcher,
        argument: &Argument,
    ) -> Result<Vec<Template>, CompileError> {
        let keys = self.strings_arg(args.name, argument)?;
        if matcher.kind == MatchKind::List {
            for key in &keys {
                if let Some(constant) = key.as_constant() {
                    check_list_name(constant, argument.position())?;
                }
            }
        }
        Ok(keys)
    }

    fn simple_test(
        &mut self,
        name: &str,
        position: Position,
        arguments: &[Argument],
    ) -> Result<TestKind, CompileError> {
        Ok(match name {
            "address" => {
                let args = self.split(name, position, arguments, &|t| {
                    Self::match_tag(t)
                        .or_else(|| Self::address_part_tag(t))
                        .or_else(|| Self::index_tag(t))
                        .or_else(|| Self::mime_tag(t))
                })?;
                args.expect_positional(2)?;
                let matcher = self.matcher(&args, true)?;
                TestKind::Address {
                    mime: self.mime_options(&args, true)?,
                    index: self.index(&args)?,
                    part: Self::address_part(&args)?,
                    headers: self.strings_arg(name, args.positional[0])?,
                    keys: self.keys(&args, &matcher, args.positional[1])?,
                    matcher,
                }
            }
            "envelope" => {
                self.need("envelope", name, position)?;
                let args = self.split(name, position, arguments, &|t| {
                    Self::match_tag(t).or_else(|| Self::address_part_tag(t))
                })?;
                args.expect_positional(2)?;
                let matcher = self.matcher(&args, true)?;
                let fields = self.strings_arg(name, args.positional[0])?;
                for field in &fields {
                    if let Some(constant) = field.as_constant()
                        && !matches!(
                            constant.to_ascii_lowercase().as_str(),
                            "from" | "to" | "auth"
                        )
                    {
                        return Err(arguments_error(
                            name,
                            args.positional[0].position(),
                            format!("unknown envelope part \"{constant}\" (from, to, auth)"),
                        ));
                    }
                }
                TestKind::Envelope {
                    part: Self::address_part(&args)?,
                    fields,
                    keys: self.keys(&args, &matcher, args.positional[1])?,
                    matcher,
                }
            }
            "header" => {
                let args = self.split(name, position, arguments, &|t| {
                    Self::match_tag(t)
                        .or_else(|| Self::index_tag(t))
                        .or_else(|| Self::mime_tag(t))
                })?;
                args.expect_positional(2)?;
                let matcher = self.matcher(&args, true)?;
                TestKind::Header {
                    mime: self.mime_options(&args, true)?,
                    index: self.index(&args)?,
                    headers: self.strings_arg(name, args.positional[0])?,
                    keys: self.keys(&args, &matcher, args.positional[1])?,
                    matcher,
                }
            }
            "exists" => {
                let args = self.split(name, position, arguments, &|t| match t {
                    "mime" | "anychild" => Some((TagArgument::None, Some("mime"))),
                    _ => None,
                })?;
                args.expect_positional(1)?;
                TestKind::Exists {
                    mime: self.mime_options(&args, false)?,
                    headers: self.strings_arg(name, args.positional[0])?,
                }
            }
            "size" => {
                let args = self.split(name, position, arguments, &|t| {
                    matches!(t, "over" | "under").then_some((TagArgument::None, None))
                })?;
                args.expect_positional(1)?;
                let over = match (args.has("over"), args.has("under")) {
                    (true, false) => true,
                    (false, true) => false,
                    _ => {
                        return Err(arguments_error(
                            name,
                            position,
                            "takes exactly one of :over and :under",
                        ));
                    }
                };
                let Argument::Number(limit, _) = args.positional[0] else {
                    return Err(arguments_error(
                        name,
                        args.positional[0].position(),
                        "takes a number",
                    ));
                };
                TestKind::Size {
                    over,
                    limit: *limit,
                }
            }
            "string" => {
                self.need("variables", name, position)?;
                let args = self.split(name, position, arguments, &Self::match_tag)?;
                args.expect_positional(2)?;
                let matcher = self.matcher(&args, true)?;
                TestKind::String {
                    sources: self.strings_arg(name, args.positional[0])?,
                    keys: self.keys(&args, &matcher, args.positional[1])?,
                    matcher,
                }
            }
            "date" | "currentdate" => {
                self.need("date", name, position)?;
                let current = name == "currentdate";
                let args = self.split(name, position, arguments, &|t| {
                    Self::match_tag(t).or_else(|| match t {
                        "zone" => Some((TagArgument::String, None)),
                        "originalzone" if !current => Some((TagArgument::None, None)),
                        _ if !current => Self::index_tag(t),
                        _ => None,
                    })
                })?;
                args.expect_positional(if current { 2 } else { 3 })?;
                let matcher = self.matcher(&args, true)?;
                let zone = match (args.tag("zone"), args.has("originalzone")) {
                    (Some(_), true) => {
                        return Err(arguments_error(
                            name,
                            position,
                            ":zone and :originalzone exclude each other",
                        ));
                    }
                    (Some((at, Some(value))), false) => {
                        let (zone, _) = self.constant_arg(name, value)?;
                        Zone::Fixed(parse_zone(&zone).ok_or_else(|| {
                            arguments_error(
                                name,
                                at,
                                format!("\"{zone}\" is not a zone like +0100 (RFC 5260 §4.1)"),
                            )
                        })?)
                    }
                    (_, true) => Zone::Original,
                    _ => Zone::Local,
                };
                let part_index = if current { 0 } else { 1 };
                let part = self.string_arg(name, args.positional[part_index])?;
                if let Some(constant) = part.as_constant()
                    && !DATE_PARTS.contains(&constant.to_ascii_lowercase().as_str())
                {
                    return Err(arguments_error(
                        name,
                        args.positional[part_index].position(),
                        format!("unknown date part \"{constant}\" (RFC 5260 §4.2)"),
                    ));
                }
                let keys = self.keys(&args, &matcher, args.positional[part_index + 1])?;
                if current {
                    TestKind::CurrentDate {
                        zone,
                        matcher,
                        part,
                        keys,
                    }
                } else {
                    TestKind::Date {
                        zone,
                        index: self.index(&args)?,
                        matcher,
                        header: self.string_arg(name, args.positional[0])?,
                        part,
                        keys,
                    }
                }
            }
            "spamtest" | "virustest" => {
                self.need(name, name, position)?;
                let args = self.split(name, position, arguments, &|t| {
                    Self::match_tag(t).or_else(|| {
                        (t == "percent" && name == "spamtest")
                            .then_some((TagArgument::None, Some("spamtestplus")))
                    })
                })?;
                args.expect_positional(1)?;
                let matcher = self.matcher(&args, false)?;
                let value = self.string_arg(name, args.positional[0])?;
                if name == "spamtest" {
                    TestKind::SpamTest {
                        percent: args.has("percent"),
                        matcher,
                        value,
                    }
                } else {
                    TestKind::VirusTest { matcher, value }
                }
            }
            "body" => {
                self.need("body", name, position)?;
                let args = self.split(name, position, arguments, &|t| {
                    Self::match_tag(t).or(match t {
                        "raw" | "text" => Some((TagArgument::None, None)),
                        "content" => Some((TagArgument::Strings, None)),
                        _ => None,
                    })
                })?;
                args.expect_positional(1)?;
                let matcher = self.matcher(&args, false)?;
                let transforms = ["raw", "text", "content"]
                    .iter()
                    .filter(|t| args.has(t))
                    .count();
                if transforms > 1 {
                    return Err(arguments_error(
                        name,
                        position,
                        "takes one of :raw, :content, :text (RFC 5173 §5)",
                    ));
                }
                let transform = if args.has("raw") {
                    BodyTransform::Raw
                } else if let Some((_, Some(types))) = args.tag("content") {
                    BodyTransform::Content(self.strings_arg(name, types)?)
                } else {
                    BodyTransform::Text
                };
                TestKind::Body {
                    transform,
                    keys: self.keys(&args, &matcher, args.positional[0])?,
                    matcher,
                }
            }
            "hasflag" => {
                self.need("imap4flags", name, position)?;
                let args = self.split(name, position, arguments, &Self::match_tag)?;
                let matcher = self.matcher(&args, false)?;
                let (variables, keys) = match &args.positional[..] {
                    [keys] => (Vec::new(), *keys),
                    [variables, keys] => {
                        self.need("variables", "hasflag with variables", position)?;
                        let Argument::Strings {
                            values,
                            position: at,
                            ..
                        } = variables
                        else {
                            return Err(arguments_error(
                                name,
                                variables.position(),
                                "takes a variable list",
                            ));
                        };
                        for v in values {
                            if !is_identifier(v) {
                                return Err(arguments_error(
                                    name,
                                    *at,
                                    format!("\"{v}\" is not a variable name"),
                                ));
                            }
                        }
                        (
                            values.iter().map(|v| v.to_ascii_lowercase()).collect(),
                            *keys,
                        )
                    }
                    _ => {
                        return Err(arguments_error(
                            name,
                            position,
                            "takes [variable-list] flag-list",
                        ));
                    }
                };
                TestKind::HasFlag {
                    matcher,
                    variables,
                    keys: self.strings_arg(name, keys)?,
                }
            }
            "valid_ext_list" => {
                self.need("extlists", name, position)?;
                let args = self.split(name, position, arguments, &|_| None)?;
                args.expect_positional(1)?;
                TestKind::ValidExtList(self.strings_arg(name, args.positional[0])?)
            }
            "valid_notify_method" => {
                self.need("enotify", name, position)?;
                let args = self.split(name, position, arguments, &|_| None)?;
                args.expect_positional(1)?;
                TestKind::ValidNotifyMethod(self.strings_arg(name, args.positional[0])?)
            }
            "notify_method_capability" => {
                self.need("enotify", name, position)?;
                let args = self.split(name, position, arguments, &Self::match_tag)?;
                args.expect_positional(3)?;
                let matcher = self.matcher(&args, false)?;
                TestKind::NotifyMethodCapability {
                    method: self.string_arg(name, args.positional[0])?,
                    capability: self.string_arg(name, args.positional[1])?,
                    keys: self.strings_arg(name, args.positional[2])?,
                    matcher,
                }
            }
            "ihave" => {
                self.need("ihave", name, position)?;
                let args = self.split(name, position, arguments, &|_| None)?;
                args.expect_positional(1)?;
                let Argument::Strings { values, .. } = args.positional[0] else {
                    return Err(arguments_error(name, position, "takes a string list"));
                };
                TestKind::IHave(values.iter().all(|v| supported(&v.to_ascii_lowercase())))
            }
            _ => {
                return Err(error(
                    position,
                    CompileErrorKind::UnknownTest(name.to_owned()),
                ));
            }
        })
    }
}

/// Date parts of RFC 5260 §4.2.
pub(crate) const DATE_PARTS: &[&str] = &[
    "year", "month", "day", "date", "julian", "hour", "minute", "second", "time", "iso8601",
    "std11", "zone", "weekday",
];

/// `+hhmm` / `-hhmm` to minutes.
pub(crate) fn parse_zone(zone: &str) -> Option<i32> {
    let bytes = zone.as_bytes();
    if bytes.len() != 5 || !bytes[1..].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let sign = match bytes[0] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let hours = i32::from(bytes[1] - b'0') * 10 + i32::from(bytes[2] - b'0');
    let minutes = i32::from(bytes[3] - b'0') * 10 + i32::from(bytes[4] - b'0');
    (hours < 24 && minutes < 60).then_some(sign * (hours * 60 + minutes))
}

fn check_list_name(name: &str, position: Position) -> Result<(), CompileError> {
    ListName::parse(name).map(|_| ()).map_err(|e| {
        error(
            position,
            CompileErrorKind::InvalidListName {
                name: e.name,
                reason: e.reason,
            },
        )
    })
}

/// `identifier = (ALPHA / "_") *(ALPHA / DIGIT / "_")` (RFC 5228 §8.1).
pub(crate) fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A redirect address (RFC 5228 §4.2): an RFC 5322 mailbox, either a bare addr-spec or a
/// name-addr such as `Name <local@domain>`; the addr-spec is what the host gets. Exactly one
/// address, with a non-empty local part and a dotted-label domain.
pub(crate) fn redirect_address(address: &str) -> Option<String> {
    let trimmed = address.trim();
    let single = if trimmed.contains('<') {
        let mut raw = Vec::with_capacity(trimmed.len() + 3);
        raw.push(b' ');
        raw.extend_from_slice(trimmed.as_bytes());
        raw.extend_from_slice(b"\r\n");
        let found = crate::eval::decode_addresses(&raw);
        let [single] = &found[..] else { return None };
        single.clone()
    } else {
        trimmed.to_owned()
    };
    // RFC 5322 §3.4.1: folding white space around the parts of an addr-spec is not part of it.
    let single: String = if single.contains('"') {
        single
    } else {
        single.split_whitespace().collect()
    };
    let (local, domain) = single.rsplit_once('@')?;
    let quoted_local = local.len() >= 2 && local.starts_with('"') && local.ends_with('"');
    let plausible = !local.is_empty()
        && !domain.is_empty()
        && !domain.chars().any(|c| {
            c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';' | '"')
        })
        && (quoted_local
            || !local.chars().any(|c| {
                c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';' | '"')
            }))
        && domain.split('.').all(|label| !label.is_empty());
    plausible.then_some(single)
}

/// RFC 5435 §3.5: each option is `name=value`, the name starting with a letter or digit and
/// made of letters, digits, ".", "-" and "_", the value without CR or LF.
pub(crate) fn is_valid_notify_option(option: &str) -> bool {
    let Some((name, value)) = option.split_once('=') else {
        return false;
    };
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        && !value.contains(['\r', '\n'])
}

/// RFC 5435 §3.1: a method is a URI whose scheme the host supports.
pub(crate) fn is_valid_notify_method(method: &str) -> bool {
    match fluent_uri::Uri::parse(method) {
        Ok(uri) => {
            NOTIFY_METHODS.contains(&uri.scheme().as_str().to_ascii_lowercase().as_str())
                && !uri.path().as_str().is_empty()
        }
        Err(_) => false,
    }
}

/// RFC 5228 §2.4.2.4: `${hex: 41 42}` and `${unicode: 263a}`; sequences that do not fit the
/// syntax are left as they are, code points beyond Unicode are an error.
fn decode_encoded_characters(text: &str) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let candidate = &rest[start + 2..];
        let Some(end) = candidate.find('}') else {
            out.push_str(&rest[start..]);
            return Ok(out);
        };
        let body = &candidate[..end];
        let decoded = match body.split_once(':') {
            Some((kind, values)) if kind.eq_ignore_ascii_case("hex") => decode_hex(values),
            Some((kind, values)) if kind.eq_ignore_ascii_case("unicode") => decode_unicode(values)?,
            _ => None,
        };
        match decoded {
            Some(decoded) => {
                out.push_str(&decoded);
                rest = &candidate[end + 1..];
            }
            None => {
                out.push_str("${");
                rest = candidate;
            }
        }
    }
    out.push_str(rest);
    Ok(out)
}

fn decode_hex(values: &str) -> Option<String> {
    let mut bytes = Vec::new();
    for pair in values.split_ascii_whitespace() {
        if pair.is_empty() || pair.len() > 2 {
            return None;
        }
        bytes.push(u8::from_str_radix(pair, 16).ok()?);
    }
    String::from_utf8(bytes).ok()
}

fn decode_unicode(values: &str) -> Result<Option<String>, String> {
    let mut out = String::new();
    for value in values.split_ascii_whitespace() {
        if value.len() > 6 || !value.chars().all(|c| c.is_ascii_hexdigit()) {
            return Ok(None);
        }
        let code = u32::from_str_radix(value, 16).map_err(|e| e.to_string())?;
        let c = char::from_u32(code).ok_or_else(|| {
            format!("U+{code:X} is not a Unicode scalar value (RFC 5228 §2.4.2.4)")
        })?;
        out.push(c);
    }
    Ok(Some(out))
}

/// Splits a string at `${name}` and `${N}` references (RFC 5229 §3). References that are not
/// well formed stay literal text.
fn split_variables(text: &str) -> Template {
    let mut parts = Vec::new();
    let mut literal = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        literal.push_str(&rest[..start]);
        let candidate = &rest[start + 2..];
        let reference = candidate.find('}').map(|end| (&candidate[..end], end));
        match reference {
            Some((name, end)) if !name.is_empty() && name.bytes().all(|b| b.is_ascii_digit()) => {
                if !literal.is_empty() {
                    parts.push(Part::Literal(std::mem::take(&mut literal)));
                }
                // Leading zeros are allowed; indexes beyond any capture expand to "".
                let index = name.trim_start_matches('0').parse::<usize>().unwrap_or(
                    if name.bytes().all(|b| b == b'0') {
                        0
                    } else {
                        usize::MAX
                    },
                );
                parts.push(Part::Match(index));
                rest = &candidate[end + 1..];
            }
            Some((name, end)) if is_identifier(name) => {
                if !literal.is_empty() {
                    parts.push(Part::Literal(std::mem::take(&mut literal)));
                }
                parts.push(Part::Variable(name.to_ascii_lowercase()));
                rest = &candidate[end + 1..];
            }
            _ => {
                literal.push_str("${");
                rest = candidate;
            }
        }
    }
    literal.push_str(rest);
    if !literal.is_empty() || parts.is_empty() {
        parts.push(Part::Literal(literal));
    }
    Template { parts }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn kind(script: &str) -> CompileErrorKind {
        compile(script, &Limits::default()).unwrap_err().kind
    }

    fn position(script: &str) -> (u32, u32) {
        let e = compile(script, &Limits::default()).unwrap_err();
        (e.position.line, e.position.column)
    }

    #[test]
    fn variables_split() {
        assert_eq!(
            split_variables("a${x}b${1}${ bad}${00}${ns.v}"),
            Template {
                parts: vec![
                    Part::Literal("a".into()),
                    Part::Variable("x".into()),
                    Part::Literal("b".into()),
                    Part::Match(1),
                    Part::Literal("${ bad}".into()),
                    Part::Match(0),
                    Part::Literal("${ns.v}".into()),
                ]
            }
        );
    }

    #[test]
    fn encoded_characters() {
        assert_eq!(
            decode_encoded_characters("${hex:40 41}${unicode:263a}${HEX: 4}${hex:zz}").unwrap(),
            "@A\u{263a}\u{4}${hex:zz}"
        );
        assert!(decode_encoded_characters("${unicode:110000}").is_err());
    }

    #[test]
    fn unknown_things_are_errors_with_positions() {
        assert_eq!(
            kind("frobnicate;"),
            CompileErrorKind::UnknownCommand("frobnicate".into())
        );
        assert_eq!(
            kind("if frob { keep; }"),
            CompileErrorKind::UnknownTest("frob".into())
        );
        assert_eq!(
            kind("require \"x-unknown\";"),
            CompileErrorKind::UnsupportedExtension("x-unknown".into())
        );
        assert_eq!(position("keep;\n  fileinto \"x\";"), (2, 3));
        assert!(matches!(
            kind("fileinto \"x\";"),
            CompileErrorKind::NotRequired { .. }
        ));
        assert!(matches!(
            kind("keep; require \"fileinto\";"),
            CompileErrorKind::Misplaced(_)
        ));
        assert!(matches!(
            kind("elsif true { keep; }"),
            CompileErrorKind::Misplaced(_)
        ));
        assert!(matches!(
            kind("require \"foreverypart\"; break;"),
            CompileErrorKind::Misplaced(_)
        ));
    }

    #[test]
    fn argument_errors() {
        for script in [
            "keep \"x\";",
            "discard :copy;",
            "if size :over \"1\" { keep; }",
            "if size 1 { keep; }",
            "if header :is :contains \"a\" \"b\" { keep; }",
            "if header \"a\" { keep; }",
            "if header :comparator \"i;nope\" \"a\" \"b\" { keep; }",
            "if header :comparator \"i;ascii-numeric\" \"a\" \"b\" { keep; }",
            "redirect \"not an address\";",
            "if not (true, false) { keep; }",
            "if true;",
            "if anyof (true false) { keep; }",
        ] {
            assert!(compile(script, &Limits::default()).is_err(), "{script}");
        }
    }

    /// RFC 6134 §2.2: `:list` with `:comparator` MUST be an error, and so is `:list` on a test
    /// that does not support it.
    #[test]
    fn list_rules() {
        assert_eq!(
            kind(
                "require \"extlists\"; if header :list :comparator \"i;octet\" \"from\" \":addrbook:default\" { keep; }"
            ),
            CompileErrorKind::ListWithComparator("header".into())
        );
        assert_eq!(
            kind("require [\"extlists\", \"body\"]; if body :list \":addrbook:default\" { keep; }"),
            CompileErrorKind::ListNotSupported("body".into())
        );
        assert!(matches!(
            kind("require \"extlists\"; if header :list \"from\" \"not a uri\" { keep; }"),
            CompileErrorKind::InvalidListName { .. }
        ));
        assert!(matches!(
            kind("if header :list \"from\" \":addrbook:default\" { keep; }"),
            CompileErrorKind::NotRequired { .. }
        ));
        assert!(compile("require [\"extlists\", \"envelope\"]; if envelope :list \"from\" \":addrbook:default\" { keep; }", &Limits::default()).is_ok());
    }

    #[test]
    fn ihave_guards_unknown_extensions() {
        let program = compile(
            "require \"ihave\"; if ihave \"x-future\" { x_future_command; } else { keep; }",
            &Limits::default(),
        )
        .unwrap();
        assert_eq!(program.commands.len(), 1);
        assert!(
            compile(
                "require \"ihave\"; if ihave \"fileinto\" { fileinto \"a\"; }",
                &Limits::default()
            )
            .is_ok()
        );
        assert!(
            compile(
                "require \"ihave\"; if ihave \"fileinto\" { keep; } fileinto \"a\";",
                &Limits::default()
            )
            .is_err()
        );
    }

    #[test]
    fn variable_limit() {
        let limits = Limits {
            max_variables: 2,
            ..Limits::default()
        };
        let script = "require \"variables\"; set \"a\" \"1\"; set \"b\" \"2\"; set \"A\" \"3\"; set \"c\" \"4\";";
        let e = compile(script, &limits).unwrap_err();
        assert_eq!(
            e.kind,
            CompileErrorKind::Limit {
                limit: "max_variables",
                max: 2
            }
        );
        assert_eq!(e.position.column, 65);
    }
}
