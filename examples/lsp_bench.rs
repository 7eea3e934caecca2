//! Protocol-level benchmark of `scholion lsp`: starts the release binary, speaks JSON-RPC over
//! its stdio like an editor, and reports start-up, diagnostics and request latencies and the
//! server's peak memory.
//!
//! ```sh
//! cargo build --release                          # the server binary, target/release/scholion
//! cargo run --release --example lsp_bench        # about 5 minutes on 2 cores
//! cargo run --release --example lsp_bench -- --dir /tmp/corpus --generate-only
//! ```
//!
//! The server is `scholion` next to this example's own directory (`target/release/scholion` for
//! `target/release/examples/lsp_bench`); when it is missing, `cargo build --release --bin
//! scholion` is run first. The workspace is generated from the seed pages: 400 files of about
//! 25 KB (about 10 MB; each file 8 varied seed pages joined by form feeds), with a realistic
//! vocabulary drawn from the Dutch word list (`--vocabulary seeds` keeps the seed pages' own
//! words, under a thousand, as the benchmark had until session 12), where `BZKW`
//! replaces `AIVD` everywhere and is defined in one file only, which is never opened; plus a
//! 1 MB and a 100 KB document (garbled words sprinkled in) both inside the workspace folder
//! (indexed, and analysed with the workspace's language model and page cache once open) and,
//! as copies, outside it (analysed on their own).
//!
//! Latencies run from just before a message is written (once the client has serialised it) to
//! the moment the first byte of the
//! answer's frame is read from the server's stdout (a reader thread stamps each frame when
//! its header starts to arrive), so JSON parsing on our side is not counted.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

#[path = "support/corpus.rs"]
mod corpus;

use corpus::{word_offsets, Rng, Seeds};

const FILES: usize = 400;
const FILE_BYTES: usize = 25 * 1024;
/// The file (never opened) that alone defines `BZKW`.
const DEFINING_FILE: usize = 271;
const ACRONYM: &str = "BZKW";
const DEFINITION: &str =
    "Het Bureau Zeer Kritieke Wapenontwikkeling (BZKW) werkt nauw samen met de MIVD.\n\n";
const REQUESTS: usize = 500;
const EDITS: usize = 100;
const TIMEOUT: Duration = Duration::from_secs(300);

fn main() {
    if let Err(err) = run() {
        eprintln!("lsp_bench: {err}");
        std::process::exit(1);
    }
}

type Result<T> = std::result::Result<T, String>;

struct Args {
    dir: Option<PathBuf>,
    generate_only: bool,
    /// Workspace files of about 27 KB each (with the 1 MB and 100 KB documents, 400 make 12.1 MB
    /// and 323 make 10 MB).
    files: usize,
    /// Only the edit-scaling measurement: documents of these sizes in MB, each in a workspace
    /// of its own with a 100 KB document.
    edit_scaling: Option<Vec<f64>>,
    /// Draw the pages' words from the Dutch word list (the default) or keep the seed pages'.
    lexicon_vocabulary: bool,
}

impl Args {
    fn seeds(&self) -> Seeds {
        let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
        let seeds = Seeds::load(manifest_dir);
        if self.lexicon_vocabulary {
            seeds.with_lexicon_vocabulary(manifest_dir)
        } else {
            seeds
        }
    }
}

