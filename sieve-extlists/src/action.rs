//! What an evaluation hands back to the host: the actions to carry out (the engine never
//! delivers or sends anything itself), an optional trace, and the enclosed message when
//! `enclose` rewrote it.

use crate::error::Position;

/// One action for the host to carry out (RFC 5228 §4, and the extensions' actions).
///
/// Serialized (serde) as an object with an `"action"` key and the arguments under
/// self-explanatory keys: `{"action":"fileinto","mailbox":"spam","flags":[],"copy":false}`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "action", rename_all = "lowercase")]
#[non_exhaustive]
pub enum Action {
    /// File into the user's main mailbox (RFC 5228 §4.3). `implicit` when no action
    /// cancelled the implicit keep (§2.10.2).
    Keep {
        /// IMAP flags to set on the stored message (RFC 5232).
        flags: Vec<String>,
        /// Whether this is the implicit keep.
        implicit: bool,
    },
    /// File into a named mailbox (RFC 5228 §4.1).
    Fileinto {
        /// The mailbox name.
        mailbox: String,
        /// IMAP flags (RFC 5232).
        flags: Vec<String>,
        /// `:copy` (RFC 3894): does not cancel the implicit keep.
        copy: bool,
    },
    /// Forward to an address (RFC 5228 §4.2), or to every member of a list that the list
    /// handler serves (`list` set, `address` absent; RFC 6134 §2.3 condition 2).
    Redirect {
        /// The recipient (absent when the list handler redirects).
        #[serde(skip_serializing_if = "Option::is_none")]
        address: Option<String>,
        /// The list this redirect came from (`redirect :list`).
        #[serde(skip_serializing_if = "Option::is_none")]
        list: Option<String>,
        /// `:copy` (RFC 3894).
        copy: bool,
    },
    /// Silently drop the message (RFC 5228 §4.4).
    Discard,
    /// Refuse the message with a non-delivery report (RFC 5429 §2.2).
    Reject {
        /// The text for the sender.
        reason: String,
    },
    /// Refuse the message at the SMTP level if possible (RFC 5429 §2.1).
    Ereject {
        /// The text for the sender.
        reason: String,
    },
    /// Send a notification (RFC 5435); the host sends it.
    Notify {
        /// The notification method URI (`mailto:`, `xmpp:`…).
        method: String,
        /// `:from`.
        #[serde(skip_serializing_if = "Option::is_none")]
        from: Option<String>,
        /// `:importance` 1 (high), 2 (normal, the default), 3 (low).
        importance: u8,
        /// `:options`.
        options: Vec<String>,
        /// `:message`.
        #[serde(skip_serializing_if = "Option::is_none")]
        message: Option<String>,
    },
    /// The message was enclosed in a new one (RFC 5703 §6); the deliveries above apply to the
    /// new message, which [`Outcome::message`] holds.
    Enclose {
        /// The new message's subject.
        subject: Option<String>,
        /// Extra header fields of the new message.
        headers: Vec<String>,
        /// The explanatory text.
        reason: String,
    },
}

impl Action {
    /// The action's name as in the JSON form (`keep`, `fileinto`, `redirect`…).
    pub fn name(&self) -> &'static str {
        match self {
            Action::Keep { .. } => "keep",
            Action::Fileinto { .. } => "fileinto",
            Action::Redirect { .. } => "redirect",
            Action::Discard => "discard",
            Action::Reject { .. } => "reject",
            Action::Ereject { .. } => "ereject",
            Action::Notify { .. } => "notify",
            Action::Enclose { .. } => "enclose",
        }
    }
}

/// One test evaluated, for debugging scripts ([`crate::Context::trace`]).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TraceEvent {
    /// Where the test or command is.
    pub position: Position,
    /// The test or command name.
    pub name: String,
    /// The test's result (commands: `true`).
    pub result: bool,
    /// What was compared, in words.
    pub detail: String,
}

/// The result of evaluating a script on one message.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct Outcome {
    /// The actions, in the order the script took them, the implicit keep last when it applies.
    pub actions: Vec<Action>,
    /// The trace, when asked for.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub trace: Vec<TraceEvent>,
    /// The message the deliveries apply to when `enclose` replaced it (RFC 5703 §6).
    #[serde(skip)]
    pub message: Option<Vec<u8>>,
}

impl Outcome {
    /// Whether the implicit keep applies (RFC 5228 §2.10.2).
    pub fn implicit_keep(&self) -> bool {
        self.actions
            .iter()
            .any(|a| matches!(a, Action::Keep { implicit: true, .. }))
    }
}
