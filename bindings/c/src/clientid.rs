//! CLIENTID (draft-storey-smtp-client-id-13): parse a command a server received, build the command
//! a client sends, and read an EHLO reply for the CLIENTID keyword.

use facade::clientid::{
    ClientIdCommand, ClientIdToken, ClientIdType, EhloReply, Strictness, SyntaxError,
};

use crate::boundary::ffi_boundary;
use crate::detail::mailsec_error_detail;
use crate::handle::{Castable, borrow_handle, free_handle, into_handle, write_out};
use crate::result::mailsec_result;
use crate::slice::{copy_out, input_bytes, mailsec_str};

/// Flag: also accept `_` in client-id-type, as draft §7's example `DEVICE_ID` uses; the §5
/// grammar does not allow it, so the default is strict.
pub const MAILSEC_CLIENTID_LENIENT: u32 = 1;

/// A well-formed CLIENTID command: a client-id-type and a client-id-token. Made by
/// `mailsec_clientid_parse` or `mailsec_clientid_command_new`, released by
/// `mailsec_clientid_command_free`.
pub struct mailsec_clientid_command {
    _private: [u8; 0],
}

impl Castable for mailsec_clientid_command {
    type RustType = ClientIdCommand;
}

fn strictness(flags: u32) -> Option<Strictness> {
    match flags {
        0 => Some(Strictness::Strict),
        MAILSEC_CLIENTID_LENIENT => Some(Strictness::Lenient),
        _ => None,
    }
}

/// Hands a parsed or built command to C through `command_out`, or reports its syntax error: the
/// code, and the detail through `detail_out`.
///
/// # Safety
/// `command_out` is valid for a write; `detail_out` is NULL or valid for a write.
unsafe fn deliver_command(
    outcome: Result<ClientIdCommand, SyntaxError>,
    command_out: *mut *mut mailsec_clientid_command,
    detail_out: *mut mailsec_error_detail,
) -> mailsec_result {
    match outcome {
        Ok(command) => {
            // SAFETY: valid for a write by the caller's contract.
            unsafe { write_out(command_out, into_handle(command)) };
            mailsec_result::Ok
        }
        Err(error) => {
            let detail =
                mailsec_error_detail::new(error.offset(), error.reply_code(), &error.to_string());
            // SAFETY: NULL or valid for a write by the caller's contract.
            unsafe { detail.store(detail_out) };
            mailsec_result::from(&error)
        }
    }
}

/// Parses one CLIENTID command line as a server received it (draft §4–§5), with or without its
/// trailing CRLF. `flags` is 0 (strict) or `MAILSEC_CLIENTID_LENIENT`.
///
/// On success `*command_out` holds a new command (release it with
/// `mailsec_clientid_command_free`). On a syntax error the result says which rule broke and
/// `*detail_out`, if given, says where, with the reply code to send (501, or 500 for a line that is
/// not CLIENTID at all).
///
/// # Safety
/// `line` is valid for reads of `line_len` bytes (NULL only if `line_len` is 0); `command_out` is
/// valid for a write; `detail_out` is NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_clientid_parse(
    line: *const u8,
    line_len: usize,
    flags: u32,
    command_out: *mut *mut mailsec_clientid_command,
    detail_out: *mut mailsec_error_detail,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: `line` is valid for `line_len` bytes by the caller's contract.
        let Some(line) = (unsafe { input_bytes(line, line_len) }) else {
            return mailsec_result::NullParameter;
        };
        if command_out.is_null() {
            return mailsec_result::NullParameter;
        }
        let Some(strictness) = strictness(flags) else {
            return mailsec_result::InvalidFlags;
        };
        let parsed = ClientIdCommand::parse_with(line, strictness);
        // SAFETY: `command_out` checked non-NULL above and valid for a write, `detail_out` NULL or
        // valid for a write, by the caller's contract.
        unsafe { deliver_command(parsed, command_out, detail_out) }
    }
}

/// Builds the CLIENTID command a client sends (draft §4) from a type and a token, validating both
/// (draft §5). Offsets in `*detail_out` count from the start of the argument that broke.
///
/// # Safety
/// `client_type` and `token` are valid for reads of their lengths (NULL only with length 0);
/// `command_out` is valid for a write; `detail_out` is NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_clientid_command_new(
    client_type: *const u8,
    client_type_len: usize,
    token: *const u8,
    token_len: usize,
    flags: u32,
    command_out: *mut *mut mailsec_clientid_command,
    detail_out: *mut mailsec_error_detail,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: both inputs are valid for their lengths by the caller's contract.
        let inputs = unsafe { (input_bytes(client_type, client_type_len), input_bytes(token, token_len)) };
        let (Some(client_type), Some(token)) = inputs else {
            return mailsec_result::NullParameter;
        };
        if command_out.is_null() {
            return mailsec_result::NullParameter;
        }
        let Some(strictness) = strictness(flags) else {
            return mailsec_result::InvalidFlags;
        };
        let built = ClientIdType::from_bytes(client_type, strictness).and_then(|client_type| {
            Ok(ClientIdCommand::new(client_type, ClientIdToken::from_bytes(token)?))
        });
        // SAFETY: `command_out` checked non-NULL above and valid for a write, `detail_out` NULL or
        // valid for a write, by the caller's contract.
        unsafe { deliver_command(built, command_out, detail_out) }
    }
}

