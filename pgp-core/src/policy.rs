//! The policy every operation is given explicitly, the way sequoia passes its own: which
//! algorithms are acceptable (sequoia's `StandardPolicy`), at what time, and the input limits.

use std::time::SystemTime;

use sequoia_openpgp::policy::StandardPolicy;

use crate::limits::Limits;

/// What an operation accepts. Build one, keep it, pass it by reference.
///
/// Validity decisions (is this key alive, is this signature's hash acceptable) are sequoia's
/// [`StandardPolicy`]: SHA-1 data signatures, MD5, and keys too weak are rejected as it rejects
/// them, and its cut-off dates move with sequoia releases.
#[derive(Debug, Clone)]
pub struct PgpPolicy {
    standard: StandardPolicy<'static>,
    /// Input limits.
    pub limits: Limits,
    /// The time at which validity is judged; `None` means now.
    pub time: Option<SystemTime>,
}

impl Default for PgpPolicy {
    fn default() -> Self {
        PgpPolicy {
            standard: StandardPolicy::new(),
            limits: Limits::default(),
            time: None,
        }
    }
}

impl PgpPolicy {
    /// The default policy: sequoia's standard policy, default limits, judged now.
    pub fn new() -> Self {
        Self::default()
    }

    /// The same policy with other limits.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The same policy, judging validity at `time` (for tests and for re-checking old mail).
    pub fn at(mut self, time: SystemTime) -> Self {
        self.time = Some(time);
        self
    }

    /// The sequoia policy, for callers that use sequoia directly.
    pub fn standard(&self) -> &StandardPolicy<'static> {
        &self.standard
    }
}
