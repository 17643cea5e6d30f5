//! Sieve (RFC 5228) with externally stored lists (RFC 6134): compile a script once, evaluate it
//! per delivery against a message, an envelope and the lists, and read back the actions for the
//! MTA to carry out (mailsec never delivers or sends anything itself).
//!
//! Lists come from a `mailsec_sieve_lists` handle: a list file or SQLite store
//! (`mailsec_sieve_lists_open`), lists built in memory (`mailsec_sieve_lists_memory_new`), or
//! the MTA's own lookups through C callbacks (`mailsec_sieve_lists_callback_new`).
//!
//! A list backend that is temporarily down ends the evaluation with
//! `MAILSEC_RESULT_SIEVE_DEFER`: the MTA answers 4xx and tries again later, as when the script
//! itself cannot be fetched (RFC 6134 §3). Any other evaluation error is a script error: the MTA
//! files the message as if by an implicit keep (RFC 5228 §2.10.6).

use std::ffi::{CString, c_char, c_int, c_void};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use facade::sieve::{
    self, Action, Clock, CompileError, CompileErrorKind, Context, Enumeration, ListError,
    ListMatch, ListName, ListResolver, ListType, MemoryLists, NoLists, Outcome, Position, Script,
};

use crate::boundary::ffi_boundary;
use crate::bytes::mailsec_bytes;
use crate::detail::mailsec_error_detail;
use crate::handle::{
    Castable, borrow_handle, borrow_handle_mut, free_handle, into_handle, write_out,
};
use crate::headers::{byte_offset, line_column};
use crate::result::mailsec_result;
use crate::slice::{input_array, input_bytes, input_c_str, mailsec_str};

/// Answer of a list callback: the value is not on the list (`contains`); the list does not exist
/// (`is_valid`); the members were listed (`enumerate`).
pub const MAILSEC_SIEVE_LIST_NOT_MEMBER: c_int = 0;

/// Answer of a list callback: the value is on the list (`contains`); the list exists
/// (`is_valid`).
pub const MAILSEC_SIEVE_LIST_MEMBER: c_int = 1;

/// Answer of the `enumerate` callback: the MTA's list handler redirects to the members itself
/// (RFC 6134 §2.3, condition 2); the outcome then holds a `redirect` naming the list.
pub const MAILSEC_SIEVE_LIST_HANDLED: c_int = 2;

/// Answer of a list callback: the backend is unreachable, busy or too slow. The evaluation ends
/// with `MAILSEC_RESULT_SIEVE_DEFER` (RFC 6134 §3).
pub const MAILSEC_SIEVE_LIST_TEMPORARY_FAILURE: c_int = -1;

/// Answer of a list callback: the list exists but cannot answer (RFC 6134 §2.2): a runtime
/// error of the script.
pub const MAILSEC_SIEVE_LIST_PERMANENT_FAILURE: c_int = -2;

/// Answer of a list callback: there is no such list: a runtime error of the script (for
/// `is_valid`, the same as `MAILSEC_SIEVE_LIST_NOT_MEMBER`).
pub const MAILSEC_SIEVE_LIST_UNKNOWN_LIST: c_int = -3;

/// Answer of the `enumerate` callback: the members cannot be listed (patterns, hashes): a
/// runtime error of `redirect :list` (RFC 6134 §2.3).
pub const MAILSEC_SIEVE_LIST_NOT_ENUMERABLE: c_int = -4;

/// Capacity of the buffer the `contains` callback may write the matched list entry into.
pub const MAILSEC_SIEVE_LIST_ENTRY_CAPACITY: usize = 1024;

/// The SMTP reply code given in the detail of `MAILSEC_RESULT_SIEVE_DEFER`: 451, "local error
/// in processing", a transient negative reply (RFC 5321 §4.2.3).
const DEFER_REPLY_CODE: u16 = 451;

/// A compiled Sieve script. Made by `mailsec_sieve_script_compile`, released by
/// `mailsec_sieve_script_free`. It is immutable: one script may be evaluated from several
/// threads at once.
pub struct mailsec_sieve_script {
    _private: [u8; 0],
}

impl Castable for mailsec_sieve_script {
    type RustType = Script;
}

/// Externally stored lists (RFC 6134) for `:list`, `redirect :list` and `valid_ext_list`. Made
/// by `mailsec_sieve_lists_open`, `mailsec_sieve_lists_memory_new` or
/// `mailsec_sieve_lists_callback_new`, released by `mailsec_sieve_lists_free`.
pub struct mailsec_sieve_lists {
    _private: [u8; 0],
}

/// The resolver behind a lists handle.
pub(crate) enum SieveLists {
    /// Lists built in memory; `mailsec_sieve_lists_memory_insert` adds to them.
    Memory(MemoryLists),
    /// A list file or SQLite store.
    Opened(Box<dyn ListResolver>),
    /// The MTA's callbacks.
    Callback(CallbackLists),
}

impl SieveLists {
    fn resolver(&self) -> &dyn ListResolver {
        match self {
            SieveLists::Memory(lists) => lists,
            SieveLists::Opened(lists) => lists.as_ref(),
            SieveLists::Callback(lists) => lists,
        }
    }
}

impl Castable for mailsec_sieve_lists {
    type RustType = SieveLists;
}

/// What an evaluation decided: the actions, in the order the script took them (the implicit keep
/// last when it applies), the trace when asked for, and the enclosed message when `enclose`
/// replaced it. Made by `mailsec_sieve_evaluate`, released by `mailsec_sieve_outcome_free`.
pub struct mailsec_sieve_outcome {
    _private: [u8; 0],
}

impl Castable for mailsec_sieve_outcome {
    type RustType = Outcome;
}

/// The members an `enumerate` callback lists, added one by one with
/// `mailsec_sieve_list_members_add`. Valid only during the callback.
pub struct mailsec_sieve_list_members {
    _private: [u8; 0],
}

/// The members collected during one `enumerate` callback.
pub(crate) struct Members {
    /// At most this many are kept: `max + 1`, enough to tell a list that is too long.
    keep: usize,
    members: Vec<String>,
}

impl Castable for mailsec_sieve_list_members {
    type RustType = Members;
}

/// A place in a script: 1-based line and column (columns count characters). Filled on a compile
/// error, and on an evaluation error that has a place; `{0, 0}` when the error has none.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct mailsec_sieve_position {
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
}

impl From<Position> for mailsec_sieve_position {
    fn from(position: Position) -> Self {
        mailsec_sieve_position {
            line: position.line,
            column: position.column,
        }
    }
}

