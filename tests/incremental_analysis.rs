//! An open document's analysis after edits (which reuses what each edit left unchanged, see
//! `src/analysis/incremental.rs`) equals a fresh analysis of the same text: layout, facts,
//! definitions and findings. Random edit sequences on documents cut into pages in each way
//! (form feeds, numbered running headers, one page), of two columns and one, in Dutch and
//! English; inserts include page breaks, running headers, line breaks, hyphenated breaks,
//! definitions and non-BMP characters.

#[path = "support/layout_pages.rs"]
mod common;

use std::sync::Arc;

use proptest::prelude::*;
use scholion::analysis::{self, DocumentAnalysis, PageCache};
use scholion::config::Config;
use scholion::finding::Finding;
use scholion::layout::LanguageModel;
use scholion::text::Unchanged;

/// Inserted texts: what changes pages (form feeds, running headers), paragraphs (blank lines,
/// hyphenated breaks) and facts (definitions, acronyms), and characters of every width.
const PIECES: &[&str] = &[
    "e",
    " ",
    "\n",
    "\n\n",
    "\u{c}",
    "organisatie-\n",
    "Militaire Inlichtingen- en Veiligheidsdienst 41\n",
    "Team Caribisch Gebied (TCG) ",
    " de MIVD en de NAVO",
    "Oekra\u{221a}\u{d8}ne",
    "😀𝔘",
    "Kop\n",
    ". Daarna",
];

/// The documents edited: (name, text).
fn documents() -> Vec<(&'static str, String)> {
    let seeds: Vec<String> = common::seeds().into_iter().map(|s| s.text).collect();
    let suites = common::generated_suites();
    let generated = |suite: usize, pages: usize, seed: u64| {
        let (_, prose, style) = suites[suite];
        common::generate(&common::prose(prose), style, pages, seed).text
    };
    vec![
        ("seeds, form feeds", seeds.join("\u{c}")),
        ("seeds, running headers", seeds.join("\n")),
        // A page's last line runs on to the next page's first (no line break at the form
        // feed): findings of the one read the other.
        ("seeds, form feeds without line ends", {
            let trimmed: Vec<&str> = seeds.iter().map(|s| s.trim_end()).collect();
            trimmed.join("\u{c}")
        }),
        ("dutch two columns, form feeds", generated(0, 4, 3)),
        ("english two columns, running headers", generated(1, 4, 5).replace('\u{c}', "")),
        ("dutch one column, form feeds", generated(4, 3, 7)),
        ("one page", seeds[0].clone()),
    ]
}

/// Findings with absolute ranges, in a fixed order.
fn sorted_findings(analysis: &DocumentAnalysis, text: &str) -> Vec<Finding> {
    scholion::finding::absolute_in_order(analysis.intrinsic_findings(text))
}

fn assert_same(edited: &DocumentAnalysis, fresh: &DocumentAnalysis, text: &str, what: &str) {
    assert_eq!(edited.layout.pages, fresh.layout.pages, "{what}: pages");
    assert_eq!(edited.layout.paragraphs, fresh.layout.paragraphs, "{what}: paragraphs");
    assert_eq!(edited.layout, fresh.layout, "{what}: layout");
    assert_eq!(edited.definitions(), fresh.definitions(), "{what}: definitions");
    let (a, b) = (edited.facts(), fresh.facts());
    assert_eq!(a.uses, b.uses, "{what}: uses");
    assert_eq!(a.terms, b.terms, "{what}: terms");
    assert_eq!(a.headings, b.headings, "{what}: headings");
    assert_eq!(sorted_findings(edited, text), sorted_findings(fresh, text), "{what}: findings");
    // Use counts (an edit carries them over from the version before once they are made).
    assert_eq!(edited.use_counts(), fresh.use_counts(), "{what}: use counts");
    // What an editor is shown: the first findings, undefined acronyms among them, and a count.
    let defined = |short: &str| short == "MIVD";
    for cap in [20, 1000] {
        let config = Config { max_diagnostics_per_file: cap, ..Config::default() };
        let (a, b) = (
            analysis::findings(text, edited, &defined, &config),
            analysis::findings(text, fresh, &defined, &config),
        );
        assert_eq!(a, b, "{what}: findings shown (cap {cap})");
    }
}

