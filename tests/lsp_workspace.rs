//! The workspace index through the protocol: discovery with progress, watched files, the
//! file watcher registration, and pull diagnostics for files that are not open.

#[path = "support/layout_pages.rs"]
mod layout_pages;
mod support;

use std::fs;

use serde_json::{json, Value};
use support::{file_uri, Client};

fn pull_capabilities() -> Value {
    json!({
        "general": {"positionEncodings": ["utf-16"]},
        "window": {"workDoneProgress": true},
        "workspace": {
            "didChangeWatchedFiles": {"dynamicRegistration": true},
            "diagnostics": {"refreshSupport": true},
            "configuration": true
        },
        "textDocument": {"diagnostic": {"dynamicRegistration": false}}
    })
}

/// Polls the workspace report until it lists `expected` (a refresh notification alone could be
/// the one sent after the initial scan).
fn wait_for_workspace_uris(client: &mut Client, expected: &[String]) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let uris = workspace_uris(client);
        if uris == expected {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "workspace report {uris:?}, expected {expected:?}"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

fn workspace_uris(client: &mut Client) -> Vec<String> {
    let report = client.request("workspace/diagnostic", json!({"previousResultIds": []}));
    let mut uris: Vec<String> = report["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["uri"].as_str().unwrap().to_string())
        .collect();
    uris.sort();
    uris
}

#[test]
fn indexes_the_workspace_with_progress_and_follows_file_changes() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::create_dir_all(root.join("sub dir")).unwrap();
    fs::write(root.join("a.txt"), "Eerste pagina.\n").unwrap();
    fs::write(root.join("sub dir/b ü.txt"), "Tweede pagina.\n").unwrap();
    fs::write(root.join("notes.md"), "not included\n").unwrap();
    fs::write(root.join("binary.txt"), b"\0\x01\x02").unwrap();
    fs::write(root.join("latin1.txt"), b"caf\xe9\n").unwrap();
    fs::write(root.join("empty.txt"), "").unwrap();

    let (mut client, result) = Client::initialized(pull_capabilities(), Some(root));
    assert_eq!(result["capabilities"]["diagnosticProvider"]["workspaceDiagnostics"], true);

    // The server registers a watcher and reports indexing progress until it ends.
    let registration = client
        .wait_for(|m| m["method"] == "client/registerCapability")
        .expect("watcher registration");
    assert_eq!(
        registration["params"]["registrations"][0]["method"],
        "workspace/didChangeWatchedFiles"
    );
    let end = client
        .wait_for(|m| m["method"] == "$/progress" && m["params"]["value"]["kind"] == "end")
        .expect("progress end");
    let message = end["params"]["value"]["message"].as_str().unwrap();
    assert_eq!(message, "indexed 3 files, skipped 2", "{message}");

    let a = file_uri(&root.join("a.txt"));
    let b = file_uri(&root.join("sub dir/b ü.txt"));
    let empty = file_uri(&root.join("empty.txt"));
    let mut expected = vec![a.clone(), b.clone(), empty.clone()];
    expected.sort();
    assert_eq!(workspace_uris(&mut client), expected);

    // A pulled report for an unopened file works; an unknown one is an error.
    let report = client.request("textDocument/diagnostic", json!({"textDocument": {"uri": a}}));
    assert_eq!(report["kind"], "full");
    let unknown = client.request_raw(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": file_uri(&root.join("nope.txt"))}}),
    );
    assert!(unknown["error"].is_object());

    // Deleted and created files, told through didChangeWatchedFiles.
    fs::remove_file(root.join("a.txt")).unwrap();
    fs::write(root.join("c.txt"), "Derde.\n").unwrap();
    let c = file_uri(&root.join("c.txt"));
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": a, "type": 3}, {"uri": c, "type": 1}]}),
    );
    client.wait_for(|m| m["method"] == "workspace/diagnostic/refresh").expect("refresh");
    let mut expected = vec![b.clone(), c.clone(), empty.clone()];
    expected.sort();
    wait_for_workspace_uris(&mut client, &expected);

    // An open document is served from the editor's text, also for the workspace report.
    client.open(&c, "Gewijzigd in de editor.\n");
    let (_, text) = client.server_text(&c);
    assert_eq!(text, "Gewijzigd in de editor.\n");
    // Closed again, the file on disk is what the workspace knows.
    client.notify("textDocument/didClose", json!({"textDocument": {"uri": c}}));
    client
        .wait_for(|m| m["method"] == "workspace/diagnostic/refresh")
        .expect("refresh after close");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let (version, text) = client.server_text(&c);
        if (version.clone(), text.as_str()) == (Value::Null, "Derde.\n") {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "still {version} {text:?} after close");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(client.shutdown().success());
}

