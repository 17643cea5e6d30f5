//! Comparators (RFC 4790: i;octet, i;ascii-casemap, i;ascii-numeric) and match types
//! (RFC 5228 §2.7.1 :is/:contains/:matches, RFC 5231 :value/:count).
//!
//! `:matches` runs in time proportional to pattern × value and never backtracks
//! exponentially: a table says which pattern suffix matches which value suffix, and the
//! captures are read off it with each wildcard taking as little as possible (RFC 5229 §3.2).

use std::cmp::Ordering;

use crate::program::Comparator;

/// The work budget of one evaluation was spent.
#[derive(Debug)]
pub(crate) struct WorkExceeded;

/// Counts work against `max_match_work`.
pub(crate) struct Budget {
    pub(crate) spent: u64,
    pub(crate) max: u64,
}

impl Budget {
    pub(crate) fn spend(&mut self, amount: u64) -> Result<(), WorkExceeded> {
        self.spent = self.spent.saturating_add(amount);
        if self.spent > self.max {
            Err(WorkExceeded)
        } else {
            Ok(())
        }
    }
}

fn fold(c: char, comparator: Comparator) -> char {
    if comparator == Comparator::Octet {
        c
    } else {
        c.to_ascii_lowercase()
    }
}

/// Equality under the comparator.
pub(crate) fn equals(value: &str, key: &str, comparator: Comparator) -> bool {
    match comparator {
        Comparator::Octet => value == key,
        Comparator::AsciiCasemap => value.eq_ignore_ascii_case(key),
        Comparator::AsciiNumeric => numeric_order(value, key) == Ordering::Equal,
    }
}

/// Ordering under the comparator (RFC 5231 :value).
pub(crate) fn order(value: &str, key: &str, comparator: Comparator) -> Ordering {
    match comparator {
        Comparator::Octet => value.as_bytes().cmp(key.as_bytes()),
        Comparator::AsciiCasemap => value
            .bytes()
            .map(|b| b.to_ascii_lowercase())
            .cmp(key.bytes().map(|b| b.to_ascii_lowercase())),
        Comparator::AsciiNumeric => numeric_order(value, key),
    }
}

/// RFC 4790 §9.1: the leading digits are the number; a string that does not start with a
/// digit is positive infinity. Compared as digit strings, so any length works.
fn numeric_order(a: &str, b: &str) -> Ordering {
    fn digits(s: &str) -> Option<&str> {
        let end = s
            .bytes()
            .position(|b| !b.is_ascii_digit())
            .unwrap_or(s.len());
        if end == 0 {
            return None;
        }
        let d = s[..end].trim_start_matches('0');
        Some(d)
    }
    match (digits(a), digits(b)) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Greater,
        (Some(_), None) => Ordering::Less,
        (Some(x), Some(y)) => x.len().cmp(&y.len()).then_with(|| x.cmp(y)),
    }
}

