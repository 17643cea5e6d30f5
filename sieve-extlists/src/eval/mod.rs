//! The interpreter: runs a compiled [`Program`] on one message in one [`Context`], and
//! collects the actions. Nothing here sends, stores or delivers.

mod actions;
mod date;
mod enclose;
mod matching;
mod message;
mod tests;

use std::collections::HashMap;
use std::time::Instant;

use crate::action::{Action, Outcome, TraceEvent};
use crate::compile::{is_valid_notify_method, is_valid_notify_option, redirect_address};
use crate::context::{Clock, Context};
use crate::error::{Error, Position};
use crate::lists::{Enumeration, ListError, ListName};
use crate::program::*;
pub(crate) use message::decode_addresses;

use actions::{Actions, Refused};
use matching::Budget;
use message::MessageView;

/// How a block ended.
enum Flow {
    Continue,
    Stop,
    /// `break`, with the loop name when given (RFC 5703 §3.2).
    Break(Option<String>),
}

pub(crate) fn evaluate(
    program: &Program,
    message: &[u8],
    context: &Context<'_>,
) -> Result<Outcome, Error> {
    let limits = &context.limits;
    if message.len() > limits.max_message_bytes {
        return Err(Error::Limit {
            position: Position::default(),
            limit: "max_message_bytes",
            max: limits.max_message_bytes as u64,
        });
    }
    let mut evaluator = Evaluator {
        program,
        context,
        view: MessageView::parse(message, limits.max_mime_parts),
        variables: HashMap::new(),
        match_values: Vec::new(),
        flags: Vec::new(),
        actions: Actions::default(),
        budget: Budget {
            spent: 0,
            max: limits.max_match_work,
        },
        list_queries: 0,
        parts_visited: 0,
        current_part: 0,
        trace: Vec::new(),
        enclosed: None,
    };
    evaluator.block(&program.commands)?;
    let flags = evaluator.flags.clone();
    Ok(Outcome {
        actions: evaluator.actions.finish(flags),
        trace: evaluator.trace,
        message: evaluator.enclosed,
    })
}

pub(crate) struct Evaluator<'p, 'c, 'm> {
    program: &'p Program,
    context: &'c Context<'c>,
    view: MessageView<'m>,
    variables: HashMap<String, String>,
    /// `${0}`…: the last successful :matches (or :list, RFC 6134 §2.2).
    match_values: Vec<String>,
    /// The imap4flags internal variable (RFC 5232 §3).
    flags: Vec<String>,
    actions: Actions,
    budget: Budget,
    list_queries: usize,
    parts_visited: usize,
    /// The MIME part `foreverypart` is on (0: the message).
    current_part: usize,
    trace: Vec<TraceEvent>,
    enclosed: Option<Vec<u8>>,
}

