//! Features through the protocol on a real workspace (the seeds and pages of our own): hover,
//! definition across documents, references, symbols, code actions.

mod support;

use std::fs;
use std::path::Path;

use serde_json::{json, Value};
use support::{file_uri, utf16_col, Client};

fn seeds_workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds");
    for entry in fs::read_dir(seeds).unwrap() {
        let path = entry.unwrap().path();
        fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
    }
    dir
}

fn start_indexed(root: &Path) -> Client {
    let caps =
        json!({"general": {"positionEncodings": ["utf-16"]}, "window": {"workDoneProgress": true}});
    let (mut client, _) = Client::initialized(caps, Some(root));
    client
        .wait_for(|m| m["method"] == "$/progress" && m["params"]["value"]["kind"] == "end")
        .expect("indexing finishes");
    client
}

fn position_of(text: &str, line: usize, needle: &str) -> Value {
    let line_text = text.lines().nth(line).unwrap();
    let byte = line_text.find(needle).unwrap_or_else(|| panic!("{needle} not on line {line}"));
    json!({"line": line, "character": utf16_col(line_text, byte) + 1})
}

fn hover_text(client: &mut Client, uri: &str, position: Value) -> String {
    let hover = client
        .request("textDocument/hover", json!({"textDocument": {"uri": uri}, "position": position}));
    hover["contents"]["value"].as_str().unwrap_or_default().to_string()
}

#[test]
fn hover_and_definition_of_an_acronym_defined_in_another_unopened_document() {
    let ws = seeds_workspace();
    let mut client = start_indexed(ws.path());
    let path = ws.path().join("003_6e6cbfc847bdfa0c.txt");
    let text = fs::read_to_string(&path).unwrap();
    let uri = file_uri(&path);
    client.open(&uri, &text);
    // MIVD on line 2 (index 1) is defined in seed 000, which is not open.
    let at = position_of(&text, 1, "MIVD");
    let hover = hover_text(&mut client, &uri, at.clone());
    assert!(hover.contains("Militaire Inlichtingen- en Veiligheidsdienst"), "{hover}");
    assert!(hover.contains("000_9189eb5902b93f6a.txt:"), "{hover}");
    let definition = client
        .request("textDocument/definition", json!({"textDocument": {"uri": uri}, "position": at}));
    let target = definition[0]["uri"].as_str().or(definition["uri"].as_str()).unwrap_or_default();
    assert!(target.ends_with("000_9189eb5902b93f6a.txt"), "{definition}");

    // References span several documents, with and without the declaration.
    let refs = |client: &mut Client, include: bool| {
        let result = client.request(
            "textDocument/references",
            json!({"textDocument": {"uri": uri}, "position": position_of(&text, 1, "MIVD"), "context": {"includeDeclaration": include}}),
        );
        result.as_array().cloned().unwrap_or_default()
    };
    let with = refs(&mut client, true);
    let without = refs(&mut client, false);
    assert!(with.len() > without.len(), "{} vs {}", with.len(), without.len());
    let docs: std::collections::BTreeSet<&str> =
        with.iter().filter_map(|l| l["uri"].as_str()).collect();
    assert_eq!(docs.len(), 3, "{docs:?}");

    // A glossary acronym hovers with its expansion and no text location.
    let hover = hover_text(&mut client, &uri, position_of(&text, 2, "NAVO"));
    assert!(hover.contains("Noord-Atlantische Verdragsorganisatie"), "{hover}");
    assert!(hover.contains("glossary"), "{hover}");

    // A long form written without its acronym names the acronym (across a line break).
    let line = text.lines().position(|l| l.starts_with("Netherlands Special")).unwrap();
    let hover = hover_text(&mut client, &uri, position_of(&text, line, "Cyber Unit"));
    assert!(hover.contains("JSCU"), "{hover}");

    // A named term links the documents that speak of it.
    let line = text.lines().position(|l| l.contains("Unit Contraproliferatie")).unwrap();
    let at = position_of(&text, line, "Contraproliferatie");
    let hover = hover_text(&mut client, &uri, at.clone());
    assert!(hover.contains("000_9189eb5902b93f6a.txt"), "{hover}");
    let mentions = client.request(
        "textDocument/references",
        json!({"textDocument": {"uri": uri}, "position": at, "context": {"includeDeclaration": true}}),
    );
    let docs: std::collections::BTreeSet<&str> =
        mentions.as_array().unwrap().iter().filter_map(|l| l["uri"].as_str()).collect();
    assert_eq!(docs.len(), 2, "{mentions}");

    // Document symbols include the definitions made in this document.
    let symbols =
        client.request("textDocument/documentSymbol", json!({"textDocument": {"uri": uri}}));
    let names: Vec<&str> =
        symbols.as_array().unwrap().iter().filter_map(|s| s["name"].as_str()).collect();
    assert!(names.contains(&"DCC") && names.contains(&"JISTARC"), "{names:?}");

    // Workspace symbols are fuzzy.
    let found = client.request("workspace/symbol", json!({"query": "jscu"}));
    assert!(found.as_array().unwrap().iter().any(|s| s["name"] == "JSCU"), "{found}");

    // The garbled word on line 8 is published as a diagnostic whose quick fix repairs it.
    let diagnostics = client.diagnostics_for(&uri, Some(1));
    let garbled = diagnostics
        .iter()
        .find(|d| d["code"] == "garbled-character")
        .unwrap_or_else(|| panic!("no garbled-character in {diagnostics:?}"));
    assert_eq!(garbled["range"]["start"]["line"], 7);
    let actions = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": garbled["range"], "context": {"diagnostics": []}}),
    );
    let fix = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| {
            a["kind"] == "quickfix"
                && a["isPreferred"] == true
                && a["diagnostics"][0]["code"] == "garbled-character"
        })
        .expect("a preferred quick fix");
    let edits = &fix["edit"]["changes"][uri.as_str()];
    assert_eq!(edits[0]["newText"], "Oekraïne");
    assert_eq!(edits[0]["range"], garbled["range"]);

    // The last words before a sentence break jump to where the sentence continues.
    let split = diagnostics
        .iter()
        .find(|d| d["code"] == "split-sentence")
        .unwrap_or_else(|| panic!("no split-sentence in {diagnostics:?}"));
    let continuation = &split["relatedInformation"][0]["location"];
    let jump = client.request(
        "textDocument/definition",
        json!({"textDocument": {"uri": uri}, "position": split["range"]["start"]}),
    );
    assert_eq!(&jump, continuation, "{split}");

    // "Fix all" applies every safe fix of the document, the garbled word among them.
    let fix_all = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": {"start": at_zero(), "end": at_zero()},
               "context": {"diagnostics": [], "only": ["source.fixAll.scholion"]}}),
    );
    let fix_all = fix_all.as_array().unwrap();
    assert_eq!(fix_all.len(), 1, "{fix_all:?}");
    assert_eq!(fix_all[0]["kind"], "source.fixAll.scholion");
    let edits = fix_all[0]["edit"]["changes"][uri.as_str()].as_array().unwrap();
    assert!(edits.iter().any(|e| e["newText"] == "Oekraïne"), "{edits:?}");

    // The reflow action is offered on a page.
    let actions = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": {"start": at_zero(), "end": at_zero()}, "context": {"diagnostics": []}}),
    );
    let titles: Vec<&str> =
        actions.as_array().unwrap().iter().filter_map(|a| a["title"].as_str()).collect();
    assert!(titles.contains(&"Reflow page into reading order"), "{titles:?}");
    assert!(client.shutdown().success());
}

