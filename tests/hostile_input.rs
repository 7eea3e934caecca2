//! Hostile input through the real server: bad files in the workspace, huge files and lines,
//! empty files, files deleted or renamed while open, awkward paths, a workspace of 10,000 files,
//! malformed and truncated JSON-RPC, lifecycle misuse, cancelled requests and a client that
//! vanishes mid-scan.
//!
//! Every case must end in a clear error or an empty result: no crash, no hang (every wait is
//! bounded by the client's timeouts), and bounded memory: the server's peak resident set
//! (`VmHWM` in `/proc/<pid>/status`) is checked against a limit per case. An idle server peaks
//! at about 20 MiB in a debug build; the limits leave room for a loaded machine but fail if a
//! 100 MB file is read, a header line is buffered whole, or edits pile up analyses.

mod support;

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::{file_uri, frame, Client};

fn capabilities(pull: bool) -> Value {
    let mut caps = json!({
        "general": {"positionEncodings": ["utf-16"]},
        "window": {"workDoneProgress": true},
        "workspace": {
            "didChangeWatchedFiles": {"dynamicRegistration": true},
            "diagnostics": {"refreshSupport": true}
        }
    });
    if pull {
        caps["textDocument"] = json!({"diagnostic": {"dynamicRegistration": false}});
    }
    caps
}

/// A server on `root` with its log captured at `info` (the level of skipped-file reasons).
fn start(root: Option<&Path>, pull: bool, options: Value) -> Client {
    let mut client = Client::start_capturing_log(&[("SCHOLION_LOG", "scholion=info")]);
    client.handshake(capabilities(pull), root, options);
    client
}

/// Wait for the end of indexing; returns its summary (`indexed N files, skipped M`).
fn wait_indexed(client: &mut Client) -> String {
    let end = client
        .wait_for(|m| m["method"] == "$/progress" && m["params"]["value"]["kind"] == "end")
        .expect("indexing finishes");
    end["params"]["value"]["message"].as_str().unwrap_or_default().to_string()
}

fn at(uri: &str, line: usize, character: usize) -> Value {
    json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}})
}

fn hover_text(client: &mut Client, uri: &str, line: usize, character: usize) -> String {
    let hover = client.request("textDocument/hover", at(uri, line, character));
    hover["contents"]["value"].as_str().unwrap_or_default().to_string()
}

/// Poll until the server knows `uri` (changes are handled in the background).
fn wait_until_known(client: &mut Client, uri: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let response =
            client.request_raw("scholion/documentText", json!({"textDocument": {"uri": uri}}));
        if response["result"].is_object() {
            return;
        }
        assert!(Instant::now() < deadline, "{uri} never became known: {response}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn assert_peak_below(client: &Client, limit_mib: u64, what: &str) {
    let peak = client.peak_rss_mib();
    println!("{what}: server peak RSS {peak} MiB (limit {limit_mib})");
    assert!(peak < limit_mib, "{what}: server peak RSS {peak} MiB, over {limit_mib} MiB");
}

fn error_code(response: &Value) -> i64 {
    response["error"]["code"].as_i64().unwrap_or_else(|| panic!("not an error: {response}"))
}

/// Decode a `file:` URI's percent-encoded path (the test's own decoder).
fn uri_path(uri: &str) -> PathBuf {
    let path = uri.strip_prefix("file://").unwrap_or_else(|| panic!("not a file URI: {uri}"));
    let bytes = path.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
            out.push(u8::from_str_radix(hex, 16).unwrap());
            i += 3;
        } else {
            assert!(bytes[i].is_ascii() && !b" #?%".contains(&bytes[i]), "unescaped in {uri}");
            out.push(bytes[i]);
            i += 1;
        }
    }
    PathBuf::from(String::from_utf8(out).expect("UTF-8 path"))
}

fn definition_uri(client: &mut Client, uri: &str, line: usize, character: usize) -> String {
    let definition = client.request("textDocument/definition", at(uri, line, character));
    let target = if definition.is_array() { &definition[0] } else { &definition };
    target["uri"].as_str().unwrap_or_else(|| panic!("no definition: {definition}")).to_string()
}

const DEFINES: &str = "De Quasi Rare Xenon Dienst (QRXD) is opgericht.\n";
const USES: &str = "Deze pagina noemt de QRXD nog eens.\n";
/// UTF-16 column inside `QRXD` on the first line of [`USES`].
const QRXD_COL: usize = 22;

