//! The parser (RFC 5228 §8.2): commands, arguments, tests and blocks, into a syntax tree that
//! the compiler then checks against the command and test definitions.

use crate::error::{CompileError, CompileErrorKind, Position};
use crate::lexer::{Spanned, Token};
use crate::limits::Limits;

/// `command = identifier arguments (";" / block)`
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Command {
    pub(crate) name: String,
    pub(crate) position: Position,
    pub(crate) arguments: Vec<Argument>,
    pub(crate) tests: Vec<Test>,
    /// Whether the tests were written as a parenthesized test-list.
    pub(crate) test_list: bool,
    pub(crate) block: Option<Vec<Command>>,
}

/// `test = identifier arguments`
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Test {
    pub(crate) name: String,
    pub(crate) position: Position,
    pub(crate) arguments: Vec<Argument>,
    pub(crate) tests: Vec<Test>,
    pub(crate) test_list: bool,
}

/// `argument = string-list / number / tag`
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Argument {
    Tag(String, Position),
    Number(u64, Position),
    /// A single string (`list` false) or a bracketed string list.
    Strings {
        values: Vec<String>,
        list: bool,
        position: Position,
    },
}

impl Argument {
    pub(crate) fn position(&self) -> Position {
        match self {
            Argument::Tag(_, p) | Argument::Number(_, p) => *p,
            Argument::Strings { position, .. } => *position,
        }
    }
}

struct Parser<'a> {
    tokens: &'a [Spanned],
    index: usize,
    limits: &'a Limits,
    end: Position,
}

/// Parses a token stream into commands.
pub(crate) fn parse(
    tokens: &[Spanned],
    limits: &Limits,
    end: Position,
) -> Result<Vec<Command>, CompileError> {
    let mut parser = Parser {
        tokens,
        index: 0,
        limits,
        end,
    };
    let commands = parser.commands(0)?;
    if let Some(extra) = parser.peek() {
        return Err(syntax(extra.position, "unexpected \"}\""));
    }
    Ok(commands)
}

