//! The server through its protocol: lifecycle, capabilities, document sync in every position
//! encoding, and bad input. Each test starts the real binary.

mod support;

use serde_json::{json, Value};
use support::{capabilities_with_encodings, frame, Client};

const URI: &str = "file:///tmp/scholion-test/doc.txt";

/// Column of byte offset `byte` in `line`, in the units of `encoding`.
fn column(line: &str, byte: usize, encoding: &str) -> usize {
    let prefix = &line[..byte];
    match encoding {
        "utf-8" => prefix.len(),
        "utf-16" => prefix.encode_utf16().count(),
        _ => prefix.chars().count(),
    }
}

fn change(version: i64, range: Option<[[usize; 2]; 2]>, text: &str) -> Value {
    let change = match range {
        Some([[sl, sc], [el, ec]]) => json!({
            "range": {"start": {"line": sl, "character": sc}, "end": {"line": el, "character": ec}},
            "text": text,
        }),
        None => json!({"text": text}),
    };
    json!({"textDocument": {"uri": URI, "version": version}, "contentChanges": [change]})
}

#[test]
fn initialize_advertises_incremental_sync_and_negotiates_encoding() {
    for (offered, expected) in [
        (vec!["utf-16", "utf-8"], "utf-8"),
        (vec![], "utf-16"),
        (vec!["utf-32"], "utf-32"),
        (vec!["utf-16"], "utf-16"),
    ] {
        let (client, result) = Client::initialized(capabilities_with_encodings(&offered), None);
        let caps = &result["capabilities"];
        assert_eq!(caps["positionEncoding"], expected, "offered {offered:?}");
        assert_eq!(caps["textDocumentSync"]["change"], 2, "incremental sync");
        assert_eq!(caps["textDocumentSync"]["openClose"], true);
        assert!(caps["codeActionProvider"].is_object());
        assert_eq!(result["serverInfo"]["name"], "scholion");
        assert!(client.shutdown().success());
    }
}

#[test]
fn edits_with_non_bmp_text_and_crlf_in_each_encoding() {
    for encoding in ["utf-8", "utf-16", "utf-32"] {
        let (mut client, _) = Client::initialized(capabilities_with_encodings(&[encoding]), None);
        let text = "a😀b𝔘c\r\nïx\rlast";
        client.open(URI, text);
        // Replace `b` (after 😀) with `B`.
        let line0 = "a😀b𝔘c";
        let b = line0.find('b').unwrap();
        let col = column(line0, b, encoding);
        client.notify("textDocument/didChange", change(2, Some([[0, col], [0, col + 1]]), "B"));
        // Insert after `ï` on line 1.
        let col = column("ïx", "ï".len(), encoding);
        client.notify("textDocument/didChange", change(3, Some([[1, col], [1, col]]), "😀"));
        // Join line 0 and line 1 across the CRLF: from after `c` to the start of line 1.
        let c_end = column(line0, line0.len(), encoding);
        client.notify("textDocument/didChange", change(4, Some([[0, c_end], [1, 0]]), " "));
        let (version, server) = client.server_text(URI);
        assert_eq!(version, 4);
        assert_eq!(server, "a😀B𝔘c ï😀x\rlast", "encoding {encoding}");
        assert!(client.shutdown().success());
    }
}

#[test]
fn a_thousand_changes_sent_without_waiting_arrive_in_order() {
    let (mut client, _) = Client::initialized(capabilities_with_encodings(&["utf-16"]), None);
    client.open(URI, "");
    let mut expected = String::new();
    let mut batch = Vec::new();
    for i in 0..1000 {
        // Append at the end of the last line: its UTF-16 length.
        let piece = match i % 4 {
            0 => "😀".to_string(),
            1 => format!("{i} "),
            2 => "ï".to_string(),
            _ => "\r\n".to_string(),
        };
        let lines: Vec<&str> = expected.split("\r\n").collect();
        let last = lines.len() - 1;
        let col = lines[last].encode_utf16().count();
        let body = json!({"jsonrpc": "2.0", "method": "textDocument/didChange",
            "params": change(i + 2, Some([[last, col], [last, col]]), &piece)});
        batch.extend(frame(&body.to_string()));
        expected.push_str(&piece);
    }
    client.send_raw(&batch);
    let (version, server) = client.server_text(URI);
    assert_eq!(version, 1001);
    assert_eq!(server, expected);
    assert!(client.shutdown().success());
}

#[test]
fn bad_input_gets_errors_and_the_server_keeps_serving() {
    let (mut client, _) = Client::initialized(capabilities_with_encodings(&["utf-16"]), None);
    client.open(URI, "short\n");
    // Out-of-range positions are clamped to the end of the line / text.
    client.notify("textDocument/didChange", change(2, Some([[0, 500], [99, 0]]), "!"));
    assert_eq!(client.server_text(URI).1, "short!");
    // A stale version is ignored.
    client.notify("textDocument/didChange", change(2, Some([[0, 0], [0, 0]]), "X"));
    assert_eq!(client.server_text(URI).1, "short!");
    // Unknown document.
    let response = client.request_raw(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": "file:///nowhere/x.txt"},
               "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
               "context": {"diagnostics": []}}),
    );
    assert!(response["error"]["message"].as_str().unwrap().contains("unknown document"));
    // Malformed JSON and a message that is not JSON-RPC.
    client.send_raw(&frame("{this is not json"));
    let parse_error = client.wait_for(|m| m["error"]["code"] == -32700).expect("parse error reply");
    assert_eq!(parse_error["id"], Value::Null);
    client.send_raw(&frame(
        r#"{"jsonrpc":"2.0","id":77,"method":"textDocument/codeAction","params":{"bogus":1}}"#,
    ));
    let invalid = client.wait_for(|m| m["id"] == 77).expect("reply to bad params");
    assert!(invalid["error"].is_object());
    // An unknown method.
    let unknown = client.request_raw("scholion/noSuchThing", json!({}));
    assert_eq!(unknown["error"]["code"], -32601);
    // Still alive and correct.
    assert_eq!(client.server_text(URI).1, "short!");
    assert!(client.shutdown().success());
}

#[test]
fn requests_before_initialize_are_refused() {
    let mut client = Client::start();
    let response =
        client.request_raw("scholion/documentText", json!({"textDocument": {"uri": URI}}));
    assert_eq!(response["error"]["code"], -32002, "{response}");
    let result = client.request("initialize", json!({"processId": null, "capabilities": {}}));
    assert!(result["capabilities"].is_object());
    client.notify("initialized", json!({}));
    assert!(client.shutdown().success());
}

#[test]
fn requests_after_shutdown_are_refused_and_exit_is_clean() {
    let (mut client, _) = Client::initialized(json!({}), None);
    client.request("shutdown", Value::Null);
    let response =
        client.request_raw("scholion/documentText", json!({"textDocument": {"uri": URI}}));
    assert!(response["error"].is_object());
    client.notify("exit", Value::Null);
    assert!(client.wait_exit().success());
}

#[test]
fn a_vanished_client_ends_the_server() {
    let (mut client, _) = Client::initialized(json!({}), None);
    client.open(URI, "text");
    client.close_stdin();
    let status = client.wait_exit();
    assert!(status.code().is_some(), "exited on its own");
}
