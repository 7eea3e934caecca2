//! Several client threads at once on one server: each thread edits its own document and, without
//! waiting for anything, asks about it and about a neighbour's document (text, hover,
//! diagnostics). Every answer must refer to the newest version the asking thread had sent:
//!
//! - `scholion/documentText` of its own document returns exactly its last version and text; of
//!   a neighbour's, a version never older than one seen before, with the text of that version;
//! - hover on its own acronym explains the acronym of its last version (each version defines
//!   a different one);
//! - pulled diagnostics name the undefined acronym of its last version (pull session);
//! - pushed diagnostics carry versions that never go backwards per document, each computed from
//!   the text of the version it carries, and the last one carries the final version (push
//!   session);
//! - at the end, every document on the server equals the last edits.
//!
//! Each version's first line encodes the version in two acronyms: one defined on the line
//! (`Bureau Centrum Dienst Fonds (BCDF)`), one left undefined (`QBCDF`), so that any answer
//! shows which version it was computed from.

mod support;

use std::collections::HashMap;
use std::thread;
use std::time::Instant;

use serde_json::{json, Value};
use support::SharedClient;

const THREADS: usize = 4;
const ROUNDS: usize = 250;

/// Letters of the version code, and a word starting with each for the long form.
const WORDS: [&str; 18] = [
    "Bureau",
    "Centrum",
    "Dienst",
    "Fonds",
    "Groep",
    "Huis",
    "Jeugdraad",
    "Kamer",
    "Loket",
    "Ministerie",
    "Netwerk",
    "Platform",
    "Raad",
    "Stichting",
    "Team",
    "Vereniging",
    "Werkgroep",
    "Zorg",
];

/// The words of thread `t`'s acronym at version `v`: one fixed per thread, three for `v`.
fn words(t: usize, v: i64) -> Vec<&'static str> {
    let v = v as usize;
    vec![WORDS[t * 4], WORDS[(v / 324) % 18], WORDS[(v / 18) % 18], WORDS[v % 18]]
}

fn acronym(t: usize, v: i64) -> String {
    words(t, v).iter().map(|w| &w[..1]).collect()
}

fn long_form(t: usize, v: i64) -> String {
    words(t, v).join(" ")
}

fn undefined(t: usize, v: i64) -> String {
    format!("Q{}", acronym(t, v))
}

/// The first line of thread `t`'s document at version `v`; the rest of the text is fixed.
fn first_line(t: usize, v: i64) -> String {
    format!(
        "Versie {v:05}: de {} ({}) werkt samen met de {} en de {}.",
        long_form(t, v),
        acronym(t, v),
        acronym(t, v),
        undefined(t, v)
    )
}

fn text(t: usize, v: i64) -> String {
    format!("{}\nTweede regel van document {t}.\nDerde regel, zonder meer.\n", first_line(t, v))
}

fn uri(t: usize) -> String {
    format!("file:///tmp/scholion-concurrency/doc-{t}.txt")
}

/// The version a document's text says it is.
fn version_in(text: &str) -> i64 {
    text.strip_prefix("Versie ")
        .and_then(|rest| rest.get(..5))
        .and_then(|digits| digits.parse().ok())
        .unwrap_or_else(|| panic!("no version in {text:?}"))
}

/// Deterministic per-thread choices.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

fn capabilities(pull: bool) -> Value {
    let mut caps = json!({"general": {"positionEncodings": ["utf-16"]}});
    if pull {
        caps["textDocument"] = json!({"diagnostic": {"dynamicRegistration": false}});
    }
    caps
}

