//! Limits against hostile scripts and hostile messages. Every field has a safe default, and
//! hitting one is an error naming the field ([`crate::CompileErrorKind::Limit`] at compile
//! time, [`crate::Error::Limit`] during evaluation), never a panic or a silent truncation.

use std::time::Duration;

/// Bounds on compiling and evaluating one script.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Script text, in bytes.
    pub max_script_bytes: usize,
    /// Nesting of blocks and of tests inside `allof`/`anyof`/`not`.
    pub max_nesting: usize,
    /// One string literal, and any string built at run time by variable expansion.
    pub max_string_bytes: usize,
    /// Distinct variables a script may set (RFC 5229).
    pub max_variables: usize,
    /// The value of one variable, in bytes (longer values are an error, not truncated).
    pub max_variable_bytes: usize,
    /// Work spent on `:matches`/`:contains` per evaluation, counted in comparison steps; the
    /// matcher is linear-times-pattern, never exponential, and this bounds the total.
    pub max_match_work: u64,
    /// The message, in bytes.
    pub max_message_bytes: usize,
    /// MIME parts visited (`foreverypart`, `header :mime :anychild`, `body`).
    pub max_mime_parts: usize,
    /// Actions one evaluation may produce.
    pub max_actions: usize,
    /// Redirects one evaluation may produce, counting each member of a `redirect :list`.
    pub max_redirects: usize,
    /// Values sent to list backends per evaluation (each value of each `:list` test).
    pub max_list_queries: usize,
    /// Members a `redirect :list` may expand to (RFC 6134 §3).
    pub max_list_recipients: usize,
    /// How long one list query may take before it counts as a temporary failure.
    pub list_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_script_bytes: 1 << 20,
            max_nesting: 32,
            max_string_bytes: 64 * 1024,
            max_variables: 256,
            max_variable_bytes: 64 * 1024,
            max_match_work: 4_000_000,
            max_message_bytes: 64 << 20,
            max_mime_parts: 256,
            max_actions: 64,
            max_redirects: 16,
            max_list_queries: 256,
            max_list_recipients: 100,
            list_timeout: Duration::from_secs(5),
        }
    }
}
