//! A guard between stdio and tower-lsp that keeps the server alive on malformed messages.
//!
//! tower-lsp reads stdin with tokio-util's `FramedRead`, which ends the stream after the first
//! decoding error (tokio-rs/tokio#3976): one malformed message would stop the server. So we
//! read the frames ourselves, pass well-formed JSON-RPC messages on, and answer the rest with a
//! JSON-RPC error. All output goes through one writer, one whole frame at a time, so our error
//! replies never cut into tower-lsp's messages.

use serde_json::{json, Value};
use tokio::io::{
    AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader,
};
use tokio::sync::mpsc;
use tracing::{error, warn};

/// Larger bodies are refused (and skipped) rather than buffered.
pub const MAX_MESSAGE_BYTES: usize = 256 * 1024 * 1024;

/// One frame read from a stream.
#[derive(Debug, PartialEq)]
pub enum Frame {
    Body(Vec<u8>),
    /// The header block had no usable `Content-Length`; the text says why.
    BadHeader(String),
    TooLarge(usize),
}

/// Read the next frame; `None` at end of input.
pub async fn read_frame<R: AsyncBufRead + Unpin>(reader: &mut R) -> std::io::Result<Option<Frame>> {
    let mut length: Option<Result<usize, String>> = None;
    let mut saw_header = false;
    loop {
        let mut line = Vec::new();
        if reader.read_until(b'\n', &mut line).await? == 0 {
            return Ok(None);
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            if saw_header {
                break;
            }
            continue; // stray blank line between frames
        }
        saw_header = true;
        // Resynchronise after garbage: a header may follow the rest of a bad body on one line.
        let text = match text.to_ascii_lowercase().find("content-length") {
            Some(at) => &text[at..],
            None => text,
        };
        if let Some((name, value)) = text.split_once(':') {
            if name.trim().eq_ignore_ascii_case("content-length") {
                length = Some(
                    value
                        .trim()
                        .parse::<usize>()
                        .map_err(|_| format!("bad Content-Length `{}`", value.trim())),
                );
            }
        }
    }
    let length = match length {
        None => return Ok(Some(Frame::BadHeader("missing Content-Length header".into()))),
        Some(Err(reason)) => return Ok(Some(Frame::BadHeader(reason))),
        Some(Ok(length)) => length,
    };
    if length > MAX_MESSAGE_BYTES {
        let skipped =
            tokio::io::copy(&mut (&mut *reader).take(length as u64), &mut tokio::io::sink())
                .await?;
        if (skipped as usize) < length {
            return Ok(None);
        }
        return Ok(Some(Frame::TooLarge(length)));
    }
    let mut body = vec![0; length];
    match reader.read_exact(&mut body).await {
        Ok(_) => Ok(Some(Frame::Body(body))),
        Err(err) if err.kind() == std::io::ErrorKind::UnexpectedEof => Ok(None),
        Err(err) => Err(err),
    }
}

pub fn encode(body: &[u8]) -> Vec<u8> {
    let mut frame = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    frame.extend_from_slice(body);
    frame
}

fn error_reply(id: Value, code: i64, message: &str) -> Vec<u8> {
    let reply = json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}});
    encode(reply.to_string().as_bytes())
}

/// Check a body; `Err` holds the reply to send instead of passing it on.
pub fn vet(body: &[u8]) -> Result<(), Vec<u8>> {
    let value: Value = match serde_json::from_slice(body) {
        Ok(value) => value,
        Err(err) => return Err(error_reply(Value::Null, -32700, &format!("parse error: {err}"))),
    };
    let id = value.get("id").cloned().unwrap_or(Value::Null);
    let id_ok = matches!(id, Value::Null | Value::Number(_) | Value::String(_));
    let is_request = value.get("method").is_some_and(Value::is_string) && id_ok;
    let is_response = value.get("id").is_some()
        && value.get("method").is_none()
        && (value.get("result").is_some() || value.get("error").is_some());
    let well_formed = value.get("jsonrpc") == Some(&json!("2.0")) && (is_request || is_response);
    if well_formed {
        Ok(())
    } else {
        let id = if id_ok { id } else { Value::Null };
        Err(error_reply(id, -32600, "invalid request: not a JSON-RPC 2.0 message"))
    }
}