/// Lookups the MTA answers itself, for `mailsec_sieve_lists_callback_new`. Only `contains` is
/// required.
///
/// The callbacks run on the thread that calls `mailsec_sieve_evaluate`, during that call. If
/// one lists handle is used by several threads at once, the callbacks are called concurrently
/// and must be thread-safe, and so must whatever `userdata` points to. They must not unwind
/// (C++ exceptions, `longjmp`) through mailsec.
///
/// Each callback gets `list`, the list's canonical name (NUL-terminated, UTF-8): the
/// `:addrbook:default` shorthand expanded to `urn:ietf:params:sieve:addrbook:default`, the URI
/// scheme in lower case (RFC 6134 §2.5, §2.6). Callbacks that take `timeout_ms` should give up
/// after that many milliseconds and return `MAILSEC_SIEVE_LIST_TEMPORARY_FAILURE`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct mailsec_sieve_list_callbacks {
    /// Whether `value` (`value_len` bytes, UTF-8, not NUL-terminated) is on the list: returns
    /// `MAILSEC_SIEVE_LIST_MEMBER`, `MAILSEC_SIEVE_LIST_NOT_MEMBER`,
    /// `MAILSEC_SIEVE_LIST_TEMPORARY_FAILURE`, `MAILSEC_SIEVE_LIST_PERMANENT_FAILURE` or
    /// `MAILSEC_SIEVE_LIST_UNKNOWN_LIST`. For a member it may write the list entry that matched
    /// (`*@example.com` for `alice@example.com`) into `entry`, at most `entry_capacity` bytes,
    /// and its length into `*entry_len`, which starts at 0; left at 0, the entry is the value
    /// itself. The entry becomes `${0}` (RFC 6134 §2.2). A test asks for each of its values in
    /// turn until one is a member.
    pub contains: Option<
        unsafe extern "C" fn(
            userdata: *mut c_void,
            list: *const c_char,
            value: *const u8,
            value_len: usize,
            entry: *mut u8,
            entry_capacity: usize,
            entry_len: *mut usize,
            timeout_ms: u32,
        ) -> c_int,
    >,
    /// Whether the list exists (`valid_ext_list`, RFC 6134 §2.7): returns
    /// `MAILSEC_SIEVE_LIST_MEMBER` (1) if it does, `MAILSEC_SIEVE_LIST_NOT_MEMBER` (0) or
    /// `MAILSEC_SIEVE_LIST_UNKNOWN_LIST` if not, or a failure. NULL: every list exists.
    pub is_valid: Option<unsafe extern "C" fn(userdata: *mut c_void, list: *const c_char) -> c_int>,
    /// Lists the members of the list for `redirect :list` (RFC 6134 §2.3): calls
    /// `mailsec_sieve_list_members_add` for each address (more than `max` makes the redirect
    /// fail, so it may stop after `max + 1`) and returns `MAILSEC_SIEVE_LIST_NOT_MEMBER` (0);
    /// or returns `MAILSEC_SIEVE_LIST_HANDLED`, `MAILSEC_SIEVE_LIST_NOT_ENUMERABLE` or a
    /// failure. NULL: no list can be enumerated.
    pub enumerate: Option<
        unsafe extern "C" fn(
            userdata: *mut c_void,
            list: *const c_char,
            max: usize,
            members: *mut mailsec_sieve_list_members,
            timeout_ms: u32,
        ) -> c_int,
    >,
    /// The URI schemes of the lists served, space-separated (`"tag ldap"`), for the ManageSieve
    /// EXTLISTS capability (RFC 6134 §2.8); copied by `mailsec_sieve_lists_callback_new`. NULL
    /// for none (`urn`, for the default address book, is always announced).
    pub schemes: *const c_char,
    /// Called once with `userdata` when the lists handle is freed, to release it. NULL: nothing
    /// is called.
    pub destroy: Option<unsafe extern "C" fn(userdata: *mut c_void)>,
}

/// Type of `mailsec_sieve_list_callbacks::contains`.
type ContainsFn = unsafe extern "C" fn(
    *mut c_void,
    *const c_char,
    *const u8,
    usize,
    *mut u8,
    usize,
    *mut usize,
    u32,
) -> c_int;
/// Type of `mailsec_sieve_list_callbacks::is_valid`.
type IsValidFn = unsafe extern "C" fn(*mut c_void, *const c_char) -> c_int;
/// Type of `mailsec_sieve_list_callbacks::enumerate`.
type EnumerateFn = unsafe extern "C" fn(
    *mut c_void,
    *const c_char,
    usize,
    *mut mailsec_sieve_list_members,
    u32,
) -> c_int;
/// Type of `mailsec_sieve_list_callbacks::destroy`.
type DestroyFn = unsafe extern "C" fn(*mut c_void);

/// A resolver that asks the MTA through C callbacks.
pub(crate) struct CallbackLists {
    contains: ContainsFn,
    is_valid: Option<IsValidFn>,
    enumerate: Option<EnumerateFn>,
    destroy: Option<DestroyFn>,
    schemes: Vec<String>,
    userdata: *mut c_void,
}

// SAFETY: `ListResolver` requires Send + Sync because one resolver may serve evaluations on any
// thread. The only non-thread-safe part is `userdata`, which Rust never dereferences: it is only
// passed back to the C callbacks. `mailsec_sieve_lists_callback_new` makes the caller promise
// that the callbacks and what `userdata` points to may be used from the thread that evaluates,
// and concurrently when the handle is shared by threads evaluating at once; `destroy` runs once,
// on the thread that frees the handle.
unsafe impl Send for CallbackLists {}
// SAFETY: as for Send above: shared use means concurrent callback calls, which the caller has
// promised are safe.
unsafe impl Sync for CallbackLists {}

impl Drop for CallbackLists {
    fn drop(&mut self) {
        if let Some(destroy) = self.destroy {
            // SAFETY: `destroy` is a function of this signature and `userdata` the pointer it
            // expects, by the contract of `mailsec_sieve_lists_callback_new`; the handle is being
            // freed, so this is the one call.
            unsafe { destroy(self.userdata) };
        }
    }
}

/// Milliseconds left until `deadline`, saturating; `None` once it has passed.
fn remaining_ms(deadline: Instant) -> Option<u32> {
    let left = deadline.checked_duration_since(Instant::now())?;
    if left.is_zero() {
        return None;
    }
    Some(u32::try_from(left.as_millis()).unwrap_or(u32::MAX).max(1))
}

/// The error for a callback's failure answer.
fn callback_failure(answer: c_int) -> ListError {
    match answer {
        MAILSEC_SIEVE_LIST_TEMPORARY_FAILURE => {
            ListError::Temporary("the list callback reported a temporary failure".to_owned())
        }
        MAILSEC_SIEVE_LIST_UNKNOWN_LIST => ListError::UnknownList,
        MAILSEC_SIEVE_LIST_PERMANENT_FAILURE => {
            ListError::Permanent("the list callback reported a permanent failure".to_owned())
        }
        other => ListError::Permanent(format!(
            "the list callback answered {other}, not a known value"
        )),
    }
}

/// The list's canonical name for C; a name with a NUL byte cannot be passed.
fn c_list_key(list: &ListName) -> Result<CString, ListError> {
    CString::new(list.key())
        .map_err(|_| ListError::Permanent("the list name holds a NUL byte".to_owned()))
}

/// The deadline passed before a callback could be called: temporary, like a timeout.
fn deadline_passed() -> ListError {
    ListError::Temporary("the list query deadline passed".to_owned())
}

impl ListResolver for CallbackLists {
    fn schemes(&self) -> Vec<String> {
        self.schemes.clone()
    }

    fn is_valid(&self, list: &ListName) -> Result<bool, ListError> {
        let Some(is_valid) = self.is_valid else {
            return Ok(true);
        };
        let key = c_list_key(list)?;
        // SAFETY: `is_valid` is a function of this signature and `userdata` the pointer it
        // expects, by the contract of `mailsec_sieve_lists_callback_new`; `key` is NUL-terminated
        // and outlives the call.
        let answer = unsafe { is_valid(self.userdata, key.as_ptr()) };
        match answer {
            MAILSEC_SIEVE_LIST_MEMBER => Ok(true),
            MAILSEC_SIEVE_LIST_NOT_MEMBER | MAILSEC_SIEVE_LIST_UNKNOWN_LIST => Ok(false),
            other => Err(callback_failure(other)),
        }
    }

