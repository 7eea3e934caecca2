//! A large document with no analysis yet shows its first findings from a layout of its first
//! pages alone (`analysis::early_findings`); they must be the first findings of the whole
//! document's analysis. Checked on generated documents of every layout suite (Dutch and
//! English, two columns of several widths and one column, pages cut at form feeds and at
//! running headers) and on the seed pages repeated.

#[path = "support/layout_pages.rs"]
mod common;

use scholion::analysis::{self, DocumentAnalysis};
use scholion::config::Config;
use scholion::layout::LanguageModel;

/// (name, text) of documents over 256 KB (smaller ones have no early findings).
fn documents() -> Vec<(String, String)> {
    let mut docs = Vec::new();
    for (i, (name, prose, style)) in common::generated_suites().into_iter().enumerate() {
        let text = common::generate(&common::prose(prose), style, 120, 11 + i as u64).text;
        docs.push((format!("{name}, running headers"), text.replace('\u{c}', "")));
        docs.push((format!("{name}, form feeds"), text));
    }
    let seeds: Vec<String> = common::seeds().into_iter().map(|s| s.text).collect();
    let pages: Vec<String> =
        (0..100).map(|n| seeds[n % 3].replacen("dienst", &format!("dienst {n}"), 1)).collect();
    docs.push(("seeds, form feeds".into(), pages.join("\u{c}")));
    docs
}

#[test]
fn early_findings_are_the_first_findings_of_the_whole_document() {
    let mut shown = 0;
    for (name, text) in documents() {
        assert!(text.len() > 256 * 1024, "{name}: {} bytes", text.len());
        let model = LanguageModel::from_text(&text);
        let whole = DocumentAnalysis::with_model(&text, &model);
        // Undefined acronyms wait for the complete findings: none here.
        let defined = |_: &str| true;
        // Caps that put the last finding shown just before or at the end of what the first
        // 2 to 20 pages settle (two pages before the end of the pages read: how many a round
        // reads depends on the cap and the findings so far), and small ones.
        let everything = Config { max_diagnostics_per_file: usize::MAX, ..Config::default() };
        let all = analysis::findings(&text, &whole, &defined, &everything);
        let (pages, _) = scholion::layout::split_pages(&text);
        let before = |page: usize| all.iter().filter(|f| f.range.start < pages[page].start).count();
        let mut caps: Vec<usize> =
            (2..=20).flat_map(|p| [before(p).saturating_sub(1), before(p)]).collect();
        caps.push(30);
        caps.retain(|&cap| cap > 0);
        for cap in caps {
            let config = Config { max_diagnostics_per_file: cap, ..Config::default() };
            let Some(early) = analysis::early_findings(&text, &model, &config) else {
                continue;
            };
            shown += 1;
            let complete = analysis::findings(&text, &whole, &defined, &config);
            assert_eq!(early.len(), cap + 1, "{name}, cap {cap}");
            assert_eq!(early[..cap], complete[..cap], "{name}, cap {cap}");
            let summary = &early[cap];
            assert_eq!(summary.rule, complete[cap].rule, "{name}: a summary last");
            assert!(summary.message.starts_with("More findings"), "{}", summary.message);
        }
    }
    // Most documents have more findings in their first pages than the caps.
    assert!(shown >= 60, "early findings for {shown} document and cap pairs");
}

#[test]
fn small_documents_have_no_early_findings() {
    let text = common::seeds().remove(0).text;
    let model = LanguageModel::from_text(&text);
    let config = Config { max_diagnostics_per_file: 1, ..Config::default() };
    assert!(analysis::early_findings(&text, &model, &config).is_none());
}