#[test]
fn invalid_utf8_and_binary_files_are_skipped_with_a_reason_and_the_rest_is_indexed() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::write(root.join("defines.txt"), DEFINES).unwrap();
    fs::write(root.join("uses.txt"), USES).unwrap();
    fs::write(root.join("bom.txt"), "\u{feff}Met een BOM, en de QRXD.\n").unwrap();
    let bad: [(&str, &[u8], &str); 7] = [
        ("latin1.txt", b"caf\xe9 au lait\n", "not valid UTF-8 (first bad byte at offset 3)"),
        ("cut.txt", b"Een euro: \xe2\x82", "not valid UTF-8 (first bad byte at offset 10)"),
        ("overlong.txt", b"slash \xc0\xaf\n", "not valid UTF-8"),
        ("surrogate.txt", b"half \xed\xa0\x80 pair\n", "not valid UTF-8"),
        ("image.txt", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "binary file"),
        ("utf16.txt", b"\xff\xfeH\0a\0l\0l\0o\0", "binary file"),
        ("nul.txt", b"tekst\0meer tekst\n", "binary file"),
    ];
    for (name, bytes, _) in &bad {
        fs::write(root.join(name), bytes).unwrap();
    }
    let mut client = start(Some(root), true, Value::Null);
    assert_eq!(wait_indexed(&mut client), "indexed 3 files, skipped 7");
    for (name, _, reason) in &bad {
        let log = client.log_containing(name);
        let line = log
            .lines()
            .find(|l| l.contains("not indexing") && l.contains(name))
            .unwrap_or_else(|| panic!("no log line for {name} in:\n{log}"));
        assert!(line.contains(reason), "{line}");
    }

    // The good files work, unopened: hover and definition across them.
    let uses = file_uri(&root.join("uses.txt"));
    assert!(hover_text(&mut client, &uses, 0, QRXD_COL).contains("Quasi Rare Xenon Dienst"));
    assert_eq!(
        uri_path(&definition_uri(&mut client, &uses, 0, QRXD_COL)),
        root.join("defines.txt")
    );
    // A skipped file is an unknown document: a clear error, for every kind of request.
    let latin1 = file_uri(&root.join("latin1.txt"));
    for method in ["textDocument/hover", "textDocument/definition", "textDocument/diagnostic"] {
        let params = if method == "textDocument/diagnostic" {
            json!({"textDocument": {"uri": latin1}})
        } else {
            at(&latin1, 0, 0)
        };
        let response = client.request_raw(method, params);
        let message = response["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains("unknown document"), "{method}: {response}");
    }
    let report = client.request("workspace/diagnostic", json!({"previousResultIds": []}));
    assert_eq!(report["items"].as_array().unwrap().len(), 3, "{report}");

    // What an editor makes of such a file (NUL, controls, U+FFFD, a BOM) is served as text.
    let odd = file_uri(&root.join("image.txt"));
    client.open(&odd, "\u{fffd}PNG\r\n\u{1a}\n\0\0\0\rIHDR\u{feff} QRXD \u{7}\u{1b}[0m\n");
    let report = client.request("textDocument/diagnostic", json!({"textDocument": {"uri": odd}}));
    assert_eq!(report["kind"], "full");
    let hover = client.request("textDocument/hover", at(&odd, 3, 6));
    assert!(hover.is_null() || hover["contents"].is_object(), "{hover}");
    assert!(client.server_text(&odd).1.contains('\0'));
    assert_peak_below(&client, 150, "bad files");
    assert!(client.shutdown().success());
}

#[test]
fn a_100_mb_file_is_skipped_by_size_without_being_read() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::write(root.join("defines.txt"), DEFINES).unwrap();
    fs::write(root.join("uses.txt"), USES).unwrap();
    // 100 MB of text, stored sparse: text at the start, then a hole the size limit must catch
    // before anything is read (read whole, it would also show up in the server's memory).
    let huge = root.join("huge.txt");
    let mut file = fs::File::create(&huge).unwrap();
    file.write_all(USES.repeat(1000).as_bytes()).unwrap();
    file.set_len(100 * 1024 * 1024).unwrap();
    drop(file);
    // A small limit set by the client applies too.
    fs::write(root.join("medium.txt"), USES.repeat(100)).unwrap();
    let options = json!({"maxFileSize": 2_000});
    let mut client = start(Some(root), true, options);
    assert_eq!(wait_indexed(&mut client), "indexed 2 files, skipped 2");
    client.log_containing("huge.txt");
    let log = client.log_containing("medium.txt");
    assert!(
        log.lines()
            .any(|l| l.contains("huge.txt") && l.contains("104857600 bytes, over the limit")),
        "{log}"
    );
    assert!(log.lines().any(|l| l.contains("medium.txt") && l.contains("over the limit")), "{log}");

    // Told that it was created again (a watcher event), it is still refused, by size. (A small
    // file created after it shows when the event has been handled.)
    let huge_uri = file_uri(&huge);
    let small = root.join("small.txt");
    fs::write(&small, USES).unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": huge_uri, "type": 1}, {"uri": file_uri(&small), "type": 1}]}),
    );
    wait_until_known(&mut client, &file_uri(&small));
    let response =
        client.request_raw("scholion/documentText", json!({"textDocument": {"uri": huge_uri}}));
    assert!(response["error"]["message"].as_str().unwrap_or("").contains("unknown document"));
    let uses = file_uri(&root.join("uses.txt"));
    assert!(hover_text(&mut client, &uses, 0, QRXD_COL).contains("Quasi Rare Xenon Dienst"));
    assert_peak_below(&client, 90, "100 MB file");
    assert!(client.shutdown().success());
}