    fn find_first(
        &self,
        list: &ListName,
        values: &[&str],
        deadline: Instant,
    ) -> Result<Option<ListMatch>, ListError> {
        let key = c_list_key(list)?;
        let mut entry = vec![0u8; MAILSEC_SIEVE_LIST_ENTRY_CAPACITY];
        // RFC 6134 §2.2: stop at the first value found on the list.
        for (value_index, value) in values.iter().enumerate() {
            let timeout_ms = remaining_ms(deadline).ok_or_else(deadline_passed)?;
            let mut entry_len = 0usize;
            // SAFETY: `contains` is a function of this signature and `userdata` the pointer it
            // expects, by the contract of `mailsec_sieve_lists_callback_new`. `key` is
            // NUL-terminated, `value` valid for `value.len()` bytes, `entry` for
            // `entry.len()` writable bytes and `entry_len` for a write, all outliving the call.
            let answer = unsafe {
                (self.contains)(
                    self.userdata,
                    key.as_ptr(),
                    value.as_ptr(),
                    value.len(),
                    entry.as_mut_ptr(),
                    entry.len(),
                    &mut entry_len,
                    timeout_ms,
                )
            };
            match answer {
                MAILSEC_SIEVE_LIST_NOT_MEMBER => {}
                MAILSEC_SIEVE_LIST_MEMBER => {
                    let entry = match entry.get(..entry_len) {
                        Some([]) => (*value).to_owned(),
                        Some(written) => String::from_utf8_lossy(written).into_owned(),
                        None => {
                            return Err(ListError::Permanent(format!(
                                "the list callback wrote an entry of {entry_len} bytes, more \
                                 than the {MAILSEC_SIEVE_LIST_ENTRY_CAPACITY} it may"
                            )));
                        }
                    };
                    return Ok(Some(ListMatch { value_index, entry }));
                }
                other => return Err(callback_failure(other)),
            }
        }
        Ok(None)
    }

    fn enumerate(
        &self,
        list: &ListName,
        max: usize,
        deadline: Instant,
    ) -> Result<Enumeration, ListError> {
        let Some(enumerate) = self.enumerate else {
            return Ok(Enumeration::NotEnumerable);
        };
        let key = c_list_key(list)?;
        let timeout_ms = remaining_ms(deadline).ok_or_else(deadline_passed)?;
        let mut members = Members {
            keep: max.saturating_add(1),
            members: Vec::new(),
        };
        let members_ptr = (&raw mut members).cast::<mailsec_sieve_list_members>();
        // SAFETY: `enumerate` is a function of this signature and `userdata` the pointer it
        // expects, by the contract of `mailsec_sieve_lists_callback_new`. `key` is NUL-terminated
        // and `members_ptr` points to a live `Members` that nothing else borrows during the call
        // (the callback may only pass it to `mailsec_sieve_list_members_add`).
        let answer =
            unsafe { enumerate(self.userdata, key.as_ptr(), max, members_ptr, timeout_ms) };
        match answer {
            MAILSEC_SIEVE_LIST_NOT_MEMBER => Ok(Enumeration::Members(members.members)),
            MAILSEC_SIEVE_LIST_HANDLED => Ok(Enumeration::Handled),
            MAILSEC_SIEVE_LIST_NOT_ENUMERABLE => Ok(Enumeration::NotEnumerable),
            other => Err(callback_failure(other)),
        }
    }
}

/// Hands a value to C through `out`.
///
/// # Safety
/// `out` is valid for a write.
unsafe fn deliver<C: Castable>(value: C::RustType, out: *mut *mut C) -> mailsec_result {
    // SAFETY: valid for a write by the caller's contract.
    unsafe { write_out(out, into_handle(value)) };
    mailsec_result::Ok
}

/// Reports a Sieve error: its code, its place in the script through `position_out`, and its
/// detail through `detail_out`: the byte offset in the script when `script` is given (compile
/// errors), SMTP reply 451 for a deferral, and the full message.
///
/// # Safety
/// `position_out` and `detail_out` are NULL or valid for a write.
unsafe fn sieve_error(
    error: &sieve::Error,
    script: Option<&str>,
    position_out: *mut mailsec_sieve_position,
    detail_out: *mut mailsec_error_detail,
) -> mailsec_result {
    let position = error.position();
    let offset = match (position, script) {
        (Some(position), Some(script)) => {
            byte_offset(script, position.line as usize, position.column as usize)
        }
        _ => 0,
    };
    let reply = if error.is_defer() {
        DEFER_REPLY_CODE
    } else {
        0
    };
    // SAFETY: NULL or valid for a write by the caller's contract.
    unsafe {
        write_out(position_out, position.map(Into::into).unwrap_or_default());
        mailsec_error_detail::new(offset, reply, &error.to_string()).store(detail_out);
    }
    mailsec_result::from(error)
}

/// Reports an argument out of range (`MAILSEC_RESULT_INVALID_PARAMETER`) with `message` as its
/// detail.
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

/// Reads an optional NUL-terminated UTF-8 argument: `Ok(None)` for NULL; for text that is not
/// UTF-8, `MAILSEC_RESULT_INVALID_PARAMETER` with a detail naming the argument.
///
/// # Safety
/// `s` is NULL or a NUL-terminated string valid for `'a`; `detail_out` is NULL or valid for a
/// write.
unsafe fn optional_text<'a>(
    s: *const c_char,
    what: &str,
    detail_out: *mut mailsec_error_detail,
) -> Result<Option<&'a str>, mailsec_result> {
    // SAFETY: NULL or NUL-terminated by the caller's contract.
    match unsafe { input_c_str(s) } {
        Ok(text) => Ok(text),
        Err(()) => {
            let message = format!("the {what} is not UTF-8");
            // SAFETY: NULL or valid for a write by the caller's contract.
            Err(unsafe { invalid_parameter(&message, detail_out) })
        }
    }
}

/// Reads a required NUL-terminated UTF-8 argument: NULL is `MAILSEC_RESULT_NULL_PARAMETER`.
///
/// # Safety
/// `s` is NULL or a NUL-terminated string valid for `'a`; `detail_out` is NULL or valid for a
/// write.
unsafe fn required_text<'a>(
    s: *const c_char,
    what: &str,
    detail_out: *mut mailsec_error_detail,
) -> Result<&'a str, mailsec_result> {
    // SAFETY: forwarded from the caller's contract.
    unsafe { optional_text(s, what, detail_out) }?.ok_or(mailsec_result::NullParameter)
}

/// Reads an array of `len` NUL-terminated UTF-8 strings; NULL only with length 0.
///
/// # Safety
/// If `len` > 0, `items` is valid for reads of `len` pointers, each NULL or a NUL-terminated
/// string valid for `'a`; `detail_out` is NULL or valid for a write.
unsafe fn text_array<'a>(
    items: *const *const c_char,
    len: usize,
    what: &str,
    detail_out: *mut mailsec_error_detail,
) -> Result<Vec<&'a str>, mailsec_result> {
    // SAFETY: valid for `len` pointers by the caller's contract.
    let pointers = unsafe { input_array(items, len) }.ok_or(mailsec_result::NullParameter)?;
    pointers
        .iter()
        // SAFETY: each pointer is NULL or NUL-terminated, `detail_out` NULL or valid for a
        // write, by the caller's contract.
        .map(|&item| unsafe { required_text(item, what, detail_out) })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Scripts

