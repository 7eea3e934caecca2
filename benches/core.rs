//! Benchmarks of the analysis core on generated two-column Dutch-like text.
//!
//! Inputs are built at start from the seed pages in `seeds/` (repeated and varied, pages joined
//! by form feeds; see `examples/support/corpus.rs`): about 100 KB and 1 MB, plain and with
//! garbled words sprinkled in, and a workspace of 400 documents (about 10 MB) for the queries.
//!
//! `cargo bench --bench core` (about 4 minutes on 2 cores, a third of it in the 10 MB `query`
//! group); `cargo bench --bench core -- positions` runs one group.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{
    criterion_group, criterion_main, BenchmarkId, Criterion, SamplingMode, Throughput,
};
use ropey::Rope;
use scholion::acronyms;
use scholion::analysis::{self, DocumentAnalysis, PageCache, Revision};
use scholion::config::Config;
use scholion::layout::{self, LanguageModel};
use scholion::text::lines::{shared_line_starts, splice_line_starts};
use scholion::text::position::{to_offset, to_position};
use scholion::text::{Document, LineIndex, PositionEncoding, SharedText, Unchanged};
use scholion::workspace::{self, glossaries, query, DocKey, WorkspaceIndex};

#[path = "../examples/support/corpus.rs"]
mod corpus;

use corpus::{Rng, Seeds};

const KB100: usize = 100 * 1024;
const MB1: usize = 1024 * 1024;
/// One garbled word in about this many lines for the garbled variant.
const GARBLE_ONE_IN: usize = 6;

struct Inputs {
    small: String,
    large: String,
    large_garbled: String,
}

fn seeds() -> Seeds {
    Seeds::load(Path::new(env!("CARGO_MANIFEST_DIR")))
}

fn inputs() -> Inputs {
    let seeds = seeds();
    Inputs {
        small: seeds.document(KB100, 1, 0),
        large: seeds.document(MB1, 2, 0),
        large_garbled: seeds.document(MB1, 3, GARBLE_ONE_IN),
    }
}

fn label(bytes: usize) -> String {
    if bytes >= MB1 {
        format!("{:.1}MB", bytes as f64 / MB1 as f64)
    } else {
        format!("{}KB", bytes / 1024)
    }
}

type Group<'a> = criterion::BenchmarkGroup<'a, criterion::measurement::WallTime>;

/// Settings for benchmarks whose iteration takes up to a second: ten samples of one or more
/// iterations each.
fn slow(group: &mut Group<'_>) {
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(6));
}

/// Settings for benchmarks of a few milliseconds or less.
fn fast(group: &mut Group<'_>, samples: usize) {
    group.sample_size(samples);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(3));
}

fn bench_layout(c: &mut Criterion) {
    let inputs = inputs();
    let mut group = c.benchmark_group("layout");
    slow(&mut group);
    for text in [&inputs.small, &inputs.large] {
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_with_input(BenchmarkId::new("model", label(text.len())), text, |b, text| {
            b.iter(|| LanguageModel::from_text(black_box(text)))
        });
        let model = LanguageModel::from_text(text);
        group.bench_with_input(BenchmarkId::new("analyze", label(text.len())), text, |b, text| {
            b.iter(|| layout::analyze(black_box(text), &model))
        });
    }
    group.finish();
}

/// The reflowed paragraph texts of a document, as the acronym and sentence code sees them.
fn paragraph_texts(text: &str) -> Vec<String> {
    let model = LanguageModel::from_text(text);
    layout::analyze(text, &model)
        .paragraphs
        .into_iter()
        .map(|p| p.text(text).into_owned())
        .collect()
}

fn total_len(texts: &[String]) -> u64 {
    texts.iter().map(|t| t.len() as u64).sum()
}

fn bench_acronyms(c: &mut Criterion) {
    let inputs = inputs();
    let mut group = c.benchmark_group("acronyms");
    fast(&mut group, 20);
    for text in [&inputs.small, &inputs.large] {
        let paragraphs = paragraph_texts(text);
        let size = label(text.len());
        group.throughput(Throughput::Bytes(total_len(&paragraphs)));
        group.bench_function(BenchmarkId::new("find_definitions", &size), |b| {
            b.iter(|| {
                paragraphs
                    .iter()
                    .map(|p| acronyms::find_definitions(black_box(p)).len())
                    .sum::<usize>()
            })
        });
        let known = |token: &str| matches!(token, "Wiv" | "KMar" | "JenV");
        group.bench_function(BenchmarkId::new("find_known_uses", &size), |b| {
            b.iter(|| {
                paragraphs
                    .iter()
                    .map(|p| acronyms::find_known_uses(black_box(p), &known).len())
                    .sum::<usize>()
            })
        });
    }
    group.finish();
}

