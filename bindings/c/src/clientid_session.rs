//! The server side of CLIENTID for MTAs written in C (draft-storey-smtp-client-id-13 §3, §4, §6,
//! §7): a policy engine shared by every connection, one session per connection that answers
//! whether to advertise the keyword and how to reply to each CLIENTID command, and the decision
//! the policy takes at AUTH.
//!
//! Threads: an engine may be used by several threads at once (sessions made from it, in
//! particular, may authenticate concurrently); a session and a decision belong to one connection
//! and are used by one thread at a time.

use std::ffi::{CStr, c_char};
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use facade::clientid::store::SqliteStore;
use facade::clientid::{
    Action, Alert, AuthAttempt, ClientIdCommand, Decision, Handling, HistoryStore, LogAudience,
    MemoryStore, PolicyEngine, Reply, Session, Verdict,
};

use crate::boundary::{PanicValue, ffi_boundary};
use crate::detail::mailsec_error_detail;
use crate::handle::{
    Castable, borrow_handle, borrow_handle_mut, free_handle, into_handle, write_out,
};
use crate::headers::{line_column, policy_error};
use crate::result::mailsec_result;
use crate::slice::{input_bytes, input_c_str, mailsec_str};

/// Event of `mailsec_clientid_session_feed`: TLS was negotiated (STARTTLS, RFC 3207 §4.2);
/// everything learnt before, the identity included, is discarded.
pub const MAILSEC_CLIENTID_EVENT_TLS_ESTABLISHED: u32 = 1;
/// Event: an EHLO command; `*advertise_out` says whether its reply lists CLIENTID (draft §3).
pub const MAILSEC_CLIENTID_EVENT_EHLO: u32 = 2;
/// Event: a HELO command (its reply lists no keywords, so CLIENTID stays unadvertised).
pub const MAILSEC_CLIENTID_EVENT_HELO: u32 = 3;
/// Event: an AUTH command was received; CLIENTID is answered 503 from now on (draft §4). An
/// MTA that lets `mailsec_clientid_session_authenticate` decide need not feed it.
pub const MAILSEC_CLIENTID_EVENT_AUTH_STARTED: u32 = 4;
/// Event: RSET (RFC 5321 §4.1.1.5); ends the mail transaction, keeps the identity.
pub const MAILSEC_CLIENTID_EVENT_RSET: u32 = 5;
/// Event: a security layer was applied after AUTH (RFC 4954 §4); the session is back to its
/// initial state and the identity is discarded (draft §4).
pub const MAILSEC_CLIENTID_EVENT_SECURITY_LAYER_RESET: u32 = 6;
/// Event: QUIT; every later CLIENTID is answered 503.
pub const MAILSEC_CLIENTID_EVENT_QUIT: u32 = 7;

/// Which identity `mailsec_clientid_session_identity` returns: the one kept in the session,
/// whatever its handling flags (draft §7 flags 2–7; flag 1 keeps nothing).
pub const MAILSEC_CLIENTID_VIEW_KEPT: u32 = 0;
/// View: the identity if it counts as presented (neither flag 1 "ignore" nor flag 2 "debug").
pub const MAILSEC_CLIENTID_VIEW_PRESENTED: u32 = 1;
/// View: the identity if it may be used for authentication decisions (flag 5).
pub const MAILSEC_CLIENTID_VIEW_AUTHENTICATION: u32 = 2;
/// View: the identity if it may be written to the system log (flag 3).
pub const MAILSEC_CLIENTID_VIEW_SYSTEM_LOG: u32 = 3;
/// View: the identity if it may be written to a log the account holder reads (flag 4).
pub const MAILSEC_CLIENTID_VIEW_USER_LOG: u32 = 4;

/// Handling flag (draft §7 flag 1): treated as not presented, and not kept.
pub const MAILSEC_CLIENTID_HANDLING_IGNORE: u32 = 1 << 0;
/// Handling flag (draft §7 flag 2): kept for debugging, treated as not presented.
pub const MAILSEC_CLIENTID_HANDLING_DEBUG: u32 = 1 << 1;
/// Handling flag (draft §7 flag 3): may go to the system log.
pub const MAILSEC_CLIENTID_HANDLING_SYSTEM_LOG: u32 = 1 << 2;
/// Handling flag (draft §7 flag 4): may go to the user's log.
pub const MAILSEC_CLIENTID_HANDLING_USER_LOG: u32 = 1 << 3;
/// Handling flag (draft §7 flag 5): used for authentication decisions.
pub const MAILSEC_CLIENTID_HANDLING_AUTHENTICATION: u32 = 1 << 4;
/// Handling flag (draft §7 flag 6): alert when authentication fails.
pub const MAILSEC_CLIENTID_HANDLING_ALERT_ON_FAILURE: u32 = 1 << 5;
/// Handling flag (draft §7 flag 7): alert when authentication succeeds.
pub const MAILSEC_CLIENTID_HANDLING_ALERT_ON_SUCCESS: u32 = 1 << 6;

