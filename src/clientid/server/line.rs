//! Reading SMTP lines with a bound on their length (RFC 5321 §4.5.3.1.6: a text line is at
//! most 1000 octets with its CRLF), so that one connection never holds more than one line in
//! memory, whatever the client sends.

use std::io;

use tokio::io::{AsyncBufRead, AsyncBufReadExt};

/// One line as received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Line {
    /// A line within the limit, without its line ending.
    Complete {
        /// The line's octets.
        text: Vec<u8>,
        /// Whether it ended with CRLF (not a bare LF).
        crlf: bool,
    },
    /// A line longer than the limit; its octets were discarded up to and including its LF
    /// (RFC 5321 §4.5.3.1.10: "500 Line too long").
    TooLong {
        /// Whether it ended with CRLF.
        crlf: bool,
    },
}

/// Reads the next line of at most `max` octets, line ending included. `None` at the end of
/// the stream (a final line without LF is dropped: the client went away mid-command).
pub(crate) async fn read_line<R>(reader: &mut R, max: usize) -> io::Result<Option<Line>>
where
    R: AsyncBufRead + Unpin,
{
    let mut text = Vec::new();
    let mut too_long = false;
    // The octet before the chunk being looked at, to tell CRLF from LF across chunks.
    let mut previous = None;
    loop {
        let available = reader.fill_buf().await?;
        if available.is_empty() {
            return Ok(None);
        }
        let (chunk, found) = match available.iter().position(|&b| b == b'\n') {
            Some(at) => (&available[..=at], true),
            None => (available, false),
        };
        let taken = chunk.len();
        let before_lf = match chunk.len() {
            0 | 1 => previous,
            n => Some(chunk[n - 2]),
        };
        previous = chunk.last().copied();
        if !too_long {
            if text.len() + taken > max {
                too_long = true;
                text = Vec::new();
            } else {
                text.extend_from_slice(chunk);
            }
        }
        reader.consume(taken);
        if found {
            if too_long {
                return Ok(Some(Line::TooLong {
                    crlf: before_lf == Some(b'\r'),
                }));
            }
            text.pop(); // the LF
            let crlf = text.last() == Some(&b'\r');
            if crlf {
                text.pop();
            }
            return Ok(Some(Line::Complete { text, crlf }));
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn lines(input: &[u8], max: usize) -> Vec<Line> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        runtime.block_on(async {
            // A tiny buffer, so lines straddle many fills.
            let mut reader = tokio::io::BufReader::with_capacity(3, input);
            let mut out = Vec::new();
            while let Some(line) = read_line(&mut reader, max).await.unwrap() {
                out.push(line);
            }
            out
        })
    }

    fn complete(text: &[u8], crlf: bool) -> Line {
        Line::Complete {
            text: text.to_vec(),
            crlf,
        }
    }

    #[test]
    fn splits_on_lf_and_notes_crlf() {
        assert_eq!(
            lines(b"EHLO a\r\nNOOP\n\r\nQUIT\r\nunfinished", 1000),
            vec![
                complete(b"EHLO a", true),
                complete(b"NOOP", false),
                complete(b"", true),
                complete(b"QUIT", true),
            ]
        );
    }

    #[test]
    fn the_limit_counts_the_line_ending() {
        // RFC 5321 §4.5.3.1.6: 1000 octets including CRLF.
        let mut exact = vec![b'a'; 998];
        exact.extend_from_slice(b"\r\n");
        let mut over = vec![b'a'; 999];
        over.extend_from_slice(b"\r\nNOOP\r\n");
        assert_eq!(lines(&exact, 1000), vec![complete(&[b'a'; 998], true)]);
        assert_eq!(
            lines(&over, 1000),
            vec![Line::TooLong { crlf: true }, complete(b"NOOP", true)]
        );
        let mut bare = vec![b'a'; 1500];
        bare.push(b'\n');
        assert_eq!(lines(&bare, 1000), vec![Line::TooLong { crlf: false }]);
    }

    #[test]
    fn an_endless_line_is_dropped_without_growing() {
        let input = vec![b'x'; 100_000];
        assert_eq!(lines(&input, 1000), vec![]);
    }
}