/// Copy client messages from `input` to tower-lsp, answering malformed ones through `replies`.
pub async fn pump_input<R, W>(input: R, mut server: W, replies: mpsc::UnboundedSender<Outgoing>)
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut reader = BufReader::new(input);
    loop {
        let frame = match read_frame(&mut reader).await {
            Ok(Some(frame)) => frame,
            Ok(None) => break,
            Err(err) => {
                error!("reading stdin: {err}");
                break;
            }
        };
        let forward = match frame {
            Frame::Body(body) => match vet(&body) {
                Ok(()) => Some(body),
                Err(reply) => {
                    warn!(
                        "malformed message from the client: {}",
                        String::from_utf8_lossy(&body).chars().take(200).collect::<String>()
                    );
                    let _ = replies.send(Some(reply));
                    None
                }
            },
            Frame::BadHeader(reason) => {
                warn!("malformed message header: {reason}");
                let reply = error_reply(Value::Null, -32700, &format!("parse error: {reason}"));
                let _ = replies.send(Some(reply));
                None
            }
            Frame::TooLarge(length) => {
                let message =
                    format!("message of {length} bytes is over the limit of {MAX_MESSAGE_BYTES}");
                warn!("{message}");
                let _ = replies.send(Some(error_reply(Value::Null, -32600, &message)));
                None
            }
        };
        if let Some(body) = forward {
            if server.write_all(&encode(&body)).await.is_err() || server.flush().await.is_err() {
                break; // the server has stopped (after `exit`)
            }
        }
    }
    let _ = server.shutdown().await;
}

/// A whole frame for the writer; `None` marks the end of the server's output.
pub type Outgoing = Option<Vec<u8>>;

/// Split tower-lsp's output into whole frames and queue them for the writer.
pub async fn pump_server_output<R: AsyncRead + Unpin>(
    output: R,
    frames: mpsc::UnboundedSender<Outgoing>,
) {
    let mut reader = BufReader::new(output);
    while let Ok(Some(Frame::Body(body))) = read_frame(&mut reader).await {
        if frames.send(Some(encode(&body))).is_err() {
            return;
        }
    }
    let _ = frames.send(None);
}

/// Write queued frames to `out`, one whole frame at a time, until the server's output ends.
pub async fn write_frames<W: AsyncWrite + Unpin>(
    mut frames: mpsc::UnboundedReceiver<Outgoing>,
    mut out: W,
) {
    while let Some(Some(frame)) = frames.recv().await {
        if out.write_all(&frame).await.is_err() || out.flush().await.is_err() {
            break; // the client has gone
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn frames_bad_headers_and_oversized_bodies() {
        let input = b"Content-Length: 2\r\n\r\n{}\r\nX-Junk: 1\r\n\r\nContent-Length: nope\r\n\r\n"
            .to_vec();
        let mut reader = BufReader::new(&input[..]);
        assert_eq!(read_frame(&mut reader).await.unwrap(), Some(Frame::Body(b"{}".to_vec())));
        assert!(matches!(read_frame(&mut reader).await.unwrap(), Some(Frame::BadHeader(_))));
        assert!(matches!(read_frame(&mut reader).await.unwrap(), Some(Frame::BadHeader(_))));
        assert_eq!(read_frame(&mut reader).await.unwrap(), None);
    }

    #[test]
    fn vetting_messages() {
        assert!(vet(br#"{"jsonrpc":"2.0","id":1,"method":"x"}"#).is_ok());
        assert!(vet(br#"{"jsonrpc":"2.0","method":"x"}"#).is_ok());
        assert!(vet(br#"{"jsonrpc":"2.0","id":1,"result":null}"#).is_ok());
        let reply = vet(b"{nope").unwrap_err();
        assert!(String::from_utf8_lossy(&reply).contains("-32700"));
        let reply = vet(br#"{"jsonrpc":"2.0","id":5}"#).unwrap_err();
        assert!(String::from_utf8_lossy(&reply).contains(r#""id":5"#));
        assert!(vet(br#"{"id":1,"method":"x"}"#).is_err());
        assert!(vet(b"[1,2]").is_err());
        assert!(vet(&[0xff, 0xfe]).is_err());
    }
}