/// Alert flag of `mailsec_clientid_decision_alert_flags`: authentication failed and the
/// identity's type has handling flag 6.
pub const MAILSEC_CLIENTID_ALERT_AUTHENTICATION_FAILED: u32 = 1 << 0;
/// Alert flag: authentication succeeded and the identity's type has handling flag 7.
pub const MAILSEC_CLIENTID_ALERT_AUTHENTICATION_SUCCEEDED: u32 = 1 << 1;
/// Alert flag: a heuristic fired with action alert or deny (draft §6).
pub const MAILSEC_CLIENTID_ALERT_HEURISTIC: u32 = 1 << 2;

/// The policy's verdict at AUTH.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum mailsec_clientid_verdict {
    /// The policy lets the client in (the credentials still decide).
    Allow = 0,
    /// The policy refuses the client (draft §6.1, §8.3).
    Refuse = 1,
    /// The history store could not be read: try again later (454).
    Defer = 2,
}

/// What the policy does about a heuristic that fired.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum mailsec_clientid_action {
    /// Nothing.
    Allow = 0,
    /// Let the client in, and raise an alert.
    Alert = 1,
    /// Refuse the client.
    Deny = 2,
}

/// An SMTP reply (RFC 5321 §4.2). The strings are static: they stay valid for the life of the
/// program and need no release. The texts are generic (draft §6.1: a refusal reveals nothing of
/// the rules); send `code`, then `enhanced` when the server advertises ENHANCEDSTATUSCODES
/// (RFC 2034), then `text`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct mailsec_clientid_reply {
    /// The three-digit reply code.
    pub code: u16,
    /// The enhanced status code (RFC 3463), e.g. `5.5.1`.
    pub enhanced: mailsec_str,
    /// The reply text, without code and enhanced status code.
    pub text: mailsec_str,
}

impl From<Reply> for mailsec_clientid_reply {
    fn from(reply: Reply) -> Self {
        mailsec_clientid_reply {
            code: reply.code,
            enhanced: mailsec_str::borrow(reply.enhanced),
            text: mailsec_str::borrow(reply.text),
        }
    }
}

impl PanicValue for u32 {
    fn panic_value() -> Self {
        0
    }
}

/// The policy engine of one server: the `[clientid]` policy, the history store and the
/// per-identity connection counts. Made by `mailsec_clientid_engine_new` (or
/// `mailsec_clientid_engine_new_sqlite`), released by `mailsec_clientid_engine_free`; sessions
/// keep what they need of it, so it may be freed before them.
pub struct mailsec_clientid_engine {
    _private: [u8; 0],
}

impl Castable for mailsec_clientid_engine {
    type RustType = Arc<PolicyEngine>;
}

/// The CLIENTID state of one SMTP connection (draft §3, §4). Made by
/// `mailsec_clientid_session_new`, released by `mailsec_clientid_session_free`.
pub struct mailsec_clientid_session {
    _private: [u8; 0],
}

/// A session and the engine that decides at its AUTH.
pub(crate) struct SessionState {
    engine: Arc<PolicyEngine>,
    session: Session,
}

impl Castable for mailsec_clientid_session {
    type RustType = SessionState;
}

/// What the policy decided at one AUTH, and why. Made by
/// `mailsec_clientid_session_authenticate`, released by `mailsec_clientid_decision_free`.
pub struct mailsec_clientid_decision {
    _private: [u8; 0],
}

/// A decision with its log line, kept so C can borrow it.
pub(crate) struct DecisionState {
    decision: Decision,
    log_line: String,
}

impl Castable for mailsec_clientid_decision {
    type RustType = DecisionState;
}

/// Stores `message` as the detail of an out-of-range argument and returns
/// `MAILSEC_RESULT_INVALID_PARAMETER`.
///
/// # Safety
/// `detail_out` is NULL or valid for a write.
unsafe fn invalid_parameter(
    message: &str,
    detail_out: *mut mailsec_error_detail,
) -> mailsec_result {
    // SAFETY: NULL or valid for a write by the caller's contract.
    unsafe { mailsec_error_detail::new(0, 0, message).store(detail_out) };
    mailsec_result::InvalidParameter
}

/// Reads a mailsec policy file (empty for the defaults) and builds the engine over `store`.
///
/// # Safety
/// `detail_out` is NULL or valid for a write.
unsafe fn build_engine(
    toml: &[u8],
    store: impl FnOnce() -> Result<Arc<dyn HistoryStore>, facade::Error>,
    detail_out: *mut mailsec_error_detail,
) -> Result<Arc<PolicyEngine>, mailsec_result> {
    let text = match std::str::from_utf8(toml) {
        Ok(text) => text,
        Err(e) => {
            let valid = toml
                .get(..e.valid_up_to())
                .and_then(|b| std::str::from_utf8(b).ok());
            let (line, column) = line_column(valid.unwrap_or(""));
            let message = format!("line {line}, column {column}: the policy is not UTF-8");
            // SAFETY: NULL or valid for a write by the caller's contract.
            unsafe { mailsec_error_detail::new(e.valid_up_to(), 0, &message).store(detail_out) };
            return Err(mailsec_result::PolicyInvalid);
        }
    };
    let engine = facade::Policy::from_toml_str(text).and_then(|policy| {
        let store = store()?;
        facade::clientid::engine(&policy, store)
    });
    match engine {
        Ok(engine) => Ok(Arc::new(engine)),
        // SAFETY: NULL or valid for a write by the caller's contract.
        Err(error) => Err(unsafe { policy_error(&error, text, detail_out) }),
    }
}

