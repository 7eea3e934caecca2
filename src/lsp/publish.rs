//! `textDocument/publishDiagnostics` written straight to the output.
//!
//! tower-lsp sends a notification by turning its parameters into a `serde_json::Value` tree,
//! queueing it, serialising the tree through its codec into a pipe, which our transport reads
//! back as a frame before writing it out. For 500 diagnostics (200 KB of JSON) that chain cost
//! more than the analysis of a 100 KB edit (about 13 ms against 3 ms, server log, session 5).
//! Here the diagnostics are serialised once, on the analysis's own thread, into a finished
//! frame, and queued for the transport's writer, which writes whole frames one at a time (so a
//! frame never cuts into tower-lsp's). Every publish goes through here, so a document's
//! diagnostics keep the order in which they were sent.

use serde::Serialize;
use tokio::sync::mpsc::UnboundedSender;
use tower_lsp_server::ls_types::{Diagnostic, Uri};

use super::transport::{encode, Outgoing};

/// A publishDiagnostics notification, serialised and framed.
pub struct DiagnosticsFrame(Vec<u8>);

impl DiagnosticsFrame {
    pub fn new(uri: &Uri, diagnostics: &[Diagnostic], version: Option<i32>) -> Self {
        #[derive(Serialize)]
        struct Params<'a> {
            uri: &'a Uri,
            diagnostics: &'a [Diagnostic],
            #[serde(skip_serializing_if = "Option::is_none")]
            version: Option<i32>,
        }
        #[derive(Serialize)]
        struct Notification<'a> {
            jsonrpc: &'static str,
            method: &'static str,
            params: Params<'a>,
        }
        let message = Notification {
            jsonrpc: "2.0",
            method: "textDocument/publishDiagnostics",
            params: Params { uri, diagnostics, version },
        };
        // Serialising these plain structs cannot fail; an empty body would be refused by the
        // client rather than crash us.
        let body = serde_json::to_vec(&message).unwrap_or_default();
        DiagnosticsFrame(encode(&body))
    }

    /// The frame's length in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }
}

/// Where diagnostics frames go: the transport's writer.
#[derive(Clone)]
pub struct DiagnosticsPublisher {
    frames: UnboundedSender<Outgoing>,
}

impl DiagnosticsPublisher {
    pub fn new(frames: UnboundedSender<Outgoing>) -> Self {
        DiagnosticsPublisher { frames }
    }

    /// Queue a frame; after the output has closed (the client sent `exit`) it is dropped.
    pub fn send(&self, frame: DiagnosticsFrame) {
        let _ = self.frames.send(Some(frame.0));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower_lsp_server::ls_types::{Position, Range};

    #[test]
    fn a_frame_is_a_publish_diagnostics_notification() {
        let uri: Uri = "file:///tmp/a%20b.txt".parse().expect("a uri");
        let diagnostic = Diagnostic {
            range: Range::new(Position::new(1, 2), Position::new(1, 5)),
            message: "quote \" and 😀".into(),
            ..Diagnostic::default()
        };
        let frame = DiagnosticsFrame::new(&uri, std::slice::from_ref(&diagnostic), Some(7));
        let text = String::from_utf8(frame.0.clone()).expect("UTF-8");
        let (header, body) = text.split_once("\r\n\r\n").expect("a header");
        assert_eq!(header, format!("Content-Length: {}", body.len()));
        let value: serde_json::Value = serde_json::from_str(body).expect("JSON");
        assert_eq!(value["method"], "textDocument/publishDiagnostics");
        assert_eq!(value["params"]["uri"], "file:///tmp/a%20b.txt");
        assert_eq!(value["params"]["version"], 7);
        let back: Diagnostic =
            serde_json::from_value(value["params"]["diagnostics"][0].clone()).expect("diagnostic");
        assert_eq!(back, diagnostic);
        let cleared = DiagnosticsFrame::new(&uri, &[], None);
        let text = String::from_utf8(cleared.0).expect("UTF-8");
        assert!(text.ends_with(r#""params":{"uri":"file:///tmp/a%20b.txt","diagnostics":[]}}"#));
    }
}
