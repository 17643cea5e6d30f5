//! `mailsec clientid serve`: usage errors and their exit codes, and a plaintext session.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed test may panic

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::process::{Child, ChildStderr, Command, Stdio};
use std::time::Duration;

use common::{Scratch, mailsec, text};

fn pki(name: &str) -> String {
    format!(
        "{}/../../tests/fixtures/pki/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// The arguments of a server that can start, with `replace` swapped in (option, value).
fn args(scratch: &Scratch, replace: &[(&str, &str)]) -> Vec<String> {
    let users = scratch.file("users", "test:1234\n");
    let mut options = vec![
        ("--listen", "127.0.0.1:0".to_owned()),
        ("--cert", pki("alice-p256.pem")),
        ("--key", pki("alice-p256.key")),
        ("--users", users),
    ];
    for (option, value) in replace {
        match options.iter_mut().find(|(name, _)| name == option) {
            Some(slot) => slot.1 = (*value).to_owned(),
            None => options.push((option, (*value).to_owned())),
        }
    }
    let mut args = vec!["clientid".to_owned(), "serve".to_owned()];
    for (option, value) in options {
        args.push(option.to_owned());
        args.push(value);
    }
    args
}

/// Runs a server that must fail to start; returns its exit code and stderr.
fn refused(scratch: &Scratch, replace: &[(&str, &str)]) -> (i32, String) {
    let args = args(scratch, replace);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = mailsec(&args, b"");
    (out.status.code().unwrap(), text(&out.stderr))
}

#[test]
fn a_missing_certificate_file_exits_74() {
    let scratch = Scratch::new();
    let missing = scratch.path("absent.pem");
    let (code, stderr) = refused(&scratch, &[("--cert", &missing)]);
    assert_eq!(code, 74, "{stderr}");
    assert!(stderr.starts_with("mailsec: certificate file "), "{stderr}");
    assert!(stderr.contains("absent.pem"), "{stderr}");
}

#[test]
fn a_missing_users_or_policy_file_exits_74() {
    let scratch = Scratch::new();
    let missing = scratch.path("absent");
    for option in ["--users", "--policy"] {
        let (code, stderr) = refused(&scratch, &[(option, &missing)]);
        assert_eq!(code, 74, "{option}: {stderr}");
    }
}

#[test]
fn a_bad_policy_exits_75() {
    let scratch = Scratch::new();
    let policy = scratch.file("policy.toml", "[clientid]\nrefuse_at = \"never\"\n");
    let (code, stderr) = refused(&scratch, &[("--policy", &policy)]);
    assert_eq!(code, 75, "{stderr}");
    assert!(stderr.contains("policy.toml"), "{stderr}");
    assert!(stderr.contains("line 2"), "{stderr}");
    assert!(stderr.contains("`never`"), "{stderr}");
}

#[test]
fn unusable_files_exit_75() {
    let scratch = Scratch::new();
    let users = scratch.file("bad-users", "no colon here\n");
    let (code, stderr) = refused(&scratch, &[("--users", &users)]);
    assert_eq!(code, 75, "{stderr}");
    assert!(
        stderr.contains("line 1: expected user:password"),
        "{stderr}"
    );

    // A key that is not the certificate's.
    let (code, stderr) = refused(&scratch, &[("--key", &pki("bob-rsa.key"))]);
    assert_eq!(code, 75, "{stderr}");

    let (code, stderr) = refused(&scratch, &[("--cert", &pki("alice-p256.key"))]);
    assert_eq!(code, 75, "{stderr}");
    assert!(stderr.contains("no CERTIFICATE block"), "{stderr}");

    let (code, stderr) = refused(&scratch, &[("--hostname", "two words")]);
    assert_eq!(code, 75, "{stderr}");

    let history = scratch.file("not-sqlite", vec![b'x'; 4096]);
    let (code, stderr) = refused(&scratch, &[("--history", &history)]);
    assert_eq!(code, 75, "{stderr}");
    assert!(stderr.starts_with("mailsec: --history: "), "{stderr}");
}

#[test]
fn a_bad_listen_address_is_a_usage_error() {
    let scratch = Scratch::new();
    let (code, stderr) = refused(&scratch, &[("--listen", "localhost")]);
    assert_eq!(code, 2, "{stderr}");
}

/// A running server, killed when dropped.
struct Server {
    child: Child,
    /// Kept open: the server logs to it.
    _stderr: BufReader<ChildStderr>,
    port: u16,
}

impl Server {
    fn start(args: &[String]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_mailsec"))
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run mailsec");
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let mut line = String::new();
        stderr.read_line(&mut line).unwrap();
        let port = line
            .trim_end()
            .strip_prefix("listening on 127.0.0.1:")
            .unwrap_or_else(|| panic!("first stderr line: {line:?}"))
            .parse()
            .unwrap();
        Server {
            child,
            _stderr: stderr,
            port,
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A plaintext SMTP client.
struct Client {
    reader: BufReader<TcpStream>,
}

impl Client {
    fn connect(port: u16) -> Client {
        let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        Client {
            reader: BufReader::new(stream),
        }
    }

    /// One reply, all its lines.
    fn reply(&mut self) -> String {
        let mut reply = String::new();
        loop {
            let mut line = String::new();
            self.reader.read_line(&mut line).unwrap();
            assert!(line.ends_with("\r\n"), "{line:?}");
            reply.push_str(&line);
            if line.as_bytes().get(3) != Some(&b'-') {
                return reply;
            }
        }
    }

    fn send(&mut self, line: &str) -> String {
        let stream = self.reader.get_mut();
        stream.write_all(line.as_bytes()).unwrap();
        stream.write_all(b"\r\n").unwrap();
        self.reply()
    }
}

#[test]
fn draft_8_2_in_plaintext() {
    let scratch = Scratch::new();
    let server = Server::start(&args(&scratch, &[("--hostname", "server.example.com")]));
    let mut client = Client::connect(server.port);
    assert_eq!(client.reply(), "220 server.example.com ESMTP ready\r\n");
    // draft §3 rule 2: no CLIENTID before TLS.
    assert_eq!(
        client.send("EHLO client.example.net"),
        "250-server.example.com\r\n250 STARTTLS\r\n"
    );
    assert_eq!(
        client.send("CLIENTID MAC 08:9e:01:70:f6:46"),
        "500 Syntax error, command unrecognised\r\n"
    );
    assert_eq!(client.send("MAIL FROM:<sender@example.net>"), "250 OK\r\n");
    assert_eq!(
        client.send("QUIT"),
        "221 server.example.com Service closing transmission channel\r\n"
    );
}

#[test]
fn require_auth_with_a_history_file() {
    let scratch = Scratch::new();
    let history = scratch.path("history.sqlite");
    let mut args = args(&scratch, &[("--history", &history)]);
    args.push("--require-auth".into());
    let server = Server::start(&args);
    assert!(
        std::path::Path::new(&history).is_file(),
        "the history file is created at startup"
    );
    let mut client = Client::connect(server.port);
    assert_eq!(client.reply(), "220 localhost ESMTP ready\r\n");
    assert_eq!(
        client.send("EHLO client.example.net"),
        "250-localhost\r\n250 STARTTLS\r\n"
    );
    assert_eq!(
        client.send("MAIL FROM:<sender@example.net>"),
        "530 Authentication required\r\n"
    );
    // Passwords only under TLS.
    assert_eq!(
        client.send("AUTH PLAIN dGVzdAB0ZXN0ADEyMzQ="),
        "538 Encryption required for requested authentication mechanism\r\n"
    );
    assert!(client.send("QUIT").starts_with("221 localhost "));
}

#[test]
fn an_unreachable_redis_history_exits_74_without_showing_the_url() {
    let scratch = Scratch::new();
    // Port 1: nothing listens there.
    let (code, stderr) = refused(&scratch, &[("--history", "redis://:secret@127.0.0.1:1/0")]);
    assert_eq!(code, 74, "{stderr}");
    assert!(stderr.starts_with("mailsec: --history: "), "{stderr}");
    assert!(
        !stderr.contains("secret"),
        "the URL's password is never printed: {stderr}"
    );
}

#[test]
fn an_address_in_use_exits_74() {
    let scratch = Scratch::new();
    let server = Server::start(&args(&scratch, &[]));
    let taken = format!("127.0.0.1:{}", server.port);
    let (code, stderr) = refused(&scratch, &[("--listen", &taken)]);
    assert_eq!(code, 74, "{stderr}");
    assert!(stderr.contains(&taken), "{stderr}");
    // The first server still answers.
    let mut client = Client::connect(server.port);
    assert!(client.reply().starts_with("220 "));
}
