//! The Language Server Protocol front end: a thin layer over the analysis core.
//!
//! It owns the open documents, converts positions in the negotiated encoding (through
//! `crate::text::position`), and runs analysis off the message loop.

mod convert;
mod documents;
mod features;
mod publish;
mod server;
pub mod transport;

pub use publish::DiagnosticsPublisher;
pub use server::Backend;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use tower_lsp_server::LspService;

/// How many messages tower-lsp handles at once. Its default of 4 can deadlock when handlers
/// wait on client replies (`workspace/configuration`), so give it room.
const CONCURRENCY: usize = 64;

/// Set this environment variable to enable the test-only `scholion/documentText` request.
pub const TEST_API_ENV: &str = "SCHOLION_TEST_API";

/// Serve LSP on stdin/stdout until the client sends `exit` or closes stdin. Returns whether
/// the client asked for `shutdown` first (the exit code is 0 then, else 1).
pub async fn serve_stdio() -> bool {
    serve(tokio::io::stdin(), tokio::io::stdout()).await
}

/// Serve LSP over any pair of streams (stdio in production, pipes in tests and benchmarks).
/// Returns whether the client sent `shutdown` before the session ended.
pub async fn serve<I, O>(input: I, output: O) -> bool
where
    I: tokio::io::AsyncRead + Unpin + Send + 'static,
    O: tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let shutdown_requested = Arc::new(AtomicBool::new(false));
    let flag = shutdown_requested.clone();
    let (frames_tx, frames_rx) = tokio::sync::mpsc::unbounded_channel();
    let publisher = publish::DiagnosticsPublisher::new(frames_tx.clone());
    let builder =
        LspService::build(move |client| Backend::new(client, flag.clone(), publisher.clone()));
    // A test-only request that returns a document's text as the server holds it, so tests can
    // prove that incremental sync loses nothing. Off unless the environment asks for it.
    let builder = if std::env::var_os(TEST_API_ENV).is_some() {
        builder.custom_method("scholion/documentText", Backend::document_text)
    } else {
        builder
    };
    let (service, socket) = builder.finish();

    let writer = tokio::spawn(transport::write_frames(frames_rx, output));
    transport::dispatch(input, service, socket, frames_tx, CONCURRENCY).await;
    // The loop has queued its end: the writer drains what is queued and ends.
    let _ = tokio::time::timeout(std::time::Duration::from_secs(2), writer).await;
    shutdown_requested.load(Ordering::SeqCst)
}
