//! SASL PLAIN (RFC 4616) and LOGIN exchanges inside SMTP AUTH (RFC 4954), without I/O: the
//! session loop feeds lines, this module answers with a challenge, the credentials, or the
//! reply that ends the exchange.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// A reply that ends an exchange without credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Refusal {
    pub code: u16,
    pub text: &'static str,
}

/// RFC 4954 §4: "If the client wishes to cancel the exchange, it issues a line with a single
/// '*'. If the server receives such a response, it MUST reject the AUTH command by sending a
/// 501 reply."
const CANCELLED: Refusal = Refusal {
    code: 501,
    text: "Authentication cancelled",
};
/// RFC 4954 §4: a response that is not valid base64 gets 501.
const BAD_RESPONSE: Refusal = Refusal {
    code: 501,
    text: "Syntax error in parameters or arguments",
};
/// RFC 4954 §4, §6: the mechanism is not supported.
const UNKNOWN_MECHANISM: Refusal = Refusal {
    code: 504,
    text: "Unrecognized authentication type",
};

/// The credentials an exchange produced.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Credentials {
    /// The SASL mechanism that produced them.
    pub mechanism: &'static str,
    /// The authentication identity (RFC 4616 authcid; the LOGIN user name).
    pub account: String,
    /// The password.
    pub password: Vec<u8>,
    /// False when the exchange itself disqualifies the credentials: a user name that is not
    /// UTF-8, or a PLAIN authorization identity other than the account (this server lets
    /// nobody act for someone else).
    pub acceptable: bool,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("mechanism", &self.mechanism)
            .field("account", &self.account)
            .field("acceptable", &self.acceptable)
            .finish_non_exhaustive()
    }
}

/// Where an unfinished exchange stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Pending {
    /// `AUTH PLAIN` without an initial response: waiting for it.
    Plain,
    /// `AUTH LOGIN` without an initial response: waiting for the user name.
    LoginUser,
    /// LOGIN: waiting for the password of this user name.
    LoginPassword(Vec<u8>),
}

/// What to do after an AUTH command or a line of the exchange.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Exchange {
    /// Send `334 <challenge>` and wait for the next line.
    Continue(Pending, &'static str),
    /// The exchange is complete: check these credentials.
    Finished(Credentials),
    /// The exchange ended without credentials: send this reply.
    Refused(Refusal),
}

/// "Username:" and "Password:", base64: the LOGIN mechanism's prompts.
const LOGIN_USER_PROMPT: &str = "VXNlcm5hbWU6";
const LOGIN_PASSWORD_PROMPT: &str = "UGFzc3dvcmQ6";

/// The arguments of an AUTH command: `mechanism [initial-response]` (RFC 4954 §4).
pub(crate) fn begin(arguments: &[u8]) -> Exchange {
    let mut words = arguments
        .split(|&b| b == b' ')
        .filter(|word| !word.is_empty());
    let (Some(mechanism), initial, None) = (words.next(), words.next(), words.next()) else {
        return Exchange::Refused(BAD_RESPONSE);
    };
    if mechanism.eq_ignore_ascii_case(b"PLAIN") {
        match initial {
            None => Exchange::Continue(Pending::Plain, ""),
            Some(response) => plain(response),
        }
    } else if mechanism.eq_ignore_ascii_case(b"LOGIN") {
        match initial {
            None => Exchange::Continue(Pending::LoginUser, LOGIN_USER_PROMPT),
            Some(response) => login_user(response),
        }
    } else {
        Exchange::Refused(UNKNOWN_MECHANISM)
    }
}

/// The client's next line in an unfinished exchange.
pub(crate) fn respond(pending: Pending, line: &[u8]) -> Exchange {
    match pending {
        Pending::Plain => plain(line),
        Pending::LoginUser => login_user(line),
        Pending::LoginPassword(user) => match decode(line) {
            Ok(password) => Exchange::Finished(credentials("LOGIN", &user, password, true)),
            Err(refusal) => Exchange::Refused(refusal),
        },
    }
}

/// RFC 4616 §2: `message = [authzid] UTF8NUL authcid UTF8NUL passwd`.
fn plain(response: &[u8]) -> Exchange {
    let message = match decode(response) {
        Ok(message) => message,
        Err(refusal) => return Exchange::Refused(refusal),
    };
    let mut parts = message.splitn(3, |&b| b == 0);
    let (Some(authzid), Some(authcid), Some(password)) = (parts.next(), parts.next(), parts.next())
    else {
        return Exchange::Refused(BAD_RESPONSE);
    };
    if authcid.is_empty() || password.is_empty() || password.contains(&0) {
        return Exchange::Refused(BAD_RESPONSE);
    }
    // draft §8.1 sends "test\0test\01234": an authzid equal to the authcid is the same user.
    let same_user = authzid.is_empty() || authzid == authcid;
    Exchange::Finished(credentials("PLAIN", authcid, password.to_vec(), same_user))
}

