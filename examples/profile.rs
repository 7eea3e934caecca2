//! Workloads for instruction counts (the README's callgrind figures), repeatable on any machine:
//!
//! ```sh
//! cargo build --release --example profile
//! # one-character edits of a generated 1 MB document, analysis only (20 rounds):
//! valgrind --tool=callgrind --toggle-collect='profile::edit_round' target/release/examples/profile edit
//! # a workspace scan (model and analysis) of the text files in a folder, e.g. the first 60
//! # files of `lsp_bench --dir /tmp/bench --generate-only`, smallest first:
//! valgrind --tool=callgrind target/release/examples/profile scan /tmp/bench/workspace 60
//! ```
//!
//! The scan's count includes loading the Dutch lexicon once (about 0.26 G instructions), which
//! the server does at start-up.
//!
//! Without valgrind both print their wall time (noisy on a shared machine).

#[path = "support/corpus.rs"]
mod corpus;

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use scholion::analysis::{DocumentAnalysis, PageCache, Revision};
use scholion::layout::LanguageModel;
use scholion::text::{SharedText, Unchanged};

const EDIT_ROUNDS: u32 = 20;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("edit") => edit(
            args.get(1).and_then(|n| n.parse().ok()).unwrap_or(EDIT_ROUNDS),
            args.get(2).and_then(|n| n.parse().ok()).unwrap_or(1.0),
        ),
        Some("findings") => findings(args.get(1).and_then(|n| n.parse().ok()).unwrap_or(1.0)),
        Some("scan") => {
            let Some(dir) = args.get(1) else { return usage() };
            let limit = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(usize::MAX);
            scan(Path::new(dir), limit);
        }
        _ => usage(),
    }
}

fn usage() {
    eprintln!("profile edit [ROUNDS [MB]] | profile findings [MB] | profile scan DIR [FILES]");
    std::process::exit(2);
}

/// Alternates between a document of `mb` MB (1 by default) and the same with one character
/// inserted in the middle, through one page cache, told what each edit changed as the server
/// is: what the server does after each keystroke, before findings.
fn edit(rounds: u32, mb: f64) {
    let seeds = corpus::Seeds::load(Path::new(env!("CARGO_MANIFEST_DIR")));
    let text = seeds.document((mb * 1024.0 * 1024.0) as usize, 2, 0);
    let model = LanguageModel::from_text(&text);
    let mut edited = text.clone();
    let at = (text.len() / 2..).find(|&i| text.is_char_boundary(i)).unwrap_or(0);
    edited.insert(at, 'e');
    // Inserting the `e` and deleting it leave the same ends.
    let unchanged = Unchanged { prefix: at, suffix: text.len() - at };
    let (text, edited): (SharedText, SharedText) = (text.into(), edited.into());
    let mut cache = PageCache::default();
    let first = Revision { version: 0, unchanged_since: &|_| None };
    drop(DocumentAnalysis::with_cache_at(&text, &model, &mut cache, Some(first)));
    let started = Instant::now();
    for round in 0..rounds {
        let current = if round % 2 == 0 { &edited } else { &text };
        let version = round as i32 + 1;
        std::hint::black_box(edit_round(current, &model, &mut cache, version, unchanged));
    }
    println!("{:?} per edit", started.elapsed() / rounds.max(1));
}

/// The findings of an analysed document of `mb` MB (as after an edit), 20 times, with the
/// default settings and a few acronyms defined.
fn findings(mb: f64) {
    let seeds = corpus::Seeds::load(Path::new(env!("CARGO_MANIFEST_DIR")));
    let text: SharedText = seeds.document((mb * 1024.0 * 1024.0) as usize, 2, 0).into();
    let model = LanguageModel::from_text(&text);
    let analysis = DocumentAnalysis::with_cache(&text, &model, &mut PageCache::default());
    let config = scholion::config::Config::default();
    let is_defined = |short: &str| matches!(short, "MIVD" | "AIVD" | "NAVO" | "JSCU");
    let started = Instant::now();
    for _ in 0..20 {
        std::hint::black_box(findings_round(&text, &analysis, &is_defined, &config));
    }
    println!("{:?} per findings", started.elapsed() / 20);
}

#[inline(never)]
fn findings_round(
    text: &str,
    analysis: &DocumentAnalysis,
    is_defined: scholion::analysis::IsDefined,
    config: &scholion::config::Config,
) -> usize {
    scholion::analysis::findings(text, analysis, is_defined, config).len()
}

#[inline(never)]
fn edit_round(
    text: &SharedText,
    model: &LanguageModel,
    cache: &mut PageCache,
    version: i32,
    unchanged: Unchanged,
) -> Arc<DocumentAnalysis> {
    let since = |v: i32| (v == version - 1).then_some(unchanged);
    let revision = Revision { version, unchanged_since: &since };
    DocumentAnalysis::with_cache_at(text, model, cache, Some(revision))
}

/// The workspace scan's work on the `limit` smallest text files of `dir`: one language model
/// over all of them, then every file analysed with it, on all cores.
fn scan(dir: &Path, limit: usize) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        eprintln!("{}: not a readable folder", dir.display());
        std::process::exit(2);
    };
    let mut texts: Vec<SharedText> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .filter_map(|p| std::fs::read_to_string(p).ok().map(Arc::new))
        .collect();
    texts.sort_by_key(|t| t.len());
    texts.truncate(limit);
    let bytes: usize = texts.iter().map(|t| t.len()).sum();
    let started = Instant::now();
    let model = Arc::new(scholion::workspace::build_model(texts.iter().map(|t| t.as_str())));
    let counted = started.elapsed();
    let jobs: Vec<_> = texts.iter().map(|t| (t.clone(), Some(model.clone()))).collect();
    let analyses = scholion::workspace::analyze_all(&jobs);
    println!(
        "{} files, {:.1} MB: model {counted:?}, all {:?}",
        analyses.len(),
        bytes as f64 / 1e6,
        started.elapsed()
    );
}