/// Replaces `len` bytes at `at` (both moved to character boundaries) with `insert`; also
/// returns what the edit left unchanged.
fn edit(text: &str, at: usize, len: usize, insert: &str) -> (String, Unchanged) {
    let floor = |mut i: usize| {
        i = i.min(text.len());
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let start = floor(at);
    let end = floor(start + len).max(start);
    let mut out = String::with_capacity(text.len() + insert.len());
    out.push_str(&text[..start]);
    out.push_str(insert);
    out.push_str(&text[end..]);
    (out, Unchanged::around(start..end, text.len()))
}

fn edits() -> impl Strategy<Value = Vec<(f64, usize, usize, bool)>> {
    // (where, as a fraction of the text; bytes removed; piece inserted, or none; whether
    // the version is analysed, as an editor skips versions while an analysis runs)
    prop::collection::vec(
        (
            0.0..1.0f64,
            prop_oneof![Just(0usize), 0..3usize, 0..400usize],
            0..PIECES.len() + 1,
            prop::bool::weighted(0.75),
        ),
        1..8,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// With `told`, the analysis is told what each edit left unchanged, as the server is by
    /// the editor's changes (composed over the versions it skips); else it compares texts.
    /// With `scanned`, the first version is analysed without the cache, as the workspace scan
    /// does, and the edits start from that analysis (as those of a document opened after the
    /// scan do).
    #[test]
    fn edited_analysis_equals_a_fresh_one(
        doc in 0..7usize,
        steps in edits(),
        told: bool,
        scanned: bool,
    ) {
        let (name, original) = &documents()[doc];
        let model = LanguageModel::from_text(original);
        let mut cache = PageCache::default();
        let mut text = original.clone();
        let analyse = |text: &str, version: i32, since: Option<Unchanged>, cache: &mut PageCache| {
            // `since` describes the change from the last version analysed (`version - 1`
            // here: versions count analyses).
            let unchanged_since = |v: i32| since.filter(|_| v == version - 1);
            let revision = analysis::Revision { version, unchanged_since: &unchanged_since };
            let revision = told.then_some(revision);
            DocumentAnalysis::with_cache_at(&Arc::new(text.to_string()), &model, cache, revision)
        };
        match scanned {
            true => {
                let first = DocumentAnalysis::with_model(&text, &model);
                cache.start_from(Arc::new(text.clone()), Arc::new(first), Some(0));
            }
            false => drop(analyse(&text, 0, None, &mut cache)),
        }
        let mut version = 0;
        let mut since: Option<Unchanged> = None;
        for (i, (place, removed, piece, analysed)) in steps.iter().enumerate() {
            let insert = PIECES.get(*piece).copied().unwrap_or("");
            let unchanged;
            (text, unchanged) = edit(&text, (place * text.len() as f64) as usize, *removed, insert);
            since = Some(since.map_or(unchanged, |s| s.then(unchanged)));
            if *analysed || i + 1 == steps.len() {
                version += 1;
                let edited = analyse(&text, version, since.take(), &mut cache);
                let fresh = DocumentAnalysis::with_model(&text, &model);
                assert_same(&edited, &fresh, &text, &format!("{name}, edit {i}"));
            }
        }
        // Every version after the first was told what changed (or compared, untold).
        prop_assert_eq!(cache.told, if told { version as usize } else { 0 });
    }
}

/// Typing in the middle of a long document decodes only the page typed on, and an undo
/// finds the page it had before in the cache.
#[test]
fn typing_decodes_one_page_per_keystroke() {
    let seeds: Vec<String> = common::seeds().into_iter().map(|s| s.text).collect();
    let text: String = (0..30).map(|i| seeds[i % 3].as_str()).collect::<Vec<_>>().join("\u{c}");
    let model = LanguageModel::from_text(&text);
    let mut cache = PageCache::default();
    DocumentAnalysis::with_cache(&Arc::new(text.clone()), &model, &mut cache);
    let at = (text.len() / 2..).find(|&i| text.is_char_boundary(i)).unwrap_or(0);
    let mut typed = text.clone();
    let before = cache.misses;
    for (n, c) in "dienst".chars().enumerate() {
        typed.insert(at + n, c);
        DocumentAnalysis::with_cache(&Arc::new(typed.clone()), &model, &mut cache);
    }
    assert_eq!(cache.misses - before, 6, "one page decoded per keystroke");
    assert_eq!((cache.from_previous, cache.whole), (6, 1));
    let undone = DocumentAnalysis::with_cache(&Arc::new(text.clone()), &model, &mut cache);
    assert_eq!(cache.misses - before, 6, "the undo's page came from the cache");
    assert_same(&undone, &DocumentAnalysis::with_model(&text, &model), &text, "undo");
}

/// A document the workspace scan analysed (without a cache, its pages' own paragraphs let
/// go) and then opened: its first edits start from the scan's analysis and decode the page
/// typed on and the pages whose paragraphs are merged anew, not the whole text.
#[test]
fn edits_start_from_the_scans_analysis() {
    let seeds: Vec<String> = common::seeds().into_iter().map(|s| s.text).collect();
    let text: String = (0..30).map(|i| seeds[i % 3].as_str()).collect::<Vec<_>>().join("\u{c}");
    let model = LanguageModel::from_text(&text);
    let scanned = Arc::new(DocumentAnalysis::with_model(&text, &model));
    let mut cache = PageCache::default();
    cache.start_from(Arc::new(text.clone()), scanned, Some(1));
    let at = (text.len() / 2..).find(|&i| text.is_char_boundary(i)).unwrap_or(0);
    let mut typed = text.clone();
    for (n, c) in "dienst".chars().enumerate() {
        typed.insert(at + n, c);
        let unchanged = Unchanged { prefix: at + n, suffix: text.len() - at };
        let version = n as i32 + 2;
        let since = |v: i32| (v == version - 1).then_some(unchanged);
        let revision = analysis::Revision { version, unchanged_since: &since };
        let edited = DocumentAnalysis::with_cache_at(
            &Arc::new(typed.clone()),
            &model,
            &mut cache,
            Some(revision),
        );
        assert_same(&edited, &DocumentAnalysis::with_model(&typed, &model), &typed, "typed");
    }
    assert_eq!((cache.from_previous, cache.whole), (6, 0));
    // The page typed on, six times, and at most a page on either side for merging.
    assert!(cache.misses <= 6 + 2, "{} pages decoded", cache.misses);
}

/// An edit on one page can join its first paragraph to the last one of the page before (the
/// sentence goes on) or split them again: the paragraphs on both sides are merged anew.
#[test]
fn edits_join_and_split_paragraphs_across_page_breaks() {
    let page = |n: usize, first: &str| {
        format!(
            "Kop {n}\n\n{first} in het buitenland werkt de dienst al jaren samen met\n\
             de partners van de NAVO. Het werk van de dienst gaat door en wordt\n"
        )
    };
    let pages: Vec<String> = (0..5).map(|n| page(n, "Vooral")).collect();
    let text = pages.join("\u{c}");
    let model = LanguageModel::from_text(&text);
    let mut cache = PageCache::default();
    let first = DocumentAnalysis::with_cache(&Arc::new(text.clone()), &model, &mut cache);
    // Page 2 starts lowercase: it continues the sentence that page 1 ends with.
    let joined_text = text.replacen("Kop 2\n\nVooral", "Kop 2\n\nvooral", 1);
    let joined = DocumentAnalysis::with_cache(&Arc::new(joined_text.clone()), &model, &mut cache);
    assert_eq!(joined.layout.paragraphs.len() + 1, first.layout.paragraphs.len());
    assert_same(
        &joined,
        &DocumentAnalysis::with_model(&joined_text, &model),
        &joined_text,
        "joined",
    );
    // And back.
    let split = DocumentAnalysis::with_cache(&Arc::new(text.clone()), &model, &mut cache);
    assert_eq!(split.layout.paragraphs.len(), first.layout.paragraphs.len());
    assert_same(&split, &DocumentAnalysis::with_model(&text, &model), &text, "split");
    assert_eq!((cache.from_previous, cache.whole), (2, 1));
}