/// Compiles a Sieve script (`script_len` bytes of UTF-8, RFC 5228 §2.2) under the default limits
/// (1 MiB of script, nesting 32).
///
/// On success `*script_out` holds the script (release it with `mailsec_sieve_script_free`).
/// A script that does not compile gets a code per kind of error
/// (`MAILSEC_RESULT_SIEVE_SYNTAX`, `MAILSEC_RESULT_SIEVE_UNKNOWN_COMMAND`,
/// `MAILSEC_RESULT_SIEVE_NOT_REQUIRED`…); `*position_out`, if given, receives the line and
/// column of the offending token, and `*detail_out`, if given, its byte offset in the script and
/// the message (`"3:7: unknown command \"fileinot\""`).
///
/// # Safety
/// `script` is valid for reads of `script_len` bytes (NULL only if 0); `script_out` is valid for
/// a write; `position_out` and `detail_out` are NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_sieve_script_compile(
    script: *const u8,
    script_len: usize,
    script_out: *mut *mut mailsec_sieve_script,
    position_out: *mut mailsec_sieve_position,
    detail_out: *mut mailsec_error_detail,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: `script` is valid for `script_len` bytes by the caller's contract.
        let Some(bytes) = (unsafe { input_bytes(script, script_len) }) else {
            return mailsec_result::NullParameter;
        };
        if script_out.is_null() {
            return mailsec_result::NullParameter;
        }
        let source = match std::str::from_utf8(bytes) {
            Ok(source) => source,
            Err(e) => {
                // RFC 5228 §2.2: scripts are UTF-8; the error points at the first bad byte.
                let valid = String::from_utf8_lossy(&bytes[..e.valid_up_to()]);
                let (line, column) = line_column(&valid);
                let error = sieve::Error::Compile(CompileError {
                    position: Position {
                        line: u32::try_from(line).unwrap_or(u32::MAX),
                        column: u32::try_from(column).unwrap_or(u32::MAX),
                    },
                    kind: CompileErrorKind::Syntax("the script is not UTF-8".to_owned()),
                });
                // SAFETY: NULL or valid for a write by the caller's contract.
                unsafe {
                    write_out(position_out, error.position().map(Into::into).unwrap_or_default());
                    mailsec_error_detail::new(e.valid_up_to(), 0, &error.to_string())
                        .store(detail_out);
                }
                return mailsec_result::from(&error);
            }
        };
        match Script::compile(source) {
            // SAFETY: `script_out` checked non-NULL above, valid for a write by the caller's
            // contract.
            Ok(compiled) => unsafe { deliver(compiled, script_out) },
            Err(error) => {
                let error = sieve::Error::Compile(error);
                // SAFETY: NULL or valid for a write by the caller's contract.
                unsafe { sieve_error(&error, Some(source), position_out, detail_out) }
            }
        }
    }
}

/// The number of capabilities the script requires; 0 if `script` is NULL.
///
/// # Safety
/// `script` is NULL or a live script handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_sieve_script_required_count(
    script: *const mailsec_sieve_script,
) -> usize {
    ffi_boundary! {
        // SAFETY: NULL or a live handle by the caller's contract.
        unsafe { borrow_handle(script) }.map_or(0, |script| script.required().len())
    }
}

/// Sets `*capability_out` to the capability at `index` the script requires (`"extlists"`), in
/// the order its `require` commands name them; valid until the script is freed.
/// `MAILSEC_RESULT_INVALID_PARAMETER` if `index` is not below the count.
///
/// # Safety
/// `script` is a live script handle; `capability_out` is valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_sieve_script_required(
    script: *const mailsec_sieve_script,
    index: usize,
    capability_out: *mut mailsec_str,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: NULL or a live handle by the caller's contract.
        let Some(script) = (unsafe { borrow_handle(script) }) else {
            return mailsec_result::NullParameter;
        };
        if capability_out.is_null() {
            return mailsec_result::NullParameter;
        }
        let Some(capability) = script.required().get(index) else {
            return mailsec_result::InvalidParameter;
        };
        // SAFETY: checked non-NULL above, valid for a write by the caller's contract.
        unsafe { write_out(capability_out, mailsec_str::borrow(capability)) };
        mailsec_result::Ok
    }
}

/// Releases a script. NULL is ignored.
///
/// # Safety
/// `script` is NULL or a live script handle, freed only once.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_sieve_script_free(script: *mut mailsec_sieve_script) {
    ffi_boundary! {
        // SAFETY: NULL or a live handle, freed once, by the caller's contract.
        unsafe { free_handle(script) }
    }
}

/// The Sieve capabilities mailsec implements (the `require` names, `"extlists"` among them),
/// space-separated, as ManageSieve's SIEVE capability lists them (RFC 5804 §1.7). Static: never
/// freed.
#[unsafe(no_mangle)]
pub extern "C" fn mailsec_sieve_capabilities() -> mailsec_str {
    static CAPABILITIES: OnceLock<String> = OnceLock::new();
    ffi_boundary! {
        mailsec_str::borrow(CAPABILITIES.get_or_init(|| sieve::CAPABILITIES.join(" ")))
    }
}

// ---------------------------------------------------------------------------------------------
// Lists

/// Opens the lists stored at `path`: a directory of list files, an SQLite list store
/// (recognised by its file header) or a TOML lists file. On success `*lists_out` holds the lists (release them with
/// `mailsec_sieve_lists_free`). A file that cannot be opened or read is
/// `MAILSEC_RESULT_SIEVE_STORE`, with the reason in `*detail_out`.
///
/// # Safety
/// `path` is a NUL-terminated string; `lists_out` is valid for a write; `detail_out` is NULL or
/// valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_sieve_lists_open(
    path: *const c_char,
    lists_out: *mut *mut mailsec_sieve_lists,
    detail_out: *mut mailsec_error_detail,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: NULL or NUL-terminated, `detail_out` NULL or valid for a write, by the caller's
        // contract.
        let path = match unsafe { required_text(path, "path", detail_out) } {
            Ok(path) => path,
            Err(code) => return code,
        };
        if lists_out.is_null() {
            return mailsec_result::NullParameter;
        }
        match sieve::lists::open(path) {
            // SAFETY: checked non-NULL above, valid for a write by the caller's contract.
            Ok(lists) => unsafe { deliver(SieveLists::Opened(lists), lists_out) },
            // SAFETY: `detail_out` NULL or valid for a write by the caller's contract.
            Err(error) => unsafe { sieve_error(&error, None, std::ptr::null_mut(), detail_out) },
        }
    }
}

/// Makes an empty set of lists held in memory; add lists with
/// `mailsec_sieve_lists_memory_insert`. On success `*lists_out` holds them (release them with
/// `mailsec_sieve_lists_free`).
///
/// # Safety
/// `lists_out` is valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_sieve_lists_memory_new(
    lists_out: *mut *mut mailsec_sieve_lists,
) -> mailsec_result {
    ffi_boundary! {
        if lists_out.is_null() {
            return mailsec_result::NullParameter;
        }
        // SAFETY: checked non-NULL above, valid for a write by the caller's contract.
        unsafe { deliver(SieveLists::Memory(MemoryLists::new()), lists_out) }
    }
}

