//! A small LSP test client: starts the built `scholion lsp` binary and speaks JSON-RPC over its
//! stdio, the way an editor does.
#![allow(dead_code)] // each test file uses a different part

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, ExitStatus, Output, Stdio};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

pub const TIMEOUT: Duration = Duration::from_secs(30);

/// Runs the built `scholion` command line in `dir` and waits for it.
pub fn run_scholion(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_scholion"))
        .args(args)
        .current_dir(dir)
        .env("SCHOLION_LOG", "warn")
        .output()
        .expect("run scholion")
}

pub struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    incoming: Receiver<Value>,
    next_id: i64,
    /// Notifications received while waiting for something else.
    pub notifications: Vec<Value>,
    /// Requests the server sent to us (answered automatically), in arrival order.
    pub server_requests: Vec<Value>,
    /// Answer for `workspace/configuration` requests from the server.
    pub settings: Value,
    log: Option<Arc<Mutex<String>>>,
}

pub fn frame(body: &str) -> Vec<u8> {
    format!("Content-Length: {}\r\n\r\n{}", body.len(), body).into_bytes()
}

fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(value) = line.strip_prefix("Content-Length: ") {
            length = value.parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

/// Start `scholion lsp --stdio` with the test API on; its messages arrive on the receiver (a
/// reader thread parses stdout). With `capture_stderr`, its log goes into the returned buffer
/// instead of the test's stderr.
fn spawn_server(
    env: &[(&str, &str)],
    capture_stderr: bool,
) -> (Child, ChildStdin, Receiver<Value>, Option<Arc<Mutex<String>>>) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_scholion"));
    command
        .arg("lsp")
        .arg("--stdio")
        .env("SCHOLION_TEST_API", "1")
        .env("SCHOLION_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(if capture_stderr { Stdio::piped() } else { Stdio::inherit() });
    for (key, value) in env {
        command.env(key, value);
    }
    let mut child = command.spawn().expect("start scholion lsp");
    let stdout = child.stdout.take().expect("stdout");
    let stdin = child.stdin.take().expect("stdin");
    let log = child.stderr.take().map(|stderr| {
        let log = Arc::new(Mutex::new(String::new()));
        let sink = log.clone();
        thread::spawn(move || {
            let mut reader = BufReader::new(stderr);
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 0) {
                sink.lock().unwrap().push_str(&line);
                line.clear();
            }
        });
        log
    });
    let (tx, rx) = channel();
    thread::spawn(move || {
        let mut reader = BufReader::new(stdout);
        while let Some(message) = read_message(&mut reader) {
            if tx.send(message).is_err() {
                break;
            }
        }
    });
    (child, stdin, rx, log)
}

/// The server's peak resident set size (`VmHWM`) in KiB, while it runs (Linux).
pub fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

impl Client {
    /// Start the server with extra environment variables.
    pub fn start_with_env(env: &[(&str, &str)]) -> Client {
        Client::spawn(env, false)
    }

    /// Start the server with its log (stderr) captured; read it with [`Client::log`].
    pub fn start_capturing_log(env: &[(&str, &str)]) -> Client {
        Client::spawn(env, true)
    }

    fn spawn(env: &[(&str, &str)], capture_stderr: bool) -> Client {
        let (child, stdin, incoming, log) = spawn_server(env, capture_stderr);
        Client {
            child,
            stdin: Some(stdin),
            incoming,
            next_id: 0,
            notifications: Vec::new(),
            server_requests: Vec::new(),
            settings: json!({}),
            log,
        }
    }

    /// What the server has logged so far (only when started with [`Client::start_capturing_log`]).
    pub fn log(&self) -> String {
        self.log.as_ref().map(|log| log.lock().unwrap().clone()).unwrap_or_default()
    }

