//! The message loop between stdio and tower-lsp's service, which keeps the server alive on
//! malformed messages.
//!
//! tower-lsp's own `Server` reads stdin with tokio-util's `FramedRead`, which ends the stream
//! after the first decoding error (tokio-rs/tokio#3976): one malformed message would stop the
//! server. So we read the frames ourselves, answer malformed ones with a JSON-RPC error, and
//! hand each well-formed message, decoded once, to the service ([`dispatch`]). All output goes
//! through one writer, one whole frame at a time.

use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::io::{
    AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader,
};
use tokio::sync::mpsc;
use tower_lsp_server::jsonrpc::{Request, Response};
use tower_lsp_server::ClientSocket;
use tower_service::Service;
use tracing::{error, warn};

/// Larger bodies are refused (and skipped) rather than buffered.
pub const MAX_MESSAGE_BYTES: usize = 256 * 1024 * 1024;

/// Header lines are kept up to this length; of a longer line (garbage without a line break)
/// only the last this many bytes are kept, where a `Content-Length` after the garbage would be.
const MAX_HEADER_LINE: usize = 64 * 1024;

/// One frame read from a stream.
#[derive(Debug, PartialEq)]
pub enum Frame {
    Body(Vec<u8>),
    /// The header block had no usable `Content-Length`; the text says why.
    BadHeader(String),
    TooLarge(usize),
}

/// Read one line (with its `\n`), keeping at most its last [`MAX_HEADER_LINE`] bytes;
/// `false` at end of input.
async fn read_header_line<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    line: &mut Vec<u8>,
) -> std::io::Result<bool> {
    line.clear();
    let mut read_any = false;
    loop {
        let available = reader.fill_buf().await?;
        if available.is_empty() {
            return Ok(read_any);
        }
        read_any = true;
        let (used, done) = match available.iter().position(|&b| b == b'\n') {
            Some(at) => (at + 1, true),
            None => (available.len(), false),
        };
        line.extend_from_slice(&available[..used]);
        reader.consume(used);
        if line.len() > MAX_HEADER_LINE {
            line.drain(..line.len() - MAX_HEADER_LINE);
        }
        if done {
            return Ok(true);
        }
    }
}