/// Adds the list `name` (a URI, or `:addrbook:default` and the like, RFC 6134 §2.5) holding the
/// `entries_len` strings of `entries` to lists made by `mailsec_sieve_lists_memory_new`,
/// replacing a list of that name. `list_type` says how values are compared with the entries:
/// `"address"` (case-insensitive, `*@example.com` for a whole domain), `"string"`, `"ip"`
/// (addresses and CIDR ranges), `"extension"` or `"date"`.
///
/// An unknown type, or lists not made by `mailsec_sieve_lists_memory_new`, is
/// `MAILSEC_RESULT_INVALID_PARAMETER`; a bad name or an entry the type cannot hold is
/// `MAILSEC_RESULT_SIEVE_STORE`; `*detail_out` says why. On error the lists are unchanged.
///
/// # Safety
/// `lists` is a live lists handle, not used by another thread meanwhile; `name` and `list_type`
/// are NUL-terminated strings; `entries` is valid for reads of `entries_len` pointers (NULL only
/// if 0), each a NUL-terminated string; `detail_out` is NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_sieve_lists_memory_insert(
    lists: *mut mailsec_sieve_lists,
    name: *const c_char,
    list_type: *const c_char,
    entries: *const *const c_char,
    entries_len: usize,
    detail_out: *mut mailsec_error_detail,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: the strings are NULL or NUL-terminated, `entries` valid for `entries_len`
        // pointers, `detail_out` NULL or valid for a write, by the caller's contract.
        let inputs = unsafe {
            (
                required_text(name, "list name", detail_out),
                required_text(list_type, "list type", detail_out),
                text_array(entries, entries_len, "list entry", detail_out),
            )
        };
        let (name, list_type, entries) = match inputs {
            (Ok(name), Ok(list_type), Ok(entries)) => (name, list_type, entries),
            (Err(code), _, _) | (_, Err(code), _) | (_, _, Err(code)) => return code,
        };
        // SAFETY: NULL or a live handle nothing else borrows, by the caller's contract.
        let Some(lists) = (unsafe { borrow_handle_mut(lists) }) else {
            return mailsec_result::NullParameter;
        };
        let SieveLists::Memory(memory) = lists else {
            let message = "only lists made by mailsec_sieve_lists_memory_new take inserts";
            // SAFETY: NULL or valid for a write by the caller's contract.
            return unsafe { invalid_parameter(message, detail_out) };
        };
        let list_type = match list_type.parse::<ListType>() {
            Ok(list_type) => list_type,
            // SAFETY: NULL or valid for a write by the caller's contract.
            Err(message) => return unsafe { invalid_parameter(&message, detail_out) },
        };
        match memory.insert(name, list_type, entries) {
            Ok(()) => mailsec_result::Ok,
            // SAFETY: `detail_out` NULL or valid for a write by the caller's contract.
            Err(error) => unsafe { sieve_error(&error, None, std::ptr::null_mut(), detail_out) },
        }
    }
}

/// Makes lists answered by the MTA's callbacks (see `mailsec_sieve_list_callbacks`), which are
/// copied; `userdata` is passed to each of them as is. On success `*lists_out` holds the lists
/// (release them with `mailsec_sieve_lists_free`, which calls `destroy`). A NULL `contains` is
/// `MAILSEC_RESULT_NULL_PARAMETER`; `schemes` not UTF-8 is `MAILSEC_RESULT_INVALID_PARAMETER`.
/// On error `destroy` is not called.
///
/// # Safety
/// `callbacks` points to a valid `mailsec_sieve_list_callbacks` whose non-NULL members are
/// functions of the declared types and whose `schemes` is NULL or NUL-terminated; `lists_out` is
/// valid for a write. Until the lists are freed, the callbacks may be called with `userdata` on
/// any thread that evaluates with the lists, concurrently if several do at once, and must be
/// safe to call so.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_sieve_lists_callback_new(
    callbacks: *const mailsec_sieve_list_callbacks,
    userdata: *mut c_void,
    lists_out: *mut *mut mailsec_sieve_lists,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: NULL or valid for a read by the caller's contract; the struct is Copy.
        let Some(callbacks) = (unsafe { callbacks.as_ref() }).copied() else {
            return mailsec_result::NullParameter;
        };
        let Some(contains) = callbacks.contains else {
            return mailsec_result::NullParameter;
        };
        if lists_out.is_null() {
            return mailsec_result::NullParameter;
        }
        // SAFETY: NULL or NUL-terminated by the caller's contract.
        let schemes = match unsafe { input_c_str(callbacks.schemes) } {
            Ok(schemes) => schemes.unwrap_or("").split_ascii_whitespace().map(str::to_owned).collect(),
            Err(()) => return mailsec_result::InvalidParameter,
        };
        let lists = CallbackLists {
            contains,
            is_valid: callbacks.is_valid,
            enumerate: callbacks.enumerate,
            destroy: callbacks.destroy,
            schemes,
            userdata,
        };
        // SAFETY: checked non-NULL above, valid for a write by the caller's contract.
        unsafe { deliver(SieveLists::Callback(lists), lists_out) }
    }
}

/// Adds one member (`address_len` bytes of UTF-8, not NUL-terminated) to what an `enumerate`
/// callback lists. Once `max + 1` members are held, further ones are not kept and the result is
/// `MAILSEC_RESULT_INSUFFICIENT_SIZE`: the callback may stop. An address that is not UTF-8 is
/// `MAILSEC_RESULT_INVALID_PARAMETER`.
///
/// # Safety
/// `members` is the handle passed to the running `enumerate` callback, used on its thread;
/// `address` is valid for reads of `address_len` bytes (NULL only if 0).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_sieve_list_members_add(
    members: *mut mailsec_sieve_list_members,
    address: *const u8,
    address_len: usize,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: `address` is valid for `address_len` bytes by the caller's contract.
        let Some(address) = (unsafe { input_bytes(address, address_len) }) else {
            return mailsec_result::NullParameter;
        };
        // SAFETY: NULL or the `Members` that `CallbackLists::enumerate` lent to the running
        // callback, which nothing else borrows while the callback runs, by the caller's contract.
        let Some(members) = (unsafe { borrow_handle_mut(members) }) else {
            return mailsec_result::NullParameter;
        };
        let Ok(address) = std::str::from_utf8(address) else {
            return mailsec_result::InvalidParameter;
        };
        if members.members.len() >= members.keep {
            return mailsec_result::InsufficientSize;
        }
        members.members.push(address.to_owned());
        mailsec_result::Ok
    }
}

/// Writes the ManageSieve EXTLISTS capability value (RFC 6134 §2.8) for `lists` into
/// `*capability_out`: the URI schemes of the lists served, space-separated, sorted, `urn`
/// always among them (`"tag urn"`). NULL `lists` stands for no lists (`"urn"`). Release it with
/// `mailsec_bytes_free`.
///
/// # Safety
/// `lists` is NULL or a live lists handle; `capability_out` is valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_sieve_extlists_capability(
    lists: *const mailsec_sieve_lists,
    capability_out: *mut *mut mailsec_bytes,
) -> mailsec_result {
    ffi_boundary! {
        if capability_out.is_null() {
            return mailsec_result::NullParameter;
        }
        // SAFETY: NULL or a live handle by the caller's contract.
        let capability = match unsafe { borrow_handle(lists) } {
            Some(lists) => sieve::extlists_capability(lists.resolver()),
            None => sieve::extlists_capability(&NoLists),
        };
        // SAFETY: checked non-NULL above, valid for a write by the caller's contract.
        unsafe { deliver::<mailsec_bytes>(capability.into_bytes(), capability_out) }
    }
}

/// Releases lists; for callback lists, calls their `destroy`. NULL is ignored.
///
/// # Safety
/// `lists` is NULL or a live lists handle, freed only once, no evaluation using it running.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_sieve_lists_free(lists: *mut mailsec_sieve_lists) {
    ffi_boundary! {
        // SAFETY: NULL or a live handle, freed once, by the caller's contract.
        unsafe { free_handle(lists) }
    }
}

// ---------------------------------------------------------------------------------------------
// Evaluation

