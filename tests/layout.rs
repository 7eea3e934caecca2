//! Layout recovery: scores on the seeds and on generated pages (thresholds that can fail),
//! other layouts, source maps, findings and robustness.

#[path = "support/layout_pages.rs"]
mod common;

use common::*;
use scholion::finding::Finding;
use scholion::layout::{
    analyze, analyze_page, findings, reflow, reflow_paragraphs, reflow_with_model, ColumnSplit,
    LanguageModel,
};

// Targets from the brief: seeds 0.90, generated Dutch 0.85. These documents are the tuning set;
// on documents nobody tuned to the own-document score is lower (see README), so the other suites
// are asserted a little below what the decoder reaches today, so that regressions fail.
const SEED_SENTENCES_MIN: f64 = 0.90;
/// The target for generated Dutch pages, asserted on documents nobody tuned to.
const GENERATED_DUTCH_TARGET: f64 = 0.85;
const GENERATED_DUTCH_MIN: f64 = 0.85;
const GENERATED_DUTCH_WORKSPACE_MIN: f64 = 0.88;
const GENERATED_ENGLISH_MIN: f64 = 0.84;
/// The generated documents the decoder's weights were tuned on.
const TUNING: std::ops::Range<u64> = 0..8;
/// Generated documents nobody tuned to (`LAYOUT_EVAL_SEED_BASE=200 LAYOUT_EVAL_DOCS=32` in
/// `layout-eval`): keep them out of tuning, or they stop measuring the target.
const UNTUNED: std::ops::Range<u64> = 200..232;
/// Lines of two-column pages that hold one column only, put in the right column.
const LONE_LINE_SIDE_MIN: f64 = 0.88;
const GENERATED_NARROW_MIN: f64 = 0.75;

fn ratio(a: usize, b: usize) -> f64 {
    a as f64 / b.max(1) as f64
}

#[test]
fn seed_sentences_come_out_whole_and_in_order() {
    let (mut found, mut total, mut raw) = (0, 0, 0);
    for seed in seeds() {
        let (f, t) = sentence_score(&reflow(&seed.text), &seed.sentences);
        found += f;
        total += t;
        raw += sentence_score(&seed.text, &seed.sentences).0;
    }
    let score = ratio(found, total);
    println!("seeds: {found}/{total} = {score:.3} (raw {:.3})", ratio(raw, total));
    assert!(score >= SEED_SENTENCES_MIN, "seed sentences {score:.3}");
    assert!(score > ratio(raw, total) + 0.4);
}

#[test]
fn seed_interleaved_columns_precision_and_recall() {
    let (mut tp, mut flagged, mut truth) = (0, 0, 0);
    for seed in seeds() {
        let (a, b, c) = line_counts(&flagged_lines(&seed.text), &seed.two_column_lines);
        tp += a;
        flagged += b;
        truth += c;
    }
    let precision = ratio(tp, flagged);
    let recall = ratio(tp, truth);
    println!("interleaved-columns: P {precision:.3} R {recall:.3}");
    assert!(precision >= 0.9, "precision {precision:.3}");
    assert!(recall >= 0.8, "recall {recall:.3}");
}

fn suite(name: &str) -> (Vec<Block>, String, PageStyle) {
    let (_, path, style) = generated_suites().into_iter().find(|s| s.0 == name).expect("suite");
    let (blocks, workspace) = split_prose(&prose(path));
    (blocks, workspace, style)
}

/// (self-model score, workspace-model score, interleaved findings) over a few generated docs.
fn run_suite(name: &str, docs: std::ops::Range<u64>) -> (f64, f64, usize) {
    let (blocks, workspace, style) = suite(name);
    let (mut f, mut t, mut fw, mut interleaved) = (0, 0, 0, 0);
    for seed in docs {
        let g = generate(&blocks, style, 3, seed * 7919 + 17);
        let (a, b) = sentence_score(&reflow(&g.text), &g.sentences);
        f += a;
        t += b;
        let mut model = LanguageModel::from_text(&g.text);
        model.add_text(&workspace);
        fw += sentence_score(&reflow_with_model(&g.text, &model), &g.sentences).0;
        interleaved += flagged_lines(&g.text).len();
    }
    (ratio(f, t), ratio(fw, t), interleaved)
}

