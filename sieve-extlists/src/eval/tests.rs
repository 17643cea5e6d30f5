//! Evaluation of tests: what values each test takes from the message, envelope, clock or
//! variables, and how they are matched against the keys.

use std::time::Instant;

use super::date::ZonedTime;
use super::matching::{self, WorkExceeded};
use super::message::{decode_addresses, decode_date, decode_parameterized, decode_unstructured};
use super::{Evaluator, is_valid_notify_method, split_flags};
use crate::context::ScoreSource;
use crate::error::{Error, Position};
use crate::lists::ListName;
use crate::program::*;

impl Evaluator<'_, '_, '_> {
    pub(super) fn test(&mut self, test: &Test) -> Result<bool, Error> {
        let position = test.position;
        let result = match &test.kind {
            TestKind::True => true,
            TestKind::False => false,
            TestKind::Not(inner) => !self.test(inner)?,
            // RFC 5228 §5.2, §5.3: evaluated left to right, stopping as soon as the result is known.
            TestKind::AllOf(tests) => {
                let mut all = true;
                for t in tests {
                    if !self.test(t)? {
                        all = false;
                        break;
                    }
                }
                all
            }
            TestKind::AnyOf(tests) => {
                let mut any = false;
                for t in tests {
                    if self.test(t)? {
                        any = true;
                        break;
                    }
                }
                any
            }
            TestKind::Header {
                mime,
                index,
                matcher,
                headers,
                keys,
            } => {
                let values = self.header_values(mime, *index, headers, position)?;
                self.match_values(*matcher, values, keys, position, "header")?
            }
            TestKind::Address {
                mime,
                index,
                part,
                matcher,
                headers,
                keys,
            } => {
                let parts = self.mime_parts(mime, position)?;
                let mut values = Vec::new();
                for name in self.expand_all(headers, position)? {
                    for &p in &parts {
                        let fields = select(self.view.raw_fields(p, &name), *index);
                        for raw in fields {
                            values.extend(
                                decode_addresses(raw)
                                    .iter()
                                    .filter_map(|a| address_part(a, *part)),
                            );
                        }
                    }
                }
                self.match_values(*matcher, values, keys, position, "address")?
            }
            TestKind::Envelope {
                part,
                matcher,
                fields,
                keys,
            } => {
                let envelope = &self.context.envelope;
                let mut values = Vec::new();
                for field in self.expand_all(fields, position)? {
                    let value = match field.to_ascii_lowercase().as_str() {
                        "from" => envelope.from.clone(),
                        "to" => envelope.to.clone(),
                        "auth" => envelope.auth.clone(),
                        _ => None,
                    };
                    if let Some(value) = value {
                        // RFC 5228 §5.4: the null reverse-path matches "" with :all only.
                        if value.is_empty() {
                            if *part == AddressPart::All {
                                values.push(String::new());
                            }
                        } else if let Some(v) = address_part(&value, *part) {
                            values.push(v);
                        }
                    }
                }
                self.match_values(*matcher, values, keys, position, "envelope")?
            }
            TestKind::Exists { mime, headers } => {
                let parts = self.mime_parts(mime, position)?;
                let names = self.expand_all(headers, position)?;
                parts
                    .iter()
                    .any(|&p| names.iter().all(|n| !self.view.raw_fields(p, n).is_empty()))
            }
            TestKind::Size { over, limit } => {
                let size = self.view.raw.len() as u64;
                if *over { size > *limit } else { size < *limit }
            }
            TestKind::String {
                matcher,
                sources,
                keys,
            } => {
                let mut values = self.expand_all(sources, position)?;
                // RFC 5229 §5: empty strings are not counted by :count.
                if matches!(matcher.kind, MatchKind::Count(_)) {
                    values.retain(|v| !v.is_empty());
                }
                self.match_values(*matcher, values, keys, position, "string")?
            }
            TestKind::Date {
                zone,
                index,
                matcher,
                header,
                part,
                keys,
            } => {
                let header = self.expand(header, position)?;
                let part = self.expand(part, position)?;
                let local = self.local_offset();
                let values: Vec<String> = select(self.view.raw_fields(0, &header), *index)
                    .into_iter()
                    .filter_map(|raw| {
                        let (unix, original) = decode_date(raw)?;
                        let offset = match zone {
                            Zone::Local => local,
                            Zone::Fixed(o) => *o,
                            Zone::Original => original,
                        };
                        ZonedTime::new(unix, offset).part(&part)
                    })
                    .collect();
                // RFC 5260 §4: no such field, or no date in it: the test is false.
                if values.is_empty() {
                    false
                } else {
                    self.match_values(*matcher, values, keys, position, "date")?
                }
            }
            TestKind::CurrentDate {
                zone,
                matcher,
                part,
                keys,
            } => {
                let part = self.expand(part, position)?;
                let offset = match zone {
                    Zone::Fixed(o) => *o,
                    _ => self.local_offset(),
                };
                let values: Vec<String> = ZonedTime::new(self.now(), offset)
                    .part(&part)
                    .into_iter()
                    .collect();
                if values.is_empty() {
                    false
                } else {
                    self.match_values(*matcher, values, keys, position, "currentdate")?
                }
            }
            TestKind::SpamTest {
                percent,
                matcher,
                value,
            } => {
                let score = self.score(
                    self.context.spamtest.as_ref(),
                    if *percent {
                        Scale::Percent
                    } else {
                        Scale::Spam
                    },
                );
                let keys = std::slice::from_ref(value);
                self.match_values(*matcher, vec![score], keys, position, "spamtest")?
            }
            TestKind::VirusTest { matcher, value } => {
                let score = self.score(self.context.virustest.as_ref(), Scale::Virus);
                let keys = std::slice::from_ref(value);
                self.match_values(*matcher, vec![score], keys, position, "virustest")?
            }
            TestKind::Body {
                transform,
                matcher,
                keys,
            } => {
                let values = self.body_values(transform, position)?;
                self.match_values(*matcher, values, keys, position, "body")?
            }
            TestKind::HasFlag {
                matcher,
                variables,
                keys,
            } => {
                let flags = if variables.is_empty() {
                    self.flags.clone()
                } else {
                    split_flags(
                        &variables
                            .iter()
                            .map(|v| self.variables.get(v).cloned().unwrap_or_default())
                            .collect::<Vec<_>>(),
                    )
                };
                self.match_values(*matcher, flags, keys, position, "hasflag")?
            }
            TestKind::ValidExtList(names) => {
                let mut valid = true;
                for name in self.expand_all(names, position)? {
                    // RFC 6134 §2.7: exactly the validation of `:list`.
                    let Ok(list) = ListName::parse(&name) else {
                        valid = false;
                        break;
                    };
                    match self.context.lists.is_valid(&list) {
                        Ok(true) => {}
                        Ok(false) => {
                            valid = false;
                            break;
                        }
                        Err(e) if e.is_temporary() => {
                            return Err(self.list_error(&list, e, position));
                        }
                        Err(_) => {
                            valid = false;
                            break;
                        }
                    }
                }
                valid
            }
            TestKind::ValidNotifyMethod(methods) => self
                .expand_all(methods, position)?
                .iter()
                .all(|m| is_valid_notify_method(m)),
            TestKind::NotifyMethodCapability {
                method,
                capability,
                matcher,
                keys,
            } => {
                let method = self.expand(method, position)?;
                let capability = self.expand(capability, position)?;
                if !is_valid_notify_method(&method) {
                    false
                } else {
                    // RFC 5435 §5: "online" is the one defined capability; we cannot know
                    // presence, so it is "maybe".
                    let values = if capability.eq_ignore_ascii_case("online") {
                        vec!["maybe".to_owned()]
                    } else {
                        Vec::new()
                    };
                    self.match_values(*matcher, values, keys, position, "notify_method_capability")?
                }
            }
            TestKind::IHave(supported) => *supported,
        };
        let name = test_name(&test.kind);
        self.record(position, name, result, String::new);
        Ok(result)
    }

    /// The parts a header/address/exists test reads (RFC 5703 §4.1).
    fn mime_parts(&mut self, mime: &MimeOptions, position: Position) -> Result<Vec<usize>, Error> {
        if !mime.mime {
            return Ok(vec![0]);
        }
        let mut parts = vec![self.current_part];
        if mime.anychild {
            if self.view.truncated {
                return Err(self.limit(position, "max_mime_parts"));
            }
            let descendants = self.view.descendants(self.current_part);
            self.parts_visited += descendants.len();
            if self.parts_visited > self.context.limits.max_mime_parts {
                return Err(self.limit(position, "max_mime_parts"));
            }
            parts.extend(descendants);
        }
        Ok(parts)
    }

    fn header_values(
        &mut self,
        mime: &MimeOptions,
        index: Option<Index>,
        headers: &[Template],
        position: Position,
    ) -> Result<Vec<String>, Error> {
        let parts = self.mime_parts(mime, position)?;
        let params = match &mime.option {
            Some(MimeOption::Param(names)) => self.expand_all(names, position)?,
            _ => Vec::new(),
        };
        let mut values = Vec::new();
        for name in self.expand_all(headers, position)? {
            for &p in &parts {
                for raw in select(self.view.raw_fields(p, &name), index) {
                    match &mime.option {
                        None => values.push(decode_unstructured(raw)),
                        Some(MimeOption::Param(_)) => {
                            if let Some(parsed) = decode_parameterized(raw) {
                                for (param, value) in parsed.params {
                                    if params.iter().any(|p| p.eq_ignore_ascii_case(&param)) {
                                        values.push(value);
                                    }
                                }
                            }
                        }
                        Some(option) => {
                            // :type, :subtype, :contenttype apply to Content-Type only.
                            if !name.eq_ignore_ascii_case("content-type") {
                                continue;
                            }
                            if let Some(parsed) = decode_parameterized(raw) {
                                let sub = parsed.sub.unwrap_or_default();
                                values.push(match option {
                                    MimeOption::Type => parsed.main,
                                    MimeOption::Subtype => sub,
                                    _ => format!("{}/{}", parsed.main, sub),
                                });
                            }
                        }
                    }
                }
            }
        }
        Ok(values)
    }

    fn body_values(
        &mut self,
        transform: &BodyTransform,
        position: Position,
    ) -> Result<Vec<String>, Error> {
        if self.view.truncated {
            return Err(self.limit(position, "max_mime_parts"));
        }
        let view = &self.view;
        let parts: Vec<usize> = std::iter::once(0).chain(view.descendants(0)).collect();
        self.parts_visited += parts.len();
        if self.parts_visited > self.context.limits.max_mime_parts {
            return Err(self.limit(position, "max_mime_parts"));
        }
        Ok(match transform {
            BodyTransform::Raw => {
                vec![String::from_utf8_lossy(&view.raw[view.body_offset..]).into_owned()]
            }
            BodyTransform::Text => parts
                .iter()
                .filter_map(|&p| view.parts.get(p))
                .filter(|p| p.children.is_empty() && p.content_type.0 == "text")
                .filter_map(|p| p.text.clone())
                .collect(),
            BodyTransform::Content(types) => {
                let types = self.expand_all(types, position)?;
                let view = &self.view;
                parts
                    .iter()
                    .filter_map(|&p| view.parts.get(p))
                    .filter(|p| p.children.is_empty())
                    .filter(|p| {
                        let (main, sub) = &p.content_type;
                        types.iter().any(|t| match t.split_once('/') {
                            _ if t.is_empty() => true,
                            Some((m, s)) => {
                                m.eq_ignore_ascii_case(main) && s.eq_ignore_ascii_case(sub)
                            }
                            None => t.eq_ignore_ascii_case(main),
                        })
                    })
                    .filter_map(|p| p.text.clone())
                    .collect()
            }
        })
    }

    /// RFC 5235: "0" when untested; spamtest 1 (not spam) … 10 (spam), i.e.
    /// 1 + ⌊9 · score / max⌋; :percent 0…100; virustest 1 (clean) … 5 (infected).
    fn score(&self, source: Option<&ScoreSource>, scale: Scale) -> String {
        let Some(source) = source else {
            return "0".into();
        };
        let Some(raw) = self.view.raw_fields(0, &source.header).first().copied() else {
            return "0".into();
        };
        let text = decode_unstructured(raw);
        let number: String = text
            .trim()
            .chars()
            .take_while(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+'))
            .collect();
        let Ok(score) = number.parse::<f64>() else {
            return "0".into();
        };
        if !score.is_finite() || source.max <= 0.0 {
            return "0".into();
        }
        let ratio = (score / source.max).clamp(0.0, 1.0);
        let value = match scale {
            Scale::Spam => 1.0 + (9.0 * ratio).floor(),
            Scale::Percent => (100.0 * ratio).round(),
            Scale::Virus => 1.0 + (4.0 * ratio).floor(),
        };
        format!("{}", value as u32)
    }

    /// Matches values against keys under the matcher; sets match variables on success.
    fn match_values(
        &mut self,
        matcher: Matcher,
        values: Vec<String>,
        keys: &[Template],
        position: Position,
        name: &str,
    ) -> Result<bool, Error> {
        let keys = self.expand_all(keys, position)?;
        let comparator = matcher.comparator;
        let exceeded = |this: &Self, _: WorkExceeded| this.limit(position, "max_match_work");
        let matched = match matcher.kind {
            MatchKind::List => return self.list_match(&values, &keys, position, name),
            MatchKind::Count(relation) => {
                let count = values.len().to_string();
                keys.iter()
                    .any(|k| relation.holds(matching::order(&count, k, comparator)))
            }
            MatchKind::Value(relation) => values.iter().any(|v| {
                keys.iter()
                    .any(|k| relation.holds(matching::order(v, k, comparator)))
            }),
            MatchKind::Is => values
                .iter()
                .any(|v| keys.iter().any(|k| matching::equals(v, k, comparator))),
            MatchKind::Contains => {
                let mut found = false;
                'outer: for v in &values {
                    for k in &keys {
                        if matching::contains(v, k, comparator, &mut self.budget)
                            .map_err(|e| exceeded(self, e))?
                        {
                            found = true;
                            break 'outer;
                        }
                    }
                }
                found
            }
            MatchKind::Matches => {
                let captures = self.program.variables;
                let mut found = false;
                'outer: for v in &values {
                    for k in &keys {
                        if let Some(groups) =
                            matching::matches(v, k, comparator, captures, &mut self.budget)
                                .map_err(|e| exceeded(self, e))?
                        {
                            // RFC 5229 §3.2: ${0} is the whole value, ${1}… the wildcards.
                            if captures {
                                self.match_values =
                                    std::iter::once(v.clone()).chain(groups).collect();
                            }
                            found = true;
                            break 'outer;
                        }
                    }
                }
                found
            }
        };
        Ok(matched)
    }

    /// RFC 6134 §2.2: values trimmed, each list queried in turn, stopping at the first member;
    /// `${0}` becomes the list entry that matched.
    fn list_match(
        &mut self,
        values: &[String],
        keys: &[String],
        position: Position,
        test: &str,
    ) -> Result<bool, Error> {
        let trimmed: Vec<&str> = values
            .iter()
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
            .collect();
        for key in keys {
            let list = ListName::parse(key).map_err(|e| Self::runtime(position, e.to_string()))?;
            if trimmed.is_empty() {
                continue;
            }
            self.list_queries += trimmed.len();
            if self.list_queries > self.context.limits.max_list_queries {
                return Err(self.limit(position, "max_list_queries"));
            }
            let deadline = Instant::now() + self.context.limits.list_timeout;
            let answer = self.context.lists.find_first(&list, &trimmed, deadline);
            let answer = self
                .check_deadline(answer, deadline)
                .map_err(|e| self.list_error(&list, e, position))?;
            if let Some(found) = answer {
                if self.program.variables {
                    self.match_values = vec![found.entry.clone()];
                }
                let value = trimmed
                    .get(found.value_index)
                    .copied()
                    .unwrap_or_default()
                    .to_owned();
                self.record(position, test, true, || {
                    format!("\"{value}\" is on {} as \"{}\"", list.key(), found.entry)
                });
                return Ok(true);
            }
        }
        Ok(false)
    }
}