/// How to evaluate, for `mailsec_sieve_evaluate`. All zero (`= {0}`) means the defaults: the
/// system clock, no spam or virus score, no trace, any redirect domain, the default limits.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct mailsec_sieve_options {
    /// Use `clock_unix` and `clock_offset_minutes` as the current time (`currentdate`, RFC 5260
    /// §5) instead of the system clock.
    pub fixed_clock: bool,
    /// The current time, seconds since the Unix epoch (with `fixed_clock`).
    pub clock_unix: i64,
    /// The local zone's offset from UTC in minutes, 60 for +0100 (with `fixed_clock`).
    pub clock_offset_minutes: i32,
    /// The header field holding the spam score for `spamtest` (RFC 5235), `X-Spam-Score`;
    /// NULL: spamtest reports "not tested".
    pub spamtest_header: *const c_char,
    /// The score meaning "certainly spam" (above 0; with `spamtest_header`).
    pub spamtest_max: f64,
    /// The header field holding the virus score for `virustest` (RFC 5235 §3.2); NULL for none.
    pub virustest_header: *const c_char,
    /// The highest virus score (above 0; with `virustest_header`).
    pub virustest_max: f64,
    /// The authenticated identity (SMTP AUTH) of the delivery; NULL for none.
    pub auth: *const c_char,
    /// The domains redirects may go to (`redirect_domains_len` NUL-terminated strings),
    /// including each member of a `redirect :list` (RFC 6134 §3); NULL with length 0: any.
    pub redirect_domains: *const *const c_char,
    /// The number of `redirect_domains`.
    pub redirect_domains_len: usize,
    /// Record each test evaluated; the trace is in `mailsec_sieve_outcome_json`.
    pub trace: bool,
    /// Members a `redirect :list` may expand to (0: the default, 100).
    pub max_list_recipients: usize,
    /// Redirects one evaluation may produce (0: the default, 16).
    pub max_redirects: usize,
    /// Actions one evaluation may produce (0: the default, 64).
    pub max_actions: usize,
    /// Values sent to list backends per evaluation (0: the default, 256).
    pub max_list_queries: usize,
    /// The message, in bytes (0: the default, 64 MiB).
    pub max_message_bytes: usize,
    /// Milliseconds one list query may take before it counts as a temporary failure (0: the
    /// default, 5000).
    pub list_timeout_ms: u32,
}

/// Applies `options` to `context`.
///
/// # Safety
/// The strings and the array of `options` are as its documentation requires, valid for `'a`;
/// `detail_out` is NULL or valid for a write.
unsafe fn apply_options<'a>(
    mut context: Context<'a>,
    options: &mailsec_sieve_options,
    detail_out: *mut mailsec_error_detail,
) -> Result<Context<'a>, mailsec_result> {
    if options.fixed_clock {
        context = context.with_clock(Clock::Fixed {
            unix: options.clock_unix,
            offset_minutes: options.clock_offset_minutes,
        });
    }
    // SAFETY: NULL or NUL-terminated strings, an array valid for its length, `detail_out` NULL
    // or valid for a write, by the caller's contract.
    let (spamtest, virustest, auth, domains) = unsafe {
        (
            optional_text(options.spamtest_header, "spamtest header", detail_out)?,
            optional_text(options.virustest_header, "virustest header", detail_out)?,
            optional_text(options.auth, "authenticated identity", detail_out)?,
            text_array(
                options.redirect_domains,
                options.redirect_domains_len,
                "redirect domain",
                detail_out,
            )?,
        )
    };
    for (header, max, what) in [
        (spamtest, options.spamtest_max, "spamtest_max"),
        (virustest, options.virustest_max, "virustest_max"),
    ] {
        if header.is_some() && !(max.is_finite() && max > 0.0) {
            let message = format!("{what} must be a number above 0");
            // SAFETY: NULL or valid for a write by the caller's contract.
            return Err(unsafe { invalid_parameter(&message, detail_out) });
        }
    }
    if let Some(header) = spamtest {
        context = context.with_spamtest(header, options.spamtest_max);
    }
    if let Some(header) = virustest {
        context = context.with_virustest(header, options.virustest_max);
    }
    context.envelope.auth = auth.map(str::to_owned);
    if !domains.is_empty() {
        context = context.with_redirect_domains(domains.into_iter().map(str::to_owned).collect());
    }
    let limits = &mut context.limits;
    for (value, slot) in [
        (options.max_list_recipients, &mut limits.max_list_recipients),
        (options.max_redirects, &mut limits.max_redirects),
        (options.max_actions, &mut limits.max_actions),
        (options.max_list_queries, &mut limits.max_list_queries),
        (options.max_message_bytes, &mut limits.max_message_bytes),
    ] {
        if value != 0 {
            *slot = value;
        }
    }
    if options.list_timeout_ms != 0 {
        limits.list_timeout = Duration::from_millis(u64::from(options.list_timeout_ms));
    }
    Ok(context.with_trace(options.trace))
}

/// Evaluates `script` on one message (`message_len` bytes, RFC 5322) with `lists` (NULL: no
/// lists; every `:list` test is then a runtime error), the envelope sender `envelope_from`
/// (NULL when unknown, `""` for the null reverse-path `<>`) and recipient `envelope_to` (NULL
/// when unknown), under `options` (NULL: the defaults).
///
/// On success `*outcome_out` holds the actions to carry out (release it with
/// `mailsec_sieve_outcome_free`). A list backend that failed temporarily or timed out is
/// `MAILSEC_RESULT_SIEVE_DEFER`, with SMTP reply code 451 in `*detail_out`: defer the delivery
/// (RFC 6134 §3). `MAILSEC_RESULT_SIEVE_RUNTIME` and `MAILSEC_RESULT_SIEVE_LIMIT` are script
/// errors: file the message as if by an implicit keep (RFC 5228 §2.10.6); `*position_out` then
/// holds the place in the script. Arguments that are not UTF-8 are
/// `MAILSEC_RESULT_INVALID_PARAMETER`.
///
/// # Safety
/// `script` is a live script handle; `lists` is NULL or a live lists handle; `message` is valid
/// for reads of `message_len` bytes (NULL only if 0); `envelope_from` and `envelope_to` are NULL
/// or NUL-terminated strings; `options` is NULL or points to valid options; `outcome_out` is
/// valid for a write; `position_out` and `detail_out` are NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_sieve_evaluate(
    script: *const mailsec_sieve_script,
    lists: *const mailsec_sieve_lists,
    message: *const u8,
    message_len: usize,
    envelope_from: *const c_char,
    envelope_to: *const c_char,
    options: *const mailsec_sieve_options,
    outcome_out: *mut *mut mailsec_sieve_outcome,
    position_out: *mut mailsec_sieve_position,
    detail_out: *mut mailsec_error_detail,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: the handles are NULL or live, `message` valid for `message_len` bytes,
        // `options` NULL or valid for a read, by the caller's contract.
        let inputs = unsafe {
            (
                borrow_handle(script),
                borrow_handle(lists),
                input_bytes(message, message_len),
                options.as_ref(),
            )
        };
        let (Some(script), lists, Some(message), options) = inputs else {
            return mailsec_result::NullParameter;
        };
        if outcome_out.is_null() {
            return mailsec_result::NullParameter;
        }
        // SAFETY: NULL or NUL-terminated, `detail_out` NULL or valid for a write, by the
        // caller's contract.
        let envelope = unsafe {
            (
                optional_text(envelope_from, "envelope sender", detail_out),
                optional_text(envelope_to, "envelope recipient", detail_out),
            )
        };
        let (from, to) = match envelope {
            (Ok(from), Ok(to)) => (from, to),
            (Err(code), _) | (_, Err(code)) => return code,
        };
        let resolver: &dyn ListResolver = match lists {
            Some(lists) => lists.resolver(),
            None => &NoLists,
        };
        let mut context = Context::new(resolver).with_envelope(from, to);
        if let Some(options) = options {
            // SAFETY: the options' strings and array are valid by the caller's contract,
            // `detail_out` NULL or valid for a write.
            context = match unsafe { apply_options(context, options, detail_out) } {
                Ok(context) => context,
                Err(code) => return code,
            };
        }
        match script.evaluate(message, &context) {
            // SAFETY: `outcome_out` checked non-NULL above, valid for a write by the caller's
            // contract.
            Ok(outcome) => unsafe { deliver(outcome, outcome_out) },
            // SAFETY: NULL or valid for a write by the caller's contract.
            Err(error) => unsafe { sieve_error(&error, None, position_out, detail_out) },
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Outcomes

/// What an action is.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum mailsec_sieve_action_kind {
    /// An action this version of the C API does not know; its name says which.
    Other = 0,
    /// Store in the user's main mailbox (RFC 5228 §4.3), explicitly or as the implicit keep.
    Keep = 1,
    /// Store in `mailbox` (RFC 5228 §4.1).
    Fileinto = 2,
    /// Forward to `address`, or, with `list` set and no address, to the members of the list
    /// that the MTA's list handler serves (RFC 6134 §2.3).
    Redirect = 3,
    /// Drop the message silently (RFC 5228 §4.4).
    Discard = 4,
    /// Refuse the message with a non-delivery report giving `reason` (RFC 5429 §2.2).
    Reject = 5,
    /// Refuse the message at the SMTP level if possible, with `reason` (RFC 5429 §2.1).
    Ereject = 6,
    /// Send a notification by `method` (RFC 5435).
    Notify = 7,
    /// The message was enclosed in a new one (RFC 5703 §6); `mailsec_sieve_outcome_message`
    /// gives it.
    Enclose = 8,
}

