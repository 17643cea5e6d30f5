//! The SMTP command state machine of one connection, without I/O: lines in, replies out.
//! Everything CLIENTID is asked of [`Session`] and [`crate::clientid::PolicyEngine`]; this
//! module adds the rest of SMTP that the draft §8 transcripts need (RFC 5321, RFC 3207,
//! RFC 4954).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use super::ServerConfig;
use super::auth::{self, Credentials, Exchange, Pending};
use super::line::Line;
use crate::clientid::{Alert, AuthAttempt, AuthOutcome, Decision, LogAudience, Session};

/// What the connection does next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Step {
    /// Send this reply (lines joined by CRLF, without the final CRLF) and read on.
    Reply(String),
    /// Send nothing and read on (a message line).
    Nothing,
    /// Send this reply, then close the connection.
    Close(String),
    /// Send this reply (`220 Go ahead`), then negotiate TLS and call
    /// [`Protocol::tls_established`].
    StartTls(String),
    /// Check these credentials with [`Protocol::authenticate`] (it may block on the history
    /// store), then send the reply it returns.
    Authenticate(Credentials),
}

/// Where the connection is in the command sequence.
#[derive(Debug)]
enum Mode {
    /// Reading commands.
    Command,
    /// Inside an AUTH exchange (RFC 4954 §4).
    Auth(Pending),
    /// Reading a message after `354` (RFC 5321 §4.1.1.4).
    Data(Message),
}

/// A message being received, counted and discarded.
#[derive(Debug, Default)]
struct Message {
    octets: u64,
    too_long: bool,
    /// Whether the previous line ended with CRLF: only `CRLF . CRLF` ends a message.
    after_crlf: bool,
}

/// A mail transaction: MAIL given, the recipients counted.
#[derive(Debug, Default)]
struct Transaction {
    recipients: usize,
}

const OK: &str = "250 OK";
const UNRECOGNIZED: &str = "500 Syntax error, command unrecognised";
const LINE_TOO_LONG: &str = "500 Line too long";
const BAD_ARGUMENTS: &str = "501 Syntax error in parameters or arguments";
const NOT_IMPLEMENTED: &str = "502 Command not implemented";
const BAD_SEQUENCE: &str = "503 Bad sequence of commands";

/// One connection's SMTP state.
#[derive(Debug)]
pub(crate) struct Protocol {
    config: Arc<ServerConfig>,
    peer: SocketAddr,
    session: Session,
    mode: Mode,
    /// EHLO or HELO received since the connection opened or TLS started.
    greeted: bool,
    transaction: Option<Transaction>,
    commands: u32,
    auth_failures: u32,
}

impl Protocol {
    /// A connection just accepted, unencrypted.
    pub(crate) fn new(config: Arc<ServerConfig>, peer: SocketAddr) -> Protocol {
        let session = Session::new(config.engine.session_config(), false);
        Protocol {
            config,
            peer,
            session,
            mode: Mode::Command,
            greeted: false,
            transaction: None,
            commands: 0,
            auth_failures: 0,
        }
    }

    /// The greeting (draft §8.1).
    pub(crate) fn greeting(&self) -> String {
        format!("220 {} ESMTP ready", self.config.hostname)
    }

    /// The reply before closing an idle connection.
    pub(crate) fn timeout_reply(&self) -> String {
        format!(
            "421 {} Timeout exceeded, closing transmission channel",
            self.config.hostname
        )
    }

    /// The longest line read (RFC 5321 §4.5.3.1.6).
    pub(crate) fn max_line_octets(&self) -> usize {
        self.config.limits.max_line_octets
    }

    /// The CLIENTID session, for inspection.
    #[cfg(test)]
    pub(crate) fn session(&self) -> &Session {
        &self.session
    }

    /// TLS is established (RFC 3207 §4.2): the server forgets everything the client said,
    /// the identity included (draft §4).
    pub(crate) fn tls_established(&mut self) {
        self.session.tls_established();
        self.mode = Mode::Command;
        self.greeted = false;
        self.transaction = None;
    }