/// Files are put into the index as they are analysed, a group at a time, by several threads:
/// progress still counts every file once and only goes up.
#[test]
fn scan_progress_counts_every_file_once_and_only_goes_up() {
    const FILES: usize = 150; // more than a read batch (64) and many groups
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for i in 0..FILES {
        let text = format!("Pagina {i} van de Algemene Inlichtingen- en Veiligheidsdienst.\n");
        fs::write(root.join(format!("doc-{i:03}.txt")), text).unwrap();
    }
    let (mut client, _) = Client::initialized(pull_capabilities(), Some(root));
    let mut reports = Vec::new();
    let end = client
        .wait_for(|m| {
            let value = &m["params"]["value"];
            if m["method"] == "$/progress" && value["kind"] == "report" {
                reports.push(value.clone());
            }
            m["method"] == "$/progress" && value["kind"] == "end"
        })
        .expect("progress end");
    let summary = format!("indexed {FILES} files, skipped 0");
    assert_eq!(end["params"]["value"]["message"], summary.as_str());
    let percents: Vec<u64> = reports.iter().filter_map(|r| r["percentage"].as_u64()).collect();
    assert!(percents.windows(2).all(|w| w[0] <= w[1]) && percents.iter().all(|&p| p <= 100));
    let analysed: Vec<usize> = reports
        .iter()
        .filter_map(|r| r["message"].as_str()?.strip_prefix("analysed ")?.split('/').next())
        .filter_map(|n| n.parse().ok())
        .collect();
    assert!(analysed.windows(2).all(|w| w[0] < w[1]), "{analysed:?}");
    assert_eq!(analysed.last(), Some(&FILES), "{analysed:?}");
    assert_eq!(workspace_uris(&mut client).len(), FILES);
    assert!(client.shutdown().success());
}

#[test]
fn configuration_include_globs_are_pulled_from_the_client() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::write(root.join("a.txt"), "tekst\n").unwrap();
    fs::write(root.join("b.md"), "tekst\n").unwrap();
    let mut client = Client::start();
    client.settings = json!({"include": ["**/*.md"]});
    let root_uri = file_uri(root);
    client.request(
        "initialize",
        json!({"processId": null, "rootUri": root_uri, "capabilities": pull_capabilities()}),
    );
    client.notify("initialized", json!({}));
    client
        .wait_for(|m| m["method"] == "$/progress" && m["params"]["value"]["kind"] == "end")
        .expect("progress end");
    assert_eq!(workspace_uris(&mut client), vec![file_uri(&root.join("b.md"))]);
    assert!(client.shutdown().success());
}

fn push_capabilities() -> Value {
    json!({
        "general": {"positionEncodings": ["utf-16"]},
        "window": {"workDoneProgress": true},
        "workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}
    })
}

fn wait_indexed(client: &mut Client) {
    client
        .wait_for(|m| m["method"] == "$/progress" && m["params"]["value"]["kind"] == "end")
        .expect("indexing finishes");
}

fn codes(diagnostics: &[Value]) -> Vec<String> {
    diagnostics.iter().filter_map(|d| d["code"].as_str().map(str::to_string)).collect()
}

#[test]
fn workspace_glossary_explains_acronyms_and_is_reloaded_when_it_changes() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::create_dir_all(root.join(".scholion")).unwrap();
    let glossary = root.join(".scholion/glossary.toml");
    fs::write(&glossary, "# ons team\n[QRXT]\nexpansion = \"Quasi Reële Xenon Test\"\n").unwrap();
    let doc = root.join("doc.txt");
    let text = "De QRXT werkt samen met de ZWPK.\n";
    fs::write(&doc, text).unwrap();
    let (mut client, _) = Client::initialized(push_capabilities(), Some(root));
    wait_indexed(&mut client);
    let uri = file_uri(&doc);
    client.open(&uri, text);
    let diagnostics = client.diagnostics_for(&uri, Some(1));
    let undefined: Vec<&str> = diagnostics
        .iter()
        .filter(|d| d["code"] == "undefined-acronym")
        .filter_map(|d| d["message"].as_str())
        .collect();
    assert_eq!(undefined.len(), 1, "{undefined:?}");
    assert!(undefined[0].contains("ZWPK"));

    let at = json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 4}});
    let hover = client.request("textDocument/hover", at.clone());
    assert!(
        hover["contents"]["value"].as_str().unwrap().contains("Quasi Reële Xenon Test"),
        "{hover}"
    );
    let definition = client.request("textDocument/definition", at.clone());
    assert_eq!(definition["uri"], file_uri(&glossary), "{definition}");
    assert_eq!(definition["range"]["start"]["line"], 1);

    // The glossary loses the entry: after the watched-file notice QRXT is undefined too.
    fs::write(&glossary, "[ANDERS]\nexpansion = \"Iets anders\"\n").unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": file_uri(&glossary), "type": 2}]}),
    );
    let mut undefined = 0;
    for _ in 0..5 {
        let diagnostics = client.diagnostics_for(&uri, Some(1));
        undefined = codes(&diagnostics).iter().filter(|c| *c == "undefined-acronym").count();
        if undefined == 2 {
            break;
        }
    }
    assert_eq!(undefined, 2);
    assert!(client.shutdown().success());
}