/// Makes a policy engine from a mailsec policy file (TOML text): its `[clientid]` table says
/// whether CLIENTID is offered, the handling flags per type (draft §7) and the heuristics applied
/// at AUTH (draft §6). A file without the table, or an empty `policy_toml` (NULL with length 0),
/// gives the defaults: CLIENTID enabled, every identity accepted. The history is kept in memory
/// and lost with the engine.
///
/// On success `*engine_out` holds a new engine (release it with
/// `mailsec_clientid_engine_free`). Bad TOML or an unknown key is
/// `MAILSEC_RESULT_POLICY_INVALID`, an inconsistent `[clientid]` table
/// `MAILSEC_RESULT_CLIENTID_POLICY`, an unreadable token key file `MAILSEC_RESULT_GENERAL`;
/// `*detail_out`, if given, says where and why.
///
/// # Safety
/// `policy_toml` is valid for reads of `policy_toml_len` bytes (NULL only if 0); `engine_out` is
/// valid for a write; `detail_out` is NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_clientid_engine_new(
    policy_toml: *const u8,
    policy_toml_len: usize,
    engine_out: *mut *mut mailsec_clientid_engine,
    detail_out: *mut mailsec_error_detail,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: `policy_toml` is valid for `policy_toml_len` bytes by the caller's contract.
        let Some(toml) = (unsafe { input_bytes(policy_toml, policy_toml_len) }) else {
            return mailsec_result::NullParameter;
        };
        if engine_out.is_null() {
            return mailsec_result::NullParameter;
        }
        let memory = || -> Result<Arc<dyn HistoryStore>, facade::Error> {
            Ok(Arc::new(MemoryStore::default()))
        };
        // SAFETY: NULL or valid for a write by the caller's contract.
        match unsafe { build_engine(toml, memory, detail_out) } {
            Ok(engine) => {
                // SAFETY: checked non-NULL above, valid for a write by the caller's contract.
                unsafe { write_out(engine_out, into_handle::<mailsec_clientid_engine>(engine)) };
                mailsec_result::Ok
            }
            Err(code) => code,
        }
    }
}

/// Like `mailsec_clientid_engine_new`, with the history in the SQLite database at `path`
/// (created if missing), kept across restarts and shared by the processes that open the same
/// file (draft §6.3: a device stays known). Give the policy a `token_key_file` (or
/// `token_storage = "plain"`): without one, identities are hashed under a key that lives only as
/// long as the engine, and a restarted server finds every device new.
///
/// A file that cannot be opened is `MAILSEC_RESULT_CLIENTID_STORE_UNAVAILABLE`, one that is
/// not a history store `MAILSEC_RESULT_CLIENTID_STORE_CORRUPT`; policy errors are as for
/// `mailsec_clientid_engine_new`. `*detail_out`, if given, says why.
///
/// # Safety
/// `policy_toml` is valid for reads of `policy_toml_len` bytes (NULL only if 0); `path` is a
/// NUL-terminated string; `engine_out` is valid for a write; `detail_out` is NULL or valid for
/// a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_clientid_engine_new_sqlite(
    policy_toml: *const u8,
    policy_toml_len: usize,
    path: *const c_char,
    engine_out: *mut *mut mailsec_clientid_engine,
    detail_out: *mut mailsec_error_detail,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: `policy_toml` is valid for `policy_toml_len` bytes by the caller's contract.
        let Some(toml) = (unsafe { input_bytes(policy_toml, policy_toml_len) }) else {
            return mailsec_result::NullParameter;
        };
        if path.is_null() || engine_out.is_null() {
            return mailsec_result::NullParameter;
        }
        // SAFETY: non-NULL and NUL-terminated by the caller's contract.
        let path = file_path(unsafe { CStr::from_ptr(path) });
        let Some(path) = path else {
            // SAFETY: NULL or valid for a write by the caller's contract.
            return unsafe { invalid_parameter("the store path is not UTF-8", detail_out) };
        };
        let sqlite = || -> Result<Arc<dyn HistoryStore>, facade::Error> {
            Ok(Arc::new(SqliteStore::open(&path)?))
        };
        // SAFETY: NULL or valid for a write by the caller's contract.
        match unsafe { build_engine(toml, sqlite, detail_out) } {
            Ok(engine) => {
                // SAFETY: checked non-NULL above, valid for a write by the caller's contract.
                unsafe { write_out(engine_out, into_handle::<mailsec_clientid_engine>(engine)) };
                mailsec_result::Ok
            }
            Err(code) => code,
        }
    }
}

