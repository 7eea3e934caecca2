//! Replays the fuzzers' committed inputs through the same checks the fuzz targets run, on stable
//! Rust and without cargo-fuzz: every file in `fuzz/corpus/<target>/` (the minimised corpora)
//! and `fuzz/regressions/<target>/` (inputs that once found a bug), plus any local
//! `fuzz/artifacts/<target>/` crash files (not committed). See README, Reliability.

#[path = "../fuzz/checks.rs"]
mod checks;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

fn inputs(target: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut files = Vec::new();
    for dir in ["corpus", "regressions", "artifacts"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir).join(target)) else {
            continue;
        };
        files.extend(entries.filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.is_file()));
    }
    files.sort();
    files
}

fn replay(target: &str) {
    let check = checks::TARGETS
        .iter()
        .find(|(name, _)| *name == target)
        .map(|(_, check)| *check)
        .expect("a known target");
    let files = inputs(target);
    let mut failed = Vec::new();
    for file in &files {
        let data = std::fs::read(file).expect("readable corpus file");
        if catch_unwind(AssertUnwindSafe(|| check(&data))).is_err() {
            failed.push(file.display().to_string());
        }
    }
    assert!(failed.is_empty(), "{target}: {} input(s) fail:\n{}", failed.len(), failed.join("\n"));
    eprintln!("{target}: {} inputs replayed", files.len());
}

#[test]
fn every_target_has_a_corpus() {
    for (target, _) in checks::TARGETS {
        assert!(!inputs(target).is_empty(), "no committed inputs for fuzz target `{target}`");
    }
}

#[test]
fn layout() {
    replay("layout");
}

#[test]
fn acronyms() {
    replay("acronyms");
}

#[test]
fn garbled() {
    replay("garbled");
}

#[test]
fn position() {
    replay("position");
}

#[test]
fn document() {
    replay("document");
}

#[test]
fn transport() {
    replay("transport");
}

#[test]
fn analysis() {
    replay("analysis");
}

#[test]
fn server() {
    replay("server");
}