fn parse_args() -> Result<Args> {
    let mut args = Args {
        dir: None,
        generate_only: false,
        files: FILES,
        edit_scaling: None,
        lexicon_vocabulary: true,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--dir" => args.dir = Some(it.next().ok_or("--dir needs a path")?.into()),
            "--generate-only" => args.generate_only = true,
            "--files" => {
                let n = it.next().ok_or("--files needs a number")?;
                args.files = n.parse().map_err(|_| format!("--files {n}: not a number"))?;
                if args.files <= DEFINING_FILE {
                    return Err(format!("--files must be over {DEFINING_FILE}"));
                }
            }
            "--edit-scaling" => {
                let list = it.next().ok_or("--edit-scaling needs sizes in MB, e.g. 1,10")?;
                let sizes: std::result::Result<Vec<f64>, _> =
                    list.split(',').map(|n| n.trim().parse::<f64>()).collect();
                args.edit_scaling = Some(sizes.map_err(|_| format!("--edit-scaling {list}"))?);
            }
            "--vocabulary" => match it.next().as_deref() {
                Some("lexicon") => args.lexicon_vocabulary = true,
                Some("seeds") => args.lexicon_vocabulary = false,
                _ => return Err("--vocabulary needs lexicon or seeds".into()),
            },
            "-h" | "--help" => {
                println!(
                    "lsp_bench [--dir DIR] [--generate-only] [--files N] [--edit-scaling MB,..] \
                     [--vocabulary lexicon|seeds]\n  \
                     --dir DIR        write the corpus to DIR and keep it (default: a temporary \
                     directory)\n  --generate-only  write the corpus and stop\n  --files N        \
                     workspace files of about 27 KB (default {FILES}: 12.1 MB with the two \
                     documents; 323: 10 MB)\n  --edit-scaling MB,..  only edits: a document of each \
                     size next to a 100 KB one, p50/p99 and the ratio\n  --vocabulary V   lexicon \
                     (default): content words drawn from the Dutch word list by Zipf's law; \
                     seeds: the seed pages' own words only"
                );
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(args)
}

fn run() -> Result<()> {
    let args = parse_args()?;
    let temp;
    let root = match &args.dir {
        Some(dir) => dir.clone(),
        None => {
            temp = tempfile::Builder::new()
                .prefix("scholion-lsp-bench")
                .tempdir()
                .map_err(|e| e.to_string())?;
            temp.path().to_path_buf()
        }
    };
    if let Some(sizes) = &args.edit_scaling {
        return edit_scaling(&root, sizes, &args.seeds());
    }
    let corpus = generate(&root, args.files, &args.seeds())?;
    println!(
        "corpus: {} files, {:.1} MB in {} (with the {:.2} MB and {:.0} KB documents)",
        args.files + 2,
        corpus.workspace_bytes as f64 / 1e6,
        corpus.workspace.display(),
        corpus.big_text.len() as f64 / 1e6,
        corpus.small_text.len() as f64 / 1e3,
    );
    if args.generate_only {
        return Ok(());
    }
    let server = server_binary()?;
    machine_info(&server);
    let results = bench_scholion(&server, &corpus)?;
    let harper = bench_harper(&corpus);
    report(&results, harper);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Corpus

struct Corpus {
    workspace: PathBuf,
    workspace_bytes: usize,
    defining: PathBuf,
    /// An unopened-at-start workspace file that uses the acronym (opened for measurement a).
    user: PathBuf,
    user_text: String,
    /// The 1 MB and 100 KB documents in the workspace folder, and their copies outside it.
    big: PathBuf,
    big_text: String,
    small: PathBuf,
    small_text: String,
    big_outside: PathBuf,
    small_outside: PathBuf,
}

fn generate(root: &Path, files: usize, seeds: &Seeds) -> Result<Corpus> {
    let workspace = root.join("workspace");
    let extra = root.join("extra");
    for dir in [&workspace, &extra] {
        std::fs::create_dir_all(dir).map_err(|e| format!("create {}: {e}", dir.display()))?;
    }
    let write = |path: &Path, text: &str| {
        std::fs::write(path, text).map_err(|e| format!("write {}: {e}", path.display()))
    };
    let with_acronym = |text: String| text.replace("AIVD", ACRONYM);
    let mut workspace_bytes = 0;
    let mut defining = PathBuf::new();
    for i in 0..files {
        let mut text = with_acronym(seeds.document(FILE_BYTES, 1000 + i as u64, 0));
        let path = workspace.join(format!("doc_{i:04}.txt"));
        if i == DEFINING_FILE {
            text.insert_str(0, DEFINITION);
            defining = path.clone();
        }
        workspace_bytes += text.len();
        write(&path, &text)?;
    }
    let user = workspace.join("doc_0000.txt");
    let user_text = std::fs::read_to_string(&user).map_err(|e| e.to_string())?;
    let big_text = with_acronym(seeds.document(1024 * 1024, 2, 6));
    let small_text = with_acronym(seeds.document(100 * 1024, 1, 6));
    let big = workspace.join("big_1mb.txt");
    let small = workspace.join("small_100kb.txt");
    let big_outside = extra.join("big_1mb.txt");
    let small_outside = extra.join("small_100kb.txt");
    for (path, text) in [
        (&big, &big_text),
        (&small, &small_text),
        (&big_outside, &big_text),
        (&small_outside, &small_text),
    ] {
        write(path, text)?;
    }
    workspace_bytes += big_text.len() + small_text.len();
    Ok(Corpus {
        workspace,
        workspace_bytes,
        defining,
        user,
        user_text,
        big,
        big_text,
        small,
        small_text,
        big_outside,
        small_outside,
    })
}

/// `target/<profile>/scholion` next to `target/<profile>/examples/lsp_bench`, built if missing.
fn server_binary() -> Result<PathBuf> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .ok_or_else(|| format!("unexpected example path {}", exe.display()))?;
    let server = profile_dir.join(format!("scholion{}", std::env::consts::EXE_SUFFIX));
    if !server.is_file() {
        let target_dir = profile_dir.parent().ok_or("no target directory")?;
        eprintln!("{} is missing: running cargo build --release --bin scholion", server.display());
        let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args(["build", "--release", "--bin", "scholion", "--manifest-path"])
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"))
            .env("CARGO_TARGET_DIR", target_dir)
            .status()
            .map_err(|e| format!("run cargo: {e}"))?;
        if !status.success() || !server.is_file() {
            return Err(format!(
                "could not build {}; run `cargo build --release` first",
                server.display()
            ));
        }
    }
    Ok(server)
}

fn machine_info(server: &Path) {
    let cpus = thread::available_parallelism().map_or(0, |n| n.get());
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name").map(|m| m.trim_start_matches([' ', '\t', ':'])))
        .unwrap_or("unknown");
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load: Vec<&str> = load.split_whitespace().take(3).collect();
    println!("machine: nproc {cpus}, CPU {model}, load average {}", load.join(" "));
    println!("server: {}", server.display());
}

// ---------------------------------------------------------------------------------------------
// A small JSON-RPC client

struct Frame {
    /// When the first byte of the frame's header was read.
    at: Instant,
    /// Length of the JSON body in bytes.
    len: usize,
    message: Value,
}

struct DiagnosticsEvent {
    at: Instant,
    uri: String,
    version: Option<i64>,
    count: usize,
}

struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    incoming: Receiver<Frame>,
    next_id: i64,
    diagnostics: Vec<DiagnosticsEvent>,
    /// When `$/progress` reported the end of the workspace scan.
    progress_end: Option<Instant>,
    errors: Vec<String>,
}

/// Reads frames off `stdout`, stamping each with the time its first byte was read.
fn reader(mut stdout: impl Read + Send + 'static) -> Receiver<Frame> {
    let (tx, rx) = channel();
    thread::spawn(move || {
        let mut buf: Vec<u8> = Vec::with_capacity(1 << 16);
        let mut chunk = vec![0u8; 1 << 16];
        // When the bytes at the start of `buf` arrived: leftover bytes came with the last read.
        let mut last_read = Instant::now();
        let mut read_more = |buf: &mut Vec<u8>, last_read: &mut Instant| -> bool {
            match stdout.read(&mut chunk) {
                Ok(0) | Err(_) => false,
                Ok(n) => {
                    *last_read = Instant::now();
                    buf.extend_from_slice(&chunk[..n]);
                    true
                }
            }
        };
        loop {
            if buf.is_empty() && !read_more(&mut buf, &mut last_read) {
                return;
            }
            let at = last_read;
            let header_end = loop {
                if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                    break i + 4;
                }
                if !read_more(&mut buf, &mut last_read) {
                    return;
                }
            };
            let header = String::from_utf8_lossy(&buf[..header_end]).to_string();
            let length = header
                .lines()
                .find_map(|l| {
                    let (name, value) = l.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse().ok())?
                })
                .unwrap_or(0usize);
            while buf.len() < header_end + length {
                if !read_more(&mut buf, &mut last_read) {
                    return;
                }
            }
            let message = serde_json::from_slice(&buf[header_end..header_end + length])
                .unwrap_or_else(|e| json!({ "unparsable": e.to_string() }));
            buf.drain(..header_end + length);
            if tx.send(Frame { at, len: length, message }).is_err() {
                return;
            }
        }
    });
    rx
}