    /// One line from the client.
    pub(crate) fn line(&mut self, line: Line) -> Step {
        match std::mem::replace(&mut self.mode, Mode::Command) {
            Mode::Data(message) => self.message_line(message, line),
            Mode::Auth(pending) => {
                if let Some(step) = self.count_command() {
                    return step;
                }
                match line {
                    Line::TooLong { .. } => {
                        self.session.auth_finished(AuthOutcome::Failed);
                        Step::Reply(LINE_TOO_LONG.into())
                    }
                    Line::Complete { text, .. } => self.exchange(auth::respond(pending, &text)),
                }
            }
            Mode::Command => {
                if let Some(step) = self.count_command() {
                    return step;
                }
                match line {
                    Line::TooLong { .. } => Step::Reply(LINE_TOO_LONG.into()),
                    Line::Complete { text, .. } => self.command(&text),
                }
            }
        }
    }

    /// Counts a command against [`super::Limits::max_commands`].
    fn count_command(&mut self) -> Option<Step> {
        self.commands = self.commands.saturating_add(1);
        (self.commands > self.config.limits.max_commands).then(|| {
            self.session.quit();
            Step::Close(format!(
                "421 {} Too many commands, closing transmission channel",
                self.config.hostname
            ))
        })
    }

    fn command(&mut self, line: &[u8]) -> Step {
        let (verb, arguments) = match line.iter().position(|&b| b == b' ') {
            Some(at) => (&line[..at], &line[at + 1..]),
            None => (line, &b""[..]),
        };
        let verb = verb.to_ascii_uppercase();
        match verb.as_slice() {
            b"EHLO" => self.ehlo(arguments),
            b"HELO" => self.helo(arguments),
            b"STARTTLS" => self.starttls(arguments),
            // draft §4: the session gives every CLIENTID reply (500, 501, 503, 250).
            b"CLIENTID" => Step::Reply(self.session.clientid(line).line(false)),
            b"AUTH" => self.auth(arguments),
            b"MAIL" => self.mail(arguments),
            b"RCPT" => self.rcpt(arguments),
            b"DATA" => self.data(arguments),
            b"RSET" => {
                if !arguments.is_empty() {
                    return Step::Reply(BAD_ARGUMENTS.into());
                }
                self.transaction = None;
                self.session.rset();
                Step::Reply(OK.into())
            }
            b"NOOP" => Step::Reply(OK.into()),
            b"QUIT" => {
                self.session.quit();
                Step::Close(format!(
                    "221 {} Service closing transmission channel",
                    self.config.hostname
                ))
            }
            b"VRFY" | b"EXPN" | b"HELP" => Step::Reply(NOT_IMPLEMENTED.into()),
            _ => Step::Reply(UNRECOGNIZED.into()),
        }
    }

    /// EHLO (RFC 5321 §4.1.1.1): the keywords depend on TLS (draft §3).
    fn ehlo(&mut self, arguments: &[u8]) -> Step {
        if arguments.trim_ascii().is_empty() {
            return Step::Reply(BAD_ARGUMENTS.into());
        }
        self.greeted = true;
        self.transaction = None;
        let mut lines = vec![self.config.hostname.to_string()];
        if self.session.is_tls() {
            // Passwords only under TLS: this server's choice (draft §8.1 lists AUTH LOGIN in
            // plaintext too).
            lines.push("AUTH PLAIN LOGIN".into());
        } else {
            lines.push("STARTTLS".into());
        }
        // draft §3: CLIENTID exactly when the session says so.
        if self.session.ehlo() {
            lines.push("CLIENTID".into());
        }
        Step::Reply(multiline(250, &lines))
    }