/// Read the next frame; `None` at end of input. The body of a [`Frame::TooLarge`] is left
/// unread: skip it with [`skip_body`].
pub async fn read_frame<R: AsyncBufRead + Unpin>(reader: &mut R) -> std::io::Result<Option<Frame>> {
    let mut length: Option<Result<usize, String>> = None;
    let mut saw_header = false;
    let mut line = Vec::new();
    loop {
        if !read_header_line(reader, &mut line).await? {
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
        return Ok(Some(Frame::TooLarge(length)));
    }
    let mut body = vec![0; length];
    match reader.read_exact(&mut body).await {
        Ok(_) => Ok(Some(Frame::Body(body))),
        Err(err) if err.kind() == std::io::ErrorKind::UnexpectedEof => Ok(None),
        Err(err) => Err(err),
    }
}

/// Read and drop `length` bytes (the body of a message too large to take); `false` when the
/// input ends first.
pub async fn skip_body<R: AsyncRead + Unpin>(
    reader: &mut R,
    length: usize,
) -> std::io::Result<bool> {
    let skipped =
        tokio::io::copy(&mut (&mut *reader).take(length as u64), &mut tokio::io::sink()).await?;
    Ok(skipped as usize == length)
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

/// A client message that passed [`vet`], decoded once.
#[derive(Debug)]
pub enum Incoming {
    /// A request or notification for the server.
    Request(Request),
    /// The client's reply to a request of the server's.
    Response(Response),
}

/// Check and decode a body; `Err` holds the reply to send instead of handling it.
///
/// A body passes only if it is UTF-8 and decodes as tower-lsp's own message types: a request
/// or notification (it has a `method`), or a response (an `id` and a `result` or an `error`).
pub fn vet(body: &[u8]) -> Result<Incoming, Vec<u8>> {
    // Most messages are requests and notifications: one typed parse settles those (a 1 MB
    // didOpen is parsed once, here). A named method implies the shape checks below
    // (`jsonrpc` is "2.0", `method` a string).
    if let Ok(request) = serde_json::from_slice::<Request>(body) {
        if !request.method().is_empty() && std::str::from_utf8(body).is_ok() {
            if request.method().starts_with("$/") {
                if let Some(id) = request.id() {
                    let id = serde_json::to_value(id).unwrap_or(Value::Null);
                    return Err(method_not_found(id, request.method()));
                }
            }
            return Ok(Incoming::Request(request));
        }
    }
    let value: Value = match serde_json::from_slice(body) {
        Ok(value) => value,
        Err(err) => return Err(error_reply(Value::Null, -32700, &format!("parse error: {err}"))),
    };
    if std::str::from_utf8(body).is_err() {
        return Err(error_reply(Value::Null, -32700, "parse error: not UTF-8"));
    }
    let is_request = value.get("method").is_some_and(Value::is_string);
    let is_response = value.get("id").is_some()
        && value.get("method").is_none()
        && (value.get("result").is_some() || value.get("error").is_some());
    let shaped = value.get("jsonrpc") == Some(&json!("2.0")) && (is_request || is_response);
    let decoded = if is_request {
        serde_json::from_slice::<Request>(body).ok().map(Incoming::Request)
    } else {
        serde_json::from_slice::<Response>(body).ok().map(Incoming::Response)
    };
    // Name the request in the reply when its id is one JSON-RPC allows.
    let id = match value.get("id") {
        Some(id) if id.is_i64() || id.is_string() => id.clone(),
        _ => Value::Null,
    };
    let Some(decoded) = decoded.filter(|_| shaped) else {
        return Err(error_reply(id, -32600, "invalid request: not a JSON-RPC 2.0 message"));
    };
    // tower-lsp drops its "method not found" for `$/` methods, requests included, which would
    // leave the client waiting; LSP asks for the error. (We serve no `$/` requests.)
    let method = value.get("method").and_then(Value::as_str).unwrap_or_default();
    if method.starts_with("$/") && value.get("id").is_some() {
        return Err(method_not_found(id, method));
    }
    Ok(decoded)
}

fn method_not_found(id: Value, method: &str) -> Vec<u8> {
    error_reply(id, -32601, &format!("method not found: {method}"))
}

/// Whether a read failed because tokio cancelled its blocking task (it says so only in the
/// message of an `Other` error, converted from the task's `JoinError`).
fn is_cancellation(err: &std::io::Error) -> bool {
    err.kind() == std::io::ErrorKind::Other && err.to_string() == "task was cancelled"
}

/// Client messages read from a stream: malformed ones are answered (through `frames`) and
/// skipped, the rest are decoded once.
pub struct MessageReader<'a, R> {
    reader: BufReader<R>,
    frames: &'a mpsc::UnboundedSender<Outgoing>,
}

impl<'a, R: AsyncRead + Unpin> MessageReader<'a, R> {
    pub fn new(input: R, frames: &'a mpsc::UnboundedSender<Outgoing>) -> Self {
        MessageReader { reader: BufReader::new(input), frames }
    }

    /// The next well-formed message; `None` at the end of the input.
    pub async fn next(&mut self) -> Option<Incoming> {
        loop {
            let frame = match read_frame(&mut self.reader).await {
                Ok(Some(frame)) => frame,
                Ok(None) => return None,
                // The runtime is shutting down after `exit` (its stdin reader is a blocking task).
                Err(err) if is_cancellation(&err) => return None,
                Err(err) => {
                    error!("reading stdin: {err}");
                    return None;
                }
            };
            match frame {
                Frame::Body(body) => match vet(&body) {
                    Ok(incoming) => return Some(incoming),
                    Err(reply) => {
                        warn!(
                            "malformed message from the client: {}",
                            String::from_utf8_lossy(&body).chars().take(200).collect::<String>()
                        );
                        let _ = self.frames.send(Some(reply));
                    }
                },
                Frame::BadHeader(reason) => {
                    warn!("malformed message header: {reason}");
                    let reply = error_reply(Value::Null, -32700, &format!("parse error: {reason}"));
                    let _ = self.frames.send(Some(reply));
                }
                Frame::TooLarge(length) => {
                    let message = format!(
                        "message of {length} bytes is over the limit of {MAX_MESSAGE_BYTES}"
                    );
                    warn!("{message}");
                    // Answer before skipping the body: the client may never send all of it.
                    let _ = self.frames.send(Some(error_reply(Value::Null, -32600, &message)));
                    match skip_body(&mut self.reader, length).await {
                        Ok(true) => {}
                        Ok(false) => return None,
                        Err(err) => {
                            error!("reading stdin: {err}");
                            return None;
                        }
                    }
                }
            }
        }
    }
}

/// The message loop: read client messages from `input`, answer malformed ones, hand requests
/// and notifications to `service` (up to `concurrency` at once) and the client's replies to
/// `socket`; queue the service's replies and its own requests to the client on `frames`.
/// Returns after the `exit` notification or at the end of the input, once every handler has
/// finished.
///
/// tower-lsp's `Server` does the same, but reads stdin with tokio-util's `FramedRead`, which
/// ends the stream after the first decoding error (tokio-rs/tokio#3976): one malformed message
/// would stop the server. Reading the frames here also decodes each message once: a 1 MB
/// `didOpen` is parsed once and not copied between pipes.
pub async fn dispatch<R, S>(
    input: R,
    mut service: S,
    socket: ClientSocket,
    frames: mpsc::UnboundedSender<Outgoing>,
    concurrency: usize,
) where
    R: AsyncRead + Unpin,
    S: Service<Request, Response = Option<Response>>,
    S::Error: std::fmt::Display,
    S::Future: Send + 'static,
{
    let (to_client, mut client_replies) = socket.split();
    let (to_client, stop_to_client) = futures::stream::abortable(to_client);
    let (mut handlers, handling) = futures::channel::mpsc::channel::<Handler>(HANDLERS_QUEUED);
    let replies =
        handling.buffer_unordered(concurrency.max(1)).for_each(|reply: Option<Response>| {
            if let Some(reply) = reply {
                queue(&frames, &reply);
            }
            std::future::ready(())
        });
    let requests_to_client = to_client.for_each(|request| {
        queue(&frames, &request);
        std::future::ready(())
    });
    let read = async {
        let mut messages = MessageReader::new(input, &frames);
        while let Some(incoming) = messages.next().await {
            match incoming {
                Incoming::Request(request) => {
                    // After `exit` the service refuses every message: the session is over.
                    if let Err(err) = std::future::poll_fn(|cx| service.poll_ready(cx)).await {
                        error!("{err}");
                        break;
                    }
                    // LSP: the server exits on `exit`, whether or not the client closes stdin.
                    let exit = request.method() == "exit";
                    let handler = service.call(request);
                    let handler = async move {
                        handler.await.unwrap_or_else(|err| {
                            error!("{err}");
                            None
                        })
                    };
                    if handlers.send(Box::pin(handler)).await.is_err() || exit {
                        break;
                    }
                }
                Incoming::Response(response) => {
                    if let Err(err) = client_replies.send(response).await {
                        error!("passing on a reply of the client: {err}");
                        break;
                    }
                }
            }
        }
        // No more handlers: `replies` ends once the running ones have; so does the queue of
        // requests to the client.
        handlers.disconnect();
        stop_to_client.abort();
    };
    futures::join!(replies, requests_to_client, read);
    let _ = frames.send(None);
}

/// One message's handling by the service, to be polled to its reply.
type Handler = std::pin::Pin<Box<dyn std::future::Future<Output = Option<Response>> + Send>>;

/// Serialise `message` and queue it for the writer.
fn queue<T: serde::Serialize>(frames: &mpsc::UnboundedSender<Outgoing>, message: &T) {
    match serde_json::to_vec(message) {
        Ok(body) => {
            let _ = frames.send(Some(encode(&body)));
        }
        Err(err) => error!("cannot serialise a message to the client: {err}"),
    }
}

/// How many handlers may wait for a slot beyond the `concurrency` running ones.
const HANDLERS_QUEUED: usize = 100;

/// A whole frame for the writer; `None` marks the end of the server's output.
pub type Outgoing = Option<Vec<u8>>;

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

    /// A blocking read cut short by the runtime's shutdown is told apart from a real failure.
    #[tokio::test]
    async fn a_cancelled_read_is_not_an_error() {
        let blocking = tokio::spawn(std::future::pending::<()>());
        blocking.abort();
        let Err(join) = blocking.await else { panic!("an aborted task") };
        assert!(is_cancellation(&std::io::Error::from(join)));
        assert!(!is_cancellation(&std::io::Error::other("broken pipe")));
    }

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
        // JSON that tower-lsp's reader could not decode (it would stop reading).
        assert!(vet(br#"{"jsonrpc":"2.0","id":1.5,"method":"x"}"#).is_err());
        assert!(vet(br#"{"jsonrpc":"2.0","id":18446744073709551615,"method":"x"}"#).is_err());
        assert!(vet(br#"{"jsonrpc":"2.0","id":2.5,"result":null}"#).is_err());
        let reply = vet(br#"{"jsonrpc":"2.0","id":"a","method":7}"#).unwrap_err();
        assert!(String::from_utf8_lossy(&reply).contains(r#""id":"a""#));
        // `$/` requests are answered here; `$/` notifications pass.
        let reply = vet(br#"{"jsonrpc":"2.0","id":4,"method":"$/x"}"#).unwrap_err();
        assert!(String::from_utf8_lossy(&reply).contains("-32601"));
        assert!(vet(br#"{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":1}}"#).is_ok());
        let reply = vet(br#"{"jsonrpc":"2.0","id":"q","method":"$/x"}"#).unwrap_err();
        assert!(String::from_utf8_lossy(&reply).contains(r#""id":"q""#));
        // An empty method name is still a method; a repeated field is not JSON-RPC.
        assert!(vet(br#"{"jsonrpc":"2.0","method":""}"#).is_ok());
        assert!(vet(br#"{"jsonrpc":"2.0","method":"x","method":"y"}"#).is_err());
        assert!(vet(br#"{"jsonrpc":"1.0","method":"x"}"#).is_err());
    }

    #[tokio::test]
    async fn long_header_lines_keep_only_their_tail() {
        let mut input = vec![b'x'; 5 * MAX_HEADER_LINE];
        input.extend_from_slice(b"Content-Length: 2\r\n\r\n{}");
        let mut reader = BufReader::new(&input[..]);
        assert_eq!(read_frame(&mut reader).await.unwrap(), Some(Frame::Body(b"{}".to_vec())));
        let mut input = vec![b'x'; 5 * MAX_HEADER_LINE];
        input.extend_from_slice(b"\r\n\r\n");
        let mut reader = BufReader::new(&input[..]);
        assert!(matches!(read_frame(&mut reader).await.unwrap(), Some(Frame::BadHeader(_))));
    }

    #[tokio::test]
    async fn an_oversized_frame_is_reported_before_its_body_is_read() {
        let input = b"Content-Length: 999999999999\r\n\r\n{".to_vec();
        let mut reader = BufReader::new(&input[..]);
        let frame = read_frame(&mut reader).await.unwrap();
        assert_eq!(frame, Some(Frame::TooLarge(999_999_999_999)));
        assert!(!skip_body(&mut reader, 999_999_999_999).await.unwrap());
    }
}