impl Client {
    fn start(program: &Path, args: &[&str], log: &Path) -> Result<Client> {
        let log = std::fs::File::create(log).map_err(|e| e.to_string())?;
        let mut child = Command::new(program)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .map_err(|e| format!("start {}: {e}", program.display()))?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let stdin = child.stdin.take();
        Ok(Client {
            child,
            stdin,
            incoming: reader(stdout),
            next_id: 1,
            diagnostics: Vec::new(),
            progress_end: None,
            errors: Vec::new(),
        })
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn send(&mut self, message: &Value) -> Result<()> {
        self.send_body(&message.to_string())
    }

    /// Writes one serialised message (timings start after the client's own serialisation).
    fn send_body(&mut self, body: &str) -> Result<()> {
        let stdin = self.stdin.as_mut().ok_or("stdin closed")?;
        stdin
            .write_all(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes())
            .and_then(|()| stdin.write_all(body.as_bytes()))
            .and_then(|()| stdin.flush())
            .map_err(|e| format!("write to server: {e}"))
    }

    fn notify(&mut self, method: &str, params: Value) -> Result<()> {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }))
    }

    /// Receive one frame, answering server requests and recording notifications.
    fn pump(&mut self, deadline: Instant) -> Result<Option<Frame>> {
        let wait = deadline.saturating_duration_since(Instant::now());
        let frame = match self.incoming.recv_timeout(wait) {
            Ok(frame) => frame,
            Err(RecvTimeoutError::Timeout) => return Ok(None),
            Err(RecvTimeoutError::Disconnected) => return Err("the server closed stdout".into()),
        };
        let method = frame.message.get("method").and_then(Value::as_str).map(str::to_string);
        let id = frame.message.get("id").cloned();
        match (method.as_deref(), id) {
            (Some(method), Some(id)) => {
                // A request from the server: configuration gets defaults, the rest `null`.
                let result = if method == "workspace/configuration" {
                    let items = frame.message["params"]["items"].as_array().map_or(0, Vec::len);
                    Value::Array(vec![Value::Null; items])
                } else {
                    Value::Null
                };
                self.send(&json!({ "jsonrpc": "2.0", "id": id, "result": result }))?;
            }
            (Some("textDocument/publishDiagnostics"), None) => {
                let params = &frame.message["params"];
                self.diagnostics.push(DiagnosticsEvent {
                    at: frame.at,
                    uri: params["uri"].as_str().unwrap_or("").to_string(),
                    version: params["version"].as_i64(),
                    count: params["diagnostics"].as_array().map_or(0, Vec::len),
                });
            }
            (Some("$/progress"), None) if frame.message["params"]["value"]["kind"] == "end" => {
                self.progress_end = Some(frame.at);
            }
            (Some("window/showMessage" | "window/logMessage"), None) => {
                let params = &frame.message["params"];
                if params["type"].as_i64() == Some(1) {
                    self.errors.push(params["message"].as_str().unwrap_or("").to_string());
                }
            }
            _ => {}
        }
        Ok(Some(frame))
    }

    /// Send a request; its answer and the time until the answer's first byte.
    fn request(&mut self, method: &str, params: Value) -> Result<(Value, Duration)> {
        self.request_sized(method, params).map(|(answer, latency, _)| (answer, latency))
    }

    /// Like [`Client::request`], also giving the size of the answer's JSON body.
    fn request_sized(&mut self, method: &str, params: Value) -> Result<(Value, Duration, usize)> {
        let id = self.next_id;
        self.next_id += 1;
        let body = json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params });
        let body = body.to_string();
        let sent = Instant::now();
        self.send_body(&body)?;
        let deadline = sent + TIMEOUT;
        loop {
            let Some(frame) = self.pump(deadline)? else {
                return Err(format!("no answer to {method} within {TIMEOUT:?}"));
            };
            if frame.message.get("method").is_none() && frame.message["id"] == json!(id) {
                if let Some(error) = frame.message.get("error") {
                    return Err(format!("{method} failed: {error}"));
                }
                return Ok((frame.message["result"].clone(), frame.at - sent, frame.len));
            }
        }
    }

    /// The first diagnostics for `uri` (at `version` when given) recorded at or after event
    /// number `from`, waiting for them when needed.
    fn wait_diagnostics(
        &mut self,
        uri: &str,
        version: Option<i64>,
        from: usize,
        timeout: Duration,
    ) -> Result<(Instant, usize)> {
        let deadline = Instant::now() + timeout;
        let mut checked = from;
        loop {
            if let Some(e) = self.diagnostics[checked.min(self.diagnostics.len())..]
                .iter()
                .find(|e| e.uri == uri && (version.is_none() || e.version == version))
            {
                return Ok((e.at, e.count));
            }
            checked = self.diagnostics.len();
            if self.pump(deadline)?.is_none() {
                return Err(format!(
                    "no publishDiagnostics for {uri} (version {version:?}) within {timeout:?}"
                ));
            }
        }
    }

    /// Process frames for `quiet` (answering server requests), e.g. to let re-analyses settle.
    fn drain(&mut self, quiet: Duration) -> Result<()> {
        let end = Instant::now() + quiet;
        while self.pump(end)?.is_some() {}
        Ok(())
    }

    fn shutdown(mut self) -> Result<()> {
        self.request("shutdown", Value::Null)?;
        self.notify("exit", Value::Null)?;
        drop(self.stdin.take());
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return Ok(());
            }
            thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        Err("the server did not exit within 10 s of `exit`".into())
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn file_uri(path: &Path) -> String {
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

/// LSP position (UTF-16 columns) of byte `offset` in `text`.
fn position(text: &str, offset: usize) -> Value {
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = before.matches('\n').count();
    let character: usize = before[line_start..].chars().map(char::len_utf16).sum();
    json!({ "line": line, "character": character })
}

fn initialize_params(root: &Path) -> Value {
    json!({
        "processId": std::process::id(),
        "rootUri": file_uri(root),
        "workspaceFolders": [{ "uri": file_uri(root), "name": "bench" }],
        "capabilities": {
            "general": { "positionEncodings": ["utf-16"] },
            "window": { "workDoneProgress": true },
            "textDocument": {
                "publishDiagnostics": { "versionSupport": true },
                "synchronization": { "didSave": true },
                "hover": { "contentFormat": ["markdown", "plaintext"] }
            },
            "workspace": { "workspaceFolders": true }
        }
    })
}

fn did_open(client: &mut Client, uri: &str, text: &str) -> Result<Instant> {
    let message = json!({ "jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {
        "textDocument": { "uri": uri, "languageId": "plaintext", "version": 1, "text": text }
    }});
    // A 1 MB text takes the client milliseconds to serialise: not the server's time.
    let body = message.to_string();
    let sent = Instant::now();
    client.send_body(&body)?;
    Ok(sent)
}

