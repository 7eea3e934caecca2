//! The workspace index through the protocol: discovery with progress, watched files, the
//! file watcher registration, and pull diagnostics for files that are not open.

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
    assert_eq!(workspace_uris(&mut client), expected);

    // An open document is served from the editor's text, also for the workspace report.
    client.open(&c, "Gewijzigd in de editor.\n");
    let (_, text) = client.server_text(&c);
    assert_eq!(text, "Gewijzigd in de editor.\n");
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