#[test]
fn a_one_megabyte_line_is_opened_hovered_and_edited_in_bursts() {
    let dir = tempfile::tempdir().unwrap();
    let uri = file_uri(&dir.path().join("long.txt"));
    let mut text = "woord ".repeat(175_000);
    text.push_str("de Lange Regel Dienst (LRD) en 😀 de LRD");
    let mut client = start(None, false, Value::Null);
    client.open(&uri, &text);
    // A burst of edits without waiting: in the middle, at the end, deletions.
    let started = Instant::now();
    let mut version = 1;
    for i in 0..40 {
        version += 1;
        let middle = 500_000 + i * 7;
        let (range, insert) = match i % 3 {
            0 => ([middle, middle], "😀x".to_string()),
            1 => ([middle, middle + 6], String::new()),
            _ => ([0, 0], format!("{i} ")),
        };
        let change = json!({"range": {"start": {"line": 0, "character": range[0]},
            "end": {"line": 0, "character": range[1]}}, "text": insert});
        client.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]}),
        );
        // The model: UTF-16 columns on a line that is ASCII up to the end.
        let start = utf16_to_byte(&text, range[0]);
        let end = utf16_to_byte(&text, range[1]);
        text.replace_range(start..end, &insert);
    }
    let (server_version, server_text) = client.server_text(&uri);
    assert_eq!(server_version, version);
    assert!(server_text == text, "the 1 MB line differs after the burst");
    // The last version gets its diagnostics; hover at the very end still finds the definition.
    client.diagnostics_for(&uri, Some(version as i64));
    let end = text.encode_utf16().count() - 1;
    assert!(hover_text(&mut client, &uri, 0, end).contains("Lange Regel Dienst"));
    println!("1 MB line: 40 edits to diagnostics and hover in {:.1?}", started.elapsed());
    // Each analysis holds the text and its results; 40 of them side by side went over 250 MiB.
    assert_peak_below(&client, 160, "1 MB line");
    assert!(client.shutdown().success());
}

fn utf16_to_byte(text: &str, units: usize) -> usize {
    let mut count = 0;
    for (byte, c) in text.char_indices() {
        if count >= units {
            return byte;
        }
        count += c.len_utf16();
    }
    text.len()
}