// ---------------------------------------------------------------------------------------------
// Measurements

#[derive(Default)]
struct Results {
    /// (a) `initialized` → definition of the acronym resolves into the unopened defining file.
    definition_ready: Option<Duration>,
    definition_polls: usize,
    poll_latency_max: Duration,
    /// `initialized` → `$/progress` end of the workspace scan.
    index_done: Option<Duration>,
    /// The server's CPU time (user and system, all threads) when the scan's end arrived: less
    /// noisy than the wall time on a shared machine.
    index_cpu: Option<Duration>,
    /// Round trips of a small message through `cat` over pipes, one after each request of
    /// (c) and each edit of (d): what this machine's scheduling alone cost a message meanwhile.
    pipe_baselines: Vec<(String, Vec<Duration>)>,
    /// (b) `didOpen` → first diagnostics: (label, time, diagnostics).
    opens: Vec<(String, Duration, usize)>,
    /// (b) the same for more 1 MB documents from outside the workspace, one after another.
    outside_reopens: Vec<Duration>,
    /// (c) request latencies: (label, samples).
    requests: Vec<(String, Vec<Duration>)>,
    /// (c) per acronym: (label, acronym, samples, null answers, mean answer bytes, mean
    /// locations).
    per_acronym: Vec<(String, String, Vec<Duration>, usize, usize, f64)>,
    /// (d) edit → diagnostics: (label, samples).
    edits: Vec<(String, Vec<Duration>)>,
    /// (e) kB: peak after the workspace scan (before the large documents are opened), peak
    /// and current at the end.
    indexed_kb: Option<u64>,
    vm_hwm_kb: Option<u64>,
    vm_rss_kb: Option<u64>,
    problems: Vec<String>,
}

/// How many more 1 MB documents from outside the workspace (b) opens, for a median.
const OUTSIDE_REOPENS: usize = 7;

/// User and system CPU time of process `pid` so far (`/proc/<pid>/stat`, in clock ticks of
/// 10 ms).
fn cpu_time(pid: u32) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may hold spaces) in parentheses.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

/// A `cat` process on pipes: a round trip of a small message through it is what the machine's
/// scheduling alone costs a message at that moment, for comparison with the server's latencies
/// measured alongside.
struct PipeProbe {
    cat: Child,
    input: ChildStdin,
    output: std::io::BufReader<std::process::ChildStdout>,
    line: String,
    back: String,
}

