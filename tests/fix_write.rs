//! Files on disk: the server never writes them; `scholion fix --write` writes atomically,
//! refuses a file changed since it was read, and loses nothing when it is killed.
//!
//! Temporary files: `fix --write` writes `.scholion-fix-*.tmp` next to the file and renames it
//! into place. A kill between the two leaves that hidden file behind; it is never taken for a
//! document (hidden, not `*.txt`), and the next `fix --write` in the folder removes it once it
//! is a minute old. The deterministic interruption point is the test hook
//! `SCHOLION_TEST_FIX_STEP` (see `src/cli/fix.rs`): the process announces each file on stderr
//! and waits for a line on stdin before writing it.

mod support;

use std::collections::BTreeMap;
use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::thread;
use std::time::{Duration, Instant, SystemTime};

use serde_json::{json, Value};
use support::{file_uri, run_scholion as scholion, Client};

/// Garbled words and their repairs: UTF-8 read as Mac Roman and as Windows-1252.
const GARBLED: &str = "De oorlog in Oekra√Øne duurt voort.\nIn het CafÃ© werd gesproken.\n";
const REPAIRED: &str = "De oorlog in Oekraïne duurt voort.\nIn het Café werd gesproken.\n";
const CLEAN: &str = "Een schone pagina zonder fouten.\n";

/// Every entry under `root` (folders too) with its bytes and modification time.
fn snapshot(root: &Path) -> BTreeMap<PathBuf, (Vec<u8>, SystemTime)> {
    let mut entries = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in fs::read_dir(&folder).unwrap() {
            let entry = entry.unwrap();
            let metadata = fs::symlink_metadata(entry.path()).unwrap();
            let bytes =
                if metadata.is_file() { fs::read(entry.path()).unwrap() } else { Vec::new() };
            if metadata.is_dir() {
                stack.push(entry.path());
            }
            entries.insert(entry.path(), (bytes, metadata.modified().unwrap()));
        }
    }
    entries
}

/// Names in `folder` that look like `fix --write` temporary files.
fn temp_files(folder: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(folder)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with(".scholion-fix-") && n.ends_with(".tmp"))
        .collect();
    names.sort();
    names
}