#[test]
fn generated_dutch_two_column_pages() {
    let (own, workspace, _) = run_suite("dutch-2col", TUNING);
    println!("generated Dutch: {own:.3}, with workspace model {workspace:.3}");
    assert!(own >= GENERATED_DUTCH_MIN, "{own:.3}");
    assert!(workspace >= GENERATED_DUTCH_WORKSPACE_MIN, "{workspace:.3}");
}

#[test]
fn generated_dutch_pages_nobody_tuned_to_reach_the_target() {
    let (own, workspace, _) = run_suite("dutch-2col", UNTUNED);
    println!("untuned generated Dutch: {own:.3}, with workspace model {workspace:.3}");
    assert!(own >= GENERATED_DUTCH_TARGET, "{own:.3}");
    assert!(workspace >= GENERATED_DUTCH_TARGET, "{workspace:.3}");
}

#[test]
fn lone_lines_go_to_their_own_column() {
    // A heading or a paragraph's first line beside the other column's gap: the column that had
    // the gap takes it (was 80 % before the decoder weighed headings after a sentence end).
    let (blocks, _, style) = suite("dutch-2col");
    let (mut right, mut total) = (0, 0);
    for seed in TUNING {
        let g = generate(&blocks, style, 3, seed * 7919 + 17);
        let (_, (ok, n)) = decoder_accuracy(&g);
        right += ok;
        total += n;
    }
    let share = ratio(right, total);
    assert!(share >= LONE_LINE_SIDE_MIN, "{share:.3} of {total}");
}

#[test]
fn generated_pages_without_trailing_spaces() {
    // An extractor that strips every trailing space (pdftotext-like) loses that signal only.
    let (own, _, _) = run_suite("dutch-2col-trimmed", TUNING);
    println!("generated Dutch, trimmed lines: {own:.3}");
    assert!(own >= GENERATED_DUTCH_MIN, "{own:.3}");
}

#[test]
fn generated_english_two_column_pages() {
    let (own, _, _) = run_suite("english-2col", TUNING);
    println!("generated English: {own:.3}");
    assert!(own >= GENERATED_ENGLISH_MIN, "{own:.3}");
}

#[test]
fn generated_narrow_columns() {
    let (own, _, _) = run_suite("dutch-narrow", TUNING);
    println!("generated narrow: {own:.3}");
    assert!(own >= GENERATED_NARROW_MIN, "{own:.3}");
}

#[test]
fn single_column_pages_are_never_split() {
    let (own, _, interleaved) = run_suite("dutch-1col", TUNING);
    assert_eq!(interleaved, 0);
    assert!(own >= 0.95, "{own:.3}");
    // Plain single-column prose without furniture, wide and narrow.
    for text in [read("prose/debian-nl.txt"), read("prose/debian-faq-en.txt")] {
        let model = LanguageModel::from_text(&text);
        let layout = analyze(&text, &model);
        let n = findings(&text, &layout).iter().filter(|f| f.rule == "interleaved-columns").count();
        assert_eq!(n, 0);
    }
}

#[test]
fn a_model_that_saw_the_document_several_times_still_finds_the_columns() {
    // A workspace may hold copies of a document: every seam pair is then a "known" bigram.
    for seed in seeds() {
        let mut model = LanguageModel::new();
        for _ in 0..5 {
            model.add_text(&seed.text);
        }
        let layout = analyze(&seed.text, &model);
        let flagged = findings(&seed.text, &layout)
            .iter()
            .filter(|f| f.rule == "interleaved-columns")
            .count();
        assert!(
            flagged * 10 >= seed.two_column_lines.len() * 8,
            "{}: {flagged} of {}",
            seed.name,
            seed.two_column_lines.len()
        );
    }
}