impl PipeProbe {
    /// `None` when `cat` cannot be started.
    fn start() -> Option<PipeProbe> {
        let mut cat =
            Command::new("cat").stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().ok()?;
        let input = cat.stdin.take()?;
        let output = std::io::BufReader::new(cat.stdout.take()?);
        let line = format!("{}\n", "x".repeat(255));
        Some(PipeProbe { cat, input, output, line, back: String::new() })
    }

    /// One 256-byte line written and read back.
    fn round_trip(&mut self) -> Option<Duration> {
        self.back.clear();
        let sent = Instant::now();
        self.input.write_all(self.line.as_bytes()).ok()?;
        self.input.flush().ok()?;
        std::io::BufRead::read_line(&mut self.output, &mut self.back).ok()?;
        Some(sent.elapsed())
    }
}

impl Drop for PipeProbe {
    fn drop(&mut self) {
        let _ = self.cat.kill();
        let _ = self.cat.wait();
    }
}

/// A `kB` field of `/proc/<pid>/status`.
fn status_kb(pid: u32, name: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(name))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
}

fn bench_scholion(server: &Path, corpus: &Corpus) -> Result<Results> {
    let mut results = Results::default();
    let log = corpus.workspace.parent().unwrap_or(&corpus.workspace).join("server.log");
    let mut client = Client::start(server, &["lsp"], &log)?;
    let pid = client.pid();
    println!("server log: {}", log.display());

    client.request("initialize", initialize_params(&corpus.workspace))?;
    let initialized = Instant::now();
    client.notify("initialized", json!({}))?;

    // (a) A use of the acronym in an open workspace file; poll definition every 20 ms until it
    // points into the defining file, which the client never opens.
    let user_uri = file_uri(&corpus.user);
    let defining_uri = file_uri(&corpus.defining);
    did_open(&mut client, &user_uri, &corpus.user_text)?;
    let at = *word_offsets(&corpus.user_text, ACRONYM)
        .first()
        .ok_or("the user file does not use the acronym")?;
    let params = json!({
        "textDocument": { "uri": user_uri },
        "position": position(&corpus.user_text, at + 1),
    });
    let deadline = initialized + TIMEOUT;
    loop {
        let sent = Instant::now();
        let (answer, latency) = client.request("textDocument/definition", params.clone())?;
        results.definition_polls += 1;
        results.poll_latency_max = results.poll_latency_max.max(latency);
        if answer.to_string().contains(&defining_uri) {
            results.definition_ready = Some(sent + latency - initialized);
            break;
        }
        if Instant::now() > deadline {
            results.problems.push(format!(
                "definition of {ACRONYM} never resolved to {} within {TIMEOUT:?} (last answer {answer})",
                corpus.defining.display()
            ));
            break;
        }
        thread::sleep(Duration::from_millis(20));
    }
    // The rest of the scan.
    let scan_deadline = initialized + TIMEOUT;
    while client.progress_end.is_none() && Instant::now() < scan_deadline {
        client.pump(scan_deadline)?;
    }
    match client.progress_end {
        Some(end) => {
            results.index_done = Some(end - initialized);
            results.index_cpu = cpu_time(pid);
        }
        None => results.problems.push("the workspace scan never reported its end".into()),
    }
    // Let the re-analysis of open documents after the scan settle.
    client.drain(Duration::from_millis(1500))?;
    // Memory of the indexed workspace alone (one 25 KB document open).
    results.indexed_kb = status_kb(pid, "VmHWM:");

    // (b) Open the 1 MB documents (then the 100 KB ones, for the edits).
    let big_uri = file_uri(&corpus.big);
    let small_uri = file_uri(&corpus.small);
    let big_outside_uri = file_uri(&corpus.big_outside);
    let small_outside_uri = file_uri(&corpus.small_outside);
    let opened = [
        ("1 MB, in workspace", &big_uri, &corpus.big_text),
        ("1 MB, outside workspace", &big_outside_uri, &corpus.big_text),
        ("100 KB, in workspace", &small_uri, &corpus.small_text),
        ("100 KB, outside workspace", &small_outside_uri, &corpus.small_text),
    ];
    for (label, uri, text) in opened {
        let from = client.diagnostics.len();
        let sent = did_open(&mut client, uri, text)?;
        match client.wait_diagnostics(uri, Some(1), from, TIMEOUT) {
            Ok((at, count)) => results.opens.push((label.to_string(), at - sent, count)),
            Err(err) => results.problems.push(err),
        }
        // Until the server's idle work for this document (facts, and the analysis its next
        // edit starts from: about 100 ms of both cores for 1 MB, after 250 ms idle) is done,
        // so that it does not run into the next open's time.
        client.drain(Duration::from_millis(800))?;
    }
    // One open is one sample, and this machine's noise is milliseconds: more 1 MB documents
    // from outside the workspace (new documents, each closed after its idle work), for a
    // median.
    for k in 0..OUTSIDE_REOPENS {
        let path = corpus.big_outside.with_file_name(format!("big_1mb_again_{k}.txt"));
        let uri = file_uri(&path);
        let from = client.diagnostics.len();
        let sent = did_open(&mut client, &uri, &corpus.big_text)?;
        match client.wait_diagnostics(&uri, Some(1), from, TIMEOUT) {
            Ok((at, _)) => results.outside_reopens.push(at - sent),
            Err(err) => results.problems.push(err),
        }
        client.drain(Duration::from_millis(800))?;
        client.notify("textDocument/didClose", json!({ "textDocument": { "uri": uri } }))?;
    }

    // (c) Hover and definition on acronym uses.
    let mut probe = PipeProbe::start();
    let mut baseline = Vec::new();
    for (label, uri, text) in [
        ("1 MB doc", &big_uri, &corpus.big_text),
        ("25 KB workspace doc", &user_uri, &corpus.user_text),
    ] {
        let targets = acronym_targets(text, REQUESTS, 11);
        for method in ["textDocument/hover", "textDocument/definition"] {
            let short = method.trim_start_matches("textDocument/");
            let mut samples = Vec::with_capacity(targets.len());
            // Per acronym: samples, null answers, answer bytes, locations.
            let mut by_word: Vec<(&str, Vec<Duration>, usize, usize, usize)> =
                TARGET_ACRONYMS.iter().map(|w| (*w, Vec::new(), 0, 0, 0)).collect();
            for &(word, offset) in &targets {
                let params = json!({
                    "textDocument": { "uri": uri },
                    "position": position(text, offset),
                });
                let (answer, latency, bytes) = client.request_sized(method, params)?;
                samples.push(latency);
                baseline.extend(probe.as_mut().and_then(PipeProbe::round_trip));
                let entry = by_word.iter_mut().find(|e| e.0 == word).expect("a target word");
                entry.1.push(latency);
                entry.2 += usize::from(answer.is_null());
                entry.3 += bytes;
                entry.4 += answer.as_array().map_or(usize::from(!answer.is_null()), Vec::len);
            }
            for (word, word_samples, nulls, bytes, locations) in by_word {
                let n = word_samples.len();
                if n == 0 {
                    continue;
                }
                if nulls > 0 && !GLOSSARY_ONLY.contains(&word) {
                    results.problems.push(format!(
                        "{method} on {word} in the {label}: {nulls} of {n} answers were null"
                    ));
                }
                results.per_acronym.push((
                    format!("{short}, {label}"),
                    word.to_string(),
                    word_samples,
                    nulls,
                    bytes / n,
                    locations as f64 / n as f64,
                ));
            }
            results.requests.push((format!("{short}, {label}"), samples));
        }
    }

    // (d) Single-character edits, each followed by its diagnostics.
    results.pipe_baselines.push(("during (c)".into(), std::mem::take(&mut baseline)));
    for (label, uri, text) in opened {
        match edit_latencies(&mut client, uri, text, &mut probe, &mut baseline) {
            Ok(samples) => results.edits.push((label.to_string(), samples)),
            Err(err) => results.problems.push(format!("edits on {label}: {err}")),
        }
    }
    results.pipe_baselines.push(("during (d)".into(), baseline));

    // (e) Peak memory.
    results.vm_hwm_kb = status_kb(pid, "VmHWM:");
    results.vm_rss_kb = status_kb(pid, "VmRSS:");

    results.problems.extend(client.errors.iter().map(|e| format!("server error message: {e}")));
    if let Err(err) = client.shutdown() {
        results.problems.push(err);
    }
    let log_text = std::fs::read_to_string(&log).unwrap_or_default();
    let bad: Vec<&str> =
        log_text.lines().filter(|l| l.contains("ERROR") || l.contains("panicked")).collect();
    if !bad.is_empty() {
        results.problems.push(format!(
            "{} error lines in the server log, first: {}",
            bad.len(),
            bad[0]
        ));
    }
    Ok(results)
}

