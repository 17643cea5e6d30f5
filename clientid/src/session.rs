//! The server side of one SMTP session, as far as CLIENTID is concerned (draft §3, §4): the MTA
//! feeds it what happens on the connection, and it answers whether to advertise the keyword and
//! how to reply to each CLIENTID command.
//!
//! The session never reads the network and never refuses a well-formed identity at the command
//! (draft §6.1: reject "only ever … during or after the authentication process"): deployed
//! clients abort a send on any non-2xx reply to CLIENTID, so the decision waits for AUTH, where
//! [`crate::PolicyEngine::decide`] makes it.

use std::sync::Arc;

use crate::handling::{Handling, HandlingTable, LogAudience};
use crate::limits::ConnectionSlot;
use crate::reply::{
    BAD_SEQUENCE, CLIENTID_ACCEPTED, COMMAND_UNRECOGNIZED, POLICY_REFUSED, Reply,
    SYNTAX_ERROR_IN_PARAMETERS,
};
use crate::{ClientIdCommand, Strictness};

/// What every session of one server shares: whether CLIENTID is enabled, how strictly lines
/// are parsed, and the per-type handling flags (draft §7).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionConfig {
    /// Whether the server supports CLIENTID at all (draft §3 rule 1).
    pub enabled: bool,
    /// The grammar CLIENTID lines are parsed with.
    pub strictness: Strictness,
    /// How identities of each type are handled (draft §7).
    pub handling: HandlingTable,
}

impl Default for SessionConfig {
    /// Enabled, strict grammar, [`Handling::DEFAULT`] for every type.
    fn default() -> Self {
        SessionConfig {
            enabled: true,
            strictness: Strictness::Strict,
            handling: HandlingTable::default(),
        }
    }
}

/// An identity the client presented with a successful CLIENTID command, with the handling its
/// type gets (draft §7).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresentedIdentity {
    command: ClientIdCommand,
    handling: Handling,
}

impl PresentedIdentity {
    /// The command as received: its type and token.
    pub fn command(&self) -> &ClientIdCommand {
        &self.command
    }

    /// The handling flags of its type.
    pub fn handling(&self) -> Handling {
        self.handling
    }
}

/// How an authentication attempt ended, as the session needs to know it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthOutcome {
    /// Credentials valid and the policy allows the client: the session is authenticated.
    Succeeded,
    /// Credentials invalid (or the exchange was cancelled): the client may try again.
    Failed,
    /// The policy refused the client at AUTH (the AUTH reply was 550).
    Refused,
    /// Credentials valid, the AUTH reply was 235, but the policy refuses every mail
    /// transaction that follows (draft §8.3 as written: "235 … 550").
    RefusedAfterAuth,
}

/// Something that happened on the connection, for hosts that prefer one entry point
/// ([`Session::feed`]) — the C surface and the fuzz target use it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event<'a> {
    /// TLS was negotiated (STARTTLS, RFC 3207 §4.2): everything learnt so far is discarded.
    TlsEstablished,
    /// An EHLO command; the session answers whether its reply lists CLIENTID.
    Ehlo,
    /// A HELO command (its reply lists no keywords).
    Helo,
    /// A CLIENTID command line, with or without CRLF; the session answers the reply.
    ClientId(&'a [u8]),
    /// An AUTH command was received (draft §4: CLIENTID is refused from now on).
    AuthStarted,
    /// The AUTH exchange ended.
    AuthFinished(AuthOutcome),
    /// RSET (RFC 5321 §4.1.1.5): ends the mail transaction, keeps the identity.
    Rset,
    /// A security layer was applied after AUTH (RFC 4954 §4): the session is back to its
    /// initial state and the identity is discarded (draft §4).
    SecurityLayerReset,
    /// QUIT: the session is over.
    Quit,
}

/// What [`Session::feed`] answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Response {
    /// For [`Event::Ehlo`] and [`Event::Helo`]: whether the reply lists CLIENTID.
    Advertise(bool),
    /// For [`Event::ClientId`]: the reply to send.
    Reply(Reply),
    /// The event was taken into account; nothing to send.
    Noted,
}