fn bench_garbled(c: &mut Criterion) {
    let inputs = inputs();
    let mut group = c.benchmark_group("garbled");
    fast(&mut group, 10);
    for (name, text) in
        [("ascii_heavy", &inputs.large), ("garbled_sprinkled", &inputs.large_garbled)]
    {
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_with_input(BenchmarkId::new(name, label(text.len())), text, |b, text| {
            b.iter(|| scholion::garbled::check(black_box(text)))
        });
    }
    group.finish();
}

fn bench_sentences(c: &mut Criterion) {
    let inputs = inputs();
    let mut group = c.benchmark_group("sentences");
    fast(&mut group, 20);
    let paragraphs = paragraph_texts(&inputs.large);
    group.throughput(Throughput::Bytes(total_len(&paragraphs)));
    group.bench_function(BenchmarkId::new("sentences", label(inputs.large.len())), |b| {
        b.iter(|| {
            paragraphs
                .iter()
                .map(|p| layout::sentences::sentences(black_box(p)).len())
                .sum::<usize>()
        })
    });
    group.finish();
}

fn bench_positions(c: &mut Criterion) {
    const N: usize = 10_000;
    let inputs = inputs();
    // The garbled variant, so that columns in UTF-16 and bytes differ.
    let text = &inputs.large_garbled;
    let rope = Rope::from_str(text);
    let lines = LineIndex::new(text);
    let mut rng = Rng::new(7);
    let offsets: Vec<usize> = (0..N)
        .map(|_| {
            let mut o = rng.below(text.len() + 1);
            while !text.is_char_boundary(o) {
                o -= 1;
            }
            o
        })
        .collect();
    let enc = PositionEncoding::Utf16;
    let positions: Vec<_> = offsets.iter().map(|&o| to_position(&lines, o, enc)).collect();
    let size = label(text.len());
    let mut group = c.benchmark_group("positions");
    fast(&mut group, 30);
    group.throughput(Throughput::Elements(N as u64));
    group.bench_function(BenchmarkId::new("to_position/rope", &size), |b| {
        b.iter(|| offsets.iter().map(|&o| to_position(&rope, o, enc).line as u64).sum::<u64>())
    });
    group.bench_function(BenchmarkId::new("to_position/line_index", &size), |b| {
        b.iter(|| offsets.iter().map(|&o| to_position(&lines, o, enc).line as u64).sum::<u64>())
    });
    group.bench_function(BenchmarkId::new("to_offset/rope", &size), |b| {
        b.iter(|| positions.iter().map(|&p| to_offset(&rope, p, enc)).sum::<usize>())
    });
    group.bench_function(BenchmarkId::new("to_offset/line_index", &size), |b| {
        b.iter(|| positions.iter().map(|&p| to_offset(&lines, p, enc)).sum::<usize>())
    });
    // What the server pays per request on top of the conversions: the line index of the
    // document (built anew for every hover and definition) and the rope's text.
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function(BenchmarkId::new("line_index_build", &size), |b| {
        b.iter(|| LineIndex::new(black_box(text)).line_start(1))
    });
    group.bench_function(BenchmarkId::new("rope_to_string", &size), |b| {
        b.iter(|| black_box(&rope).to_string().len())
    });
    // What the server does after an edit instead: one copy of the rope into a shared string,
    // and the line index spliced from the previous version's (a character typed mid-text).
    let document = Document::new(text, 1, "plaintext");
    group.bench_function(BenchmarkId::new("snapshot", &size), |b| {
        b.iter(|| black_box(&document).snapshot(None).len())
    });
    let starts = shared_line_starts(text);
    let at = offsets[0];
    let edited = format!("{}e{}", &text[..at], &text[at..]);
    let unchanged = Unchanged { prefix: at, suffix: text.len() - at };
    group.bench_function(BenchmarkId::new("line_starts_spliced", &size), |b| {
        b.iter(|| splice_line_starts(&starts, text.len(), black_box(&edited), unchanged).len())
    });
    group.finish();
}