/// Edit latency against document size: for each size, a workspace holding a document of that
/// size and a 100 KB one (generated from the same seed pages), both opened, then [`EDITS`]
/// one-character edits of each, as in (d). Work after an edit should grow with the edit, not
/// with the document (issue 7: 10 MB within 2x of 100 KB).
fn edit_scaling(root: &Path, sizes: &[f64], seeds: &Seeds) -> Result<()> {
    let server = server_binary()?;
    machine_info(&server);
    println!("{:<66} {:>14} {:>14}", "edit -> publishDiagnostics", "p50", "p99");
    for &mb in sizes {
        let folder = root.join(format!("scaling_{mb}mb"));
        std::fs::create_dir_all(&folder).map_err(|e| format!("{}: {e}", folder.display()))?;
        let big_text = seeds.document((mb * 1024.0 * 1024.0) as usize, 2, 6);
        let small_text = seeds.document(100 * 1024, 1, 6);
        let big = folder.join("big.txt");
        let small = folder.join("small.txt");
        for (path, text) in [(&big, &big_text), (&small, &small_text)] {
            std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))?;
        }
        let log = root.join(format!("server_scaling_{mb}mb.log"));
        let mut client = Client::start(&server, &["lsp"], &log)?;
        client.request("initialize", initialize_params(&folder))?;
        client.notify("initialized", json!({}))?;
        while client.progress_end.is_none() {
            if client.pump(Instant::now() + TIMEOUT)?.is_none() {
                return Err("the workspace scan never ended".into());
            }
        }
        let mut results = Vec::new();
        let (mut probe, mut baseline) = (PipeProbe::start(), Vec::new());
        for (label, path, text) in [("100 KB", &small, &small_text), ("big", &big, &big_text)] {
            let uri = file_uri(path);
            let from = client.diagnostics.len();
            did_open(&mut client, &uri, text)?;
            client.wait_diagnostics(&uri, Some(1), from, TIMEOUT)?;
            client.drain(Duration::from_millis(500))?;
            let samples = edit_latencies(&mut client, &uri, text, &mut probe, &mut baseline)?;
            let label = if label == "big" { format!("{mb} MB") } else { label.to_string() };
            println!(
                "{:<66} {:>14} {:>14}",
                format!("{label} (in a workspace with the {mb} MB one, n={})", samples.len()),
                ms(percentile(&samples, 50.0)),
                ms(percentile(&samples, 99.0))
            );
            results.push(samples);
        }
        if let [small, big] = &results[..] {
            print_ratio(&format!("    ratio {mb} MB / 100 KB"), big, small);
        }
        print_baseline("", &baseline);
        client.shutdown()?;
    }
    Ok(())
}

