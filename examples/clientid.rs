//! CLIENTID from Rust, both sides: a server parsing what it receives, a client checking the EHLO
//! reply and building its command (draft-storey-smtp-client-id-13 §3–§5, §8).
//!
//! `cargo run --example clientid`

use mailsec::clientid::{ClientIdCommand, ClientIdToken, ClientIdType, EhloReply};

fn main() -> Result<(), mailsec::Error> {
    // Client: after STARTTLS and a fresh EHLO, send CLIENTID only if it is advertised (§3, §4).
    let ehlo = EhloReply::parse(b"250-server.example.com\r\n250-AUTH LOGIN\r\n250 CLIENTID\r\n")?;
    if ehlo.advertises_clientid() {
        let command = ClientIdCommand::new(
            ClientIdType::new("UUID")?,
            ClientIdToken::new("23bf83be-aad7-46aa-9e0f-39191ccf402f")?,
        );
        println!("C: {command}");
    }

    // Server: answer each line as §4 requires; the reason goes to the log, not to the client.
    for line in [
        &b"CLIENTID UUID 23bf83be-aad7-46aa-9e0f-39191ccf402f\r\n"[..],
        b"CLIENTID MAC\r\n",
    ] {
        match ClientIdCommand::parse(line) {
            Ok(command) => println!(
                "S: 250 OK    (log: {} {})",
                command.client_type(),
                command.token()
            ),
            Err(error) => println!(
                "S: {} Syntax error in parameters or arguments    (log: {error})",
                error.reply_code()
            ),
        }
    }
    Ok(())
}