    fn helo(&mut self, arguments: &[u8]) -> Step {
        if arguments.trim_ascii().is_empty() {
            return Step::Reply(BAD_ARGUMENTS.into());
        }
        self.greeted = true;
        self.transaction = None;
        self.session.helo();
        Step::Reply(format!("250 {}", self.config.hostname))
    }

    /// STARTTLS (RFC 3207 §4).
    fn starttls(&mut self, arguments: &[u8]) -> Step {
        if !arguments.is_empty() {
            return Step::Reply(BAD_ARGUMENTS.into());
        }
        if self.session.is_tls() {
            return Step::Reply(BAD_SEQUENCE.into());
        }
        Step::StartTls("220 Go ahead".into())
    }

    /// AUTH (RFC 4954 §4).
    fn auth(&mut self, arguments: &[u8]) -> Step {
        if !self.session.is_tls() {
            // RFC 4954 §6: AUTH is not advertised before TLS here.
            return Step::Reply(
                "538 Encryption required for requested authentication mechanism".into(),
            );
        }
        if !self.greeted || self.session.is_authenticated() || self.transaction.is_some() {
            // RFC 4954 §4: after a successful AUTH, and during a transaction, AUTH gets 503.
            return Step::Reply(BAD_SEQUENCE.into());
        }
        if self.auth_failures >= self.config.limits.max_auth_failures {
            self.session.quit();
            return Step::Close(format!(
                "421 {} Too many authentication failures, closing transmission channel",
                self.config.hostname
            ));
        }
        // draft §4: from this AUTH on, CLIENTID gets 503, however the exchange ends.
        self.session.auth_started();
        self.exchange(auth::begin(arguments))
    }

    fn exchange(&mut self, exchange: Exchange) -> Step {
        match exchange {
            Exchange::Continue(pending, challenge) => {
                self.mode = Mode::Auth(pending);
                Step::Reply(format!("334 {challenge}"))
            }
            Exchange::Finished(credentials) => Step::Authenticate(credentials),
            Exchange::Refused(refusal) => {
                self.session.auth_finished(AuthOutcome::Failed);
                Step::Reply(format!("{} {}", refusal.code, refusal.text))
            }
        }
    }