/// A path from C: any bytes on Unix, UTF-8 elsewhere.
fn file_path(path: &CStr) -> Option<PathBuf> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        Some(PathBuf::from(std::ffi::OsStr::from_bytes(path.to_bytes())))
    }
    #[cfg(not(unix))]
    {
        path.to_str().ok().map(PathBuf::from)
    }
}

/// Releases an engine. Sessions made from it stay usable. NULL is ignored.
///
/// # Safety
/// `engine` is NULL or a live engine handle, freed only once.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_clientid_engine_free(engine: *mut mailsec_clientid_engine) {
    ffi_boundary! {
        // SAFETY: NULL or a live handle, freed once, by the caller's contract.
        unsafe { free_handle(engine) }
    }
}

/// Starts the CLIENTID state of a connection just opened. `tls` is true for implicit TLS (port
/// 465, draft §4's "historical SMTP-SSL connection"), false for a plaintext connection that may
/// later STARTTLS.
///
/// On success `*session_out` holds a new session (release it with
/// `mailsec_clientid_session_free`).
///
/// # Safety
/// `engine` is a live engine handle; `session_out` is valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_clientid_session_new(
    engine: *const mailsec_clientid_engine,
    tls: bool,
    session_out: *mut *mut mailsec_clientid_session,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: NULL or a live handle by the caller's contract.
        let Some(engine) = (unsafe { borrow_handle(engine) }) else {
            return mailsec_result::NullParameter;
        };
        if session_out.is_null() {
            return mailsec_result::NullParameter;
        }
        let state = SessionState {
            engine: Arc::clone(engine),
            session: Session::new(engine.session_config(), tls),
        };
        // SAFETY: checked non-NULL above, valid for a write by the caller's contract.
        unsafe { write_out(session_out, into_handle::<mailsec_clientid_session>(state)) };
        mailsec_result::Ok
    }
}

/// Releases a session (and the connection slot it may hold, draft §6.2 item 3). NULL is
/// ignored.
///
/// # Safety
/// `session` is NULL or a live session handle, freed only once.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_clientid_session_free(session: *mut mailsec_clientid_session) {
    ffi_boundary! {
        // SAFETY: NULL or a live handle, freed once, by the caller's contract.
        unsafe { free_handle(session) }
    }
}

/// Tells the session what happened on the connection: one of the `MAILSEC_CLIENTID_EVENT_*`
/// constants. `*advertise_out`, if given, is set to whether the reply lists CLIENTID for
/// `MAILSEC_CLIENTID_EVENT_EHLO` (draft §3), and to false for every other event. An unknown
/// event is `MAILSEC_RESULT_INVALID_PARAMETER` and changes nothing.
///
/// # Safety
/// `session` is a live session handle not used by another thread meanwhile; `advertise_out` is
/// NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_clientid_session_feed(
    session: *mut mailsec_clientid_session,
    event: u32,
    advertise_out: *mut bool,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: NULL or a live handle nothing else borrows, by the caller's contract.
        let Some(state) = (unsafe { borrow_handle_mut(session) }) else {
            return mailsec_result::NullParameter;
        };
        let session = &mut state.session;
        let advertise = match event {
            MAILSEC_CLIENTID_EVENT_TLS_ESTABLISHED => {
                session.tls_established();
                false
            }
            MAILSEC_CLIENTID_EVENT_EHLO => session.ehlo(),
            MAILSEC_CLIENTID_EVENT_HELO => {
                session.helo();
                false
            }
            MAILSEC_CLIENTID_EVENT_AUTH_STARTED => {
                session.auth_started();
                false
            }
            MAILSEC_CLIENTID_EVENT_RSET => {
                session.rset();
                false
            }
            MAILSEC_CLIENTID_EVENT_SECURITY_LAYER_RESET => {
                session.security_layer_reset();
                false
            }
            MAILSEC_CLIENTID_EVENT_QUIT => {
                session.quit();
                false
            }
            _ => return mailsec_result::InvalidParameter,
        };
        // SAFETY: NULL or valid for a write by the caller's contract.
        unsafe { write_out(advertise_out, advertise) };
        mailsec_result::Ok
    }
}

/// An EHLO command: sets `*advertise_out` to whether its reply lists the CLIENTID keyword
/// (draft §3: never unless enabled, never before TLS, always after). The same as feeding
/// `MAILSEC_CLIENTID_EVENT_EHLO`.
///
/// # Safety
/// `session` is a live session handle not used by another thread meanwhile; `advertise_out` is
/// valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_clientid_session_ehlo(
    session: *mut mailsec_clientid_session,
    advertise_out: *mut bool,
) -> mailsec_result {
    ffi_boundary! {
        if advertise_out.is_null() {
            return mailsec_result::NullParameter;
        }
        // SAFETY: `session` NULL or live and unshared, `advertise_out` checked non-NULL and valid
        // for a write, by the caller's contract.
        unsafe { mailsec_clientid_session_feed(session, MAILSEC_CLIENTID_EVENT_EHLO, advertise_out) }
    }
}