#[test]
fn empty_documents_answer_every_request_with_an_empty_result() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::write(root.join("empty.txt"), "").unwrap();
    fs::write(root.join("breaks.txt"), "\r\n\r\r\n\n").unwrap();
    let mut client = start(Some(root), false, Value::Null);
    assert_eq!(wait_indexed(&mut client), "indexed 2 files, skipped 0");
    for name in ["empty.txt", "breaks.txt"] {
        let uri = file_uri(&root.join(name));
        // Unopened, then opened.
        for opened in [false, true] {
            if opened {
                client.open(&uri, &fs::read_to_string(root.join(name)).unwrap());
                assert!(client.diagnostics_for(&uri, Some(1)).is_empty());
            }
            for (line, character) in
                [(0, 0), (1, 0), (5, 9), (u32::MAX as usize, u32::MAX as usize)]
            {
                let where_ = format!("{name} opened={opened} at {line}:{character}");
                let position = at(&uri, line, character);
                assert_eq!(client.request("textDocument/hover", position.clone()), Value::Null);
                let definition = client.request("textDocument/definition", position.clone());
                assert!(is_empty(&definition), "{where_}: {definition}");
                let mut references = position.clone();
                references["context"] = json!({"includeDeclaration": true});
                let references = client.request("textDocument/references", references);
                assert!(is_empty(&references), "{where_}: {references}");
                let range = json!({"start": position["position"], "end": position["position"]});
                let actions = client.request(
                    "textDocument/codeAction",
                    json!({"textDocument": {"uri": uri}, "range": range, "context": {"diagnostics": []}}),
                );
                // Nothing to fix, and a page without text has nothing to reflow.
                assert!(is_empty(&actions), "{where_}: {actions}");
            }
            let symbols = client
                .request("textDocument/documentSymbol", json!({"textDocument": {"uri": uri}}));
            assert!(is_empty(&symbols), "{symbols}");
        }
    }
    // A negative position is not a position: invalid params, and the server carries on.
    let empty = file_uri(&root.join("empty.txt"));
    let response = client.request_raw(
        "textDocument/hover",
        at(&empty, 0, 0)
            .to_string()
            .replace("\"character\":0", "\"character\":-1")
            .parse()
            .unwrap(),
    );
    assert_eq!(error_code(&response), -32602, "{response}");
    // Edits from empty to text and back to empty.
    let edit = |client: &mut Client, version: i64, end: [usize; 2], text: &str| {
        let change = json!({"range": {"start": {"line": 0, "character": 0},
            "end": {"line": end[0], "character": end[1]}}, "text": text});
        client.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": empty, "version": version}, "contentChanges": [change]}),
        );
    };
    edit(&mut client, 2, [0, 0], "De QRXD\r\nen meer");
    assert_eq!(client.server_text(&empty).1, "De QRXD\r\nen meer");
    edit(&mut client, 3, [9, 99], "");
    assert_eq!(client.server_text(&empty), (json!(3), String::new()));
    assert!(client.diagnostics_for(&empty, Some(3)).is_empty());
    let symbols = client.request("workspace/symbol", json!({"query": ""}));
    assert!(symbols.is_array(), "{symbols}");
    assert_peak_below(&client, 150, "empty files");
    assert!(client.shutdown().success());
}

fn is_empty(value: &Value) -> bool {
    value.is_null() || value.as_array().is_some_and(Vec::is_empty)
}

#[test]
fn files_deleted_and_renamed_while_open() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let old = root.join("oud.txt");
    let new = root.join("nieuw.txt");
    let gone = root.join("weg.txt");
    fs::write(&old, DEFINES).unwrap();
    fs::write(&gone, "Tijdelijk.\n").unwrap();
    fs::write(root.join("uses.txt"), USES).unwrap();
    let mut client = start(Some(root), true, Value::Null);
    assert_eq!(wait_indexed(&mut client), "indexed 3 files, skipped 0");
    let (old_uri, new_uri, gone_uri) = (file_uri(&old), file_uri(&new), file_uri(&gone));
    let uses = file_uri(&root.join("uses.txt"));

    // Both open, and edited in the editor (unsaved).
    client.open(&old_uri, DEFINES);
    client.open(&gone_uri, "Tijdelijk.\n");
    let edited = format!("{DEFINES}Onbewaard.\n");
    let change = json!({"range": {"start": {"line": 1, "character": 0}, "end": {"line": 1, "character": 0}},
        "text": "Onbewaard.\n"});
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": old_uri, "version": 2}, "contentChanges": [change]}),
    );
    // On disk: one deleted, the other renamed; the watcher reports both.
    fs::remove_file(&gone).unwrap();
    fs::rename(&old, &new).unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": gone_uri, "type": 3}, {"uri": old_uri, "type": 3},
                           {"uri": new_uri, "type": 1}]}),
    );
    wait_until_known(&mut client, &new_uri);
    // Open buffers still answer from the editor's text; the new name is indexed from disk.
    assert_eq!(client.server_text(&old_uri), (json!(2), edited.clone()));
    assert_eq!(client.server_text(&gone_uri).1, "Tijdelijk.\n");
    assert_eq!(client.server_text(&new_uri), (Value::Null, DEFINES.to_string()));
    for uri in [&old_uri, &new_uri] {
        assert!(hover_text(&mut client, uri, 0, 30).contains("Quasi Rare Xenon Dienst"), "{uri}");
    }
    let report =
        client.request("textDocument/diagnostic", json!({"textDocument": {"uri": new_uri}}));
    assert_eq!(report["kind"], "full");

    // The editor follows the rename: closes the old name, opens the new one.
    client.notify("textDocument/didClose", json!({"textDocument": {"uri": old_uri}}));
    client.notify("textDocument/didClose", json!({"textDocument": {"uri": gone_uri}}));
    client.open(&new_uri, &edited);
    // Closed documents whose file is gone are unknown now; a clear error, not a stale answer.
    for uri in [&old_uri, &gone_uri] {
        let response =
            client.request_raw("scholion/documentText", json!({"textDocument": {"uri": uri}}));
        assert!(response["error"]["message"].as_str().unwrap_or("").contains("unknown document"));
        let hover = client.request_raw("textDocument/hover", at(uri, 0, 30));
        assert!(hover["error"]["message"].as_str().unwrap_or("").contains("unknown document"));
    }
    assert_eq!(client.server_text(&new_uri), (json!(1), edited));
    assert_eq!(uri_path(&definition_uri(&mut client, &uses, 0, QRXD_COL)), new);
    let report = client.request("workspace/diagnostic", json!({"previousResultIds": []}));
    let mut uris: Vec<&str> =
        report["items"].as_array().unwrap().iter().filter_map(|i| i["uri"].as_str()).collect();
    uris.sort();
    let mut expected = vec![new_uri.as_str(), uses.as_str()];
    expected.sort();
    assert_eq!(uris, expected);
    assert_peak_below(&client, 150, "deleted and renamed files");
    assert!(client.shutdown().success());
}