    /// The server's log once it contains `needle`: stderr is read on its own thread, so a line
    /// logged before a reply may arrive after it. Panics with the log after `TIMEOUT`.
    pub fn log_containing(&self, needle: &str) -> String {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let log = self.log();
            if log.contains(needle) {
                return log;
            }
            assert!(Instant::now() < deadline, "no {needle:?} in the server log:\n{log}");
            thread::sleep(Duration::from_millis(10));
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The server's peak resident memory so far, in MiB.
    pub fn peak_rss_mib(&self) -> u64 {
        peak_rss_kib(self.pid()).expect("VmHWM of the server") / 1024
    }

    /// Whether the server process is still running.
    pub fn is_running(&mut self) -> bool {
        self.child.try_wait().expect("wait").is_none()
    }

    pub fn start() -> Client {
        Client::start_with_env(&[])
    }

    /// Start and run `initialize` + `initialized` with the given client capabilities.
    pub fn initialized(capabilities: Value, root: Option<&Path>) -> (Client, Value) {
        let mut client = Client::start();
        let result = client.handshake(capabilities, root, Value::Null);
        (client, result)
    }

    /// `initialize` (with `initializationOptions`) and `initialized`; returns the result.
    pub fn handshake(&mut self, capabilities: Value, root: Option<&Path>, options: Value) -> Value {
        let result = self.request("initialize", initialize_params(capabilities, root, options));
        self.notify("initialized", json!({}));
        result
    }

    pub fn send_raw(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        stdin.write_all(bytes).expect("write to server");
        stdin.flush().expect("flush");
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        let body = json!({"jsonrpc": "2.0", "method": method, "params": params}).to_string();
        self.send_raw(&frame(&body));
    }

    /// Send a request and return its whole response (`result` or `error`).
    pub fn request_raw(&mut self, method: &str, params: Value) -> Value {
        let id = self.send_request(method, params);
        self.wait_response(id).unwrap_or_else(|| panic!("no response to {method}"))
    }

    /// Send a request without waiting; returns its id.
    pub fn send_request(&mut self, method: &str, params: Value) -> i64 {
        self.next_id += 1;
        let id = self.next_id;
        let body = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        self.send_raw(&frame(&body.to_string()));
        id
    }

    /// The response to request `id` (within [`TIMEOUT`]).
    pub fn wait_response(&mut self, id: i64) -> Option<Value> {
        self.wait_for(|m| m.get("id") == Some(&json!(id)) && m.get("method").is_none())
    }

    /// Send a request and return its result, failing the test on an error response.
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let response = self.request_raw(method, params.clone());
        if let Some(error) = response.get("error") {
            panic!("{method} failed: {error}");
        }
        response.get("result").cloned().unwrap_or(Value::Null)
    }

    /// Read messages until one matches, answering server requests and keeping notifications.
    pub fn wait_for(&mut self, mut matches: impl FnMut(&Value) -> bool) -> Option<Value> {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.checked_duration_since(Instant::now())?;
            let message = match self.incoming.recv_timeout(left) {
                Ok(message) => message,
                Err(RecvTimeoutError::Timeout) | Err(RecvTimeoutError::Disconnected) => {
                    return None
                }
            };
            if matches(&message) {
                return Some(message);
            }
            if message.get("id").is_some() && message.get("method").is_some() {
                self.answer_server_request(&message);
                self.server_requests.push(message);
            } else if message.get("method").is_some() {
                self.notifications.push(message);
            }
        }
    }

    fn answer_server_request(&mut self, request: &Value) {
        let body = server_request_answer(request, &self.settings);
        // The server may be gone (tests of vanished clients): nothing to answer then.
        if let Some(stdin) = self.stdin.as_mut() {
            let _ = stdin.write_all(&frame(&body)).and_then(|_| stdin.flush());
        }
    }

    /// The next `publishDiagnostics` for `uri` (optionally of a given version), from those kept
    /// or still to come.
    pub fn diagnostics_for(&mut self, uri: &str, version: Option<i64>) -> Vec<Value> {
        let fits = |m: &Value| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && version.is_none_or(|v| m["params"]["version"] == v)
        };
        if let Some(pos) = self.notifications.iter().rposition(fits) {
            let message = self.notifications.remove(pos);
            return message["params"]["diagnostics"].as_array().cloned().unwrap_or_default();
        }
        let message = self.wait_for(fits).unwrap_or_else(|| panic!("no diagnostics for {uri}"));
        message["params"]["diagnostics"].as_array().cloned().unwrap_or_default()
    }

    pub fn open(&mut self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "plaintext", "version": 1, "text": text}}),
        );
    }

    /// The server's copy of a document (test-only request).
    pub fn server_text(&mut self, uri: &str) -> (Value, String) {
        let result = self.request("scholion/documentText", json!({"textDocument": {"uri": uri}}));
        (result["version"].clone(), result["text"].as_str().unwrap_or_default().to_string())
    }

    /// The text the index holds for an open document's current version (made by the server
    /// from its own earlier copies, not read from the editor's).
    pub fn indexed_text(&mut self, uri: &str) -> Option<String> {
        let params = json!({"textDocument": {"uri": uri}, "indexed": true});
        let result = self.request("scholion/documentText", params);
        result["indexedText"].as_str().map(str::to_string)
    }

    /// `shutdown`, `exit`, and the process's exit status.
    pub fn shutdown(mut self) -> ExitStatus {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        self.stdin.take();
        self.wait_exit()
    }

    pub fn close_stdin(&mut self) {
        self.stdin.take();
    }

    pub fn wait_exit(&mut self) -> ExitStatus {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("server did not exit");
            }
            thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Our answer to a request from the server: the settings for `workspace/configuration`,