/// Whether an EHLO reply sent now would list CLIENTID (draft §3), without recording an EHLO.
/// `false` if `session` is NULL.
///
/// # Safety
/// `session` is NULL or a live session handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_clientid_session_advertises(
    session: *const mailsec_clientid_session,
) -> bool {
    ffi_boundary! {
        // SAFETY: NULL or a live handle by the caller's contract.
        unsafe { borrow_handle(session) }.is_some_and(|state| state.session.advertises())
    }
}

/// A CLIENTID command line as received, with or without CRLF: sets `*reply_out` to the reply to
/// send (draft §4): 500 when CLIENTID is not enabled or TLS is not established (§8.2), 503 before
/// the keyword was advertised, after AUTH, after a successful CLIENTID or after QUIT, 501 for a
/// malformed line (§8.4), 250 otherwise — whatever the type, since the policy decides at AUTH
/// (draft §6.1).
///
/// When the reply is 501, `*detail_out`, if given, says what is malformed and where (for the
/// log; the client gets only the reply).
///
/// # Safety
/// `session` is a live session handle not used by another thread meanwhile; `line` is valid for
/// reads of `line_len` bytes (NULL only if 0); `reply_out` is valid for a write; `detail_out` is
/// NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_clientid_session_command(
    session: *mut mailsec_clientid_session,
    line: *const u8,
    line_len: usize,
    reply_out: *mut mailsec_clientid_reply,
    detail_out: *mut mailsec_error_detail,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: `line` is valid for `line_len` bytes by the caller's contract.
        let Some(line) = (unsafe { input_bytes(line, line_len) }) else {
            return mailsec_result::NullParameter;
        };
        if reply_out.is_null() {
            return mailsec_result::NullParameter;
        }
        // SAFETY: NULL or a live handle nothing else borrows, by the caller's contract.
        let Some(state) = (unsafe { borrow_handle_mut(session) }) else {
            return mailsec_result::NullParameter;
        };
        let reply = state.session.clientid(line);
        if reply.code == 501
            && let Err(error) =
                ClientIdCommand::parse_with(line, state.session.config().strictness)
        {
            let detail =
                mailsec_error_detail::new(error.offset(), error.reply_code(), &error.to_string());
            // SAFETY: NULL or valid for a write by the caller's contract.
            unsafe { detail.store(detail_out) };
        }
        // SAFETY: checked non-NULL above, valid for a write by the caller's contract.
        unsafe { write_out(reply_out, mailsec_clientid_reply::from(reply)) };
        mailsec_result::Ok
    }
}

/// Seconds since the Unix epoch by the system clock.
fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

/// Decides an AUTH with the engine's policy (draft §6): the credentials the MTA checked, the
/// identity the session holds, and the history. The session learns how it ended (CLIENTID is
/// answered 503 from now on); the history records the attempt.
///
/// `account` is the SASL authentication identity (UTF-8); `peer_ip` the client's address in
/// text (`192.0.2.1`, `2001:db8::1`); `location`, if not NULL, a label the MTA has for the peer
/// (GeoIP country, AS number) that the travel heuristic compares instead of address prefixes;
/// `now` the time in seconds since the Unix epoch, 0 for the system clock.
///
/// On success `*decision_out` holds a new decision (release it with
/// `mailsec_clientid_decision_free`): send the AUTH reply it gives
/// (`mailsec_clientid_decision_reply`): 235, 535, 454, or the generic 550 of draft §8.3. An
/// address that does not parse or text that is not UTF-8 is `MAILSEC_RESULT_INVALID_PARAMETER`,
/// with the reason in `*detail_out`.
///
/// # Safety
/// `session` is a live session handle not used by another thread meanwhile; `account` and
/// `peer_ip` are NUL-terminated strings; `location` is NULL or a NUL-terminated string;
/// `decision_out` is valid for a write; `detail_out` is NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_clientid_session_authenticate(
    session: *mut mailsec_clientid_session,
    account: *const c_char,
    credentials_valid: bool,
    peer_ip: *const c_char,
    location: *const c_char,
    now: u64,
    decision_out: *mut *mut mailsec_clientid_decision,
    detail_out: *mut mailsec_error_detail,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: each is NULL or NUL-terminated by the caller's contract.
        let texts = unsafe { (input_c_str(account), input_c_str(peer_ip), input_c_str(location)) };
        let (account, peer_ip, location) = match texts {
            (Ok(Some(account)), Ok(Some(peer_ip)), Ok(location)) => (account, peer_ip, location),
            (Ok(None), _, _) | (_, Ok(None), _) => return mailsec_result::NullParameter,
            _ => {
                // SAFETY: NULL or valid for a write by the caller's contract.
                return unsafe { invalid_parameter("account, peer or location is not UTF-8", detail_out) };
            }
        };
        if decision_out.is_null() {
            return mailsec_result::NullParameter;
        }
        // SAFETY: NULL or a live handle nothing else borrows, by the caller's contract.
        let Some(state) = (unsafe { borrow_handle_mut(session) }) else {
            return mailsec_result::NullParameter;
        };
        let Ok(peer) = peer_ip.parse::<IpAddr>() else {
            let message = format!("peer {peer_ip:?} is not an IP address");
            // SAFETY: NULL or valid for a write by the caller's contract.
            return unsafe { invalid_parameter(&message, detail_out) };
        };
        let attempt = AuthAttempt {
            account,
            credentials_valid,
            peer,
            location,
            now: if now == 0 { unix_now() } else { now },
        };
        let decision = state.engine.decide(&mut state.session, &attempt);
        let log_line = decision.log_line();
        let made = DecisionState { decision, log_line };
        // SAFETY: checked non-NULL above, valid for a write by the caller's contract.
        unsafe { write_out(decision_out, into_handle::<mailsec_clientid_decision>(made)) };
        mailsec_result::Ok
    }
}