/// Substring under the comparator.
pub(crate) fn contains(
    value: &str,
    key: &str,
    comparator: Comparator,
    budget: &mut Budget,
) -> Result<bool, WorkExceeded> {
    budget.spend(value.len() as u64 + key.len() as u64)?;
    Ok(match comparator {
        Comparator::Octet => value.contains(key),
        _ => value
            .to_ascii_lowercase()
            .contains(&key.to_ascii_lowercase()),
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    Literal(char),
    One,
    Any,
}

fn tokens(pattern: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        out.push(match c {
            '*' => Token::Any,
            '?' => Token::One,
            // RFC 5228 §2.7.1: a backslash quotes the next character.
            '\\' => match chars.next() {
                Some(next) => Token::Literal(next),
                None => Token::Literal('\\'),
            },
            other => Token::Literal(other),
        });
    }
    out
}

/// `:matches`: `None` when the value does not match, else the wildcard captures (one per `*`
/// and `?`, RFC 5229 §3.2), which are only collected when `captures` is set.
pub(crate) fn matches(
    value: &str,
    pattern: &str,
    comparator: Comparator,
    captures: bool,
    budget: &mut Budget,
) -> Result<Option<Vec<String>>, WorkExceeded> {
    let pattern = tokens(pattern);
    let text: Vec<char> = value.chars().collect();
    let (p, n) = (pattern.len(), text.len());
    budget.spend(((p + 1) as u64).saturating_mul((n + 1) as u64))?;
    // table[i * (n + 1) + j]: pattern[i..] matches text[j..].
    let width = n + 1;
    let mut table = vec![false; (p + 1) * width];
    table[p * width + n] = true;
    for i in (0..p).rev() {
        for j in (0..=n).rev() {
            let cell = match pattern[i] {
                Token::Any => table[(i + 1) * width + j] || (j < n && table[i * width + j + 1]),
                Token::One => j < n && table[(i + 1) * width + j + 1],
                Token::Literal(c) => {
                    j < n
                        && fold(c, comparator) == fold(text[j], comparator)
                        && table[(i + 1) * width + j + 1]
                }
            };
            table[i * width + j] = cell;
        }
    }
    if !table[0] {
        return Ok(None);
    }
    if !captures {
        return Ok(Some(Vec::new()));
    }
    let mut groups = Vec::new();
    let mut j = 0;
    for (i, token) in pattern.iter().enumerate() {
        match token {
            Token::Any => {
                // As little as possible: the first end from which the rest still matches.
                let mut k = j;
                while !table[(i + 1) * width + k] {
                    k += 1;
                }
                groups.push(text[j..k].iter().collect());
                j = k;
            }
            Token::One => {
                groups.push(text[j].to_string());
                j += 1;
            }
            Token::Literal(_) => j += 1,
        }
    }
    Ok(Some(groups))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn budget() -> Budget {
        Budget {
            spent: 0,
            max: u64::MAX,
        }
    }

    #[test]
    fn matches_and_captures() {
        let m = |v: &str, p: &str| {
            matches(v, p, Comparator::AsciiCasemap, true, &mut budget()).unwrap()
        };
        assert_eq!(
            m("from a (mail [192.0.2.10]) by b", "*(* [*.*.*.*])*").unwrap(),
            ["from a ", "mail", "192", "0", "2", "10", " by b"]
        );
        assert_eq!(m("abc", "a?c").unwrap(), ["b"]);
        assert_eq!(m("aXbXc", "*x*").unwrap(), ["a", "bXc"]);
        assert!(m("abc", "a?").is_none());
        assert!(m("a*c", "a\\*c").is_some());
        assert!(m("abc", "a\\*c").is_none());
        assert!(m("", "*").is_some());
        assert!(
            matches("ABC", "abc", Comparator::Octet, false, &mut budget())
                .unwrap()
                .is_none()
        );
    }

    /// Hostile patterns stay polynomial and are bounded by the budget.
    #[test]
    fn no_exponential_backtracking() {
        let value = "a".repeat(3000);
        let pattern = format!("{}b", "*a".repeat(30));
        assert!(
            matches(&value, &pattern, Comparator::Octet, true, &mut budget())
                .unwrap()
                .is_none()
        );
        let mut small = Budget {
            spent: 0,
            max: 1000,
        };
        assert!(matches(&value, &pattern, Comparator::Octet, true, &mut small).is_err());
    }

    #[test]
    fn comparators() {
        assert!(equals("ABC", "abc", Comparator::AsciiCasemap));
        assert!(!equals("ABC", "abc", Comparator::Octet));
        assert!(equals("007", "7", Comparator::AsciiNumeric));
        assert!(equals("x", "y", Comparator::AsciiNumeric));
        assert_eq!(
            order("10", "9", Comparator::AsciiNumeric),
            Ordering::Greater
        );
        assert_eq!(
            order("x", "99999", Comparator::AsciiNumeric),
            Ordering::Greater
        );
        assert_eq!(order("10", "9", Comparator::Octet), Ordering::Less);
        assert!(
            contains(
                "Hello World",
                "WORLD",
                Comparator::AsciiCasemap,
                &mut budget()
            )
            .unwrap()
        );
    }
}