/// The CLIENTID state of one SMTP session (draft §3, §4).
///
/// ```
/// use std::sync::Arc;
/// use clientid::{Session, SessionConfig};
///
/// let mut session = Session::new(Arc::new(SessionConfig::default()), false);
/// assert!(!session.ehlo());                                   // draft §3 rule 2
/// assert_eq!(session.clientid(b"CLIENTID MAC 08:9e:01:70:f6:46").code, 500); // §8.2
/// session.tls_established();
/// assert!(session.ehlo());                                    // draft §3 rule 3
/// assert_eq!(session.clientid(b"CLIENTID UUID 23bf83be-aad7-46aa-9e0f-39191ccf402f").code, 250);
/// assert_eq!(session.clientid(b"CLIENTID UUID again").code, 503); // draft §4
/// ```
#[derive(Debug)]
pub struct Session {
    config: Arc<SessionConfig>,
    tls: bool,
    advertised: bool,
    clientid_accepted: bool,
    identity: Option<PresentedIdentity>,
    auth_seen: bool,
    authenticated: bool,
    refused_after_auth: bool,
    closed: bool,
    connection_slot: Option<ConnectionSlot>,
}

impl Session {
    /// A session for a connection just opened; `tls` is true for implicit TLS (port 465, the
    /// "historical SMTP-SSL connection" of draft §4).
    pub fn new(config: Arc<SessionConfig>, tls: bool) -> Session {
        Session {
            config,
            tls,
            advertised: false,
            clientid_accepted: false,
            identity: None,
            auth_seen: false,
            authenticated: false,
            refused_after_auth: false,
            closed: false,
            connection_slot: None,
        }
    }

    /// The configuration this session follows.
    pub fn config(&self) -> &SessionConfig {
        &self.config
    }

    /// Feeds one event and returns what to do about it.
    pub fn feed(&mut self, event: Event<'_>) -> Response {
        match event {
            Event::TlsEstablished => self.tls_established(),
            Event::Ehlo => return Response::Advertise(self.ehlo()),
            Event::Helo => {
                self.helo();
                return Response::Advertise(false);
            }
            Event::ClientId(line) => return Response::Reply(self.clientid(line)),
            Event::AuthStarted => self.auth_started(),
            Event::AuthFinished(outcome) => self.auth_finished(outcome),
            Event::Rset => self.rset(),
            Event::SecurityLayerReset => self.security_layer_reset(),
            Event::Quit => self.quit(),
        }
        Response::Noted
    }

    /// TLS is now established (RFC 3207 §4.2: the server "MUST discard any knowledge obtained
    /// from the client" — the identity included, draft §4).
    pub fn tls_established(&mut self) {
        self.reset_to_initial_state();
        self.tls = true;
    }

    /// An EHLO command: returns whether its reply lists the CLIENTID keyword.
    ///
    /// draft §3 rule 1: never unless enabled; rule 2: never on an unencrypted connection;
    /// rule 3: always once encrypted. A later EHLO keeps the identity (RFC 5321 §4.1.4: a
    /// repeated EHLO resets the session "exactly as if a RSET command had been issued").
    pub fn ehlo(&mut self) -> bool {
        let advertise = self.advertises();
        if advertise {
            self.advertised = true;
        }
        advertise
    }

    /// A HELO command. Its reply cannot list keywords, so it advertises nothing.
    pub fn helo(&mut self) {}

    /// Whether an EHLO reply sent now would list CLIENTID (draft §3).
    pub fn advertises(&self) -> bool {
        self.config.enabled && self.tls && !self.closed
    }

    /// A CLIENTID command line: returns the reply (draft §4).
    ///
    /// The checks, in order, each with the reply it gives:
    /// 1. CLIENTID not enabled: 500, as for any unknown command (draft §3 rule 1).
    /// 2. No TLS: 500 (draft §4, §8.2).
    /// 3. The keyword not advertised since TLS (no EHLO yet, or only HELO): 503. The draft
    ///    says only "MUST reject"; 503 (bad sequence, RFC 5321 §4.2.4) tells the client the
    ///    command exists and comes after EHLO.
    /// 4. After AUTH: 503 (draft §4).
    /// 5. After a successful CLIENTID: 503 (draft §4).
    /// 6. Malformed: 501 (draft §4, §8.4).
    /// 7. Otherwise 250, whatever the type (draft §6.1, §7): the policy decides at AUTH.
    ///
    /// After QUIT every command is out of sequence: 503.
    pub fn clientid(&mut self, line: &[u8]) -> Reply {
        if self.closed {
            return BAD_SEQUENCE;
        }
        // draft §3 rule 1 and draft §4 "before establishing an encrypted connection".
        if !self.config.enabled || !self.tls {
            return COMMAND_UNRECOGNIZED;
        }
        // draft §4: "MUST reject a CLIENTID command prior to advertising the CLIENTID keyword".
        if !self.advertised {
            return BAD_SEQUENCE;
        }
        // draft §4: "MUST reject any CLIENTID command after receiving an [AUTH] command".
        if self.auth_seen {
            return BAD_SEQUENCE;
        }
        // draft §4: "… any subsequent CLIENTID commands after a successful CLIENTID command".
        if self.clientid_accepted {
            return BAD_SEQUENCE;
        }
        // draft §4: "… any CLIENTID command that is not well formatted with a 501 reply".
        let command = match ClientIdCommand::parse_with(line, self.config.strictness) {
            Ok(command) => command,
            Err(_) => return SYNTAX_ERROR_IN_PARAMETERS,
        };
        self.clientid_accepted = true;
        let handling = self.config.handling.handling_of(command.client_type());
        // draft §7 flag 1: "Handled but treat as not presented (ignored, no persistance)".
        if handling.is_kept() {
            self.identity = Some(PresentedIdentity { command, handling });
        }
        CLIENTID_ACCEPTED
    }