/// The reply to give MAIL, RCPT and DATA: returns true, and sets `*reply_out` (if given) to the
/// generic 550, once the policy refused the client after a 235 (policy `refuse_at =
/// "transaction"`, draft §8.3 as written); false while the transaction may go on, or if
/// `session` is NULL.
///
/// # Safety
/// `session` is NULL or a live session handle; `reply_out` is NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_clientid_session_transaction_refusal(
    session: *const mailsec_clientid_session,
    reply_out: *mut mailsec_clientid_reply,
) -> bool {
    ffi_boundary! {
        // SAFETY: NULL or a live handle by the caller's contract.
        let refusal = unsafe { borrow_handle(session) }
            .and_then(|state| state.session.transaction_refusal());
        match refusal {
            Some(reply) => {
                // SAFETY: NULL or valid for a write by the caller's contract.
                unsafe { write_out(reply_out, mailsec_clientid_reply::from(reply)) };
                true
            }
            None => false,
        }
    }
}

/// Whether the client is authenticated (AUTH answered 235). `false` if `session` is NULL.
///
/// # Safety
/// `session` is NULL or a live session handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_clientid_session_is_authenticated(
    session: *const mailsec_clientid_session,
) -> bool {
    ffi_boundary! {
        // SAFETY: NULL or a live handle by the caller's contract.
        unsafe { borrow_handle(session) }.is_some_and(|state| state.session.is_authenticated())
    }
}

/// Sets `*type_out` and `*token_out` to the identity the session holds, as `view` (one of the
/// `MAILSEC_CLIENTID_VIEW_*` constants) may see it: for logging, only an identity whose type's
/// handling flags allow that log (draft §7 flags 3, 4). The strings stay valid until the session
/// is freed or its identity discarded (TLS established, security layer reset).
///
/// `MAILSEC_RESULT_CLIENTID_NO_IDENTITY` when there is none for that view (nothing presented,
/// or the flags keep it out); `MAILSEC_RESULT_INVALID_PARAMETER` for an unknown view.
///
/// # Safety
/// `session` is a live session handle; `type_out` and `token_out` are valid for writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_clientid_session_identity(
    session: *const mailsec_clientid_session,
    view: u32,
    type_out: *mut mailsec_str,
    token_out: *mut mailsec_str,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: NULL or a live handle by the caller's contract.
        let Some(state) = (unsafe { borrow_handle(session) }) else {
            return mailsec_result::NullParameter;
        };
        if type_out.is_null() || token_out.is_null() {
            return mailsec_result::NullParameter;
        }
        let session = &state.session;
        let command = match view {
            MAILSEC_CLIENTID_VIEW_KEPT => session.identity().map(|i| i.command()),
            MAILSEC_CLIENTID_VIEW_PRESENTED => session.presented_identity().map(|i| i.command()),
            MAILSEC_CLIENTID_VIEW_AUTHENTICATION => {
                session.identity_for_authentication().map(|i| i.command())
            }
            MAILSEC_CLIENTID_VIEW_SYSTEM_LOG => session.loggable_identity(LogAudience::System),
            MAILSEC_CLIENTID_VIEW_USER_LOG => session.loggable_identity(LogAudience::User),
            _ => return mailsec_result::InvalidParameter,
        };
        let Some(command) = command else {
            return mailsec_result::ClientidNoIdentity;
        };
        // SAFETY: both checked non-NULL above and valid for writes by the caller's contract.
        unsafe {
            write_out(type_out, mailsec_str::borrow(command.client_type().as_str()));
            write_out(token_out, mailsec_str::borrow(command.token().as_str()));
        }
        mailsec_result::Ok
    }
}

/// The handling flags as `MAILSEC_CLIENTID_HANDLING_*` bits.
fn handling_bits(handling: Handling) -> u32 {
    u32::from(handling.bits())
}