/// `null` for everything else (progress tokens, registrations, refreshes).
fn server_request_answer(request: &Value, settings: &Value) -> String {
    let result = match request["method"].as_str() {
        Some("workspace/configuration") => {
            let items = request["params"]["items"].as_array().map_or(0, Vec::len);
            Value::Array(vec![settings.clone(); items])
        }
        _ => Value::Null,
    };
    json!({"jsonrpc": "2.0", "id": request["id"], "result": result}).to_string()
}

/// Parameters of `initialize` for a workspace at `root` (or none).
pub fn initialize_params(capabilities: Value, root: Option<&Path>, options: Value) -> Value {
    let root_uri = root.map(file_uri);
    json!({
        "processId": null,
        "rootUri": root_uri,
        "workspaceFolders": root_uri.as_ref().map(|uri| json!([{"uri": uri, "name": "ws"}])),
        "capabilities": capabilities,
        "initializationOptions": options,
    })
}

pub fn file_uri(path: &Path) -> String {
    let mut uri = String::from("file://");
    for byte in path.to_string_lossy().bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => {
                uri.push(byte as char)
            }
            _ => uri.push_str(&format!("%{byte:02X}")),
        }
    }
    uri
}

/// Client capabilities offering the given position encodings (and nothing fancy).
pub fn capabilities_with_encodings(encodings: &[&str]) -> Value {
    json!({"general": {"positionEncodings": encodings}})
}

/// A UTF-16 column of byte offset `byte` within `line`.
pub fn utf16_col(line: &str, byte: usize) -> usize {
    line[..byte].encode_utf16().count()
}

/// A client that several test threads use at once: one writer behind a mutex (whole frames), and
/// a dispatcher thread that routes each response to the thread waiting for its id, answers the
/// server's requests and keeps notifications in arrival order.
pub struct SharedClient {
    inner: Arc<SharedInner>,
    child: Mutex<Child>,
}

struct SharedInner {
    writer: Mutex<Option<ChildStdin>>,
    waiting: Mutex<HashMap<i64, Sender<Value>>>,
    notifications: Mutex<Vec<Value>>,
    arrived: Condvar,
    next_id: AtomicI64,
}

impl SharedInner {
    fn send_raw(&self, bytes: &[u8]) {
        let mut writer = self.writer.lock().unwrap();
        let stdin = writer.as_mut().expect("stdin open");
        stdin.write_all(bytes).expect("write to server");
        stdin.flush().expect("flush");
    }
}