#[test]
fn paths_with_spaces_non_ascii_and_uri_delimiters() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("my docs");
    fs::create_dir_all(root.join("ça va?")).unwrap();
    let cafe = root.join("café.txt");
    let other = root.join("ça va?/100% #1 naïve 😀.txt");
    fs::write(&cafe, USES).unwrap();
    fs::write(&other, DEFINES).unwrap();
    let mut client = start(Some(&root), true, Value::Null);
    assert_eq!(wait_indexed(&mut client), "indexed 2 files, skipped 0");
    let cafe_uri = file_uri(&cafe);
    assert!(cafe_uri.ends_with("/my%20docs/caf%C3%A9.txt"), "{cafe_uri}");
    client.open(&cafe_uri, USES);
    let hover = hover_text(&mut client, &cafe_uri, 0, QRXD_COL);
    assert!(hover.contains("Quasi Rare Xenon Dienst"), "{hover}");
    assert!(hover.contains("100%25%20%231%20na%C3%AFve%20%F0%9F%98%80.txt"), "{hover}");
    // The definition's URI escapes `%`, `#`, `?`, spaces and non-ASCII, and names the file.
    let target = definition_uri(&mut client, &cafe_uri, 0, QRXD_COL);
    assert_eq!(uri_path(&target), other, "{target}");
    // The URI the server gave is one the server understands.
    assert!(hover_text(&mut client, &target, 0, 10).contains("Quasi Rare Xenon Dienst"));
    // Other spellings of the same file's URI (lower-case escapes, an escaped letter) meet the
    // same open document.
    for spelling in [cafe_uri.replace("%C3%A9", "%c3%a9"), cafe_uri.replace("/caf", "/%63af")] {
        assert_eq!(client.server_text(&spelling), (json!(1), USES.to_string()), "{spelling}");
    }
    let report = client.request("workspace/diagnostic", json!({"previousResultIds": []}));
    let mut paths: Vec<PathBuf> = report["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| uri_path(i["uri"].as_str().unwrap()))
        .collect();
    paths.sort();
    let mut expected = vec![cafe.clone(), other.clone()];
    expected.sort();
    assert_eq!(paths, expected);
    assert_peak_below(&client, 150, "awkward paths");
    assert!(client.shutdown().success());
}

#[cfg(unix)]
#[test]
fn a_file_name_that_is_not_utf8_is_skipped_with_a_reason() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;

    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    // Two Latin-1 names: as lossy UTF-8 both would read `caf\u{fffd}.txt`, one URI for two files.
    fs::write(root.join(OsStr::from_bytes(b"caf\xe9.txt")), DEFINES).unwrap();
    fs::write(root.join(OsStr::from_bytes(b"caf\xe8.txt")), "Iets anders.\n").unwrap();
    fs::write(root.join("uses.txt"), USES).unwrap();
    let mut client = start(Some(root), true, Value::Null);
    let summary = wait_indexed(&mut client);
    assert_eq!(summary, "indexed 1 files, skipped 2");
    client.log_containing("file name is not valid UTF-8");
    let report = client.request("workspace/diagnostic", json!({"previousResultIds": []}));
    let items = report["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{report}");
    assert!(!report.to_string().contains("%EF%BF%BD"), "{report}");
    assert!(client.shutdown().success());
}

/// A workspace of 10,000 small files in 100 folders; one defines `QRXD`, all others use it.
fn ten_thousand_files(root: &Path) -> PathBuf {
    let mut defining = PathBuf::new();
    for i in 0..10_000 {
        let folder = root.join(format!("map {:03}", i / 100));
        if i % 100 == 0 {
            fs::create_dir_all(&folder).unwrap();
        }
        let path = folder.join(format!("bestand-{i:05}.txt"));
        if i == 4321 {
            fs::write(&path, DEFINES).unwrap();
            defining = path;
        } else {
            fs::write(&path, format!("{USES}Bestand {i}, met de AIVD.\n")).unwrap();
        }
    }
    defining
}

