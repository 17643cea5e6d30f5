//! The network side: accepting connections, reading lines with their limits and timeouts,
//! writing replies, STARTTLS, and running policy decisions off the async threads.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio::time::timeout;
use tokio_rustls::TlsAcceptor;

use super::line::read_line;
use super::protocol::{Protocol, Step};
use super::{ServerConfig, log};

/// Accepts connections until `shutdown` completes, then aborts the sessions still open.
pub(super) async fn accept_loop(
    listener: TcpListener,
    config: Arc<ServerConfig>,
    shutdown: impl Future<Output = ()>,
) -> io::Result<()> {
    let acceptor = TlsAcceptor::from(Arc::clone(&config.tls));
    let slots = Arc::new(Semaphore::new(config.limits.max_sessions));
    let mut sessions = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            // Reap finished sessions so the set stays as small as the open connections.
            Some(_) = sessions.join_next(), if !sessions.is_empty() => {}
            accepted = listener.accept() => match accepted {
                Ok((tcp, peer)) => {
                    let config = Arc::clone(&config);
                    let acceptor = acceptor.clone();
                    match Arc::clone(&slots).try_acquire_owned() {
                        Ok(slot) => {
                            sessions.spawn(async move {
                                connection(tcp, peer, config, acceptor).await;
                                drop(slot);
                            });
                        }
                        Err(_) => {
                            sessions.spawn(async move { turn_away(tcp, &config).await });
                        }
                    }
                }
                // Out of file descriptors and the like: wait a little rather than spin.
                Err(error) => {
                    log(&format!("server: accept failed: {error}"));
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            },
        }
    }
    sessions.shutdown().await;
    Ok(())
}

/// A connection beyond [`super::Limits::max_sessions`]: `421` and close (RFC 5321 §3.1).
async fn turn_away(mut tcp: TcpStream, config: &ServerConfig) {
    let reply = format!(
        "421 {} Too many connections, try again later\r\n",
        config.hostname
    );
    let _ = timeout(Duration::from_secs(5), tcp.write_all(reply.as_bytes())).await;
}

/// How a conversation on one stream ended.
enum End {
    /// The connection is over (QUIT, a limit, or the client went away).
    Closed,
    /// STARTTLS was answered with 220: negotiate TLS on the underlying stream.
    StartTls,
}

/// One connection, from the greeting to the close.
async fn connection(
    tcp: TcpStream,
    peer: SocketAddr,
    config: Arc<ServerConfig>,
    acceptor: TlsAcceptor,
) {
    let limits = config.limits;
    let protocol = Protocol::new(Arc::clone(&config), peer);
    let mut plain = BufReader::new(tcp);
    let greeting = protocol.greeting();
    if write_reply(&mut plain, &greeting, limits.idle_timeout)
        .await
        .is_err()
    {
        return;
    }
    let (mut protocol, end) = match converse(&mut plain, protocol, limits.idle_timeout).await {
        Ok(ended) => ended,
        Err(error) => return note_error(peer, &error),
    };
    if let End::Closed = end {
        return;
    }
    // RFC 3207 §4.2 (and the command injection it invites): whatever the client sent after
    // STARTTLS, before the handshake, is dropped unread.
    let pipelined = plain.buffer().len();
    if pipelined > 0 {
        log(&format!(
            "server: {peer}: discarding {pipelined} octets sent after STARTTLS"
        ));
    }
    let tcp = plain.into_inner();
    let tls = match timeout(limits.tls_handshake_timeout, acceptor.accept(tcp)).await {
        Ok(Ok(tls)) => tls,
        Ok(Err(error)) => return log(&format!("server: {peer}: TLS handshake failed: {error}")),
        Err(_) => return log(&format!("server: {peer}: TLS handshake timed out")),
    };
    protocol.tls_established();
    let mut tls = BufReader::new(tls);
    match converse(&mut tls, protocol, limits.idle_timeout).await {
        // A second STARTTLS is refused by the protocol (503), so this cannot ask for TLS again.
        Ok(_) => {}
        Err(error) => note_error(peer, &error),
    }
    let _ = timeout(Duration::from_secs(5), tls.get_mut().shutdown()).await;
}

fn note_error(peer: SocketAddr, error: &io::Error) {
    // A client that hangs up without QUIT is ordinary; everything else is worth a line.
    if !matches!(
        error.kind(),
        io::ErrorKind::UnexpectedEof | io::ErrorKind::ConnectionReset | io::ErrorKind::BrokenPipe
    ) {
        log(&format!("server: {peer}: {error}"));
    }
}

