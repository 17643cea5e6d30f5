//! Invariants of the CLIENTID command parser on arbitrary bytes: no panic; an accepted line
//! round-trips and respects the grammar's bounds; a rejected line names a position inside it.

use mailsec::clientid::{ClientIdCommand, MAX_TOKEN_LEN, MAX_TYPE_LEN, Strictness};

pub fn check(data: &[u8]) {
    let strict = ClientIdCommand::parse_with(data, Strictness::Strict);
    let lenient = ClientIdCommand::parse_with(data, Strictness::Lenient);
    match &strict {
        Ok(command) => {
            assert_eq!(
                lenient.as_ref().ok(),
                Some(command),
                "lenient rejects a strict line"
            );
            let type_len = command.client_type().as_str().len();
            let token_len = command.token().as_str().len();
            assert!((1..=MAX_TYPE_LEN).contains(&type_len));
            assert!((1..=MAX_TOKEN_LEN).contains(&token_len));
            let line = command.to_line();
            assert_eq!(
                ClientIdCommand::parse(line.as_bytes()).as_ref(),
                Ok(command)
            );
        }
        Err(error) => {
            assert!(error.offset() <= data.len(), "offset beyond the input");
            assert!(matches!(error.reply_code(), 500 | 501));
            assert!(!error.to_string().is_empty());
        }
    }
    if let Ok(command) = &lenient {
        let line = command.to_line();
        let again = ClientIdCommand::parse_with(line.as_bytes(), Strictness::Lenient);
        assert_eq!(again.as_ref(), Ok(command));
    }
}
