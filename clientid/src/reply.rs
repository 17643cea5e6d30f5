//! The SMTP replies a CLIENTID server gives. Texts are deliberately generic (draft §6.1: a
//! rejection "SHOULD NOT reveal any information on the heuristics or rules on which it bases
//! its decisions"); the reason for a decision goes to the server's log, never to the client.

use std::fmt;

/// One SMTP reply: a code (RFC 5321 §4.2), an enhanced status code (RFC 3463) that a server
/// advertising ENHANCEDSTATUSCODES puts first in the text, and the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Reply {
    /// The three-digit reply code.
    pub code: u16,
    /// The enhanced status code, `class.subject.detail`.
    pub enhanced: &'static str,
    /// The reply text, without the enhanced status code.
    pub text: &'static str,
}

impl Reply {
    /// The reply line without CRLF. With `enhanced`, the enhanced status code comes first
    /// (RFC 2034 §4), as a server advertising ENHANCEDSTATUSCODES writes it.
    pub fn line(&self, enhanced: bool) -> String {
        if enhanced {
            format!("{} {} {}", self.code, self.enhanced, self.text)
        } else {
            format!("{} {}", self.code, self.text)
        }
    }

    /// Whether the reply is a positive completion (2yz).
    pub fn is_positive(&self) -> bool {
        (200..300).contains(&self.code)
    }
}

impl fmt::Display for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.code, self.text)
    }
}

/// 250: the CLIENTID command was accepted (draft §8.1).
pub const CLIENTID_ACCEPTED: Reply = Reply {
    code: 250,
    enhanced: "2.0.0",
    text: "OK",
};

/// 500: CLIENTID is not enabled, or was sent before TLS (draft §4, §8.2). The text is the
/// one a server gives any unknown command, so a plaintext client learns nothing.
pub const COMMAND_UNRECOGNIZED: Reply = Reply {
    code: 500,
    enhanced: "5.5.1",
    text: "Syntax error, command unrecognised",
};

/// 501: a malformed CLIENTID command (draft §4, §8.4).
pub const SYNTAX_ERROR_IN_PARAMETERS: Reply = Reply {
    code: 501,
    enhanced: "5.5.4",
    text: "Syntax error in parameters or arguments",
};

/// 503: CLIENTID out of sequence — after a successful CLIENTID, after AUTH (draft §4), or
/// before the keyword was advertised in an EHLO reply.
pub const BAD_SEQUENCE: Reply = Reply {
    code: 503,
    enhanced: "5.5.1",
    text: "Bad sequence of commands",
};

/// 235: authentication succeeded and the policy allows the client (RFC 4954 §6).
pub const AUTH_SUCCEEDED: Reply = Reply {
    code: 235,
    enhanced: "2.7.0",
    text: "Authentication successful",
};

/// 535: the credentials were wrong (RFC 4954 §6).
pub const AUTH_CREDENTIALS_INVALID: Reply = Reply {
    code: 535,
    enhanced: "5.7.8",
    text: "Authentication credentials invalid",
};

/// 454: the history store could not be read, and the policy says to fail closed (RFC 4954 §6,
/// a temporary authentication failure: the client tries again later).
pub const AUTH_TEMPORARY_FAILURE: Reply = Reply {
    code: 454,
    enhanced: "4.7.0",
    text: "Temporary authentication failure",
};

/// 550: the policy refuses the client (draft §8.3, with the draft's own generic text).
pub const POLICY_REFUSED: Reply = Reply {
    code: 550,
    enhanced: "5.7.1",
    text: "Server policy does not permit your use of this mail system",
};