#[test]
fn huge_lines_empty_files_and_files_deleted_while_open() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    // A 1 MB single line with an acronym defined at its very end.
    let mut long_line = "woord ".repeat(180_000);
    long_line.push_str("de Lange Regel Dienst (LRD) en 😀 de LRD");
    fs::write(root.join("long.txt"), &long_line).unwrap();
    fs::write(root.join("empty.txt"), "").unwrap();
    let doomed = root.join("doomed.txt");
    fs::write(&doomed, "Tijdelijk.\n").unwrap();
    let (mut client, _) = Client::initialized(push_capabilities(), Some(root));
    wait_indexed(&mut client);

    let long_uri = file_uri(&root.join("long.txt"));
    client.open(&long_uri, &long_line);
    let character = long_line.encode_utf16().count() - 1;
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": long_uri}, "position": {"line": 0, "character": character}}),
    );
    assert!(
        hover["contents"]["value"].as_str().unwrap_or("").contains("Lange Regel Dienst"),
        "{hover}"
    );

    let empty_uri = file_uri(&root.join("empty.txt"));
    client.open(&empty_uri, "");
    assert!(client.diagnostics_for(&empty_uri, Some(1)).is_empty());
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": empty_uri}, "position": {"line": 5, "character": 9}}),
    );
    assert_eq!(hover, Value::Null);

    // Deleted while open: the buffer still answers; after closing, the document is gone.
    let doomed_uri = file_uri(&doomed);
    client.open(&doomed_uri, "Tijdelijk.\n");
    fs::remove_file(&doomed).unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": doomed_uri, "type": 3}]}),
    );
    assert_eq!(client.server_text(&doomed_uri).1, "Tijdelijk.\n");
    client.notify("textDocument/didClose", json!({"textDocument": {"uri": doomed_uri}}));
    // The clearing publish carries no version (the document is closed).
    let cleared = client
        .wait_for(|m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == doomed_uri
                && m["params"]["version"].is_null()
        })
        .expect("diagnostics cleared on close");
    assert_eq!(cleared["params"]["diagnostics"], json!([]));
    let gone =
        client.request_raw("scholion/documentText", json!({"textDocument": {"uri": doomed_uri}}));
    assert!(gone["error"]["message"].as_str().unwrap_or("").contains("unknown document"), "{gone}");
    assert!(client.shutdown().success());
}

/// The texts of the seed pages.
fn seed_pages() -> Vec<String> {
    fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/seeds"))
        .unwrap()
        .map(|entry| fs::read_to_string(entry.unwrap().path()).unwrap())
        .collect()
}

/// The diagnostics of the next `publishDiagnostics` for `uri`.
fn next_diagnostics(client: &mut Client, uri: &str) -> Vec<Value> {
    let message = client
        .wait_for(|m| m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri)
        .expect("diagnostics");
    message["params"]["diagnostics"].as_array().cloned().unwrap_or_default()
}