#[test]
fn hyphenated_breaks_are_resolved_in_the_seeds() {
    let all: String = seeds().iter().map(|s| reflow(&s.text)).collect();
    assert!(all.contains("Samenwerking en organisatieontwikkeling"));
    assert!(all.contains("gebied van organisatieontwikkeling te maken"));
    assert!(all.contains("operationeel-tactische"));
    assert!(all.contains("Inlichtingen- en Veiligheidsdienst"));
    assert!(all.contains("aan- en andere vormen"));
    assert!(!all.contains("Militaire Inlichtingen- en Veiligheidsdienst 37"));
}

fn check_findings(text: &str, found: &[Finding]) {
    for f in found {
        assert!(f.range.end <= text.len() && f.range.start <= f.range.end);
        assert!(text.is_char_boundary(f.range.start) && text.is_char_boundary(f.range.end));
        for fix in &f.fixes {
            let mut edits: Vec<_> = fix.edits.iter().map(|e| e.range.clone()).collect();
            edits.sort_by_key(|r| r.start);
            for w in edits.windows(2) {
                assert!(w[0].end <= w[1].start, "overlapping edits in {f:?}");
            }
            for e in &fix.edits {
                assert!(text.is_char_boundary(e.range.start) && text.is_char_boundary(e.range.end));
            }
        }
        for r in &f.related {
            assert!(text.is_char_boundary(r.range.start) && text.is_char_boundary(r.range.end));
        }
    }
}

#[test]
fn findings_on_the_seeds() {
    let seed = &seeds()[0];
    let model = LanguageModel::from_text(&seed.text);
    let layout = analyze(&seed.text, &model);
    let found = findings(&seed.text, &layout);
    check_findings(&seed.text, &found);
    let interleaved: Vec<&Finding> =
        found.iter().filter(|f| f.rule == "interleaved-columns").collect();
    let first = interleaved.first().expect("interleaved line");
    assert_eq!(
        first.message,
        "two columns on one line: the right column starts at column 61 (`Nationale samenwerking`)"
    );
    assert_eq!(first.fixes[0].edits[0].new_text, "\n");
    assert!(!first.fixes[0].safe);
    let furniture: Vec<&Finding> = found.iter().filter(|f| f.rule == "page-furniture").collect();
    assert_eq!(furniture.len(), 3, "{furniture:?}");
    assert!(furniture.iter().all(|f| f.fixes[0].safe));
    let hyphen = found
        .iter()
        .find(|f| {
            f.rule == "hyphenated-word" && seed.text[f.range.clone()].starts_with("organisatie-")
        })
        .expect("hyphenated-word");
    assert!(hyphen.fixes[0].preferred);
    assert!(hyphen.fixes[0].title.contains("organisatieontwikkeling"));
    assert_eq!(hyphen.related.len(), 1);
    let split = found.iter().filter(|f| f.rule == "split-sentence").count();
    assert!(split >= 3);
    // Applying the join fix of the body hyphenation gives the joined word in place.
    let fix = &hyphen.fixes[0];
    let mut fixed = seed.text.clone();
    let mut edits = fix.edits.clone();
    edits.sort_by_key(|e| std::cmp::Reverse(e.range.start));
    for e in edits {
        fixed.replace_range(e.range, &e.new_text);
    }
    assert!(fixed.contains("organisatieontwikkeling"));
}

#[test]
fn source_maps_point_back_to_the_buffer() {
    for seed in seeds() {
        let model = LanguageModel::from_text(&seed.text);
        let layout = analyze(&seed.text, &model);
        for p in &layout.paragraphs {
            let text = p.text(&seed.text);
            assert_eq!(text.len(), p.stream_len());
            for piece in p.pieces() {
                if piece.source.is_empty() {
                    assert_eq!(&text[piece.stream.clone()], " ");
                } else {
                    assert_eq!(&text[piece.stream.clone()], &seed.text[piece.source.clone()]);
                }
            }
            let whole = p.source_ranges(0..p.stream_len());
            let joined: String =
                whole.iter().map(|r| &seed.text[r.clone()]).collect::<Vec<_>>().join(" ");
            assert!(!joined.is_empty());
        }
        let json = serde_json::to_string(&reflow_paragraphs(&seed.text, &layout)).expect("json");
        assert!(json.contains("\"source\""));
    }
}