#[test]
fn a_workspace_of_ten_thousand_files() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let defining = ten_thousand_files(root);

    // A client that vanishes while the scan runs: the server exits soon, on its own.
    let mut client = start(Some(root), true, Value::Null);
    client
        .wait_for(|m| m["method"] == "$/progress" && m["params"]["value"]["kind"] == "begin")
        .expect("the scan starts");
    let closed = Instant::now();
    client.close_stdin();
    let status = client.wait_exit();
    println!("stdin closed mid-scan: exit {status:?} after {:.1?}", closed.elapsed());
    assert!(status.code().is_some(), "exited on its own: {status:?}");
    assert!(closed.elapsed() < Duration::from_secs(15), "exit took {:.1?}", closed.elapsed());

    // The whole workspace, indexed in bounded time; a definition from one unopened file into
    // another resolves.
    let started = Instant::now();
    let mut client = start(Some(root), true, Value::Null);
    assert_eq!(wait_indexed(&mut client), "indexed 10000 files, skipped 0");
    println!("10,000 files indexed in {:.1?}", started.elapsed());
    assert!(started.elapsed() < Duration::from_secs(60), "indexing took {:.1?}", started.elapsed());
    let last = file_uri(&root.join("map 099/bestand-09999.txt"));
    assert_eq!(uri_path(&definition_uri(&mut client, &last, 0, QRXD_COL)), defining);

    // A slow request cancelled at once: RequestCancelled (or its result), never a hang, and
    // the server keeps serving; its work stops instead of running on in the background.
    let id = client.send_request("workspace/diagnostic", json!({"previousResultIds": []}));
    client.notify("$/cancelRequest", json!({"id": id}));
    let response = client.wait_response(id).expect("a reply to the cancelled request");
    let cancelled = response["error"]["code"] == -32800;
    assert!(cancelled || response["result"]["items"].is_array(), "{response}");
    assert!(hover_text(&mut client, &last, 0, QRXD_COL).contains("Quasi Rare Xenon Dienst"));
    if cancelled {
        let deadline = Instant::now() + Duration::from_secs(30);
        while !client.log().contains("workspace diagnostics cancelled after") {
            assert!(Instant::now() < deadline, "the cancelled job did not stop:\n{}", client.log());
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    println!("workspace diagnostic cancelled: {cancelled}");
    // Cancelling what is unknown or already answered changes nothing.
    client.notify("$/cancelRequest", json!({"id": id}));
    client.notify("$/cancelRequest", json!({"id": "no-such-request"}));
    let report = client.request("textDocument/diagnostic", json!({"textDocument": {"uri": last}}));
    assert_eq!(report["kind"], "full");
    assert_peak_below(&client, 250, "10,000 files");
    assert!(client.shutdown().success());
}

const URI: &str = "file:///tmp/scholion-hostile/doc.txt";

/// A request frame with a chosen id (any JSON), not waited for.
fn request_frame(id: Value, method: &str, params: Value) -> Vec<u8> {
    frame(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}).to_string())
}

fn text_request(id: i64) -> Vec<u8> {
    request_frame(json!(id), "scholion/documentText", json!({"textDocument": {"uri": URI}}))
}

/// The server still answers, from the right text.
fn assert_alive(client: &mut Client, after: &str) {
    let response =
        client.request_raw("scholion/documentText", json!({"textDocument": {"uri": URI}}));
    assert_eq!(response["result"]["text"], "tekst", "after {after}: {response}");
}

/// Wait for an error reply with `code` (and the given id).
fn expect_error(client: &mut Client, code: i64, id: Value, after: &str) -> Value {
    client
        .wait_for(|m| m["error"]["code"] == code && m["id"] == id && m.get("method").is_none())
        .unwrap_or_else(|| panic!("no error {code} (id {id}) after {after}"))
}

