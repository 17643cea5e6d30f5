//! Invariants of the EHLO reply parser on arbitrary bytes: no panic; a rejected reply names a
//! position inside it; an accepted one has fewer extensions than lines.

use mailsec::clientid::EhloReply;

pub fn check(data: &[u8]) {
    match EhloReply::parse(data) {
        Ok(reply) => {
            let lines = data.split(|&b| b == b'\n').count();
            assert!(reply.extensions().len() < lines.max(1));
            let _ = reply.advertises_clientid();
        }
        Err(error) => {
            if let Some(offset) = error.offset() {
                assert!(offset <= data.len(), "offset beyond the input");
            }
            assert!(!error.to_string().is_empty());
        }
    }
}