#[test]
fn the_server_never_writes_files() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds");
    for entry in fs::read_dir(seeds).unwrap() {
        let path = entry.unwrap().path();
        fs::copy(&path, root.join(path.file_name().unwrap())).unwrap();
    }
    fs::create_dir_all(root.join("sub")).unwrap();
    fs::write(root.join("sub/garbled.txt"), GARBLED).unwrap();
    fs::write(root.join("clean.txt"), CLEAN).unwrap();
    let before = snapshot(root);

    // A client that would accept edits and commands, so nothing stops a server that wanted to.
    let caps = json!({
        "general": {"positionEncodings": ["utf-16"]},
        "window": {"workDoneProgress": true},
        "workspace": {"applyEdit": true, "executeCommand": {"dynamicRegistration": true},
                      "didChangeWatchedFiles": {"dynamicRegistration": true},
                      "workspaceEdit": {"documentChanges": true}},
        "textDocument": {"codeAction": {"codeActionLiteralSupport": {"codeActionKind": {"valueSet": []}}},
                         "synchronization": {"willSave": true, "willSaveWaitUntil": true, "didSave": true}}
    });
    let (mut client, result) = Client::initialized(caps, Some(root));
    client
        .wait_for(|m| m["method"] == "$/progress" && m["params"]["value"]["kind"] == "end")
        .expect("indexing finishes");
    let garbled = file_uri(&root.join("sub/garbled.txt"));
    let seed = file_uri(&root.join("003_6e6cbfc847bdfa0c.txt"));
    client.open(&garbled, GARBLED);
    client.open(&seed, &fs::read_to_string(root.join("003_6e6cbfc847bdfa0c.txt")).unwrap());
    assert!(!client.diagnostics_for(&garbled, Some(1)).is_empty());
    let mut actions = Vec::new();
    for uri in [&garbled, &seed] {
        for only in [json!(null), json!(["source.fixAll.scholion"]), json!(["source.fixAll"])] {
            let mut context = json!({"diagnostics": []});
            if !only.is_null() {
                context["only"] = only;
            }
            let found = client.request(
                "textDocument/codeAction",
                json!({"textDocument": {"uri": uri}, "context": context,
                       "range": {"start": {"line": 0, "character": 0}, "end": {"line": 9, "character": 0}}}),
            );
            actions.extend(found.as_array().cloned().unwrap_or_default());
        }
    }
    assert!(actions.iter().any(|a| a["kind"] == "source.fixAll.scholion"), "{actions:?}");
    assert!(actions.iter().any(|a| a["kind"] == "quickfix"), "{actions:?}");
    // Commands: those of the actions, if any, and ones the server never offered.
    let mut commands: Vec<Value> =
        actions.iter().filter_map(|a| a.get("command").cloned()).collect();
    commands.push(json!({"command": "scholion.fixAll", "arguments": [garbled]}));
    commands.push(json!({"command": "scholion.applyFix", "arguments": []}));
    for command in commands {
        let response = client.request_raw(
            "workspace/executeCommand",
            json!({"command": command["command"], "arguments": command["arguments"]}),
        );
        assert!(response["error"].is_object() || response["result"].is_null(), "{response}");
    }
    // Saving and closing: the server only reads.
    let will_save = client.request_raw(
        "textDocument/willSaveWaitUntil",
        json!({"textDocument": {"uri": garbled}, "reason": 1}),
    );
    assert!(will_save["error"].is_object() || will_save["result"].is_null(), "{will_save}");
    client.notify("textDocument/didSave", json!({"textDocument": {"uri": garbled}}));
    client.notify("textDocument/didClose", json!({"textDocument": {"uri": garbled}}));
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": file_uri(&root.join("clean.txt")), "type": 2}]}),
    );
    client.request("workspace/symbol", json!({"query": ""}));
    assert!(result["capabilities"]["executeCommandProvider"].is_null());
    let applied: Vec<&Value> =
        client.server_requests.iter().filter(|r| r["method"] == "workspace/applyEdit").collect();
    assert!(applied.is_empty(), "the server asked to apply edits: {applied:?}");
    assert!(client.shutdown().success());
    assert!(snapshot(root) == before, "the server changed, added or removed a file");
}

#[test]
fn fix_prints_a_diff_then_writes_atomically_and_keeps_modes_and_links() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let docs = root.join("docs");
    fs::create_dir_all(&docs).unwrap();
    fs::write(docs.join("a.txt"), GARBLED).unwrap();
    fs::write(docs.join("b.txt"), CLEAN).unwrap();
    fs::write(docs.join("c.txt"), format!("Titel\n{GARBLED}")).unwrap();
    let before = snapshot(root);

    // Without --write: the diff, exit 1, nothing touched.
    let dry = scholion(root, &["fix", "docs"]);
    let diff = String::from_utf8_lossy(&dry.stdout);
    assert_eq!(dry.status.code(), Some(1), "{diff}");
    assert!(diff.contains("--- a/docs/a.txt") && diff.contains("+++ b/docs/c.txt"), "{diff}");
    assert!(diff.contains("-De oorlog in Oekra√Øne") && diff.contains("+In het Café"), "{diff}");
    assert!(snapshot(root) == before, "a dry run changed files");

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(docs.join("a.txt"), fs::Permissions::from_mode(0o640)).unwrap();
    }
    let run = scholion(root, &["fix", "--write", "docs"]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("fixed docs/a.txt") && stderr.contains("fixed docs/c.txt"), "{stderr}");
    assert_eq!(fs::read_to_string(docs.join("a.txt")).unwrap(), REPAIRED);
    assert_eq!(fs::read_to_string(docs.join("c.txt")).unwrap(), format!("Titel\n{REPAIRED}"));
    assert!(snapshot(&docs)[&docs.join("b.txt")] == before[&docs.join("b.txt")], "b.txt touched");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(docs.join("a.txt")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o640, "the file's mode is kept");
    }
    assert!(temp_files(&docs).is_empty(), "{:?}", temp_files(&docs));

    // Again: nothing left to fix, nothing written.
    let fixed = snapshot(root);
    let again = scholion(root, &["fix", "--write", "docs"]);
    assert_eq!(again.status.code(), Some(0));
    assert!(snapshot(root) == fixed, "a second run rewrote files");
    assert_eq!(scholion(root, &["fix", "docs"]).status.code(), Some(0));

    // A symbolic link given by name: its target is fixed, the link stays a link.
    #[cfg(unix)]
    {
        let target = root.join("target.txt");
        fs::write(&target, GARBLED).unwrap();
        let link = docs.join("link.txt");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let run = scholion(root, &["fix", "--write", "docs/link.txt"]);
        assert_eq!(run.status.code(), Some(0), "{}", String::from_utf8_lossy(&run.stderr));
        assert!(fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
        assert_eq!(fs::read_to_string(&target).unwrap(), REPAIRED);
        assert!(temp_files(root).is_empty() && temp_files(&docs).is_empty());
    }
}