fn login_user(response: &[u8]) -> Exchange {
    match decode(response) {
        Ok(user) => Exchange::Continue(Pending::LoginPassword(user), LOGIN_PASSWORD_PROMPT),
        Err(refusal) => Exchange::Refused(refusal),
    }
}

/// A response line: `*` cancels, `=` is the empty initial response (RFC 4954 §4), anything
/// else is base64.
fn decode(response: &[u8]) -> Result<Vec<u8>, Refusal> {
    match response {
        b"*" => Err(CANCELLED),
        b"=" => Ok(Vec::new()),
        _ => STANDARD.decode(response).map_err(|_| BAD_RESPONSE),
    }
}

fn credentials(
    mechanism: &'static str,
    user: &[u8],
    password: Vec<u8>,
    acceptable: bool,
) -> Credentials {
    match std::str::from_utf8(user) {
        Ok(account) if !account.is_empty() => Credentials {
            mechanism,
            account: account.to_owned(),
            password,
            acceptable,
        },
        _ => Credentials {
            mechanism,
            account: String::from_utf8_lossy(user).into_owned(),
            password,
            acceptable: false,
        },
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn finished(exchange: Exchange) -> Credentials {
        match exchange {
            Exchange::Finished(credentials) => credentials,
            other => panic!("not finished: {other:?}"),
        }
    }

    #[test]
    fn draft_8_1_blob_is_a_plain_response() {
        let credentials = finished(begin(b"PLAIN dGVzdAB0ZXN0ADEyMzQ="));
        assert_eq!(credentials.mechanism, "PLAIN");
        assert_eq!(credentials.account, "test");
        assert_eq!(credentials.password, b"1234");
        assert!(credentials.acceptable);
    }

    #[test]
    fn plain_without_initial_response_asks_with_an_empty_challenge() {
        let Exchange::Continue(pending, challenge) = begin(b"plain") else {
            panic!("expected a challenge");
        };
        assert_eq!(challenge, "");
        let credentials = finished(respond(pending, b"AHRlc3QAMTIzNA=="));
        assert_eq!(
            (credentials.account.as_str(), credentials.acceptable),
            ("test", true)
        );
    }

    #[test]
    fn plain_for_someone_else_is_not_acceptable() {
        // "admin\0test\01234"
        let credentials = finished(begin(b"PLAIN YWRtaW4AdGVzdAAxMjM0"));
        assert_eq!(credentials.account, "test");
        assert!(!credentials.acceptable);
    }

    #[test]
    fn login_prompts_for_user_then_password() {
        let Exchange::Continue(pending, prompt) = begin(b"LOGIN") else {
            panic!("expected a prompt");
        };
        assert_eq!(prompt, LOGIN_USER_PROMPT);
        let Exchange::Continue(pending, prompt) = respond(pending, b"dGVzdA==") else {
            panic!("expected a prompt");
        };
        assert_eq!(prompt, LOGIN_PASSWORD_PROMPT);
        let credentials = finished(respond(pending, b"MTIzNA=="));
        assert_eq!(credentials.mechanism, "LOGIN");
        assert_eq!(
            (
                credentials.account.as_str(),
                credentials.password.as_slice()
            ),
            ("test", &b"1234"[..])
        );
    }

    #[test]
    fn refusals() {
        assert_eq!(begin(b""), Exchange::Refused(BAD_RESPONSE));
        assert_eq!(begin(b"PLAIN a b"), Exchange::Refused(BAD_RESPONSE));
        assert_eq!(begin(b"CRAM-MD5"), Exchange::Refused(UNKNOWN_MECHANISM));
        assert_eq!(begin(b"PLAIN !!!"), Exchange::Refused(BAD_RESPONSE));
        assert_eq!(begin(b"PLAIN *"), Exchange::Refused(CANCELLED));
        assert_eq!(begin(b"PLAIN ="), Exchange::Refused(BAD_RESPONSE));
        assert_eq!(
            respond(Pending::LoginUser, b"*"),
            Exchange::Refused(CANCELLED)
        );
        // "test\01234": two fields, not three.
        assert_eq!(
            begin(b"PLAIN dGVzdAAxMjM0"),
            Exchange::Refused(BAD_RESPONSE)
        );
    }

    #[test]
    fn a_user_name_that_is_not_utf8_is_not_acceptable() {
        let credentials = finished(respond(Pending::LoginPassword(vec![0xff]), b"MTIzNA=="));
        assert!(!credentials.acceptable);
        let credentials = finished(respond(Pending::LoginPassword(Vec::new()), b"MTIzNA=="));
        assert!(!credentials.acceptable);
    }
}
