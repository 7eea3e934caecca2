//! `scholion reflow` on disk: reading order on stdout, source ranges with `--json`, and word
//! statistics learnt from a folder with `--workspace`.

#[path = "support/layout_pages.rs"]
mod layout_pages;
mod support;

use std::fs;
use std::path::Path;
use std::process::Output;

use layout_pages::{generate, generated_suites, prose, sentence_score, split_prose};
use support::run_scholion as scholion;

fn stdout(output: &Output) -> String {
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout.clone()).expect("UTF-8 output")
}

#[test]
fn reflow_with_a_workspace_folder_reads_more_sentences_whole() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let (_, path, style) = generated_suites().into_iter().find(|s| s.0 == "dutch-2col").unwrap();
    let (blocks, workspace) = split_prose(&prose(path));
    // Other documents of the same kind: the half of the prose the generator does not lay out.
    fs::create_dir_all(root.join("corpus")).unwrap();
    fs::write(root.join("corpus/other.txt"), &workspace).unwrap();
    let (mut alone, mut with_folder, mut total) = (0, 0, 0);
    for seed in 0..4 {
        let g = generate(&blocks, style, 3, seed * 7919 + 17);
        let name = format!("corpus/page-{seed}.txt");
        fs::write(root.join(&name), &g.text).unwrap();
        let own = stdout(&scholion(root, &["reflow", &name]));
        let shared = stdout(&scholion(root, &["reflow", &name, "--workspace", "corpus"]));
        // Furniture is dropped and paragraphs are separated by blank lines.
        assert!(!own.contains("Jaarverslag van de Dienst"), "{own}");
        assert!(shared.contains("\n\n"));
        let (a, t) = sentence_score(&own, &g.sentences);
        alone += a;
        total += t;
        with_folder += sentence_score(&shared, &g.sentences).0;
    }
    println!("alone {alone}/{total}, with the folder {with_folder}/{total}");
    assert!(with_folder > alone, "alone {alone}, with the folder {with_folder} of {total}");
    assert!(with_folder * 100 >= total * 85, "with the folder {with_folder} of {total}");
}

#[test]
fn reflow_json_maps_paragraphs_back_to_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let text = fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds/003_6e6cbfc847bdfa0c.txt"),
    )
    .unwrap();
    fs::write(root.join("page.txt"), &text).unwrap();
    let out = stdout(&scholion(root, &["reflow", "page.txt", "--json"]));
    let value: serde_json::Value = serde_json::from_str(&out).unwrap();
    let paragraphs = value["paragraphs"].as_array().unwrap();
    assert!(paragraphs.len() > 5);
    for p in paragraphs {
        for range in p["source"].as_array().unwrap() {
            let (start, end) =
                (range[0].as_u64().unwrap() as usize, range[1].as_u64().unwrap() as usize);
            assert!(start <= end && end <= text.len());
            assert!(text.is_char_boundary(start) && text.is_char_boundary(end));
        }
    }
}

#[test]
fn reflow_reports_a_missing_workspace_folder() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::write(root.join("page.txt"), "Een korte pagina.\n").unwrap();
    let out = scholion(root, &["reflow", "page.txt", "--workspace", "nergens"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nergens: not a folder"));
    assert!(out.stdout.is_empty());
    let missing = scholion(root, &["reflow", "ontbreekt.txt"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("ontbreekt.txt"));
}