fn at_zero() -> Value {
    json!({"line": 0, "character": 0})
}

/// A tiny deterministic generator for the random edits (no dependency needed).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, bound: usize) -> usize {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % bound.max(1)
    }
}

#[test]
fn after_300_random_utf16_edits_hover_finds_a_definition_on_the_last_line() {
    let (mut client, _) =
        Client::initialized(json!({"general": {"positionEncodings": ["utf-16"]}}), None);
    let uri = "file:///tmp/scholion-random/edits.txt";
    let mut text = String::from("Begin 😀 van het 𝔘 document.\nTweede regel met ï.\n");
    client.open(uri, &text);
    let pieces = ["a", "😀", "𝔘", "ï", " ", "\n", "woord ", "é"];
    let mut rng = Lcg(42);
    for version in 2..302 {
        // Pick a random character boundary, never inside the last line we add later.
        let boundaries: Vec<usize> =
            (0..=text.len()).filter(|&i| text.is_char_boundary(i)).collect();
        let start = boundaries[rng.next(boundaries.len())];
        let end_candidates: Vec<usize> =
            boundaries.iter().copied().filter(|&b| b >= start && b <= start + 8).collect();
        let end = end_candidates[rng.next(end_candidates.len())];
        let insert = pieces[rng.next(pieces.len())];
        let pos = |offset: usize| {
            let line = text[..offset].matches('\n').count();
            let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
            json!({"line": line, "character": text[line_start..offset].encode_utf16().count()})
        };
        let change = json!({"range": {"start": pos(start), "end": pos(end)}, "text": insert});
        client.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]}),
        );
        text.replace_range(start..end, insert);
    }
    // Append a definition on a new last line.
    let line = text.matches('\n').count();
    let col = text[text.rfind('\n').map_or(0, |i| i + 1)..].encode_utf16().count();
    let last = "\nDe Nationale Testdienst 😀 voor Toetsing (NTDT) werkt samen met de 𝔘 NTDT.";
    let change = json!({"range": {"start": {"line": line, "character": col}, "end": {"line": line, "character": col}}, "text": last});
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 400}, "contentChanges": [change]}),
    );
    text.push_str(last);
    assert_eq!(client.server_text(uri).1, text);
    let last_line = text.lines().last().unwrap();
    let byte = last_line.rfind("NTDT").unwrap();
    let hover = hover_text(
        &mut client,
        uri,
        json!({"line": line + 1, "character": utf16_col(last_line, byte) + 2}),
    );
    assert!(hover.contains("Nationale Testdienst"), "{hover}");
    assert!(client.shutdown().success());
}