    /// Checks `credentials` and asks the policy (draft §6.1: the decision is made at AUTH).
    /// Returns the reply and the log line. May block on the history store.
    pub(crate) fn authenticate(&mut self, credentials: &Credentials) -> (String, String) {
        let valid = credentials.acceptable
            && self
                .config
                .users
                .verify(&credentials.account, &credentials.password);
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_secs());
        let attempt = AuthAttempt {
            account: &credentials.account,
            credentials_valid: valid,
            peer: self.peer.ip(),
            location: None,
            now,
        };
        let decision = self.config.engine.decide(&mut self.session, &attempt);
        // A refusal counts like a wrong password: both are what a guesser collects.
        if matches!(decision.outcome, AuthOutcome::Failed | AuthOutcome::Refused) {
            self.auth_failures = self.auth_failures.saturating_add(1);
        }
        let log = self.log_line(credentials, valid, &decision);
        (decision.reply.line(false), log)
    }

    /// One line for the server's log: who, with which identity (if its handling lets the
    /// system log have it, draft §7 flag 3), and the decision with its reasons.
    fn log_line(&self, credentials: &Credentials, valid: bool, decision: &Decision) -> String {
        let mut line = format!(
            "clientid: peer={} account={} mechanism={} credentials={}",
            self.peer,
            loggable(&credentials.account),
            credentials.mechanism,
            if valid { "valid" } else { "invalid" }
        );
        if let Some(identity) = self.session.loggable_identity(LogAudience::System) {
            line.push_str(&format!(
                " type={} token={}",
                identity.client_type(),
                identity.token()
            ));
        }
        line.push_str(&format!(" decision={}", decision.log_line()));
        if !decision.alerts.is_empty() {
            let alerts: Vec<&str> = decision.alerts.iter().map(|a| alert_name(*a)).collect();
            line.push_str(&format!(" alerts=[{}]", alerts.join(", ")));
        }
        line
    }

    /// MAIL (RFC 5321 §4.1.1.2).
    fn mail(&mut self, arguments: &[u8]) -> Step {
        // draft §8.3: after a 235 the policy may still refuse every transaction.
        if let Some(refusal) = self.session.transaction_refusal() {
            return Step::Reply(refusal.line(false));
        }
        if !self.greeted || self.transaction.is_some() {
            return Step::Reply(BAD_SEQUENCE.into());
        }
        if self.config.require_auth_for_mail && !self.session.is_authenticated() {
            // RFC 4954 §6, without the enhanced code (not advertised).
            return Step::Reply("530 Authentication required".into());
        }
        if !has_path(arguments, b"FROM:") {
            return Step::Reply(BAD_ARGUMENTS.into());
        }
        self.transaction = Some(Transaction::default());
        Step::Reply(OK.into())
    }

    /// RCPT (RFC 5321 §4.1.1.3).
    fn rcpt(&mut self, arguments: &[u8]) -> Step {
        if let Some(refusal) = self.session.transaction_refusal() {
            return Step::Reply(refusal.line(false));
        }
        let max = self.config.limits.max_recipients;
        let Some(transaction) = &mut self.transaction else {
            return Step::Reply(BAD_SEQUENCE.into());
        };
        if !has_path(arguments, b"TO:") {
            return Step::Reply(BAD_ARGUMENTS.into());
        }
        if transaction.recipients >= max {
            return Step::Reply("452 Too many recipients".into());
        }
        transaction.recipients += 1;
        Step::Reply(OK.into())
    }

    /// DATA (RFC 5321 §4.1.1.4).
    fn data(&mut self, arguments: &[u8]) -> Step {
        if let Some(refusal) = self.session.transaction_refusal() {
            return Step::Reply(refusal.line(false));
        }
        if !arguments.is_empty() {
            return Step::Reply(BAD_ARGUMENTS.into());
        }
        if self.transaction.as_ref().is_none_or(|t| t.recipients == 0) {
            return Step::Reply(BAD_SEQUENCE.into());
        }
        self.mode = Mode::Data(Message {
            after_crlf: true,
            ..Message::default()
        });
        // draft §8.1's text.
        Step::Reply("354 Ready for message content".into())
    }

    /// A line of the message: counted, discarded; `.` alone after CRLF ends it.
    fn message_line(&mut self, mut message: Message, line: Line) -> Step {
        match line {
            Line::TooLong { crlf } => {
                message.too_long = true;
                message.after_crlf = crlf;
            }
            Line::Complete { text, crlf } => {
                if text == b"." && crlf && message.after_crlf {
                    self.transaction = None;
                    let limit = self.config.limits.max_message_octets;
                    return Step::Reply(if message.too_long {
                        LINE_TOO_LONG.into()
                    } else if message.octets > limit {
                        "552 Message size exceeds fixed maximum message size".into()
                    } else {
                        OK.into()
                    });
                }
                // RFC 5321 §4.5.2: a leading dot was doubled by the client.
                let unstuffed = text.len() - usize::from(text.starts_with(b"."));
                message.octets = message.octets.saturating_add(unstuffed as u64 + 2);
                message.after_crlf = crlf;
            }
        }
        self.mode = Mode::Data(message);
        Step::Nothing
    }
}

/// `250-a`, `250-b`, `250 c`.
fn multiline(code: u16, lines: &[String]) -> String {
    let last = lines.len().saturating_sub(1);
    lines
        .iter()
        .enumerate()
        .map(|(i, text)| format!("{code}{}{text}", if i == last { ' ' } else { '-' }))
        .collect::<Vec<_>>()
        .join("\r\n")
}