/// The command's client-id-type, as the client spelled it. Valid until the command is freed; an
/// empty string if `command` is NULL.
///
/// # Safety
/// `command` is NULL or a live command handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_clientid_command_type(
    command: *const mailsec_clientid_command,
) -> mailsec_str {
    ffi_boundary! {
        // SAFETY: NULL or a live handle by the caller's contract.
        match unsafe { borrow_handle(command) } {
            Some(command) => mailsec_str::borrow(command.client_type().as_str()),
            None => mailsec_str::empty(),
        }
    }
}

/// The command's client-id-token. Valid until the command is freed; an empty string if `command`
/// is NULL.
///
/// # Safety
/// `command` is NULL or a live command handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_clientid_command_token(
    command: *const mailsec_clientid_command,
) -> mailsec_str {
    ffi_boundary! {
        // SAFETY: NULL or a live handle by the caller's contract.
        match unsafe { borrow_handle(command) } {
            Some(command) => mailsec_str::borrow(command.token().as_str()),
            None => mailsec_str::empty(),
        }
    }
}

/// Writes the command as sent on the wire, `CLIENTID <type> <token>\r\n`, into `buf` (not
/// NUL-terminated) and its length into `*out_n`. Returns `MAILSEC_RESULT_INSUFFICIENT_SIZE`, with
/// the needed length in `*out_n`, if `len` is too small; 160 bytes always suffice.
///
/// # Safety
/// `command` is a live command handle; `buf` is valid for writes of `len` bytes; `out_n` is valid
/// for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_clientid_command_line(
    command: *const mailsec_clientid_command,
    buf: *mut u8,
    len: usize,
    out_n: *mut usize,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: NULL or a live handle by the caller's contract.
        let Some(command) = (unsafe { borrow_handle(command) }) else {
            return mailsec_result::NullParameter;
        };
        if out_n.is_null() {
            return mailsec_result::NullParameter;
        }
        let line = command.to_line();
        // SAFETY: `out_n` checked non-NULL, valid for a write by the caller's contract.
        unsafe { write_out(out_n, line.len()) };
        // SAFETY: `buf` is valid for `len` bytes by the caller's contract.
        if unsafe { copy_out(line.as_bytes(), buf, len) } {
            mailsec_result::Ok
        } else {
            mailsec_result::InsufficientSize
        }
    }
}

/// Releases a command. NULL is ignored.
///
/// # Safety
/// `command` is NULL or a live command handle, freed only once.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_clientid_command_free(command: *mut mailsec_clientid_command) {
    ffi_boundary! {
        // SAFETY: NULL or a live handle, freed once, by the caller's contract.
        unsafe { free_handle(command) }
    }
}

/// Reads a server's complete EHLO reply (RFC 5321 §4.1.1.1) and sets `*advertised_out` to whether
/// it advertises the CLIENTID keyword (draft §3), which a client must see before sending CLIENTID
/// (draft §4). A malformed or negative reply is an error, described in `*detail_out`.
///
/// # Safety
/// `reply` is valid for reads of `reply_len` bytes (NULL only if 0); `advertised_out` is valid for
/// a write; `detail_out` is NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_clientid_ehlo_advertised(
    reply: *const u8,
    reply_len: usize,
    advertised_out: *mut bool,
    detail_out: *mut mailsec_error_detail,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: `reply` is valid for `reply_len` bytes by the caller's contract.
        let Some(reply) = (unsafe { input_bytes(reply, reply_len) }) else {
            return mailsec_result::NullParameter;
        };
        if advertised_out.is_null() {
            return mailsec_result::NullParameter;
        }
        match EhloReply::parse(reply) {
            Ok(parsed) => {
                // SAFETY: checked non-NULL above; valid for a write by the caller's contract.
                unsafe { write_out(advertised_out, parsed.advertises_clientid()) };
                mailsec_result::Ok
            }
            Err(error) => {
                let detail = mailsec_error_detail::new(error.offset().unwrap_or(0), 0, &error.to_string());
                // SAFETY: `detail_out` is NULL or valid for a write by the caller's contract.
                unsafe { detail.store(detail_out) };
                mailsec_result::from(&error)
            }
        }
    }
}