/// The acronyms whose uses are hovered: defined in many files (`MIVD`: in every file holding
/// seed page 000), in one unopened file (`BZKW`), or only by the built-in glossary.
const TARGET_ACRONYMS: &[&str] = &["MIVD", ACRONYM, "DCC", "JSCU", "NAVO", "CLSK"];
/// Explained only by the built-in glossary, which has no file: definition answers `null`.
const GLOSSARY_ONLY: &[&str] = &["NAVO", "CLSK"];

/// `n` acronym uses of `text` (chosen at random, with repetition when the text has fewer), as
/// the acronym and a byte offset one character into it.
fn acronym_targets(text: &str, n: usize, seed: u64) -> Vec<(&'static str, usize)> {
    let mut all: Vec<(&str, usize)> = TARGET_ACRONYMS
        .iter()
        .flat_map(|&w| word_offsets(text, w).into_iter().map(move |o| (w, o + 1)))
        .collect();
    all.sort_unstable_by_key(|&(_, o)| o);
    let mut rng = Rng::new(seed);
    (0..n).map(|_| all[rng.below(all.len())]).collect()
}

/// `EDITS` single-character edits at random places (an insertion, then its deletion, so the
/// text keeps returning to `text`), each waiting for the diagnostics of its version.
/// `probe` makes a round trip after each edit, into `baseline`.
fn edit_latencies(
    client: &mut Client,
    uri: &str,
    text: &str,
    probe: &mut Option<PipeProbe>,
    baseline: &mut Vec<Duration>,
) -> Result<Vec<Duration>> {
    let lines: Vec<&str> = text.split('\n').collect();
    let mut rng = Rng::new(5);
    let mut samples = Vec::with_capacity(EDITS);
    let mut version = 1;
    let mut at = json!({ "line": 0, "character": 0 });
    for i in 0..EDITS {
        version += 1;
        let change = if i % 2 == 0 {
            let line = rng.below(lines.len());
            let width: usize = lines[line].chars().map(char::len_utf16).sum();
            // A character boundary: columns count whole characters here.
            let chars: Vec<usize> = std::iter::once(0)
                .chain(lines[line].chars().scan(0, |acc, c| {
                    *acc += c.len_utf16();
                    Some(*acc)
                }))
                .filter(|&c| c <= width)
                .collect();
            let character = chars[rng.below(chars.len())];
            at = json!({ "line": line, "character": character });
            json!({ "range": { "start": at, "end": at }, "text": "e" })
        } else {
            let end = json!({ "line": at["line"], "character": at["character"].as_u64().unwrap_or(0) + 1 });
            json!({ "range": { "start": at, "end": end }, "text": "" })
        };
        let from = client.diagnostics.len();
        let message = json!({ "jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
            "textDocument": { "uri": uri, "version": version },
            "contentChanges": [change],
        }});
        let body = message.to_string();
        let sent = Instant::now();
        client.send_body(&body)?;
        let (arrived, _) = client.wait_diagnostics(uri, Some(version), from, TIMEOUT)?;
        samples.push(arrived - sent);
        baseline.extend(probe.as_mut().and_then(PipeProbe::round_trip));
    }
    Ok(samples)
}

/// harper-ls's first diagnostics on the 100 KB document, when it is installed.
fn bench_harper(corpus: &Corpus) -> Option<Result<Duration>> {
    let path = std::env::var_os("PATH")?;
    let harper = std::env::split_paths(&path).map(|d| d.join("harper-ls")).find(|p| p.is_file());
    let Some(harper) = harper else {
        println!("harper-ls: not on PATH, skipped");
        return None;
    };
    let run = || -> Result<Duration> {
        let log = corpus.workspace.parent().unwrap_or(&corpus.workspace).join("harper.log");
        let mut client = Client::start(&harper, &["--stdio"], &log)?;
        let extra = corpus.small_outside.parent().unwrap_or(&corpus.small_outside);
        client.request("initialize", initialize_params(extra))?;
        client.notify("initialized", json!({}))?;
        let uri = file_uri(&corpus.small_outside);
        let sent = did_open(&mut client, &uri, &corpus.small_text)?;
        let (at, _) = client.wait_diagnostics(&uri, None, 0, TIMEOUT)?;
        let _ = client.shutdown();
        Ok(at - sent)
    };
    Some(run())
}

// ---------------------------------------------------------------------------------------------
// Report

/// Nearest-rank percentile.
/// One report line: the ratio of `big` to `small` latencies at p50 and p99.
/// The p50 and p99 of the [`PipeProbe`] round trips timed alongside (nothing when `cat` could
/// not be started).
fn print_baseline(label: &str, samples: &[Duration]) {
    if samples.is_empty() {
        return;
    }
    println!(
        "{:<66} {:>14} {:>14}",
        format!("    baseline{label}: pipe round trip via `cat` (n={})", samples.len()),
        ms(percentile(samples, 50.0)),
        ms(percentile(samples, 99.0))
    );
}