/// A large workspace document opened after the scan indexed it: the first diagnostics come
/// from the start of the text alone (the summary cannot count the rest yet), then all of them
/// with the count; the shown ones do not change.
#[test]
fn a_large_indexed_document_shows_its_first_diagnostics_then_counts_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let seeds = seed_pages();
    // About 200 KB: seed pages, varied, with garbled words.
    let text: String = (0..60)
        .map(|n| {
            seeds[n % seeds.len()].replacen("dienst", &format!("dienst {n}"), 1).replacen(
                " de ",
                " Oekra\u{221a}\u{d8}ne ",
                3,
            )
        })
        .collect::<Vec<_>>()
        .join("\u{c}");
    let path = root.join("groot.txt");
    fs::write(&path, &text).unwrap();
    let uri = file_uri(&path);
    let mut client = Client::start();
    let capabilities = json!({"window": {"workDoneProgress": true}});
    client.handshake(capabilities, Some(root), json!({}));
    client
        .wait_for(|m| m["method"] == "$/progress" && m["params"]["value"]["kind"] == "end")
        .expect("progress end");
    client.open(&uri, &text);
    let (first, all) = (next_diagnostics(&mut client, &uri), next_diagnostics(&mut client, &uri));
    assert_eq!(first.len(), 501);
    assert_eq!(all.len(), 501);
    assert_eq!(first[..500], all[..500]);
    let summary = |d: &Value| (d["code"].clone(), d["range"].clone());
    assert_eq!(summary(&first[500]), summary(&all[500]));
    assert_eq!(first[500]["code"], "too-many-findings");
    let (uncounted, counted) =
        (first[500]["message"].as_str().unwrap(), all[500]["message"].as_str().unwrap());
    assert!(uncounted.starts_with("More findings are not shown"), "{uncounted}");
    let hidden: usize = counted.split(' ').next().unwrap().parse().expect(counted);
    assert!(hidden > 0, "{counted}");
}

/// `pages` seed pages, each varied (a page number in its text), joined by form feeds.
fn varied_seed_pages(pages: usize) -> String {
    let seeds = seed_pages();
    (0..pages)
        .map(|n| seeds[n % seeds.len()].replacen("dienst", &format!("dienst {n}"), 1))
        .collect::<Vec<_>>()
        .join("\u{c}")
}

/// A large document that nothing has analysed (outside any workspace) shows findings from its
/// first pages at once, then the complete ones, which hold every early one they reach (the
/// complete ones add undefined acronyms, which a later page could have defined).
#[test]
fn a_large_new_document_shows_early_diagnostics_then_the_complete_ones() {
    // About 300 KB.
    let text = varied_seed_pages(110);
    assert!(text.len() > 256 * 1024);
    let uri = "file:///tmp/scholion-early/groot.txt";
    let (mut client, _) = Client::initialized(json!({}), None);
    client.open(uri, &text);
    let (early, all) = (next_diagnostics(&mut client, uri), next_diagnostics(&mut client, uri));
    assert_eq!((early.len(), all.len()), (501, 501));
    let message = |d: &Value| d["message"].as_str().unwrap_or_default().to_string();
    assert!(message(&early[500]).starts_with("More findings are not shown"));
    assert!(message(&all[500]).split(' ').next().unwrap().parse::<usize>().is_ok());
    assert!(early.iter().all(|d| d["code"] != "undefined-acronym"));
    assert!(all.iter().any(|d| d["code"] == "undefined-acronym"));
    let start = |d: &Value| {
        (d["range"]["start"]["line"].as_u64(), d["range"]["start"]["character"].as_u64())
    };
    let reached = start(&all[499]);
    let within: Vec<&Value> = early[..500].iter().filter(|d| start(d) <= reached).collect();
    assert!(within.len() > 100, "{} early diagnostics within the complete ones", within.len());
    for d in within {
        assert!(all.contains(d), "early diagnostic missing from the complete ones: {d}");
    }
    assert!(client.shutdown().success());
}

/// A client that pulls diagnostics gets the early ones for a large new document, then is
/// asked to pull again and gets the complete ones.
#[test]
fn a_pulling_client_gets_early_diagnostics_then_a_refresh() {
    // About 1 MB: the whole analysis takes far longer than the early findings.
    let text = varied_seed_pages(330);
    let uri = "file:///tmp/scholion-early/pulled.txt";
    let (mut client, _) = Client::initialized(pull_capabilities(), None);
    client.open(uri, &text);
    let pull = |client: &mut Client| {
        let report =
            client.request("textDocument/diagnostic", json!({"textDocument": {"uri": uri}}));
        report["items"].as_array().cloned().unwrap_or_default()
    };
    let message = |d: &Value| d["message"].as_str().unwrap_or_default().to_string();
    let first = pull(&mut client);
    assert_eq!(first.len(), 501);
    if message(&first[500]).starts_with("More findings are not shown") {
        // Early: a refresh follows once the whole document is analysed.
        client.wait_for(|m| m["method"] == "workspace/diagnostic/refresh").expect("refresh");
    }
    let all = pull(&mut client);
    assert_eq!(all.len(), 501);
    assert!(message(&all[500]).split(' ').next().unwrap().parse::<usize>().is_ok());
    assert!(
        message(&first[500]).starts_with("More findings are not shown"),
        "the first pull came after the whole analysis: {}",
        message(&first[500])
    );
    assert!(client.shutdown().success());
}