/// Reads lines and answers them until the connection closes or asks for TLS.
async fn converse<S>(
    stream: &mut BufReader<S>,
    mut protocol: Protocol,
    idle: Duration,
) -> io::Result<(Protocol, End)>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let max_line = protocol.max_line_octets();
    loop {
        let line = match timeout(idle, read_line(stream, max_line)).await {
            Ok(Ok(Some(line))) => line,
            Ok(Ok(None)) => return Ok((protocol, End::Closed)),
            Ok(Err(error)) => return Err(error),
            Err(_) => {
                let reply = protocol.timeout_reply();
                let _ = write_reply(stream, &reply, idle).await;
                return Ok((protocol, End::Closed));
            }
        };
        match protocol.line(line) {
            Step::Reply(reply) => write_reply(stream, &reply, idle).await?,
            Step::Nothing => {}
            Step::Close(reply) => {
                write_reply(stream, &reply, idle).await?;
                return Ok((protocol, End::Closed));
            }
            Step::StartTls(reply) => {
                write_reply(stream, &reply, idle).await?;
                return Ok((protocol, End::StartTls));
            }
            Step::Authenticate(credentials) => {
                // The history store may block (SQLite, Redis): not on the async threads.
                let (returned, (reply, line)) = tokio::task::spawn_blocking(move || {
                    let outcome = protocol.authenticate(&credentials);
                    (protocol, outcome)
                })
                .await
                .map_err(io::Error::other)?;
                protocol = returned;
                log(&line);
                write_reply(stream, &reply, idle).await?;
            }
        }
    }
}

/// Writes one reply with its CRLF, within `idle`.
async fn write_reply<S>(stream: &mut BufReader<S>, reply: &str, idle: Duration) -> io::Result<()>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let mut bytes = Vec::with_capacity(reply.len() + 2);
    bytes.extend_from_slice(reply.as_bytes());
    bytes.extend_from_slice(b"\r\n");
    let write = async {
        let stream = stream.get_mut();
        stream.write_all(&bytes).await?;
        stream.flush().await
    };
    timeout(idle, write)
        .await
        .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "the client took no reply"))?
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt};

    use super::*;
    use crate::clientid::MemoryStore;
    use crate::clientid::server::{Hostname, Limits, UserTable, load_tls, serve};

    fn config(limits: Limits) -> Arc<ServerConfig> {
        let pki = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/pki");
        let engine =
            crate::clientid::engine(&crate::Policy::default(), Arc::new(MemoryStore::default()))
                .unwrap();
        Arc::new(ServerConfig {
            hostname: Hostname::new("server.example.com").unwrap(),
            tls: load_tls(
                format!("{pki}/alice-p256.pem"),
                format!("{pki}/alice-p256.key"),
            )
            .unwrap(),
            users: UserTable::parse("test:1234\n").unwrap(),
            engine: Arc::new(engine),
            require_auth_for_mail: false,
            limits,
        })
    }

    /// Runs `client` against a server with `limits`, then shuts the server down.
    fn with_server<F, Fut>(limits: Limits, client: F)
    where
        F: FnOnce(SocketAddr) -> Fut,
        Fut: Future<Output = ()>,
    {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
            let server = tokio::spawn(serve(listener, config(limits), async {
                let _ = stopped.await;
            }));
            client(addr).await;
            stop.send(()).unwrap();
            server.await.unwrap().unwrap();
        });
    }

    async fn reply(reader: &mut BufReader<TcpStream>) -> String {
        let mut line = String::new();
        reader.read_line(&mut line).await.unwrap();
        line
    }

    #[test]
    fn long_lines_idle_clients_and_pipelined_starttls() {
        let limits = Limits {
            idle_timeout: Duration::from_millis(300),
            tls_handshake_timeout: Duration::from_millis(300),
            ..Limits::default()
        };
        with_server(limits, |addr| async move {
            let mut client = BufReader::new(TcpStream::connect(addr).await.unwrap());
            assert_eq!(
                reply(&mut client).await,
                "220 server.example.com ESMTP ready\r\n"
            );
            let mut long = vec![b'N'; 1500];
            long.extend_from_slice(b"\r\nNOOP\r\n");
            client.get_mut().write_all(&long).await.unwrap();
            assert_eq!(reply(&mut client).await, "500 Line too long\r\n");
            assert_eq!(reply(&mut client).await, "250 OK\r\n");
            // Silence: the server gives up after the idle timeout.
            assert_eq!(
                reply(&mut client).await,
                "421 server.example.com Timeout exceeded, closing transmission channel\r\n"
            );
            assert_eq!(reply(&mut client).await, "", "closed");

            // Commands pipelined after STARTTLS are dropped: the next thing the server reads
            // must be a TLS handshake, so the plaintext QUIT gets no 221.
            let mut client = BufReader::new(TcpStream::connect(addr).await.unwrap());
            reply(&mut client).await;
            client
                .get_mut()
                .write_all(b"STARTTLS\r\nQUIT\r\n")
                .await
                .unwrap();
            assert_eq!(reply(&mut client).await, "220 Go ahead\r\n");
            let mut rest = Vec::new();
            let _ = tokio::io::AsyncReadExt::read_to_end(&mut client, &mut rest).await;
            assert!(!String::from_utf8_lossy(&rest).contains("221"), "{rest:?}");
        });
    }

    #[test]
    fn sessions_beyond_the_limit_are_turned_away() {
        let limits = Limits {
            max_sessions: 1,
            ..Limits::default()
        };
        with_server(limits, |addr| async move {
            let mut first = BufReader::new(TcpStream::connect(addr).await.unwrap());
            assert!(reply(&mut first).await.starts_with("220 "));
            let mut second = BufReader::new(TcpStream::connect(addr).await.unwrap());
            assert_eq!(
                reply(&mut second).await,
                "421 server.example.com Too many connections, try again later\r\n"
            );
            first.get_mut().write_all(b"QUIT\r\n").await.unwrap();
            assert!(reply(&mut first).await.starts_with("221 "));
        });
    }
}