/// `FROM:<path>` / `TO:<path>`, the keyword in any case (RFC 5321 §4.1.2), a path in angle
/// brackets (parameters may follow). The path itself is not checked: the message is
/// discarded anyway.
fn has_path(arguments: &[u8], keyword: &[u8]) -> bool {
    let Some(head) = arguments.get(..keyword.len()) else {
        return false;
    };
    if !head.eq_ignore_ascii_case(keyword) {
        return false;
    }
    let path = &arguments[keyword.len()..];
    path.starts_with(b"<") && path.contains(&b'>')
}

/// The account as the log shows it: anything but printable ASCII escaped, so that a client
/// cannot forge log lines.
fn loggable(account: &str) -> String {
    account.escape_default().to_string().replace(' ', "\\x20")
}

fn alert_name(alert: Alert) -> &'static str {
    match alert {
        Alert::AuthenticationFailed => "authentication_failed",
        Alert::AuthenticationSucceeded => "authentication_succeeded",
        Alert::Heuristic(heuristic) => heuristic.name(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::clientid::MemoryStore;
    use crate::clientid::server::{Hostname, Limits, UserTable, load_tls};

    const UUID: &[u8] = b"CLIENTID UUID 23bf83be-aad7-46aa-9e0f-39191ccf402f";
    const MAC: &[u8] = b"CLIENTID MAC 08:9e:01:70:f6:46";
    /// draft §8.1: "test\0test\01234".
    const PLAIN_8_1: &[u8] = b"AUTH PLAIN dGVzdAB0ZXN0ADEyMzQ=";
    /// "test\0test\0wrong".
    const PLAIN_WRONG: &[u8] = b"AUTH PLAIN dGVzdAB0ZXN0AHdyb25n";

    fn config(policy: &str, tweak: impl FnOnce(&mut ServerConfig)) -> Arc<ServerConfig> {
        let pki = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/pki");
        let policy = crate::Policy::from_toml_str(policy).unwrap();
        let engine = crate::clientid::engine(&policy, Arc::new(MemoryStore::default())).unwrap();
        let mut config = ServerConfig {
            hostname: Hostname::new("server.example.com").unwrap(),
            tls: load_tls(
                format!("{pki}/alice-p256.pem"),
                format!("{pki}/alice-p256.key"),
            )
            .unwrap(),
            users: UserTable::parse("test:1234\n").unwrap(),
            engine: Arc::new(engine),
            require_auth_for_mail: false,
            limits: Limits::default(),
        };
        tweak(&mut config);
        Arc::new(config)
    }

    struct Client {
        protocol: Protocol,
        log: Vec<String>,
    }

    impl Client {
        fn new(config: Arc<ServerConfig>) -> Client {
            Client {
                protocol: Protocol::new(config, "192.0.2.7:4321".parse().unwrap()),
                log: Vec::new(),
            }
        }

        fn step(&mut self, line: &[u8]) -> Step {
            let step = self.protocol.line(Line::Complete {
                text: line.to_vec(),
                crlf: true,
            });
            match step {
                Step::Authenticate(credentials) => {
                    let (reply, log) = self.protocol.authenticate(&credentials);
                    self.log.push(log);
                    Step::Reply(reply)
                }
                step => step,
            }
        }

        /// The reply to `line`, which must not close the connection or start TLS.
        fn send(&mut self, line: &[u8]) -> String {
            match self.step(line) {
                Step::Reply(reply) => reply,
                other => panic!("{}: {other:?}", String::from_utf8_lossy(line)),
            }
        }

        fn code(&mut self, line: &[u8]) -> u16 {
            self.send(line)[..3].parse().unwrap()
        }

        fn starttls(&mut self) {
            assert_eq!(
                self.step(b"STARTTLS"),
                Step::StartTls("220 Go ahead".into())
            );
            self.protocol.tls_established();
        }

        fn quit(&mut self) {
            assert_eq!(
                self.step(b"QUIT"),
                Step::Close("221 server.example.com Service closing transmission channel".into())
            );
        }
    }

    #[test]
    fn draft_8_1() {
        let mut client = Client::new(config("", |_| {}));
        assert_eq!(
            client.protocol.greeting(),
            "220 server.example.com ESMTP ready"
        );
        assert_eq!(
            client.send(b"EHLO client.example.net"),
            "250-server.example.com\r\n250 STARTTLS"
        );
        client.starttls();
        assert_eq!(
            client.send(b"EHLO client.example.net"),
            "250-server.example.com\r\n250-AUTH PLAIN LOGIN\r\n250 CLIENTID"
        );
        assert_eq!(client.send(UUID), "250 OK");
        assert_eq!(client.send(PLAIN_8_1), "235 Authentication successful");
        assert_eq!(client.send(b"MAIL FROM:<sender@example.net>"), "250 OK");
        assert_eq!(client.send(b"RCPT TO:<receiver@example.com>"), "250 OK");
        assert_eq!(client.send(b"DATA"), "354 Ready for message content");
        assert_eq!(client.step(b"Subject: hello"), Step::Nothing);
        assert_eq!(client.step(b""), Step::Nothing);
        assert_eq!(client.step(b"..body"), Step::Nothing);
        assert_eq!(client.send(b"."), "250 OK");
        client.quit();
        assert_eq!(client.log.len(), 1);
        assert!(
            client.log[0].starts_with(
                "clientid: peer=192.0.2.7:4321 account=test mechanism=PLAIN credentials=valid type=UUID \
                 token=23bf83be-aad7-46aa-9e0f-39191ccf402f decision=allow reply=235"
            ),
            "{}",
            client.log[0]
        );
    }

    #[test]
    fn draft_8_2() {
        let mut client = Client::new(config("", |_| {}));
        client.send(b"EHLO client.example.net");
        assert_eq!(client.send(MAC), "500 Syntax error, command unrecognised");
        assert_eq!(client.send(b"MAIL FROM:<sender@example.net>"), "250 OK");
        client.quit();
    }

    #[test]
    fn draft_8_3_refused_at_auth_whatever_the_password() {
        for auth in [PLAIN_8_1, PLAIN_WRONG] {
            let mut client = Client::new(config("[clientid]\ndenied_types = [\"MAC\"]\n", |_| {}));
            client.starttls();
            client.send(b"EHLO client.example.net");
            assert_eq!(client.send(MAC), "250 OK");
            assert_eq!(
                client.send(auth),
                "550 Server policy does not permit your use of this mail system"
            );
            assert!(
                client.log[0].contains("type_not_accepted"),
                "{}",
                client.log[0]
            );
            assert!(client.log[0].contains("type=MAC token=08:9e:01:70:f6:46"));
            client.quit();
        }
    }

    #[test]
    fn draft_8_3_refused_at_the_transaction() {
        let policy = "[clientid]\ndenied_types = [\"MAC\"]\nrefuse_at = \"transaction\"\n";
        let mut client = Client::new(config(policy, |_| {}));
        client.starttls();
        client.send(b"EHLO client.example.net");
        assert_eq!(client.send(MAC), "250 OK");
        assert_eq!(client.send(PLAIN_8_1), "235 Authentication successful");
        let refused = "550 Server policy does not permit your use of this mail system";
        assert_eq!(client.send(b"MAIL FROM:<sender@example.net>"), refused);
        assert_eq!(client.send(b"RCPT TO:<receiver@example.com>"), refused);
        assert_eq!(client.send(b"DATA"), refused);
        client.quit();
    }

    #[test]
    fn draft_8_4() {
        let mut client = Client::new(config("", |_| {}));
        client.send(b"EHLO client.example.net");
        client.starttls();
        client.send(b"EHLO client.example.net");
        assert_eq!(
            client.send(b"CLIENTID MAC"),
            "501 Syntax error in parameters or arguments"
        );
        client.quit();
    }

    #[test]
    fn clientid_sequence() {
        let mut client = Client::new(config("", |_| {}));
        client.starttls();
        // Not advertised since TLS yet.
        assert_eq!(client.code(UUID), 503);
        client.send(b"EHLO client.example.net");
        assert_eq!(client.code(UUID), 250);
        assert_eq!(client.code(UUID), 503);
        // A new EHLO keeps the identity (RFC 5321 §4.1.4), and CLIENTID stays refused.
        client.send(b"EHLO client.example.net");
        assert_eq!(client.code(MAC), 503);
        assert!(client.protocol.session().identity().is_some());
        assert_eq!(client.code(b"RSET"), 250);
        assert!(client.protocol.session().identity().is_some());
        assert_eq!(client.code(b"STARTTLS"), 503);

        let mut client = Client::new(config("", |_| {}));
        client.starttls();
        client.send(b"EHLO client.example.net");
        assert_eq!(client.code(PLAIN_WRONG), 535);
        assert_eq!(client.code(UUID), 503, "after AUTH, even a failed one");
    }

    #[test]
    fn auth_rules() {
        let mut client = Client::new(config("", |_| {}));
        client.send(b"EHLO client.example.net");
        assert_eq!(client.code(PLAIN_8_1), 538, "no AUTH before TLS");
        client.starttls();
        assert_eq!(client.code(PLAIN_8_1), 503, "no AUTH before EHLO");
        client.send(b"EHLO client.example.net");
        assert_eq!(client.code(b"AUTH CRAM-MD5"), 504);
        assert_eq!(client.send(b"AUTH LOGIN"), "334 VXNlcm5hbWU6");
        assert_eq!(client.send(b"dGVzdA=="), "334 UGFzc3dvcmQ6");
        assert_eq!(client.code(b"MTIzNA=="), 235);
        assert_eq!(
            client.code(PLAIN_8_1),
            503,
            "no AUTH after a successful one"
        );

        let mut client = Client::new(config("", |_| {}));
        client.starttls();
        client.send(b"EHLO client.example.net");
        assert_eq!(client.send(b"AUTH PLAIN"), "334 ");
        assert_eq!(client.send(b"*"), "501 Authentication cancelled");
        for _ in 0..3 {
            assert_eq!(client.code(PLAIN_WRONG), 535);
        }
        assert!(matches!(client.step(PLAIN_8_1), Step::Close(reply) if reply.starts_with("421 ")));
        assert_eq!(client.log.len(), 3);
        assert!(client.log[0].contains("credentials=invalid"));
    }

    #[test]
    fn refusals_count_against_the_auth_limit() {
        let mut client = Client::new(config("[clientid]\ndenied_types = [\"MAC\"]\n", |_| {}));
        client.starttls();
        client.send(b"EHLO client.example.net");
        client.send(MAC);
        for _ in 0..3 {
            assert_eq!(client.code(PLAIN_8_1), 550);
        }
        assert!(matches!(client.step(PLAIN_8_1), Step::Close(reply) if reply.starts_with("421 ")));
    }

    #[test]
    fn require_auth_for_mail() {
        let mut client = Client::new(config("", |c| c.require_auth_for_mail = true));
        client.send(b"EHLO client.example.net");
        assert_eq!(
            client.send(b"MAIL FROM:<a@b>"),
            "530 Authentication required"
        );
        client.starttls();
        client.send(b"EHLO client.example.net");
        assert_eq!(client.code(b"MAIL FROM:<a@b>"), 530);
        assert_eq!(client.code(PLAIN_8_1), 235);
        assert_eq!(client.code(b"MAIL FROM:<a@b>"), 250);
    }

    #[test]
    fn transaction_sequence_and_syntax() {
        let mut client = Client::new(config("", |c| c.limits.max_recipients = 1));
        assert_eq!(client.code(b"MAIL FROM:<a@b>"), 503, "before EHLO");
        assert_eq!(client.code(b"EHLO"), 501);
        assert_eq!(client.code(b"HELO client.example.net"), 250);
        assert_eq!(client.code(b"RCPT TO:<a@b>"), 503);
        assert_eq!(client.code(b"DATA"), 503);
        assert_eq!(client.code(b"MAIL TO:<a@b>"), 501);
        assert_eq!(client.code(b"mail from:<a@b> SIZE=10"), 250);
        assert_eq!(client.code(b"MAIL FROM:<a@b>"), 503);
        assert_eq!(client.code(b"DATA"), 503, "no recipient");
        assert_eq!(client.code(b"RCPT FROM:<a@b>"), 501);
        assert_eq!(client.code(b"RCPT TO:<a@b>"), 250);
        assert_eq!(client.code(b"RCPT TO:<c@d>"), 452);
        assert_eq!(client.code(b"RSET"), 250);
        assert_eq!(
            client.code(b"RCPT TO:<a@b>"),
            503,
            "RSET ended the transaction"
        );
        assert_eq!(client.code(b"NOOP"), 250);
        assert_eq!(client.code(b"VRFY a"), 502);
        assert_eq!(client.code(b"BDAT 10 LAST"), 500);
        assert_eq!(client.code(b"STARTTLS now"), 501);
    }

    #[test]
    fn message_limits() {
        let mut client = Client::new(config("", |c| c.limits.max_message_octets = 10));
        client.send(b"EHLO client.example.net");
        let mut transaction = |lines: &[Line]| {
            assert_eq!(client.code(b"MAIL FROM:<a@b>"), 250);
            assert_eq!(client.code(b"RCPT TO:<a@b>"), 250);
            assert_eq!(client.code(b"DATA"), 354);
            for line in lines {
                assert_eq!(client.protocol.line(line.clone()), Step::Nothing);
            }
            client.send(b".")
        };
        let line = |text: &[u8], crlf| Line::Complete {
            text: text.to_vec(),
            crlf,
        };
        // 8 octets with CRLF: within 10.
        assert_eq!(transaction(&[line(b"123456", true)]), "250 OK");
        assert_eq!(
            transaction(&[line(b"1234567890", true)]),
            "552 Message size exceeds fixed maximum message size"
        );
        assert_eq!(
            transaction(&[Line::TooLong { crlf: true }]),
            "500 Line too long"
        );
        // A "." after a bare LF does not end the message (RFC 5321 §4.1.1.4: CRLF.CRLF).
        assert_eq!(
            transaction(&[line(b"a", false), line(b".", true), line(b"", true)]),
            "250 OK"
        );
    }

    #[test]
    fn command_limits() {
        let mut client = Client::new(config("", |c| c.limits.max_commands = 2));
        assert_eq!(
            client.protocol.line(Line::TooLong { crlf: true }),
            Step::Reply("500 Line too long".into())
        );
        assert_eq!(client.code(b"NOOP"), 250);
        assert_eq!(
            client.step(b"NOOP"),
            Step::Close(
                "421 server.example.com Too many commands, closing transmission channel".into()
            )
        );
    }

    #[test]
    fn the_log_never_shows_what_the_handling_keeps_from_it() {
        let policy = "[clientid]\ndenied_types = [\"MAC\"]\n[clientid.handling]\ntypes = { MAC = [\"authentication\"] }\n";
        let mut client = Client::new(config(policy, |_| {}));
        client.starttls();
        client.send(b"EHLO client.example.net");
        client.send(MAC);
        assert_eq!(client.code(b"AUTH PLAIN AHRlc3QgdXNlcgAxMjM0"), 550);
        let log = &client.log[0];
        assert!(!log.contains("08:9e"), "{log}");
        // "test user": the space is escaped, the line stays one record.
        assert!(
            log.contains("account=test\\x20user mechanism=PLAIN credentials=invalid"),
            "{log}"
        );
        assert!(log.contains("findings=[type_not_accepted"), "{log}");
    }
}