/// `scholion fix --write` with the step hook: stdin and stderr piped, stderr lines on a channel.
fn start_stepped(dir: &Path, args: &[&str], step: bool) -> (Child, Receiver<String>) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_scholion"));
    command
        .args(args)
        .current_dir(dir)
        .env("SCHOLION_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if step {
        command.env("SCHOLION_TEST_FIX_STEP", "1");
    }
    let mut child = command.spawn().expect("run scholion fix --write");
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = channel();
    thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    (child, rx)
}

#[test]
fn fix_write_refuses_a_file_changed_since_it_was_read() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::write(root.join("a.txt"), GARBLED).unwrap();
    fs::write(root.join("c.txt"), GARBLED).unwrap();
    let (mut child, lines) = start_stepped(root, &["fix", "--write", "."], true);
    let mut stdin = child.stdin.take().unwrap();
    let mut log = Vec::new();
    let mut steps = 0;
    // Until the process closes stderr (it has ended).
    while let Ok(line) = lines.recv_timeout(Duration::from_secs(60)) {
        log.push(line.clone());
        if let Some(name) = line.strip_prefix("scholion-test: writing ") {
            steps += 1;
            if name.ends_with("a.txt") {
                // The user saves an edit after scholion read the file, before it writes it.
                fs::write(root.join("a.txt"), "Door de gebruiker bewaard.\n").unwrap();
            }
            stdin.write_all(b"\n").unwrap();
            stdin.flush().unwrap();
        }
    }
    let status = child.wait().unwrap();
    let log = log.join("\n");
    assert_eq!(steps, 2, "{log}");
    assert_eq!(status.code(), Some(2), "{log}");
    assert!(
        log.contains("a.txt: changed on disk since it was read; not written (run again)"),
        "{log}"
    );
    assert_eq!(fs::read_to_string(root.join("a.txt")).unwrap(), "Door de gebruiker bewaard.\n");
    assert_eq!(fs::read_to_string(root.join("c.txt")).unwrap(), REPAIRED);
    assert!(temp_files(root).is_empty(), "{:?}", temp_files(root));
}

/// xorshift64: the kill moments.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

const FILES: usize = 40;

fn original(i: usize) -> String {
    let mut text = format!("Pagina {i}.\n");
    for line in 0..60 {
        text.push_str(&format!("Regel {line}: {}", if line % 3 == 0 { GARBLED } else { CLEAN }));
    }
    text
}

fn write_originals(folder: &Path) {
    for i in 0..FILES {
        fs::write(folder.join(format!("pagina-{i:02}.txt")), original(i)).unwrap();
    }
}

