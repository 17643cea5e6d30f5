//! The executable form of a script: commands and tests with their arguments checked and
//! resolved, strings pre-split into literal text and variable references.

use crate::error::Position;

/// A string as the script wrote it: literal text and, with "variables", references to be
/// expanded at run time (RFC 5229 §3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Template {
    pub(crate) parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Part {
    Literal(String),
    /// `${name}`, lower-cased (variable names are case-insensitive, RFC 5229 §3).
    Variable(String),
    /// `${N}`, a match variable (RFC 5229 §3.2).
    Match(usize),
}

impl Template {
    pub(crate) fn literal(s: &str) -> Self {
        Template {
            parts: vec![Part::Literal(s.to_owned())],
        }
    }

    /// The text when it has no variable references.
    pub(crate) fn as_constant(&self) -> Option<&str> {
        match &self.parts[..] {
            [] => Some(""),
            [Part::Literal(s)] => Some(s),
            _ => None,
        }
    }
}

/// How values are compared (RFC 4790; RFC 5228 §2.7.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Comparator {
    Octet,
    AsciiCasemap,
    AsciiNumeric,
}

/// Relational operators (RFC 5231 §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Relation {
    Gt,
    Ge,
    Lt,
    Le,
    Eq,
    Ne,
}

impl Relation {
    pub(crate) fn holds(self, ordering: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::*;
        match self {
            Relation::Gt => ordering == Greater,
            Relation::Ge => ordering != Less,
            Relation::Lt => ordering == Less,
            Relation::Le => ordering != Greater,
            Relation::Eq => ordering == Equal,
            Relation::Ne => ordering != Equal,
        }
    }
}

/// Match types (RFC 5228 §2.7.1, RFC 5231, RFC 6134 §2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MatchKind {
    Is,
    Contains,
    Matches,
    Value(Relation),
    Count(Relation),
    List,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Matcher {
    pub(crate) kind: MatchKind,
    pub(crate) comparator: Comparator,
}

/// Address parts (RFC 5228 §2.7.4, RFC 5233).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AddressPart {
    All,
    LocalPart,
    Domain,
    User,
    Detail,
}

/// `:index N [:last]` (RFC 5260 §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Index {
    pub(crate) n: u64,
    pub(crate) last: bool,
}

/// The MIME options of header/address/exists (RFC 5703 §4).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct MimeOptions {
    pub(crate) mime: bool,
    pub(crate) anychild: bool,
    pub(crate) option: Option<MimeOption>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum MimeOption {
    Type,
    Subtype,
    ContentType,
    Param(Vec<Template>),
}

/// The zone date parts are computed in (RFC 5260 §4.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Zone {
    Local,
    /// Offset from UTC in minutes.
    Fixed(i32),
    Original,
}

/// Body transforms (RFC 5173 §5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum BodyTransform {
    Raw,
    Content(Vec<Template>),
    Text,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Test {
    pub(crate) position: Position,
    pub(crate) kind: TestKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TestKind {
    True,
    False,
    Not(Box<Test>),
    AllOf(Vec<Test>),
    AnyOf(Vec<Test>),
    Address {
        mime: MimeOptions,
        index: Option<Index>,
        part: AddressPart,
        matcher: Matcher,
        headers: Vec<Template>,
        keys: Vec<Template>,
    },
    Envelope {
        part: AddressPart,
        matcher: Matcher,
        fields: Vec<Template>,
        keys: Vec<Template>,
    },
    Header {
        mime: MimeOptions,
        index: Option<Index>,
        matcher: Matcher,
        headers: Vec<Template>,
        keys: Vec<Template>,
    },
    Exists {
        mime: MimeOptions,
        headers: Vec<Template>,
    },
    Size {
        over: bool,
        limit: u64,
    },
    String {
        matcher: Matcher,
        sources: Vec<Template>,
        keys: Vec<Template>,
    },
    Date {
        zone: Zone,
        index: Option<Index>,
        matcher: Matcher,
        header: Template,
        part: Template,
        keys: Vec<Template>,
    },
    CurrentDate {
        zone: Zone,
        matcher: Matcher,
        part: Template,
        keys: Vec<Template>,
    },
    SpamTest {
        percent: bool,
        matcher: Matcher,
        value: Template,
    },
    VirusTest {
        matcher: Matcher,
        value: Template,
    },
    Body {
        transform: BodyTransform,
        matcher: Matcher,
        keys: Vec<Template>,
    },
    HasFlag {
        matcher: Matcher,
        variables: Vec<String>,
        keys: Vec<Template>,
    },
    ValidExtList(Vec<Template>),
    ValidNotifyMethod(Vec<Template>),
    NotifyMethodCapability {
        method: Template,
        capability: Template,
        matcher: Matcher,
        keys: Vec<Template>,
    },
    IHave(bool),
}

/// `set` modifiers (RFC 5229 §4.1, RFC 5435 §7), in the order they apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Modifier {
    Lower,
    Upper,
    LowerFirst,
    UpperFirst,
    QuoteWildcard,
    EncodeUrl,
    Length,
}

impl Modifier {
    /// RFC 5229 §4.1 (and RFC 5435 §7 for `:encodeurl`): modifiers of higher precedence apply
    /// first; `:lower`/`:upper` share one precedence, as do `:lowerfirst`/`:upperfirst`.
    pub(crate) fn precedence(self) -> u8 {
        match self {
            Modifier::Lower | Modifier::Upper => 40,
            Modifier::LowerFirst | Modifier::UpperFirst => 30,
            Modifier::QuoteWildcard => 20,
            Modifier::EncodeUrl => 15,
            Modifier::Length => 10,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FlagOperation {
    Set,
    Add,
    Remove,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Command {
    pub(crate) position: Position,
    pub(crate) kind: CommandKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CommandKind {
    If {
        branches: Vec<(Test, Vec<Command>)>,
        otherwise: Option<Vec<Command>>,
    },
    Stop,
    Keep {
        flags: Option<Vec<Template>>,
    },
    Discard,
    Fileinto {
        mailbox: Template,
        flags: Option<Vec<Template>>,
        copy: bool,
    },
    Redirect {
        target: Template,
        list: bool,
        copy: bool,
    },
    Set {
        name: String,
        value: Template,
        modifiers: Vec<Modifier>,
    },
    Reject {
        reason: Template,
        extended: bool,
    },
    Notify {
        method: Template,
        from: Option<Template>,
        importance: Option<Template>,
        options: Vec<Template>,
        message: Option<Template>,
    },
    ForEveryPart {
        name: Option<String>,
        body: Vec<Command>,
    },
    Break {
        name: Option<String>,
    },
    Enclose {
        subject: Option<Template>,
        headers: Vec<Template>,
        text: Template,
    },
    Flags {
        operation: FlagOperation,
        variable: Option<String>,
        flags: Vec<Template>,
    },
    Error {
        message: Template,
    },
}

/// A compiled script.
#[derive(Debug)]
pub(crate) struct Program {
    pub(crate) required: Vec<String>,
    pub(crate) commands: Vec<Command>,
    /// Whether "variables" is in effect (match variables are only kept then).
    pub(crate) variables: bool,
}