/// One action of an outcome, filled by `mailsec_sieve_outcome_action`. The strings are borrowed
/// from the outcome and stay valid until it is freed; a string the action does not have is
/// empty. Flags, notify options and enclose headers are read with
/// `mailsec_sieve_outcome_action_flag`, `_option` and `_header`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct mailsec_sieve_action {
    /// What the action is.
    pub kind: mailsec_sieve_action_kind,
    /// Its name as in the JSON form: `keep`, `fileinto`, `redirect`, `discard`, `reject`,
    /// `ereject`, `notify`, `enclose` (static).
    pub name: mailsec_str,
    /// `fileinto`: the mailbox.
    pub mailbox: mailsec_str,
    /// `redirect`: the recipient (empty when the list handler redirects).
    pub address: mailsec_str,
    /// `redirect :list`: the list the redirect came from.
    pub list: mailsec_str,
    /// `reject`, `ereject`: the text for the sender; `enclose`: the explanatory text.
    pub reason: mailsec_str,
    /// `notify`: the method URI (`mailto:`, `xmpp:`…).
    pub method: mailsec_str,
    /// `notify`: `:from`.
    pub from: mailsec_str,
    /// `notify`: `:message`.
    pub message: mailsec_str,
    /// `enclose`: the new message's subject.
    pub subject: mailsec_str,
    /// `notify`: `:importance`, 1 (high), 2 (normal) or 3 (low); 0 for other actions.
    pub importance: u8,
    /// `fileinto`, `redirect`: `:copy` (RFC 3894), which does not cancel the implicit keep.
    pub copy: bool,
    /// `keep`: whether this is the implicit keep (RFC 5228 §2.10.2).
    pub implicit: bool,
    /// `keep`, `fileinto`: the number of IMAP flags (RFC 5232).
    pub flag_count: usize,
    /// `notify`: the number of `:options`.
    pub option_count: usize,
    /// `enclose`: the number of extra header fields.
    pub header_count: usize,
}

impl mailsec_sieve_action {
    fn borrow(action: &Action) -> Self {
        let text = |s: &Option<String>| {
            s.as_deref()
                .map_or_else(mailsec_str::empty, mailsec_str::borrow)
        };
        let mut out = mailsec_sieve_action {
            kind: mailsec_sieve_action_kind::Other,
            name: mailsec_str::borrow(action.name()),
            mailbox: mailsec_str::empty(),
            address: mailsec_str::empty(),
            list: mailsec_str::empty(),
            reason: mailsec_str::empty(),
            method: mailsec_str::empty(),
            from: mailsec_str::empty(),
            message: mailsec_str::empty(),
            subject: mailsec_str::empty(),
            importance: 0,
            copy: false,
            implicit: false,
            flag_count: action_items(action, Item::Flag).len(),
            option_count: action_items(action, Item::Option).len(),
            header_count: action_items(action, Item::Header).len(),
        };
        match action {
            Action::Keep { implicit, .. } => {
                out.kind = mailsec_sieve_action_kind::Keep;
                out.implicit = *implicit;
            }
            Action::Fileinto { mailbox, copy, .. } => {
                out.kind = mailsec_sieve_action_kind::Fileinto;
                out.mailbox = mailsec_str::borrow(mailbox);
                out.copy = *copy;
            }
            Action::Redirect {
                address,
                list,
                copy,
            } => {
                out.kind = mailsec_sieve_action_kind::Redirect;
                out.address = text(address);
                out.list = text(list);
                out.copy = *copy;
            }
            Action::Discard => out.kind = mailsec_sieve_action_kind::Discard,
            Action::Reject { reason } => {
                out.kind = mailsec_sieve_action_kind::Reject;
                out.reason = mailsec_str::borrow(reason);
            }
            Action::Ereject { reason } => {
                out.kind = mailsec_sieve_action_kind::Ereject;
                out.reason = mailsec_str::borrow(reason);
            }
            Action::Notify {
                method,
                from,
                importance,
                message,
                ..
            } => {
                out.kind = mailsec_sieve_action_kind::Notify;
                out.method = mailsec_str::borrow(method);
                out.from = text(from);
                out.importance = *importance;
                out.message = text(message);
            }
            Action::Enclose {
                subject, reason, ..
            } => {
                out.kind = mailsec_sieve_action_kind::Enclose;
                out.subject = text(subject);
                out.reason = mailsec_str::borrow(reason);
            }
            _ => {}
        }
        out
    }
}

/// A list of strings an action carries.
#[derive(Clone, Copy)]
enum Item {
    /// IMAP flags of `keep` and `fileinto`.
    Flag,
    /// `:options` of `notify`.
    Option,
    /// Extra header fields of `enclose`.
    Header,
}

/// The strings of kind `item` that `action` carries (none if it has no such list).
fn action_items(action: &Action, item: Item) -> &[String] {
    match (action, item) {
        (Action::Keep { flags, .. } | Action::Fileinto { flags, .. }, Item::Flag) => flags,
        (Action::Notify { options, .. }, Item::Option) => options,
        (Action::Enclose { headers, .. }, Item::Header) => headers,
        _ => &[],
    }
}

/// Sets `*out` to string `index` of kind `item` of the action at `action_index`.
///
/// # Safety
/// `outcome` is NULL or a live outcome handle; `out` is NULL or valid for a write.
unsafe fn action_item(
    outcome: *const mailsec_sieve_outcome,
    action_index: usize,
    item: Item,
    index: usize,
    out: *mut mailsec_str,
) -> mailsec_result {
    // SAFETY: NULL or a live handle by the caller's contract.
    let Some(outcome) = (unsafe { borrow_handle(outcome) }) else {
        return mailsec_result::NullParameter;
    };
    if out.is_null() {
        return mailsec_result::NullParameter;
    }
    let found = outcome
        .actions
        .get(action_index)
        .and_then(|action| action_items(action, item).get(index));
    let Some(text) = found else {
        return mailsec_result::InvalidParameter;
    };
    // SAFETY: checked non-NULL above, valid for a write by the caller's contract.
    unsafe { write_out(out, mailsec_str::borrow(text)) };
    mailsec_result::Ok
}