/// Sets `*flags_out` to the handling flags (`MAILSEC_CLIENTID_HANDLING_*` bits, draft §7) of the
/// identity kept in the session. `MAILSEC_RESULT_CLIENTID_NO_IDENTITY` when none is kept (none
/// presented, or its type is ignored).
///
/// # Safety
/// `session` is a live session handle; `flags_out` is valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_clientid_session_handling(
    session: *const mailsec_clientid_session,
    flags_out: *mut u32,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: NULL or a live handle by the caller's contract.
        let Some(state) = (unsafe { borrow_handle(session) }) else {
            return mailsec_result::NullParameter;
        };
        if flags_out.is_null() {
            return mailsec_result::NullParameter;
        }
        let Some(identity) = state.session.identity() else {
            return mailsec_result::ClientidNoIdentity;
        };
        // SAFETY: checked non-NULL above, valid for a write by the caller's contract.
        unsafe { write_out(flags_out, handling_bits(identity.handling())) };
        mailsec_result::Ok
    }
}

/// Sets `*verdict_out` to the policy's verdict.
///
/// # Safety
/// `decision` is a live decision handle; `verdict_out` is valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_clientid_decision_verdict(
    decision: *const mailsec_clientid_decision,
    verdict_out: *mut mailsec_clientid_verdict,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: NULL or a live handle by the caller's contract.
        let Some(state) = (unsafe { borrow_handle(decision) }) else {
            return mailsec_result::NullParameter;
        };
        let verdict = match state.decision.verdict {
            Verdict::Allow => mailsec_clientid_verdict::Allow,
            Verdict::Refuse => mailsec_clientid_verdict::Refuse,
            Verdict::Defer => mailsec_clientid_verdict::Defer,
        };
        // SAFETY: NULL or valid for a write by the caller's contract.
        if unsafe { write_out(verdict_out, verdict) } {
            mailsec_result::Ok
        } else {
            mailsec_result::NullParameter
        }
    }
}

/// Sets `*reply_out` to the reply to give the AUTH command: 235, 535 (credentials invalid), 454
/// (history unavailable), or the generic 550 of draft §8.3.
///
/// # Safety
/// `decision` is a live decision handle; `reply_out` is valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_clientid_decision_reply(
    decision: *const mailsec_clientid_decision,
    reply_out: *mut mailsec_clientid_reply,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: NULL or a live handle by the caller's contract.
        let Some(state) = (unsafe { borrow_handle(decision) }) else {
            return mailsec_result::NullParameter;
        };
        let reply = mailsec_clientid_reply::from(state.decision.reply);
        // SAFETY: NULL or valid for a write by the caller's contract.
        if unsafe { write_out(reply_out, reply) } {
            mailsec_result::Ok
        } else {
            mailsec_result::NullParameter
        }
    }
}

/// The reason for the server's log, one line: the verdict, the reply code and every finding
/// (`refuse reply=550 findings=[type_not_accepted (deny): …]`). Never send it to the client
/// (draft §6.1). Valid until the decision is freed; empty if `decision` is NULL.
///
/// # Safety
/// `decision` is NULL or a live decision handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_clientid_decision_log_line(
    decision: *const mailsec_clientid_decision,
) -> mailsec_str {
    ffi_boundary! {
        // SAFETY: NULL or a live handle by the caller's contract.
        match unsafe { borrow_handle(decision) } {
            Some(state) => mailsec_str::borrow(&state.log_line),
            None => mailsec_str::empty(),
        }
    }
}

/// The number of heuristics that fired; 0 if `decision` is NULL.
///
/// # Safety
/// `decision` is NULL or a live decision handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_clientid_decision_finding_count(
    decision: *const mailsec_clientid_decision,
) -> usize {
    ffi_boundary! {
        // SAFETY: NULL or a live handle by the caller's contract.
        unsafe { borrow_handle(decision) }.map_or(0, |state| state.decision.findings.len())
    }
}

/// The finding at `index`: `*name_out` its heuristic's stable name (`clientid_required`,
/// `type_required`, `type_not_accepted`, `revoked`, `not_permitted_for_account`, `new_device`,
/// `shared_across_accounts`, `rate_limited`, `too_many_connections`, `impossible_travel`,
/// `store_unavailable`), `*action_out` (if given) what the policy does about it, `*detail_out`
/// (if given) the detail for the log. The strings stay valid until the decision is freed.
/// `MAILSEC_RESULT_INVALID_PARAMETER` if `index` is not below the finding count.
///
/// # Safety
/// `decision` is a live decision handle; `name_out` is valid for a write; `action_out` and
/// `detail_out` are NULL or valid for writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_clientid_decision_finding(
    decision: *const mailsec_clientid_decision,
    index: usize,
    name_out: *mut mailsec_str,
    action_out: *mut mailsec_clientid_action,
    detail_out: *mut mailsec_str,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: NULL or a live handle by the caller's contract.
        let Some(state) = (unsafe { borrow_handle(decision) }) else {
            return mailsec_result::NullParameter;
        };
        if name_out.is_null() {
            return mailsec_result::NullParameter;
        }
        let Some(finding) = state.decision.findings.get(index) else {
            return mailsec_result::InvalidParameter;
        };
        let action = match finding.action {
            Action::Allow => mailsec_clientid_action::Allow,
            Action::Alert => mailsec_clientid_action::Alert,
            Action::Deny => mailsec_clientid_action::Deny,
        };
        // SAFETY: `name_out` checked non-NULL, the others NULL or valid for writes, by the
        // caller's contract.
        unsafe {
            write_out(name_out, mailsec_str::borrow(finding.heuristic.name()));
            write_out(action_out, action);
            write_out(detail_out, mailsec_str::borrow(&finding.detail));
        }
        mailsec_result::Ok
    }
}