fn bench_analysis(c: &mut Criterion) {
    let inputs = inputs();
    let config = Config::default();
    let mut group = c.benchmark_group("analysis");
    slow(&mut group);
    for text in [&inputs.small, &inputs.large] {
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_with_input(
            BenchmarkId::new("document_analysis", label(text.len())),
            text,
            |b, text| b.iter(|| DocumentAnalysis::new(black_box(text))),
        );
        // What the server does after a one-character edit of an open workspace document: the
        // cache holds the other pages (layout and findings) and paragraphs (facts, sentences),
        // so one page is decoded and searched again (the two texts alternate, so every call
        // misses exactly one page). Includes the document's findings before rule settings.
        let model = LanguageModel::from_text(text);
        let mut edited = text.clone();
        let at = (text.len() / 2..).find(|&i| text.is_char_boundary(i)).unwrap_or(0);
        edited.insert(at, 'e');
        let (original, edited): (SharedText, SharedText) = (text.clone().into(), edited.into());
        let mut cache = PageCache::default();
        DocumentAnalysis::with_cache(&original, &model, &mut cache);
        let mut flip = false;
        group.bench_with_input(
            BenchmarkId::new("with_cache_one_page_edited", label(text.len())),
            text,
            |b, _| {
                b.iter(|| {
                    flip = !flip;
                    let current = if flip { &edited } else { &original };
                    DocumentAnalysis::with_cache(black_box(current), &model, &mut cache)
                })
            },
        );
        // The same, told what each edit changed (as the server is, from the editor's
        // changes) instead of comparing the two texts.
        let unchanged = Unchanged { prefix: at, suffix: text.len() - at };
        let mut version = 0;
        group.bench_with_input(
            BenchmarkId::new("with_cache_one_page_edited_told", label(text.len())),
            text,
            |b, _| {
                b.iter(|| {
                    version += 1;
                    let current = if version % 2 == 1 { &edited } else { &original };
                    let since = |v: i32| (v == version - 1).then_some(unchanged);
                    let revision = Revision { version, unchanged_since: &since };
                    DocumentAnalysis::with_cache_at(
                        black_box(current),
                        &model,
                        &mut cache,
                        Some(revision),
                    )
                })
            },
        );
        // The first findings of a document that nothing has analysed, from its first pages
        // (none below 256 KB).
        if text.len() >= MB1 {
            group.bench_with_input(
                BenchmarkId::new("early_findings", label(text.len())),
                text,
                |b, text| b.iter(|| analysis::early_findings(black_box(text), &model, &config)),
            );
        }
        // Every rule's findings on a finished analysis, without a cache (a workspace file's
        // first diagnostics): layout rules and character rules over the whole text.
        let analysed = DocumentAnalysis::new(text);
        group.bench_with_input(
            BenchmarkId::new("findings_uncached", label(text.len())),
            text,
            |b, text| {
                b.iter(|| {
                    layout::findings(black_box(text), &analysed.layout).len()
                        + scholion::garbled::check(text).len()
                })
            },
        );
        // The rest of an edit's diagnostics once the text's findings are known: undefined
        // acronyms, rule settings, the cap.
        let defined = |_: &str| true;
        analysed.intrinsic_findings(text).count();
        group.bench_with_input(BenchmarkId::new("findings", label(text.len())), text, |b, text| {
            b.iter(|| analysis::findings(black_box(text), &analysed, &defined, &config))
        });
    }
    group.finish();
}

/// About 10 MB in 400 documents, indexed the way `workspace::load_index` does it (a workspace
/// language model, analysis on all cores), from memory.
fn workspace_index(seeds: &Seeds) -> (WorkspaceIndex, usize) {
    let mut index = WorkspaceIndex::new();
    let (glossary_set, errors) =
        glossaries::load(&glossaries::glossary_paths(&[], &Config::default()));
    assert!(errors.is_empty(), "{errors:?}");
    index.set_glossaries(glossary_set);
    let docs: Vec<(PathBuf, SharedText)> = (0..400)
        .map(|i| {
            let path = PathBuf::from(format!("/bench/ws/doc_{i:04}.txt"));
            (path, Arc::new(seeds.document(25 * 1024, 1000 + i, 0)))
        })
        .collect();
    let bytes = docs.iter().map(|(_, text)| text.len()).sum();
    let model = workspace::build_model(docs.iter().map(|(_, text)| text.as_str()));
    index.set_model(model, docs.iter().map(|(path, _)| DocKey::from_path(path)).collect());
    let jobs: Vec<_> = docs
        .iter()
        .map(|(path, text)| (text.clone(), index.model_for(&DocKey::from_path(path))))
        .collect();
    let analyses = workspace::analyze_all(&jobs);
    for ((path, text), analysis) in docs.into_iter().zip(analyses) {
        index.upsert(DocKey::from_path(&path), Some(path), text, analysis, None);
    }
    (index, bytes)
}