/// The number of actions; 0 if `outcome` is NULL. The implicit keep, when it applies, is the
/// last one.
///
/// # Safety
/// `outcome` is NULL or a live outcome handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_sieve_outcome_action_count(
    outcome: *const mailsec_sieve_outcome,
) -> usize {
    ffi_boundary! {
        // SAFETY: NULL or a live handle by the caller's contract.
        unsafe { borrow_handle(outcome) }.map_or(0, |outcome| outcome.actions.len())
    }
}

/// Fills `*action_out` with the action at `index`; its strings stay valid until `outcome` is
/// freed. `MAILSEC_RESULT_INVALID_PARAMETER` if `index` is not below the action count.
///
/// # Safety
/// `outcome` is a live outcome handle; `action_out` is valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_sieve_outcome_action(
    outcome: *const mailsec_sieve_outcome,
    index: usize,
    action_out: *mut mailsec_sieve_action,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: NULL or a live handle by the caller's contract.
        let Some(outcome) = (unsafe { borrow_handle(outcome) }) else {
            return mailsec_result::NullParameter;
        };
        if action_out.is_null() {
            return mailsec_result::NullParameter;
        }
        let Some(action) = outcome.actions.get(index) else {
            return mailsec_result::InvalidParameter;
        };
        // SAFETY: checked non-NULL above, valid for a write by the caller's contract.
        unsafe { write_out(action_out, mailsec_sieve_action::borrow(action)) };
        mailsec_result::Ok
    }
}

/// Sets `*flag_out` to IMAP flag `flag_index` of the `keep` or `fileinto` at `action_index`;
/// valid until `outcome` is freed. `MAILSEC_RESULT_INVALID_PARAMETER` if either index is out of
/// range.
///
/// # Safety
/// `outcome` is a live outcome handle; `flag_out` is valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_sieve_outcome_action_flag(
    outcome: *const mailsec_sieve_outcome,
    action_index: usize,
    flag_index: usize,
    flag_out: *mut mailsec_str,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: NULL or a live handle, `flag_out` NULL or valid for a write, by the caller's
        // contract.
        unsafe { action_item(outcome, action_index, Item::Flag, flag_index, flag_out) }
    }
}

/// Sets `*option_out` to `:options` string `option_index` of the `notify` at `action_index`;
/// valid until `outcome` is freed. `MAILSEC_RESULT_INVALID_PARAMETER` if either index is out of
/// range.
///
/// # Safety
/// `outcome` is a live outcome handle; `option_out` is valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_sieve_outcome_action_option(
    outcome: *const mailsec_sieve_outcome,
    action_index: usize,
    option_index: usize,
    option_out: *mut mailsec_str,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: NULL or a live handle, `option_out` NULL or valid for a write, by the caller's
        // contract.
        unsafe { action_item(outcome, action_index, Item::Option, option_index, option_out) }
    }
}

/// Sets `*header_out` to extra header field `header_index` of the `enclose` at `action_index`;
/// valid until `outcome` is freed. `MAILSEC_RESULT_INVALID_PARAMETER` if either index is out of
/// range.
///
/// # Safety
/// `outcome` is a live outcome handle; `header_out` is valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_sieve_outcome_action_header(
    outcome: *const mailsec_sieve_outcome,
    action_index: usize,
    header_index: usize,
    header_out: *mut mailsec_str,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: NULL or a live handle, `header_out` NULL or valid for a write, by the caller's
        // contract.
        unsafe { action_item(outcome, action_index, Item::Header, header_index, header_out) }
    }
}

/// Whether the implicit keep applies (RFC 5228 §2.10.2): no action cancelled it. `false` if
/// `outcome` is NULL.
///
/// # Safety
/// `outcome` is NULL or a live outcome handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_sieve_outcome_implicit_keep(
    outcome: *const mailsec_sieve_outcome,
) -> bool {
    ffi_boundary! {
        // SAFETY: NULL or a live handle by the caller's contract.
        unsafe { borrow_handle(outcome) }.is_some_and(Outcome::implicit_keep)
    }
}

/// Writes the outcome as JSON into `*json_out`: `{"actions": [{"action": "fileinto",
/// "mailbox": "spam", "flags": [], "copy": false}, …]}`, with `"trace"` when a trace was asked
/// for; compact, UTF-8. Release it with `mailsec_bytes_free`.
///
/// # Safety
/// `outcome` is a live outcome handle; `json_out` is valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_sieve_outcome_json(
    outcome: *const mailsec_sieve_outcome,
    json_out: *mut *mut mailsec_bytes,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: NULL or a live handle by the caller's contract.
        let Some(outcome) = (unsafe { borrow_handle(outcome) }) else {
            return mailsec_result::NullParameter;
        };
        if json_out.is_null() {
            return mailsec_result::NullParameter;
        }
        let Ok(json) = serde_json::to_vec(outcome) else {
            return mailsec_result::General;
        };
        // SAFETY: checked non-NULL above, valid for a write by the caller's contract.
        unsafe { deliver::<mailsec_bytes>(json, json_out) }
    }
}

/// Sets `*message_out` to a copy of the message the deliveries apply to when `enclose` replaced
/// it (RFC 5703 §6), or to NULL when the original message is delivered. Release it with
/// `mailsec_bytes_free` (which ignores NULL).
///
/// # Safety
/// `outcome` is a live outcome handle; `message_out` is valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_sieve_outcome_message(
    outcome: *const mailsec_sieve_outcome,
    message_out: *mut *mut mailsec_bytes,
) -> mailsec_result {
    ffi_boundary! {
        // SAFETY: NULL or a live handle by the caller's contract.
        let Some(outcome) = (unsafe { borrow_handle(outcome) }) else {
            return mailsec_result::NullParameter;
        };
        if message_out.is_null() {
            return mailsec_result::NullParameter;
        }
        let message = outcome
            .message
            .as_ref()
            .map_or(std::ptr::null_mut(), |message| into_handle::<mailsec_bytes>(message.clone()));
        // SAFETY: checked non-NULL above, valid for a write by the caller's contract.
        unsafe { write_out(message_out, message) };
        mailsec_result::Ok
    }
}

/// Releases an outcome. NULL is ignored.
///
/// # Safety
/// `outcome` is NULL or a live outcome handle, freed only once.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mailsec_sieve_outcome_free(outcome: *mut mailsec_sieve_outcome) {
    ffi_boundary! {
        // SAFETY: NULL or a live handle, freed once, by the caller's contract.
        unsafe { free_handle(outcome) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remaining_time_is_none_once_the_deadline_passed() {
        assert_eq!(remaining_ms(Instant::now()), None);
        let later = Instant::now() + Duration::from_secs(10);
        let left = remaining_ms(later).unwrap_or(0);
        assert!((9_000..=10_000).contains(&left), "{left}");
    }

    #[test]
    fn callback_answers_map_to_list_errors() {
        assert!(callback_failure(MAILSEC_SIEVE_LIST_TEMPORARY_FAILURE).is_temporary());
        assert_eq!(
            callback_failure(MAILSEC_SIEVE_LIST_UNKNOWN_LIST),
            ListError::UnknownList
        );
        assert!(matches!(
            callback_failure(MAILSEC_SIEVE_LIST_PERMANENT_FAILURE),
            ListError::Permanent(_)
        ));
        assert!(matches!(callback_failure(42), ListError::Permanent(m) if m.contains("42")));
    }
}