/// A definition asked for while the scan runs is answered before the scan ends: the files
/// that may define the acronym are indexed ahead of the others.
#[test]
fn a_definition_asked_during_the_scan_is_indexed_ahead_of_it() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let seeds = seed_pages();
    // About 2 MB: long enough for a debug build to take seconds over it. The definition is in
    // the last file the scan would reach.
    for n in 0..80 {
        let mut text: String = (0..8)
            .map(|k| seeds[(n + k) % seeds.len()].replacen("dienst", &format!("dienst {n}.{k}"), 1))
            .collect::<Vec<_>>()
            .join("\u{c}");
        if n == 79 {
            text.push_str("\n\nHet Bureau Zeer Kritieke Wapenontwikkeling (BZKW) werkt samen.\n");
        }
        fs::write(root.join(format!("doc{n:02}.txt")), text).unwrap();
    }
    let mut client = Client::start_capturing_log(&[("SCHOLION_LOG", "scholion=debug")]);
    let capabilities = json!({"window": {"workDoneProgress": true}});
    client.handshake(capabilities, Some(root), json!({}));
    let uri = "untitled:vraag";
    client.open(uri, "Wat doet de BZKW precies?\n");
    let position = json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 12}});
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let answer = loop {
        let answer = client.request("textDocument/definition", position.clone());
        if !answer.is_null() {
            break answer;
        }
        assert!(std::time::Instant::now() < deadline, "no definition");
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let location = if answer.is_array() { answer[0].clone() } else { answer.clone() };
    assert!(location["uri"].as_str().unwrap_or_default().ends_with("doc79.txt"), "{answer}");
    let ended = client
        .notifications
        .iter()
        .any(|m| m["method"] == "$/progress" && m["params"]["value"]["kind"] == "end");
    assert!(!ended, "the definition came only with the end of the scan");
    client.log_containing("indexing 1 files ahead of the scan for BZKW");
}

/// Acronyms that no text explains, among diagnostics.
fn undefined_acronyms(diagnostics: &[Value]) -> Vec<String> {
    diagnostics
        .iter()
        .filter(|d| d["code"] == "undefined-acronym")
        .filter_map(|d| d["message"].as_str().map(str::to_string))
        .collect()
}

/// Another open document that starts or stops defining an acronym changes what this one
/// reports as undefined; one that changes nothing of the sort leaves it alone (no new
/// diagnostics for it).
#[test]
fn opening_or_closing_a_definition_updates_the_other_open_documents() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::write(root.join("notes.txt"), "Niets bijzonders hier.\n").unwrap();
    let (mut client, _) = Client::initialized(push_capabilities(), Some(root));
    wait_indexed(&mut client);
    let user = file_uri(&root.join("user.txt"));
    client.open(&user, "Het QXTG werkt samen met de marine.\n");
    let undefined = undefined_acronyms(&client.diagnostics_for(&user, Some(1)));
    assert!(undefined.iter().any(|m| m.contains("QXTG")), "{undefined:?}");

    // A document outside the workspace that defines the acronym, opened.
    let definer = "file:///elders/definer.txt";
    client.open(definer, "Het Quasi Xenon Team Gebied (QXTG) is opgericht.\n");
    let diagnostics = next_diagnostics(&mut client, &user);
    assert!(undefined_acronyms(&diagnostics).is_empty(), "{diagnostics:?}");

    // A document that explains nothing new, opened and closed: no new diagnostics for the
    // others.
    let other = "file:///elders/other.txt";
    client.notifications.clear();
    client.open(other, "De marine werkt samen met het QXTG.\n");
    client.diagnostics_for(other, Some(1));
    client.notify("textDocument/didClose", json!({"textDocument": {"uri": other}}));
    client
        .wait_for(|m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == other
        })
        .expect("the closed document's diagnostics cleared");
    // Time for anything else the closing would cause, then a round trip that collects it.
    std::thread::sleep(std::time::Duration::from_millis(300));
    client.server_text(&user);
    let republished: Vec<&Value> = client
        .notifications
        .iter()
        .filter(|m| m["method"] == "textDocument/publishDiagnostics")
        .collect();
    assert!(republished.is_empty(), "{republished:?}");

    // Closed, the definer no longer explains the acronym.
    client.notify("textDocument/didClose", json!({"textDocument": {"uri": definer}}));
    let undefined = undefined_acronyms(&next_diagnostics(&mut client, &user));
    assert!(undefined.iter().any(|m| m.contains("QXTG")), "{undefined:?}");
    assert!(client.shutdown().success());
}