/// Whether the command line's filter (if any) can select a benchmark of `group`: the query
/// group's setup indexes 10 MB, which other runs should not wait for.
fn selected(group: &str) -> bool {
    let filters: Vec<String> =
        std::env::args().skip(1).filter(|a| !a.starts_with('-') && a != "--bench").collect();
    filters.is_empty() || filters.iter().any(|f| f.contains(group) || group.contains(f.as_str()))
}

fn bench_query(c: &mut Criterion) {
    if !selected("query") {
        return;
    }
    let seeds = seeds();
    let started = Instant::now();
    let (index, bytes) = workspace_index(&seeds);
    eprintln!(
        "query: indexed {} documents, {} in {:.1?}",
        index.len(),
        label(bytes),
        started.elapsed()
    );
    let uses: Vec<(&scholion::workspace::IndexedDoc, usize)> = index
        .docs()
        .flat_map(|doc| doc.analysis.facts().uses.iter().map(move |m| (doc, m.range.start)))
        .collect();
    let mut group = c.benchmark_group("query");
    // One pass over every use takes seconds: ten samples of one iteration each.
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(32));
    group.throughput(Throughput::Elements(uses.len() as u64));
    let name = format!("{}_uses_in_{}", uses.len(), label(bytes));
    // The core of a hover: what is at the cursor, and what the workspace knows about it.
    group.bench_function(BenchmarkId::new("hover_core", &name), |b| {
        b.iter(|| {
            let mut found = 0usize;
            for &(doc, offset) in &uses {
                if let Some(query::Subject::Acronym { short, .. }) =
                    query::subject_at(&index, doc, offset)
                {
                    found += query::acronym_info(&index, &short).uses;
                }
            }
            found
        })
    });
    let subjects: Vec<(&scholion::workspace::IndexedDoc, query::Subject)> = uses
        .iter()
        .filter_map(|&(doc, offset)| Some((doc, query::subject_at(&index, doc, offset)?)))
        .collect();
    group.throughput(Throughput::Elements(subjects.len() as u64));
    group.bench_function(BenchmarkId::new("definition_places", &name), |b| {
        b.iter(|| {
            subjects
                .iter()
                .map(|(doc, s)| query::definition_places(&index, s, doc).len())
                .sum::<usize>()
        })
    });
    // The workspace tables for one acronym: `MIVD` is defined on every copy of seed page 000
    // (in most documents), `DCC` on every copy of seed page 003.
    group.sampling_mode(SamplingMode::Flat);
    group.measurement_time(Duration::from_secs(3));
    for short in ["MIVD", "DCC"] {
        let n = index.definitions_of(short).len();
        group.throughput(Throughput::Elements(1));
        group.bench_function(BenchmarkId::new("acronym_info", format!("{short}_{n}_defs")), |b| {
            b.iter(|| query::acronym_info(&index, black_box(short)).definitions.len())
        });
    }
    // Hover core inside one 1 MB document, where `subject_at` scans many more facts.
    let big_text = seeds.document(MB1, 2, 0);
    let big_path = PathBuf::from("/bench/big.txt");
    let mut big_index = WorkspaceIndex::new();
    big_index.set_glossaries(index.glossaries().clone());
    big_index.upsert(
        DocKey::from_path(&big_path),
        Some(big_path.clone()),
        Arc::new(big_text.clone()),
        Arc::new(DocumentAnalysis::new(&big_text)),
        None,
    );
    let big = big_index.get(&DocKey::from_path(&big_path)).expect("indexed");
    let big_uses: Vec<usize> = big.analysis.facts().uses.iter().map(|m| m.range.start).collect();
    group.throughput(Throughput::Elements(big_uses.len() as u64));
    group.bench_function(
        BenchmarkId::new("hover_core", format!("{}_uses_in_1MB_doc", big_uses.len())),
        |b| {
            b.iter(|| {
                big_uses
                    .iter()
                    .filter_map(|&o| query::subject_at(&big_index, big, o))
                    .filter_map(|s| match s {
                        query::Subject::Acronym { short, .. } => {
                            Some(query::acronym_info(&big_index, &short).uses)
                        }
                        _ => None,
                    })
                    .sum::<usize>()
            })
        },
    );
    // Computed for every definition request by the server (for split-sentence jumps).
    group.throughput(Throughput::Bytes(big_text.len() as u64));
    group.bench_function(BenchmarkId::new("layout_findings", label(big_text.len())), |b| {
        b.iter(|| layout::findings(black_box(&big_text), &big.analysis.layout).len())
    });
    group.finish();
}

criterion_group!(
    benches,
    bench_layout,
    bench_acronyms,
    bench_garbled,
    bench_sentences,
    bench_positions,
    bench_analysis,
    bench_query
);
criterion_main!(benches);