#[test]
fn page_layouts_can_be_cached_and_moved() {
    let page = &seeds()[1].text;
    let model = LanguageModel::from_text(page);
    let at_zero = analyze_page(page, 0, &model);
    let at_offset = analyze_page(page, 1234, &model);
    assert_eq!(at_zero.moved_to(1234), at_offset);
    // Two pages separated by a form feed: the second page equals its own analysis, moved.
    let doc = format!("{}\u{c}{}", seeds()[0].text, page);
    let model = LanguageModel::from_text(&doc);
    let layout = analyze(&doc, &model);
    assert_eq!(layout.pages.len(), 2);
    let second = analyze_page(page, 0, &model).moved_to(layout.pages[1].range.start);
    assert!(layout.pages[1].lines().eq(second.lines()));
    let range = &second.range;
    assert!(second.lines().all(|l| range.start <= l.range.start && l.range.end <= range.end));
    assert_eq!(layout.pages[1].columns(), second.columns());
    // A page keeps its own paragraphs (the reading order shares their bodies), moved too;
    // a whole document's analysis lets go of them.
    assert!(second.paragraph_count() > 0);
    assert!(second.paragraphs().all(|p| range.start <= p.source_span().start));
    assert!(layout.pages[1].paragraphs_released() && layout.pages[1].paragraphs().len() == 0);
    // (Still counted: an edit that starts from this analysis numbers them.)
    assert_eq!(layout.pages[1].paragraph_count(), second.paragraph_count());
    // A cached page list assembles into the same document layout.
    let first = analyze_page(&seeds()[0].text, 0, &model);
    let assembled = scholion::layout::assemble(&doc, vec![first, second], &model);
    assert_eq!(assembled, layout);
}

#[test]
fn crlf_and_lone_cr_give_the_same_layout() {
    let seed = &seeds()[2].text;
    let lf = reflow(seed);
    assert_eq!(reflow(&seed.replace('\n', "\r\n")), lf);
    assert_eq!(reflow(&seed.replace('\n', "\r")), lf);
}

#[test]
fn never_panics_on_odd_input() {
    let long_line = "woord ".repeat(180_000);
    // One endless paragraph: 1 MB of wrapped lines with hyphenated breaks and no blank lines.
    let endless = "de dienst werkt samen met partners in binnen- en buitenland aan organi-\nsatieontwikkeling. En verder gaat het met de tekst zonder einde en zon-\n"
        .repeat(7_000);
    let mut inputs: Vec<String> = vec![
        String::new(),
        " ".into(),
        "      \n   \n\t\n".into(),
        "\u{c}\u{c}\u{c}".into(),
        "\r\r\n\n\r".into(),
        "😀 𝔘 😀-\n𝔘𝔘 ﬁ ĳ Ĳ İ ß\u{301}".into(),
        "-\n-\n- -\n(\n)\n.\n".into(),
        "1\n2\n3\n4\n5\n".into(),
        long_line,
        endless,
    ];
    let mut rng = Rng::new(7);
    let alphabet: Vec<char> = "ab -.()\n\r\u{c}😀𝔘ĳ,;:EU1".chars().collect();
    for _ in 0..200 {
        let n = rng.range(0, 400);
        inputs.push((0..n).map(|_| alphabet[rng.range(0, alphabet.len() - 1)]).collect());
    }
    // Seeds with the columns glued without spaces and odd splits.
    for s in seeds() {
        inputs.push(s.text.replace(' ', "  "));
        inputs.push(s.text.chars().rev().collect());
    }
    for text in &inputs {
        let model = LanguageModel::from_text(text);
        let layout = analyze(text, &model);
        let found = findings(text, &layout);
        check_findings(text, &found);
        let _ = reflow(text);
        for line in layout.lines() {
            if let ColumnSplit::Two { left_end, right_start } = line.split {
                assert!(left_end <= right_start);
                assert!(line.range.start + right_start <= line.range.end);
            }
        }
    }
}
