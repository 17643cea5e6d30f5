//! What the host supplies for one evaluation: the envelope, the lists, the clock, where the
//! spam and virus scores are, limits, and whether to trace.

use crate::limits::Limits;
use crate::lists::ListResolver;

/// The SMTP envelope of the delivery (RFC 5228 §5.4).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Envelope {
    /// MAIL FROM; empty for the null reverse-path `<>`; `None` when unknown (the `envelope`
    /// test is then false for "from").
    pub from: Option<String>,
    /// RCPT TO of this delivery.
    pub to: Option<String>,
    /// The authenticated identity (AUTH), if any.
    pub auth: Option<String>,
}

/// The current time for `currentdate` (RFC 5260 §5) and the default zone of `date`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Clock {
    /// The system clock, in UTC.
    #[default]
    System,
    /// A fixed instant: seconds since the Unix epoch, and the local zone's offset from UTC in
    /// minutes (for `currentdate` without `:zone`).
    Fixed {
        /// Seconds since 1970-01-01T00:00:00Z.
        unix: i64,
        /// Local offset from UTC, in minutes (e.g. 60 for +0100).
        offset_minutes: i32,
    },
}

/// Where a spam or virus score comes from (RFC 5235): a header field the host's filter adds,
/// holding a number from 0 to `max`.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreSource {
    /// The header field name (`X-Spam-Score`).
    pub header: String,
    /// The score that means "certainly spam" (spamtest) or the highest virustest value.
    pub max: f64,
}

/// Everything an evaluation needs besides the script and the message.
#[derive(Clone)]
#[non_exhaustive]
pub struct Context<'a> {
    /// The envelope.
    pub envelope: Envelope,
    /// The lists `:list`, `redirect :list` and `valid_ext_list` query.
    pub lists: &'a dyn ListResolver,
    /// The clock.
    pub clock: Clock,
    /// Evaluation limits.
    pub limits: Limits,
    /// The spamtest score header; without it spamtest reports "not tested" (0).
    pub spamtest: Option<ScoreSource>,
    /// The virustest score header (values 1–5 as RFC 5235 §3.2 defines them).
    pub virustest: Option<ScoreSource>,
    /// When set, redirects (including each member of a `redirect :list`) may go only to these
    /// domains (RFC 6134 §3); another address is a runtime error.
    pub redirect_domains: Option<Vec<String>>,
    /// Record a [`crate::TraceEvent`] for each test.
    pub trace: bool,
}

impl<'a> Context<'a> {
    /// A context with the given lists, no envelope, the system clock and default limits.
    pub fn new(lists: &'a dyn ListResolver) -> Self {
        Self {
            envelope: Envelope::default(),
            lists,
            clock: Clock::System,
            limits: Limits::default(),
            spamtest: None,
            virustest: None,
            redirect_domains: None,
            trace: false,
        }
    }

    /// Sets the envelope sender and recipient.
    pub fn with_envelope(mut self, from: Option<&str>, to: Option<&str>) -> Self {
        self.envelope.from = from.map(str::to_owned);
        self.envelope.to = to.map(str::to_owned);
        self
    }

    /// Uses a fixed clock.
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// Uses these limits.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Reads the spam score from `header`, `max` meaning certainly spam.
    pub fn with_spamtest(mut self, header: &str, max: f64) -> Self {
        self.spamtest = Some(ScoreSource {
            header: header.to_owned(),
            max,
        });
        self
    }

    /// Reads the virus score from `header`.
    pub fn with_virustest(mut self, header: &str, max: f64) -> Self {
        self.virustest = Some(ScoreSource {
            header: header.to_owned(),
            max,
        });
        self
    }

    /// Restricts redirects to these domains.
    pub fn with_redirect_domains(mut self, domains: Vec<String>) -> Self {
        self.redirect_domains = Some(domains);
        self
    }

    /// Records a trace.
    pub fn with_trace(mut self, trace: bool) -> Self {
        self.trace = trace;
        self
    }
}