/// One thread's work on document `t`; returns its final version.
fn work(client: &SharedClient, t: usize, pull: bool) -> i64 {
    let mut rng = Rng(0x9E37_79B9 + t as u64 * 7919);
    let me = uri(t);
    let neighbour = (t + 1) % THREADS;
    let mut version = 1;
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": me, "languageId": "plaintext", "version": 1, "text": text(t, 1)}}),
    );
    let mut neighbour_seen = 0;
    for _ in 0..ROUNDS {
        // One to three edits, sent without waiting; some notifications carry two changes.
        for _ in 0..1 + rng.below(3) {
            let old = first_line(t, version);
            version += 1 + rng.below(2) as i64;
            let mut changes = vec![json!({
                "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": old.len()}},
                "text": first_line(t, version),
            })];
            if rng.below(3) == 0 {
                // The same line replaced in two steps: deleted, then written.
                changes = vec![
                    json!({"range": {"start": {"line": 0, "character": 0},
                        "end": {"line": 0, "character": old.len()}}, "text": ""}),
                    json!({"range": {"start": {"line": 0, "character": 0},
                        "end": {"line": 0, "character": 0}}, "text": first_line(t, version)}),
                ];
            }
            client.notify(
                "textDocument/didChange",
                json!({"textDocument": {"uri": me, "version": version}, "contentChanges": changes}),
            );
        }
        match rng.below(4) {
            0 => {
                let (v, text_now) = client.server_text(&me);
                assert_eq!((v, text_now), (json!(version), text(t, version)), "thread {t}");
            }
            1 => {
                // Hover on the second use of this version's acronym.
                let line = first_line(t, version);
                let character = line.rfind(&format!(" {} ", acronym(t, version))).unwrap() + 2;
                let hover = client.request(
                    "textDocument/hover",
                    json!({"textDocument": {"uri": me}, "position": {"line": 0, "character": character}}),
                );
                let shown = hover["contents"]["value"].as_str().unwrap_or_default();
                assert!(
                    shown.contains(&long_form(t, version)),
                    "thread {t} v{version}: hover {shown:?}"
                );
            }
            2 => {
                let response = client.request_raw(
                    "scholion/documentText",
                    json!({"textDocument": {"uri": uri(neighbour)}}),
                );
                if response["error"].is_object() {
                    assert_eq!(neighbour_seen, 0, "doc {neighbour} was open: {response}");
                    continue; // not opened yet
                }
                let v = response["result"]["version"].as_i64().expect("an open document");
                let text_now = response["result"]["text"].as_str().unwrap_or_default();
                assert!(v >= neighbour_seen, "thread {t}: doc {neighbour} went back to v{v}");
                assert_eq!(version_in(text_now), v, "text and version of doc {neighbour}");
                assert_eq!(text_now, text(neighbour, v));
                neighbour_seen = v;
            }
            _ if pull => {
                let report =
                    client.request("textDocument/diagnostic", json!({"textDocument": {"uri": me}}));
                let messages: Vec<&str> = report["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|d| d["code"] == "undefined-acronym")
                    .filter_map(|d| d["message"].as_str())
                    .collect();
                assert_eq!(messages.len(), 1, "thread {t} v{version}: {messages:?}");
                assert!(
                    messages[0].contains(&format!("`{}`", undefined(t, version))),
                    "thread {t} v{version}: {messages:?}"
                );
            }
            _ => {
                // Hover on the neighbour's document: any answer, never an error.
                let hover = client.request_raw(
                    "textDocument/hover",
                    json!({"textDocument": {"uri": uri(neighbour)}, "position": {"line": 0, "character": 30}}),
                );
                let unknown = hover["error"]["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("unknown document"));
                assert!(
                    hover["result"].is_object() || hover["result"].is_null() || unknown,
                    "{hover}"
                );
            }
        }
    }
    version
}

fn run(pull: bool) {
    let started = Instant::now();
    let (client, _) = SharedClient::initialized(capabilities(pull), None);
    let finals: Vec<i64> = thread::scope(|scope| {
        let workers: Vec<_> = (0..THREADS)
            .map(|t| {
                scope.spawn({
                    let c = &client;
                    move || work(c, t, pull)
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().expect("worker thread")).collect()
    });
    // The final state equals the last edits.
    for (t, &version) in finals.iter().enumerate() {
        assert_eq!(client.server_text(&uri(t)), (json!(version), text(t, version)));
    }
    if !pull {
        // Every document's diagnostics arrive for its final version ...
        let all_final = client.wait_notifications(|seen| {
            finals.iter().enumerate().all(|(t, &version)| {
                seen.iter().any(|m| {
                    m["method"] == "textDocument/publishDiagnostics"
                        && m["params"]["uri"] == uri(t)
                        && m["params"]["version"] == version
                })
            })
        });
        assert!(all_final, "some document never got diagnostics for its final version");
        // ... and, in arrival order, never go back, each computed from the text it names.
        let mut last: HashMap<String, i64> = HashMap::new();
        let mut publishes = 0;
        for m in client.notifications() {
            if m["method"] != "textDocument/publishDiagnostics" {
                continue;
            }
            let doc = m["params"]["uri"].as_str().unwrap().to_string();
            let t = (0..THREADS).find(|&t| uri(t) == doc).unwrap();
            let version = m["params"]["version"].as_i64().expect("a version");
            let previous = last.insert(doc.clone(), version).unwrap_or(0);
            assert!(version >= previous, "{doc}: v{version} published after v{previous}");
            let named = format!("`{}`", undefined(t, version));
            let diagnostics = m["params"]["diagnostics"].as_array().unwrap();
            assert!(
                diagnostics.iter().any(|d| d["message"].as_str().unwrap_or("").contains(&named)),
                "{doc} v{version}: diagnostics not of that version: {diagnostics:?}"
            );
            publishes += 1;
        }
        println!("{publishes} diagnostics published");
    }
    println!(
        "{} session: {THREADS} threads x {ROUNDS} rounds, final versions {finals:?}, {:.1?}",
        if pull { "pull" } else { "push" },
        started.elapsed()
    );
    assert!(client.shutdown().success());
}

#[test]
fn threads_editing_and_asking_in_a_push_session() {
    run(false);
}

#[test]
fn threads_editing_and_asking_in_a_pull_session() {
    run(true);
}