/// The stable name of an alert, and its `MAILSEC_CLIENTID_ALERT_*` flag.
fn alert_name_and_flag(alert: Alert) -> (&'static str, u32) {
    match alert {
        Alert::AuthenticationFailed => (
            "authentication_failed",
            MAILSEC_CLIENTID_ALERT_AUTHENTICATION_FAILED,
        ),
        Alert::AuthenticationSucceeded => (
            "authentication_succeeded",
            MAILSEC_CLIENTID_ALERT_AUTHENTICATION_SUCCEEDED,
        ),
        Alert::Heuristic(heuristic) => (heuristic.name(), MAILSEC_CLIENTID_ALERT_HEURISTIC),
    }
}

/// The number of alerts to raise (draft §7 flags 6 and 7, and heuristics set to alert or deny);
/// 0 if `decision` is NULL.
///
/// # Safety
/// `decision` is NULL or a live decision handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_clientid_decision_alert_count(
    decision: *const mailsec_clientid_decision,
) -> usize {
    ffi_boundary! {
        // SAFETY: NULL or a live handle by the caller's contract.
        unsafe { borrow_handle(decision) }.map_or(0, |state| state.decision.alerts.len())
    }
}

/// The alerts as `MAILSEC_CLIENTID_ALERT_*` bits; 0 if none or `decision` is NULL.
///
/// # Safety
/// `decision` is NULL or a live decision handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_clientid_decision_alert_flags(
    decision: *const mailsec_clientid_decision,
) -> u32 {
    ffi_boundary! {
        // SAFETY: NULL or a live handle by the caller's contract.
        unsafe { borrow_handle(decision) }.map_or(0, |state| {
            state
                .decision
                .alerts
                .iter()
                .fold(0, |flags, alert| flags | alert_name_and_flag(*alert).1)
        })
    }
}

/// Sets `*name_out` to the name of the alert at `index`: `authentication_failed`,
/// `authentication_succeeded`, or the name of the heuristic that raised it (as
/// `mailsec_clientid_decision_finding` names them). The string is static.
/// `MAILSEC_RESULT_INVALID_PARAMETER` if `index` is not below the alert count.
///
/// # Safety
/// `decision` is a live decision handle; `name_out` is valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_clientid_decision_alert(
    decision: *const mailsec_clientid_decision,
    index: usize,
    name_out: *mut mailsec_str,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: NULL or a live handle by the caller's contract.
        let Some(state) = (unsafe { borrow_handle(decision) }) else {
            return mailsec_result::NullParameter;
        };
        if name_out.is_null() {
            return mailsec_result::NullParameter;
        }
        let Some(alert) = state.decision.alerts.get(index) else {
            return mailsec_result::InvalidParameter;
        };
        // SAFETY: checked non-NULL above, valid for a write by the caller's contract.
        unsafe { write_out(name_out, mailsec_str::borrow(alert_name_and_flag(*alert).0)) };
        mailsec_result::Ok
    }
}

/// Releases a decision. NULL is ignored.
///
/// # Safety
/// `decision` is NULL or a live decision handle, freed only once.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_clientid_decision_free(decision: *mut mailsec_clientid_decision) {
    ffi_boundary! {
        // SAFETY: NULL or a live handle, freed once, by the caller's contract.
        unsafe { free_handle(decision) }
    }
}

#[cfg(test)]
mod tests {
    use facade::clientid::HandlingFlag;

    use super::*;

    #[test]
    fn handling_constants_are_the_draft_section_7_bits() {
        let expected = [
            (HandlingFlag::Ignore, MAILSEC_CLIENTID_HANDLING_IGNORE),
            (HandlingFlag::Debug, MAILSEC_CLIENTID_HANDLING_DEBUG),
            (
                HandlingFlag::SystemLog,
                MAILSEC_CLIENTID_HANDLING_SYSTEM_LOG,
            ),
            (HandlingFlag::UserLog, MAILSEC_CLIENTID_HANDLING_USER_LOG),
            (
                HandlingFlag::Authentication,
                MAILSEC_CLIENTID_HANDLING_AUTHENTICATION,
            ),
            (
                HandlingFlag::AlertOnFailure,
                MAILSEC_CLIENTID_HANDLING_ALERT_ON_FAILURE,
            ),
            (
                HandlingFlag::AlertOnSuccess,
                MAILSEC_CLIENTID_HANDLING_ALERT_ON_SUCCESS,
            ),
        ];
        for (flag, bit) in expected {
            assert_eq!(handling_bits(Handling::NONE.with(flag)), bit, "{flag:?}");
        }
    }
}