    /// An AUTH command was received: from now on CLIENTID is refused (draft §4).
    pub fn auth_started(&mut self) {
        self.auth_seen = true;
    }

    /// The AUTH exchange ended with `outcome`.
    pub fn auth_finished(&mut self, outcome: AuthOutcome) {
        self.auth_seen = true;
        match outcome {
            AuthOutcome::Succeeded => self.authenticated = true,
            AuthOutcome::RefusedAfterAuth => {
                self.authenticated = true;
                self.refused_after_auth = true;
            }
            AuthOutcome::Failed | AuthOutcome::Refused => {}
        }
    }

    /// Keeps `slot` (a connection counted against the identity's limit) for as long as the
    /// session lives or until a reset.
    pub fn hold_connection_slot(&mut self, slot: ConnectionSlot) {
        self.connection_slot = Some(slot);
    }

    /// RSET (RFC 5321 §4.1.1.5) ends a mail transaction only: the identity, like the EHLO and
    /// AUTH state, stays.
    pub fn rset(&mut self) {}

    /// A security layer was negotiated after AUTH (RFC 4954 §4): "the SMTP server MUST
    /// discard any CLIENTID information after such a reset" (draft §4).
    pub fn security_layer_reset(&mut self) {
        let tls = self.tls;
        self.reset_to_initial_state();
        self.tls = tls;
    }

    /// QUIT: the session is over; every later CLIENTID is out of sequence.
    pub fn quit(&mut self) {
        self.closed = true;
        self.connection_slot = None;
    }

    /// Whether the connection is encrypted.
    pub fn is_tls(&self) -> bool {
        self.tls
    }

    /// Whether an AUTH command was received since the last reset.
    pub fn auth_seen(&self) -> bool {
        self.auth_seen
    }

    /// Whether the client is authenticated.
    pub fn is_authenticated(&self) -> bool {
        self.authenticated
    }

    /// Whether a CLIENTID command succeeded since the last reset (even one whose type is
    /// handled with flag 1 and so kept nowhere).
    pub fn clientid_accepted(&self) -> bool {
        self.clientid_accepted
    }

    /// The identity kept in the session (draft §7 flags 2–7), if any.
    pub fn identity(&self) -> Option<&PresentedIdentity> {
        self.identity.as_ref()
    }

    /// The identity if it counts as presented (not handled with flag 1 or 2).
    pub fn presented_identity(&self) -> Option<&PresentedIdentity> {
        self.identity
            .as_ref()
            .filter(|identity| identity.handling.counts_as_presented())
    }

    /// The identity if it may be used for authentication decisions (flag 5).
    pub fn identity_for_authentication(&self) -> Option<&PresentedIdentity> {
        self.identity
            .as_ref()
            .filter(|identity| identity.handling.used_for_authentication())
    }

    /// The identity if it may be written to the given log (flags 3 and 4).
    pub fn loggable_identity(&self, audience: LogAudience) -> Option<&ClientIdCommand> {
        self.identity
            .as_ref()
            .filter(|identity| identity.handling.may_log(audience))
            .map(|identity| &identity.command)
    }

    /// The reply to give MAIL, RCPT and DATA: `Some(550)` once the policy refused the client
    /// after a 235 (draft §8.3), `None` when the transaction may go on.
    pub fn transaction_refusal(&self) -> Option<Reply> {
        self.refused_after_auth.then_some(POLICY_REFUSED)
    }

    fn reset_to_initial_state(&mut self) {
        self.advertised = false;
        self.clientid_accepted = false;
        self.identity = None;
        self.auth_seen = false;
        self.authenticated = false;
        self.refused_after_auth = false;
        self.connection_slot = None;
    }
}