impl Evaluator<'_, '_, '_> {
    fn limit(&self, position: Position, limit: &'static str) -> Error {
        let l = &self.context.limits;
        let max = match limit {
            "max_actions" => l.max_actions,
            "max_redirects" => l.max_redirects,
            "max_list_queries" => l.max_list_queries,
            "max_list_recipients" => l.max_list_recipients,
            "max_mime_parts" => l.max_mime_parts,
            "max_string_bytes" => l.max_string_bytes,
            "max_variable_bytes" => l.max_variable_bytes,
            "max_match_work" => {
                return Error::Limit {
                    position,
                    limit,
                    max: l.max_match_work,
                };
            }
            _ => 0,
        };
        Error::Limit {
            position,
            limit,
            max: max as u64,
        }
    }

    fn runtime(position: Position, message: impl Into<String>) -> Error {
        Error::Runtime {
            position,
            message: message.into(),
        }
    }

    fn refused(&self, position: Position, refused: Refused) -> Error {
        match refused {
            Refused::Limit(limit) => self.limit(position, limit),
            Refused::Conflict(message) => Self::runtime(position, message),
        }
    }

    // ---- strings -------------------------------------------------------------------------

    /// Expands variable references (RFC 5229 §3); unknown variables are empty.
    fn expand(&self, template: &Template, position: Position) -> Result<String, Error> {
        if let Some(constant) = template.as_constant() {
            return Ok(constant.to_owned());
        }
        let mut out = String::new();
        for part in &template.parts {
            match part {
                Part::Literal(text) => out.push_str(text),
                Part::Variable(name) => {
                    out.push_str(self.variables.get(name).map_or("", String::as_str))
                }
                Part::Match(index) => {
                    out.push_str(self.match_values.get(*index).map_or("", String::as_str))
                }
            }
            if out.len() > self.context.limits.max_string_bytes {
                return Err(self.limit(position, "max_string_bytes"));
            }
        }
        Ok(out)
    }

    fn expand_all(&self, templates: &[Template], position: Position) -> Result<Vec<String>, Error> {
        templates.iter().map(|t| self.expand(t, position)).collect()
    }

    // ---- commands ------------------------------------------------------------------------

    fn block(&mut self, commands: &[Command]) -> Result<Flow, Error> {
        for command in commands {
            match self.command(command)? {
                Flow::Continue => {}
                other => return Ok(other),
            }
        }
        Ok(Flow::Continue)
    }

    fn command(&mut self, command: &Command) -> Result<Flow, Error> {
        let position = command.position;
        let max_actions = self.context.limits.max_actions;
        match &command.kind {
            CommandKind::If {
                branches,
                otherwise,
            } => {
                for (test, body) in branches {
                    if self.test(test)? {
                        return self.block(body);
                    }
                }
                if let Some(body) = otherwise {
                    return self.block(body);
                }
            }
            CommandKind::Stop => return Ok(Flow::Stop),
            CommandKind::Keep { flags } => {
                let flags = self.flags_argument(flags.as_deref(), position)?;
                self.actions
                    .keep(flags, max_actions)
                    .map_err(|r| self.refused(position, r))?;
            }
            CommandKind::Discard => self
                .actions
                .discard(max_actions)
                .map_err(|r| self.refused(position, r))?,
            CommandKind::Fileinto {
                mailbox,
                flags,
                copy,
            } => {
                let mailbox = self.expand(mailbox, position)?;
                if mailbox.is_empty() {
                    return Err(Self::runtime(position, "fileinto an empty mailbox name"));
                }
                let flags = self.flags_argument(flags.as_deref(), position)?;
                self.actions
                    .fileinto(mailbox, flags, *copy, max_actions)
                    .map_err(|r| self.refused(position, r))?;
            }
            CommandKind::Redirect { target, list, copy } => {
                let target = self.expand(target, position)?;
                if *list {
                    self.redirect_list(&target, *copy, position)?;
                } else {
                    self.redirect_one(target, None, *copy, position)?;
                }
            }
            CommandKind::Set {
                name,
                value,
                modifiers,
            } => {
                let mut value = self.expand(value, position)?;
                for modifier in modifiers {
                    value = apply_modifier(*modifier, value);
                }
                if value.len() > self.context.limits.max_variable_bytes {
                    return Err(self.limit(position, "max_variable_bytes"));
                }
                self.variables.insert(name.clone(), value);
            }
            CommandKind::Reject { reason, extended } => {
                let reason = self.expand(reason, position)?;
                self.actions
                    .reject(reason, *extended, max_actions)
                    .map_err(|r| self.refused(position, r))?;
            }
            CommandKind::Notify {
                method,
                from,
                importance,
                options,
                message,
            } => {
                let method = self.expand(method, position)?;
                if !is_valid_notify_method(&method) {
                    return Err(Self::runtime(
                        position,
                        format!("unsupported notification method \"{method}\" (RFC 5435 §3.1)"),
                    ));
                }
                let importance = match importance {
                    Some(t) => match self.expand(t, position)?.as_str() {
                        "1" => 1,
                        "3" => 3,
                        _ => 2,
                    },
                    None => 2,
                };
                let options = self.expand_all(options, position)?;
                if let Some(bad) = options.iter().find(|o| !is_valid_notify_option(o)) {
                    return Err(Self::runtime(
                        position,
                        format!(":options \"{bad}\" is not name=value (RFC 5435 §3.5)"),
                    ));
                }
                let action = Action::Notify {
                    method,
                    from: from
                        .as_ref()
                        .map(|t| self.expand(t, position))
                        .transpose()?,
                    importance,
                    options,
                    message: message
                        .as_ref()
                        .map(|t| self.expand(t, position))
                        .transpose()?,
                };
                self.actions
                    .other(action, max_actions)
                    .map_err(|r| self.refused(position, r))?;
            }
            CommandKind::ForEveryPart { name, body } => {
                return self.for_every_part(name.as_deref(), body, position);
            }
            CommandKind::Break { name } => return Ok(Flow::Break(name.clone())),
            CommandKind::Enclose {
                subject,
                headers,
                text,
            } => {
                let subject = subject
                    .as_ref()
                    .map(|t| self.expand(t, position))
                    .transpose()?;
                let headers = self.expand_all(headers, position)?;
                let reason = self.expand(text, position)?;
                let enclosed =
                    enclose::enclose(self.view.raw, subject.as_deref(), &headers, &reason);
                if enclosed.len() > self.context.limits.max_message_bytes {
                    return Err(Error::Limit {
                        position,
                        limit: "max_message_bytes",
                        max: self.context.limits.max_message_bytes as u64,
                    });
                }
                self.enclosed = Some(enclosed);
                // RFC 5703 §6: a later enclose replaces an earlier one.
                self.actions
                    .list
                    .retain(|a| !matches!(a, Action::Enclose { .. }));
                self.actions
                    .other(
                        Action::Enclose {
                            subject,
                            headers,
                            reason,
                        },
                        max_actions,
                    )
                    .map_err(|r| self.refused(position, r))?;
            }
            CommandKind::Flags {
                operation,
                variable,
                flags,
            } => {
                let given = split_flags(&self.expand_all(flags, position)?);
                let current = match variable {
                    Some(name) => {
                        split_flags(&[self.variables.get(name).cloned().unwrap_or_default()])
                    }
                    None => self.flags.clone(),
                };
                let updated = match operation {
                    FlagOperation::Set => given,
                    FlagOperation::Add => {
                        let mut all = current;
                        for flag in given {
                            if !all.iter().any(|f| f.eq_ignore_ascii_case(&flag)) {
                                all.push(flag);
                            }
                        }
                        all
                    }
                    FlagOperation::Remove => current
                        .into_iter()
                        .filter(|f| !given.iter().any(|g| g.eq_ignore_ascii_case(f)))
                        .collect(),
                };
                match variable {
                    Some(name) => {
                        let joined = updated.join(" ");
                        if joined.len() > self.context.limits.max_variable_bytes {
                            return Err(self.limit(position, "max_variable_bytes"));
                        }
                        self.variables.insert(name.clone(), joined);
                    }
                    None => self.flags = updated,
                }
            }
            CommandKind::Error { message } => {
                let message = self.expand(message, position)?;
                return Err(Self::runtime(position, format!("error: {message}")));
            }
        }
        Ok(Flow::Continue)
    }

    /// `:flags` when given, else the internal variable (RFC 5232 §5).
    fn flags_argument(
        &self,
        flags: Option<&[Template]>,
        position: Position,
    ) -> Result<Vec<String>, Error> {
        match flags {
            Some(flags) => Ok(split_flags(&self.expand_all(flags, position)?)),
            None => Ok(self.flags.clone()),
        }
    }

    fn redirect_one(
        &mut self,
        address: String,
        list: Option<String>,
        copy: bool,
        position: Position,
    ) -> Result<(), Error> {
        let Some(address) = redirect_address(&address) else {
            return Err(Self::runtime(
                position,
                format!("redirect to \"{address}\", which is not a valid address (RFC 5228 §4.2)"),
            ));
        };
        if let Some(domains) = &self.context.redirect_domains {
            let domain = address.rsplit_once('@').map_or("", |(_, d)| d);
            if !domains.iter().any(|d| d.eq_ignore_ascii_case(domain)) {
                return Err(Self::runtime(
                    position,
                    format!(
                        "redirect to \"{address}\": domain {domain} is not allowed (RFC 6134 §3)"
                    ),
                ));
            }
        }
        let limits = &self.context.limits;
        let (max_actions, max_redirects) = (limits.max_actions, limits.max_redirects);
        self.actions
            .redirect(Some(address), list, copy, max_actions, max_redirects)
            .map_err(|r| self.refused(position, r))
    }

    /// RFC 6134 §2.3: enumerate the list and redirect to each member, or let the list handler
    /// do it; a runtime error when neither can.
    fn redirect_list(&mut self, name: &str, copy: bool, position: Position) -> Result<(), Error> {
        let list = ListName::parse(name).map_err(|e| Self::runtime(position, e.to_string()))?;
        let max = self.context.limits.max_list_recipients;
        let deadline = Instant::now() + self.context.limits.list_timeout;
        let answer = self.context.lists.enumerate(&list, max, deadline);
        let answer = self.check_deadline(answer, deadline);
        match answer.map_err(|e| self.list_error(&list, e, position))? {
            Enumeration::Members(members) => {
                if members.len() > max {
                    return Err(self.limit(position, "max_list_recipients"));
                }
                for member in members {
                    self.redirect_one(member, Some(list.key().to_owned()), copy, position)?;
                }
                Ok(())
            }
            Enumeration::Handled => {
                let limits = &self.context.limits;
                let (max_actions, max_redirects) = (limits.max_actions, limits.max_redirects);
                self.actions
                    .redirect(
                        None,
                        Some(list.key().to_owned()),
                        copy,
                        max_actions,
                        max_redirects,
                    )
                    .map_err(|r| self.refused(position, r))
            }
            Enumeration::NotEnumerable => Err(Self::runtime(
                position,
                format!(
                    "redirect :list \"{name}\": the list cannot be enumerated and has no list handler (RFC 6134 §2.3)"
                ),
            )),
        }
    }

    /// A backend that answered after the deadline counts as timed out.
    fn check_deadline<T>(
        &self,
        answer: Result<T, ListError>,
        deadline: Instant,
    ) -> Result<T, ListError> {
        if answer.is_ok() && Instant::now() > deadline {
            return Err(ListError::Timeout(self.context.limits.list_timeout));
        }
        answer
    }

    /// RFC 6134 §3: a temporary failure defers; anything else is a runtime error (§2.2).
    fn list_error(&self, list: &ListName, error: ListError, position: Position) -> Error {
        if error.is_temporary() {
            Error::Defer {
                list: list.key().to_owned(),
                reason: error,
            }
        } else {
            Self::runtime(position, format!("list {}: {error}", list.key()))
        }
    }

    fn for_every_part(
        &mut self,
        name: Option<&str>,
        body: &[Command],
        position: Position,
    ) -> Result<Flow, Error> {
        let saved = self.current_part;
        if self.view.truncated {
            return Err(self.limit(position, "max_mime_parts"));
        }
        for part in self.view.descendants(saved) {
            self.parts_visited += 1;
            if self.parts_visited > self.context.limits.max_mime_parts {
                self.current_part = saved;
                return Err(self.limit(position, "max_mime_parts"));
            }
            self.current_part = part;
            let flow = self.block(body);
            self.current_part = saved;
            match flow? {
                Flow::Continue => {}
                Flow::Stop => return Ok(Flow::Stop),
                // RFC 5703 §3.2: an unnamed break ends the innermost loop, a named one the loop
                // of that name.
                Flow::Break(None) => break,
                Flow::Break(Some(target)) if Some(target.as_str()) == name => break,
                Flow::Break(other) => return Ok(Flow::Break(other)),
            }
        }
        Ok(Flow::Continue)
    }

    fn record(
        &mut self,
        position: Position,
        name: &str,
        result: bool,
        detail: impl FnOnce() -> String,
    ) {
        if self.context.trace {
            self.trace.push(TraceEvent {
                position,
                name: name.to_owned(),
                result,
                detail: detail(),
            });
        }
    }

    /// The clock's zone, for `date`/`currentdate` without `:zone`.
    fn local_offset(&self) -> i32 {
        match self.context.clock {
            Clock::Fixed { offset_minutes, .. } => offset_minutes,
            Clock::System => 0,
        }
    }

    fn now(&self) -> i64 {
        match self.context.clock {
            Clock::Fixed { unix, .. } => unix,
            Clock::System => std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX)),
        }
    }
}