#[test]
fn a_killed_fix_write_leaves_every_file_whole() {
    let seed: u64 = std::env::var("FIX_KILL_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(7);
    println!("kill moments: seed {seed} (replay with FIX_KILL_SEED)");
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let docs = root.join("docs");
    fs::create_dir_all(&docs).unwrap();

    // The fixed text of every file, from an uninterrupted run, which also times one.
    write_originals(&docs);
    let started = Instant::now();
    let run = scholion(root, &["fix", "--write", "docs"]);
    let full_run = started.elapsed();
    assert_eq!(run.status.code(), Some(0), "{}", String::from_utf8_lossy(&run.stderr));
    let fixed: Vec<String> = (0..FILES)
        .map(|i| fs::read_to_string(docs.join(format!("pagina-{i:02}.txt"))).unwrap())
        .collect();
    assert!((0..FILES).all(|i| fixed[i] != original(i) && fixed[i].contains("Oekraïne")));
    println!("an uninterrupted run takes {full_run:.1?}");

    let mut outcomes = Vec::new();
    for round in 0..16 {
        write_originals(&docs);
        let (mut child, lines) = start_stepped(root, &["fix", "--write", "docs"], false);
        // Half the kills at a random moment of a whole run, half just after the k-th file
        // was written (plus up to 3 ms), which lands among the writes.
        let moment = if round % 2 == 0 {
            let delay = Duration::from_micros(rng.below(full_run.as_micros() as u64 + 1));
            thread::sleep(delay);
            format!("after {delay:.1?}")
        } else {
            let k = 1 + rng.below(FILES as u64 - 1) as usize;
            let mut seen = 0;
            while seen < k {
                match lines.recv_timeout(Duration::from_secs(60)) {
                    Ok(line) if line.starts_with("fixed ") => seen += 1,
                    Ok(_) => {}
                    Err(_) => break, // it ended first
                }
            }
            thread::sleep(Duration::from_micros(rng.below(3_000)));
            format!("after {seen} files")
        };
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        // Every file is exactly its original or exactly its fixed text.
        let mut done = 0;
        for (i, fixed) in fixed.iter().enumerate() {
            let text = fs::read_to_string(docs.join(format!("pagina-{i:02}.txt")))
                .unwrap_or_else(|err| panic!("round {round} ({moment}): pagina-{i:02}: {err}"));
            if &text == fixed {
                done += 1;
            } else {
                assert!(text == original(i), "round {round} ({moment}): pagina-{i:02} is partial");
            }
        }
        // Nothing else in the folder but (hidden, clearly named) temporary files.
        let others: Vec<String> = fs::read_dir(&docs)
            .unwrap()
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| !(n.starts_with("pagina-") && n.ends_with(".txt")))
            .collect();
        let temps = temp_files(&docs);
        assert_eq!(others.len(), temps.len(), "unexpected files: {others:?}");
        outcomes.push(format!("{moment}: {done} fixed, {} temp", temps.len()));
    }
    // (Temporary files count over all rounds: each round's are still young.)
    println!("kills: {}", outcomes.join("; "));
    let leftovers = temp_files(&docs).len();

    // Leftover temporary files, real or planted, are never read as documents, and the next
    // run removes those a minute old (a younger one may belong to a run still going).
    let planted_old = docs.join(".scholion-fix-planted.tmp");
    let planted_new = docs.join(".scholion-fix-young.tmp");
    fs::write(&planted_old, "half").unwrap();
    fs::write(&planted_new, "half").unwrap();
    let an_hour_ago = SystemTime::now() - Duration::from_secs(3600);
    for name in temp_files(&docs) {
        let path = docs.join(&name);
        if path != planted_new {
            fs::File::options().write(true).open(&path).unwrap().set_modified(an_hour_ago).unwrap();
        }
    }
    let check = scholion(root, &["check", "--format", "json", "docs"]);
    assert!(!String::from_utf8_lossy(&check.stdout).contains(".scholion-fix-"));
    let run = scholion(root, &["fix", "--write", "docs"]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(0), "{stderr}");
    assert_eq!(stderr.matches("left behind by an interrupted").count(), leftovers + 1, "{stderr}");
    assert_eq!(temp_files(&docs), vec![".scholion-fix-young.tmp".to_string()]);
    for (i, text) in fixed.iter().enumerate() {
        assert_eq!(&fs::read_to_string(docs.join(format!("pagina-{i:02}.txt"))).unwrap(), text);
    }
}