/// A workspace document opened as the scan indexed it and edited at once: the edit starts
/// from the scan's analysis (its pages cut again, the pages next to the edit decoded again
/// where their paragraphs are merged anew), and its diagnostics equal those of the same text
/// analysed whole (closed and opened again).
#[test]
fn an_edit_right_after_opening_an_indexed_document_equals_a_whole_analysis() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    // Generated Dutch pages of two columns, where paragraphs run on across column and page
    // breaks (the seed pages' do not, next to these edits): the pages next to the edit are
    // decoded again.
    let (_, prose, style) = layout_pages::generated_suites()[0];
    let text = layout_pages::generate(&layout_pages::prose(prose), style, 5, 3).text;
    let path = root.join("verslag.txt");
    fs::write(&path, &text).unwrap();
    let uri = file_uri(&path);
    let mut client = Client::start();
    client.handshake(push_capabilities(), Some(root), json!({}));
    wait_indexed(&mut client);
    client.open(&uri, &text);
    let before = client.diagnostics_for(&uri, Some(1));
    // A definition and a garbled word at the start of the fourth page.
    let at = text.match_indices('\u{c}').nth(2).map(|(i, _)| i + 1).unwrap();
    let inserted = "Het Team Xenon Gebied (TXG) meldt Oekra\u{221a}\u{d8}ne. ";
    let line = text[..at].matches('\n').count();
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let character: usize = text[line_start..at].chars().map(char::len_utf16).sum();
    let position = json!({"line": line, "character": character});
    client.notify(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": uri, "version": 2},
            "contentChanges": [{"range": {"start": position, "end": position}, "text": inserted}],
        }),
    );
    let edited = client.diagnostics_for(&uri, Some(2));
    let garbled = |d: &[Value]| codes(d).iter().filter(|c| *c == "garbled-character").count();
    assert_eq!(garbled(&edited), garbled(&before) + 1);
    let mut edited_text = text.clone();
    edited_text.insert_str(at, inserted);
    client.notify("textDocument/didClose", json!({"textDocument": {"uri": uri}}));
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "plaintext", "version": 3, "text": edited_text}}),
    );
    let whole = client.diagnostics_for(&uri, Some(3));
    assert_eq!(edited, whole);
    assert!(client.shutdown().success());
}

/// A document outside the workspace, closed and opened again at once with other text under
/// the version the first opening ended at, is analysed as a server that never saw the first
/// text would: nothing kept for the first opening (its pages, the texts kept for patching,
/// freed only a second after the close, nor the workspace model the scan counted it into)
/// plays a part.
#[test]
fn a_document_opened_again_with_other_text_is_analysed_anew() {
    let dir = tempfile::tempdir().unwrap();
    let uri = file_uri(&dir.path().join("notitie.txt"));
    let (_, prose, style) = layout_pages::generated_suites()[0];
    let first = layout_pages::generate(&layout_pages::prose(prose), style, 3, 5).text;
    // Shorter: the first's text could then hold all of it, were it taken for unchanged.
    let second = layout_pages::generate(&layout_pages::prose(prose), style, 2, 6).text;
    assert!(second.len() < first.len() && !first.starts_with(&second));
    let open = |client: &mut Client, uri: &str, version: i64, text: &str| {
        client.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "plaintext", "version": version, "text": text}}),
        );
        client.diagnostics_for(uri, Some(version))
    };
    let mut client = Client::start();
    client.handshake(push_capabilities(), None, json!({}));
    open(&mut client, &uri, 1, &first);
    let start = json!({"line": 2, "character": 0});
    client.notify(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": uri, "version": 2},
            "contentChanges": [{"range": {"start": start, "end": start}, "text": "Zie ook: "}],
        }),
    );
    client.diagnostics_for(&uri, Some(2));
    client.notify("textDocument/didClose", json!({"textDocument": {"uri": uri}}));
    let reopened = open(&mut client, &uri, 2, &second);
    assert!(client.shutdown().success());

    let mut fresh = Client::start();
    fresh.handshake(push_capabilities(), None, json!({}));
    assert_eq!(reopened, open(&mut fresh, &uri, 2, &second));
    assert!(fresh.shutdown().success());
}