fn print_ratio(label: &str, big: &[Duration], small: &[Duration]) {
    let ratio = |p| percentile(big, p).as_secs_f64() / percentile(small, p).as_secs_f64();
    println!(
        "{label:<66} {:>14} {:>14}",
        format!("{:.1}x", ratio(50.0)),
        format!("{:.1}x", ratio(99.0))
    );
}

fn percentile(samples: &[Duration], p: f64) -> Duration {
    let mut sorted = samples.to_vec();
    sorted.sort();
    let rank = ((p / 100.0) * sorted.len() as f64).ceil().max(1.0) as usize;
    sorted[rank.min(sorted.len()) - 1]
}

fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1e3;
    if ms < 10.0 {
        format!("{ms:.3} ms")
    } else {
        format!("{ms:.1} ms")
    }
}

fn report(results: &Results, harper: Option<Result<Duration>>) {
    println!();
    println!("{:<66} {:>14} {:>14}", "measurement", "p50 / value", "p99");
    println!("{}", "-".repeat(96));
    let one = |name: &str, value: String| println!("{name:<66} {value:>14}");
    match results.definition_ready {
        Some(d) => one(
            &format!(
                "(a) initialized -> definition into unopened file ({} polls)",
                results.definition_polls
            ),
            ms(d),
        ),
        None => one("(a) initialized -> definition into unopened file", "never".into()),
    }
    one("    slowest definition poll during indexing", ms(results.poll_latency_max));
    if let Some(d) = results.index_done {
        one("    initialized -> workspace scan finished ($/progress end)", ms(d));
    }
    if let Some(cpu) = results.index_cpu {
        one("    server CPU time then (since its start, lexicon load included)", ms(cpu));
    }
    if results.opens.is_empty() {
        one("(b) didOpen -> first publishDiagnostics", "never".into());
    }
    for (label, d, n) in &results.opens {
        one(&format!("(b) didOpen {label} -> first diagnostics ({n})"), ms(*d));
    }
    if !results.outside_reopens.is_empty() {
        let samples = &results.outside_reopens;
        println!(
            "{:<66} {:>14} {:>14}",
            format!("    {} more 1 MB outside, one by one: median, slowest", samples.len()),
            ms(percentile(samples, 50.0)),
            ms(percentile(samples, 100.0))
        );
    }
    for (label, samples) in &results.pipe_baselines {
        print_baseline(&format!(" {label}"), samples);
    }
    for (label, samples) in &results.requests {
        println!(
            "{:<66} {:>14} {:>14}",
            format!("(c) {label} (n={})", samples.len()),
            ms(percentile(samples, 50.0)),
            ms(percentile(samples, 99.0))
        );
    }
    if !results.per_acronym.is_empty() {
        println!("    per acronym: p50 / p99, null answers, mean answer size and locations");
    }
    for (label, word, samples, nulls, bytes, locations) in &results.per_acronym {
        println!(
            "{:<66} {:>14} {:>14}   null {nulls:>3}, {bytes:>6} B, {locations:>6.1} loc",
            format!("      {label}, {word} (n={})", samples.len()),
            ms(percentile(samples, 50.0)),
            ms(percentile(samples, 99.0)),
        );
    }
    for (label, samples) in &results.edits {
        println!(
            "{:<66} {:>14} {:>14}",
            format!("(d) edit -> publishDiagnostics, {label} (n={})", samples.len()),
            ms(percentile(samples, 50.0)),
            ms(percentile(samples, 99.0))
        );
    }
    for (big_label, big) in &results.edits {
        let Some(where_) = big_label.strip_prefix("1 MB, ") else { continue };
        let Some((_, small)) =
            results.edits.iter().find(|(l, _)| l.strip_prefix("100 KB, ") == Some(where_))
        else {
            continue;
        };
        print_ratio(&format!("    ratio 1 MB / 100 KB, {where_}"), big, small);
    }
    if let Some(indexed) = results.indexed_kb {
        let mb = indexed as f64 / 1024.0;
        one("(e) server peak RSS with the workspace indexed (VmHWM)", format!("{mb:.1} MB"));
    }
    if let (Some(hwm), Some(rss)) = (results.vm_hwm_kb, results.vm_rss_kb) {
        one(
            &format!(
                "(e) server peak RSS at the end (2.2 MB open and edited, {OUTSIDE_REOPENS} MB closed)"
            ),
            format!("{:.1} MB", hwm as f64 / 1024.0),
        );
        one("    server RSS at the end (VmRSS)", format!("{:.1} MB", rss as f64 / 1024.0));
    }
    match harper {
        Some(Ok(d)) => {
            one("harper-ls: didOpen 100 KB -> first publishDiagnostics", ms(d));
            // Against Scholion's time on the same document (outside the workspace, so it
            // analyses the whole text as harper-ls does).
            let ours =
                results.opens.iter().find(|(label, _, _)| label == "100 KB, outside workspace");
            if let Some((_, ours, _)) = ours {
                let ratio = d.as_secs_f64() / ours.as_secs_f64();
                one("    ratio harper-ls / scholion, same 100 KB document", format!("{ratio:.0}x"));
            }
        }
        Some(Err(err)) => println!("harper-ls: {err}"),
        None => {}
    }
    if results.problems.is_empty() {
        println!("\nno problems seen");
    } else {
        println!("\nproblems:");
        for p in &results.problems {
            println!("- {p}");
        }
    }
}