#[test]
fn malformed_frames_get_error_replies_and_the_server_keeps_serving() {
    let mut client = start(None, false, Value::Null);
    client.open(URI, "tekst");
    assert_alive(&mut client, "open");

    // Headers without a usable Content-Length.
    for header in [
        "Content-Length: abc\r\n",
        "Content-Length: -5\r\n",
        "Content-Length: 1e3\r\n",
        "Content-Length:\r\n",
        "X-Nothing: 1\r\nContent-Type: application/vscode-jsonrpc\r\n",
        "\u{0}\u{1}binary header\r\n",
    ] {
        client.send_raw(format!("{header}\r\n").as_bytes());
        let reply = expect_error(&mut client, -32700, Value::Null, header);
        assert!(reply["error"]["message"].as_str().unwrap_or("").contains("parse error"));
        assert_alive(&mut client, header);
    }
    // Other spellings of a good header are fine: lower case, no `\r`, extra headers.
    let body = json!({"jsonrpc": "2.0", "id": 501, "method": "scholion/documentText",
        "params": {"textDocument": {"uri": URI}}})
    .to_string();
    let spelled = format!(
        "content-length:{}\nContent-Type: application/vscode-jsonrpc; charset=utf-8\n\n{body}",
        body.len()
    );
    client.send_raw(spelled.as_bytes());
    let reply = client.wait_for(|m| m["id"] == 501).expect("reply to a loosely framed request");
    assert_eq!(reply["result"]["text"], "tekst");

    // A Content-Length that is too short: the cut body is an error, the next frame is found.
    let full = text_request(502);
    let text = String::from_utf8(full.clone()).unwrap();
    let (header, body) = text.split_once("\r\n\r\n").unwrap();
    let cut = format!("Content-Length: {}\r\n\r\n{body}", body.len() - 10);
    let _ = header;
    client.send_raw(cut.as_bytes());
    client.send_raw(&text_request(503));
    expect_error(&mut client, -32700, Value::Null, "a short Content-Length");
    let reply = client.wait_for(|m| m["id"] == 503).expect("the next request is answered");
    assert_eq!(reply["result"]["text"], "tekst");

    // Too long: it swallows the start of the next frame; that one is lost, the one after is not.
    let long = format!("Content-Length: {}\r\n\r\n{body}", body.len() + 20);
    client.send_raw(long.as_bytes());
    client.send_raw(&text_request(504));
    client.send_raw(&text_request(505));
    expect_error(&mut client, -32700, Value::Null, "a long Content-Length");
    let reply = client.wait_for(|m| m["id"] == 505).expect("the request after next is answered");
    assert_eq!(reply["result"]["text"], "tekst");

    // Bodies that are not JSON, or not a JSON-RPC object.
    for body in [&b""[..], b"\xff\xfe\x00garbage", b"{\"jsonrpc\": \"2.0\", \"id\": 1,", b"}{"] {
        client.send_raw(&frame_bytes(body));
        expect_error(&mut client, -32700, Value::Null, &String::from_utf8_lossy(body));
        assert_alive(&mut client, "a body that is not JSON");
    }
    for body in [
        "[1,2]",
        "42",
        "\"text\"",
        "null",
        "true",
        "[]",
        r#"[{"jsonrpc":"2.0","id":600,"method":"scholion/documentText"}]"#,
        r#"{"jsonrpc":"2.0","id":{"x":1},"method":"scholion/documentText"}"#,
        r#"{"jsonrpc":"1.0","id":null,"method":"scholion/documentText"}"#,
        r#"{"jsonrpc":"2.0","method":42}"#,
        r#"{"jsonrpc":"2.0"}"#,
    ] {
        client.send_raw(&frame(body));
        expect_error(&mut client, -32600, Value::Null, body);
        assert_alive(&mut client, body);
    }
    // Without `jsonrpc`, the reply still names the request's id.
    client.send_raw(&frame(r#"{"id":601,"method":"scholion/documentText"}"#));
    expect_error(&mut client, -32600, json!(601), "a request without jsonrpc");

    // Ids and params that are JSON but not what LSP allows: an error, never a dead reader.
    for (what, body) in [
        (
            "a fractional id",
            r#"{"jsonrpc":"2.0","id":1.5,"method":"scholion/documentText","params":{}}"#,
        ),
        ("an id beyond i64", r#"{"jsonrpc":"2.0","id":18446744073709551615,"method":"shutdown"}"#),
        (
            "params that are a number",
            r#"{"jsonrpc":"2.0","id":602,"method":"textDocument/hover","params":7}"#,
        ),
        ("a response with a fractional id", r#"{"jsonrpc":"2.0","id":2.5,"result":null}"#),
        (
            "a response with result and error",
            r#"{"jsonrpc":"2.0","id":3,"result":1,"error":{"code":1,"message":"x"}}"#,
        ),
        (
            "a notification with params that are a string",
            r#"{"jsonrpc":"2.0","method":"textDocument/didChange","params":"x"}"#,
        ),
    ] {
        client.send_raw(&frame(body));
        assert_alive(&mut client, what);
    }

    // Requests the server does not know, or with the wrong params.
    client.send_raw(&request_frame(json!("abc"), "scholion/noSuchThing", json!({})));
    expect_error(&mut client, -32601, json!("abc"), "an unknown method with a string id");
    client.send_raw(&request_frame(json!(603), "$/noSuchThing", json!({})));
    expect_error(&mut client, -32601, json!(603), "an unknown $/ request");
    client.notify("scholion/noSuchNotification", json!({"x": 1}));
    client.notify("$/noSuchNotification", json!({}));
    for (id, params) in [(604, json!([])), (605, json!("x")), (606, json!({})), (607, Value::Null)]
    {
        client.send_raw(&request_frame(json!(id), "textDocument/hover", params));
        expect_error(&mut client, -32602, json!(id), "hover with bad params");
    }
    // A response to a request the server never made.
    client.send_raw(&frame(r#"{"jsonrpc":"2.0","id":987654,"result":{"x":1}}"#));
    assert_alive(&mut client, "a stray response");

    // A header line without end: not buffered whole (64 MB of it), the stream recovers after.
    let mut junk = vec![b'x'; 64 << 20];
    junk.extend_from_slice(b"\r\n\r\n");
    client.send_raw(&junk);
    drop(junk);
    expect_error(&mut client, -32700, Value::Null, "a 64 MB header line");
    assert_alive(&mut client, "a 64 MB header line");
    assert_peak_below(&client, 100, "malformed frames");

    // A Content-Length over the limit is refused at once; what follows is its body, so only
    // closing the stream ends it, and then the server exits.
    client.send_raw(b"Content-Length: 999999999999\r\n\r\n{");
    let reply = expect_error(&mut client, -32600, Value::Null, "an oversized Content-Length");
    assert!(reply["error"]["message"].as_str().unwrap_or("").contains("over the limit"));
    client.close_stdin();
    assert!(client.wait_exit().code().is_some());
}

fn frame_bytes(body: &[u8]) -> Vec<u8> {
    let mut bytes = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

#[test]
fn truncated_frames_then_end_of_input_end_the_server() {
    for (what, tail) in [
        ("a truncated body", &b"Content-Length: 100\r\n\r\n{\"jsonrpc\""[..]),
        ("a header without its body", b"Content-Length: 52\r\n\r\n"),
        ("half a header", b"Content-Len"),
        ("an unfinished header block", b"Content-Length: 10\r\n"),
    ] {
        let mut client = start(None, false, Value::Null);
        client.open(URI, "tekst");
        assert_alive(&mut client, what);
        client.send_raw(tail);
        assert_peak_below(&client, 100, what);
        let closed = Instant::now();
        client.close_stdin();
        let status = client.wait_exit();
        assert!(status.code().is_some(), "{what}: {status:?}");
        assert!(
            closed.elapsed() < Duration::from_secs(10),
            "{what}: exit took {:.1?}",
            closed.elapsed()
        );
    }
}

#[test]
fn lifecycle_misuse_gets_clear_errors() {
    // Notifications before `initialize` are dropped, requests refused.
    let mut client = start_uninitialized();
    client.open(URI, "te vroeg");
    let response = client.request_raw("textDocument/hover", at(URI, 0, 0));
    assert_eq!(error_code(&response), -32002, "{response}");
    client.handshake(capabilities(false), None, Value::Null);
    let response =
        client.request_raw("scholion/documentText", json!({"textDocument": {"uri": URI}}));
    assert!(response["error"]["message"].as_str().unwrap_or("").contains("unknown document"));
    // A second `initialize` is refused; the session goes on.
    let again = client.request_raw("initialize", json!({"processId": null, "capabilities": {}}));
    assert!(again["error"].is_object(), "{again}");
    client.open(URI, "tekst");
    assert_alive(&mut client, "a second initialize");
    // After `shutdown`: requests refused, notifications ignored, a second shutdown refused.
    client.request("shutdown", Value::Null);
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": "file:///tmp/x.txt",
        "languageId": "plaintext", "version": 1, "text": "x"}}),
    );
    let response = client.request_raw("textDocument/hover", at(URI, 0, 0));
    assert!(response["error"].is_object(), "{response}");
    let response = client.request_raw("shutdown", Value::Null);
    assert!(response["error"].is_object(), "{response}");
    assert_peak_below(&client, 100, "lifecycle misuse");
    client.notify("exit", Value::Null);
    assert_eq!(client.wait_exit().code(), Some(0), "exit after shutdown");

    // `exit` without `shutdown`: the process ends with code 1, as the specification asks.
    let mut client = start(None, false, Value::Null);
    client.open(URI, "tekst");
    assert_alive(&mut client, "open");
    client.notify("exit", Value::Null);
    assert_eq!(client.wait_exit().code(), Some(1), "exit without shutdown");
}

fn start_uninitialized() -> Client {
    Client::start_capturing_log(&[("SCHOLION_LOG", "scholion=info")])
}