fn syntax(position: Position, message: impl Into<String>) -> CompileError {
    CompileError::new(position, CompileErrorKind::Syntax(message.into()))
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Spanned> {
        self.tokens.get(self.index)
    }

    fn next(&mut self) -> Option<&Spanned> {
        let token = self.tokens.get(self.index);
        self.index += 1;
        token
    }

    fn here(&self) -> Position {
        self.peek().map_or(self.end, |t| t.position)
    }

    fn check_depth(&self, depth: usize) -> Result<(), CompileError> {
        if depth > self.limits.max_nesting {
            return Err(CompileError::new(
                self.here(),
                CompileErrorKind::Limit {
                    limit: "max_nesting",
                    max: self.limits.max_nesting as u64,
                },
            ));
        }
        Ok(())
    }

    /// `commands = *command`, up to a `}` or the end.
    fn commands(&mut self, depth: usize) -> Result<Vec<Command>, CompileError> {
        self.check_depth(depth)?;
        let mut commands = Vec::new();
        while let Some(token) = self.peek() {
            match &token.token {
                Token::RightBrace => break,
                Token::Identifier(_) => commands.push(self.command(depth)?),
                _ => return Err(syntax(token.position, "expected a command")),
            }
        }
        Ok(commands)
    }

    fn command(&mut self, depth: usize) -> Result<Command, CompileError> {
        let (name, position) = match self.next() {
            Some(Spanned {
                token: Token::Identifier(name),
                position,
            }) => (name.clone(), *position),
            _ => return Err(syntax(self.end, "expected a command")),
        };
        let (arguments, tests, test_list) = self.arguments(depth)?;
        let block = match self.next() {
            Some(Spanned {
                token: Token::Semicolon,
                ..
            }) => None,
            Some(Spanned {
                token: Token::LeftBrace,
                ..
            }) => {
                let block = self.commands(depth + 1)?;
                match self.next() {
                    Some(Spanned {
                        token: Token::RightBrace,
                        ..
                    }) => Some(block),
                    _ => {
                        return Err(syntax(
                            self.end,
                            format!("block of \"{name}\" is not closed with \"}}\""),
                        ));
                    }
                }
            }
            Some(other) => {
                let position = other.position;
                return Err(syntax(
                    position,
                    format!("expected \";\" or \"{{\" after \"{name}\""),
                ));
            }
            None => return Err(syntax(self.end, format!("expected \";\" after \"{name}\""))),
        };
        Ok(Command {
            name,
            position,
            arguments,
            tests,
            test_list,
            block,
        })
    }

    /// `arguments = *argument [ test / test-list ]`
    fn arguments(
        &mut self,
        depth: usize,
    ) -> Result<(Vec<Argument>, Vec<Test>, bool), CompileError> {
        let mut arguments = Vec::new();
        while let Some(token) = self.peek() {
            let position = token.position;
            match &token.token {
                Token::Tag(tag) => {
                    arguments.push(Argument::Tag(tag.clone(), position));
                    self.index += 1;
                }
                Token::Number(n) => {
                    arguments.push(Argument::Number(*n, position));
                    self.index += 1;
                }
                Token::String(s) => {
                    arguments.push(Argument::Strings {
                        values: vec![s.clone()],
                        list: false,
                        position,
                    });
                    self.index += 1;
                }
                Token::LeftBracket => {
                    self.index += 1;
                    arguments.push(Argument::Strings {
                        values: self.string_list()?,
                        list: true,
                        position,
                    });
                }
                _ => break,
            }
        }
        let (tests, test_list) = match self.peek().map(|t| &t.token) {
            Some(Token::Identifier(_)) => (vec![self.test(depth + 1)?], false),
            Some(Token::LeftParen) => {
                self.index += 1;
                (self.test_list(depth + 1)?, true)
            }
            _ => (Vec::new(), false),
        };
        Ok((arguments, tests, test_list))
    }

    /// `string-list = "[" string *("," string) "]"` (the `[` already taken).
    fn string_list(&mut self) -> Result<Vec<String>, CompileError> {
        let mut values = Vec::new();
        loop {
            match self.next() {
                Some(Spanned {
                    token: Token::String(s),
                    ..
                }) => values.push(s.clone()),
                Some(other) => {
                    return Err(syntax(
                        other.position,
                        "expected a string in the string list",
                    ));
                }
                None => return Err(syntax(self.end, "unterminated string list")),
            }
            match self.next() {
                Some(Spanned {
                    token: Token::Comma,
                    ..
                }) => {}
                Some(Spanned {
                    token: Token::RightBracket,
                    ..
                }) => return Ok(values),
                Some(other) => {
                    return Err(syntax(
                        other.position,
                        "expected \",\" or \"]\" in the string list",
                    ));
                }
                None => return Err(syntax(self.end, "unterminated string list")),
            }
        }
    }

    fn test(&mut self, depth: usize) -> Result<Test, CompileError> {
        self.check_depth(depth)?;
        let (name, position) = match self.next() {
            Some(Spanned {
                token: Token::Identifier(name),
                position,
            }) => (name.clone(), *position),
            Some(other) => return Err(syntax(other.position, "expected a test")),
            None => return Err(syntax(self.end, "expected a test")),
        };
        let (arguments, tests, test_list) = self.arguments(depth)?;
        Ok(Test {
            name,
            position,
            arguments,
            tests,
            test_list,
        })
    }

    /// `test-list = "(" test *("," test) ")"` (the `(` already taken).
    fn test_list(&mut self, depth: usize) -> Result<Vec<Test>, CompileError> {
        let mut tests = vec![self.test(depth)?];
        loop {
            match self.next() {
                Some(Spanned {
                    token: Token::Comma,
                    ..
                }) => tests.push(self.test(depth)?),
                Some(Spanned {
                    token: Token::RightParen,
                    ..
                }) => return Ok(tests),
                Some(other) => {
                    return Err(syntax(
                        other.position,
                        "expected \",\" or \")\" in the test list",
                    ));
                }
                None => return Err(syntax(self.end, "unterminated test list")),
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::lexer::tokenize;

    fn parse_str(s: &str) -> Result<Vec<Command>, CompileError> {
        let limits = Limits::default();
        parse(
            &tokenize(s, &limits)?,
            &limits,
            Position {
                line: 99,
                column: 1,
            },
        )
    }

    #[test]
    fn nested_structure() {
        let commands = parse_str("if anyof (not exists \"x\", header :is \"a\" [\"b\", \"c\"]) { keep; } else { discard; }").unwrap();
        assert_eq!(commands.len(), 2);
        assert_eq!(commands[0].tests[0].name, "anyof");
        assert_eq!(commands[0].tests[0].tests.len(), 2);
        assert_eq!(commands[1].name, "else");
    }

    #[test]
    fn syntax_errors() {
        for bad in [
            "keep",
            "keep }",
            "if true { keep;",
            "x [\"a\" \"b\"];",
            "x [];",
            "x (",
        ] {
            assert!(parse_str(bad).is_err(), "{bad}");
        }
        assert_eq!(
            parse_str("keep;\nkeep ];").unwrap_err().position,
            Position { line: 2, column: 6 }
        );
    }

    #[test]
    fn nesting_limit() {
        let limits = Limits {
            max_nesting: 3,
            ..Limits::default()
        };
        let deep = "if true { if true { if true { if true { keep; } } } }";
        let e = parse(
            &tokenize(deep, &limits).unwrap(),
            &limits,
            Position::default(),
        )
        .unwrap_err();
        assert!(matches!(
            e.kind,
            CompileErrorKind::Limit {
                limit: "max_nesting",
                ..
            }
        ));
        let deep_tests = "if not not not not true { keep; }";
        let e = parse(
            &tokenize(deep_tests, &limits).unwrap(),
            &limits,
            Position::default(),
        )
        .unwrap_err();
        assert!(matches!(
            e.kind,
            CompileErrorKind::Limit {
                limit: "max_nesting",
                ..
            }
        ));
    }
}