/// RFC 5229 §4.1 modifiers (and `:encodeurl`, RFC 5435 §7).
fn apply_modifier(modifier: Modifier, value: String) -> String {
    match modifier {
        Modifier::Lower => value.to_lowercase(),
        Modifier::Upper => value.to_uppercase(),
        Modifier::LowerFirst => {
            let mut chars = value.chars();
            chars
                .next()
                .map_or_else(String::new, |c| c.to_lowercase().chain(chars).collect())
        }
        Modifier::UpperFirst => {
            let mut chars = value.chars();
            chars
                .next()
                .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
        }
        Modifier::QuoteWildcard => {
            let mut out = String::with_capacity(value.len());
            for c in value.chars() {
                if matches!(c, '*' | '?' | '\\') {
                    out.push('\\');
                }
                out.push(c);
            }
            out
        }
        Modifier::EncodeUrl => {
            percent_encoding::utf8_percent_encode(&value, URL_UNRESERVED).to_string()
        }
        Modifier::Length => value.chars().count().to_string(),
    }
}

/// RFC 3986 §2.3 unreserved characters stay; everything else is percent-encoded.
const URL_UNRESERVED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Flag lists are space-separated within each string (RFC 5232 §3), duplicates removed.
fn split_flags(strings: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for flag in strings.iter().flat_map(|s| s.split_ascii_whitespace()) {
        if !out.iter().any(|f| f.eq_ignore_ascii_case(flag)) {
            out.push(flag.to_owned());
        }
    }
    out
}