#[derive(Clone, Copy)]
enum Scale {
    Spam,
    Percent,
    Virus,
}

/// `:index N [:last]` (RFC 5260 §6): the Nth field, counting from the end with `:last`.
fn select(fields: Vec<&[u8]>, index: Option<Index>) -> Vec<&[u8]> {
    match index {
        None => fields,
        Some(Index { n, last }) => {
            let n = usize::try_from(n).unwrap_or(usize::MAX);
            let chosen = if last {
                fields.len().checked_sub(n).and_then(|i| fields.get(i))
            } else {
                fields.get(n - 1)
            };
            chosen.copied().into_iter().collect()
        }
    }
}

/// RFC 5228 §2.7.4 and RFC 5233 §4 (separator "+").
fn address_part(address: &str, part: AddressPart) -> Option<String> {
    let (local, domain) = match address.rsplit_once('@') {
        Some((l, d)) => (l, d),
        None => (address, ""),
    };
    Some(match part {
        AddressPart::All => address.to_owned(),
        AddressPart::LocalPart => local.to_owned(),
        AddressPart::Domain => domain.to_owned(),
        AddressPart::User => local.split_once('+').map_or(local, |(u, _)| u).to_owned(),
        AddressPart::Detail => local.split_once('+')?.1.to_owned(),
    })
}

fn test_name(kind: &TestKind) -> &'static str {
    match kind {
        TestKind::True => "true",
        TestKind::False => "false",
        TestKind::Not(_) => "not",
        TestKind::AllOf(_) => "allof",
        TestKind::AnyOf(_) => "anyof",
        TestKind::Address { .. } => "address",
        TestKind::Envelope { .. } => "envelope",
        TestKind::Header { .. } => "header",
        TestKind::Exists { .. } => "exists",
        TestKind::Size { .. } => "size",
        TestKind::String { .. } => "string",
        TestKind::Date { .. } => "date",
        TestKind::CurrentDate { .. } => "currentdate",
        TestKind::SpamTest { .. } => "spamtest",
        TestKind::VirusTest { .. } => "virustest",
        TestKind::Body { .. } => "body",
        TestKind::HasFlag { .. } => "hasflag",
        TestKind::ValidExtList(_) => "valid_ext_list",
        TestKind::ValidNotifyMethod(_) => "valid_notify_method",
        TestKind::NotifyMethodCapability { .. } => "notify_method_capability",
        TestKind::IHave(_) => "ihave",
    }
}