impl SharedClient {
    /// Start the server and run `initialize` + `initialized`; returns the initialize result too.
    pub fn initialized(capabilities: Value, root: Option<&Path>) -> (SharedClient, Value) {
        let (child, stdin, incoming, _) = spawn_server(&[], false);
        let inner = Arc::new(SharedInner {
            writer: Mutex::new(Some(stdin)),
            waiting: Mutex::new(HashMap::new()),
            notifications: Mutex::new(Vec::new()),
            arrived: Condvar::new(),
            next_id: AtomicI64::new(0),
        });
        let dispatcher = inner.clone();
        thread::spawn(move || {
            for message in incoming {
                let is_request = message.get("method").is_some();
                match (message.get("id").and_then(Value::as_i64), is_request) {
                    (Some(id), false) => {
                        if let Some(waiter) = dispatcher.waiting.lock().unwrap().remove(&id) {
                            let _ = waiter.send(message);
                        }
                    }
                    _ if is_request && message.get("id").is_some() => {
                        // Not after stdin was closed (shutdown): nobody is listening then.
                        let answer = frame(&server_request_answer(&message, &json!({})));
                        if let Some(stdin) = dispatcher.writer.lock().unwrap().as_mut() {
                            let _ = stdin.write_all(&answer).and_then(|_| stdin.flush());
                        }
                    }
                    _ => {
                        dispatcher.notifications.lock().unwrap().push(message);
                        dispatcher.arrived.notify_all();
                    }
                }
            }
        });
        let client = SharedClient { inner, child: Mutex::new(child) };
        let result =
            client.request("initialize", initialize_params(capabilities, root, Value::Null));
        client.notify("initialized", json!({}));
        (client, result)
    }

    pub fn notify(&self, method: &str, params: Value) {
        let body = json!({"jsonrpc": "2.0", "method": method, "params": params}).to_string();
        self.inner.send_raw(&frame(&body));
    }

    /// Send a request and wait (up to [`TIMEOUT`]) for its whole response.
    pub fn request_raw(&self, method: &str, params: Value) -> Value {
        let id = self.inner.next_id.fetch_add(1, Ordering::SeqCst) + 1;
        let (tx, rx) = channel();
        // Registered before sending: the answer may come back at once.
        self.inner.waiting.lock().unwrap().insert(id, tx);
        let body = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        self.inner.send_raw(&frame(&body.to_string()));
        rx.recv_timeout(TIMEOUT).unwrap_or_else(|_| panic!("no response to {method} (id {id})"))
    }

    pub fn request(&self, method: &str, params: Value) -> Value {
        let response = self.request_raw(method, params);
        if let Some(error) = response.get("error") {
            panic!("{method} failed: {error}");
        }
        response.get("result").cloned().unwrap_or(Value::Null)
    }

    /// The server's copy of a document: its version (`null` when not open) and text.
    pub fn server_text(&self, uri: &str) -> (Value, String) {
        let result = self.request("scholion/documentText", json!({"textDocument": {"uri": uri}}));
        (result["version"].clone(), result["text"].as_str().unwrap_or_default().to_string())
    }

    /// Every notification so far, in arrival order.
    pub fn notifications(&self) -> Vec<Value> {
        self.inner.notifications.lock().unwrap().clone()
    }

    /// Wait (up to [`TIMEOUT`]) until the notifications so far satisfy `done`.
    pub fn wait_notifications(&self, mut done: impl FnMut(&[Value]) -> bool) -> bool {
        let deadline = Instant::now() + TIMEOUT;
        let mut seen = self.inner.notifications.lock().unwrap();
        loop {
            if done(&seen) {
                return true;
            }
            let Some(left) = deadline.checked_duration_since(Instant::now()) else {
                return false;
            };
            seen = self.inner.arrived.wait_timeout(seen, left).unwrap().0;
        }
    }

    pub fn peak_rss_mib(&self) -> u64 {
        let pid = self.child.lock().unwrap().id();
        peak_rss_kib(pid).expect("VmHWM of the server") / 1024
    }

    /// `shutdown`, `exit`, and the process's exit status.
    pub fn shutdown(self) -> ExitStatus {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        self.inner.writer.lock().unwrap().take();
        let deadline = Instant::now() + TIMEOUT;
        let mut child = self.child.lock().unwrap();
        loop {
            if let Some(status) = child.try_wait().expect("wait") {
                return status;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!("server did not exit");
            }
            thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for SharedClient {
    fn drop(&mut self) {
        if let Ok(mut child) = self.child.lock() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
