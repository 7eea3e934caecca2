//! Hover and go-to-definition over every use of every acronym in the raw seed pages, through the
//! whole pipeline (layout → facts → workspace index → query), against hand-written truth in
//! `tests/data/acronyms/seeds/*.expected`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use scholion::config::Config;
use scholion::workspace::query::{self, Subject};
use scholion::workspace::{self, WorkspaceIndex};

const PAGES: [&str; 3] = ["000_9189eb5902b93f6a", "003_6e6cbfc847bdfa0c", "004_b2c0f30eae937bd6"];

struct Truth {
    /// short → (long form, page that defines it)
    definitions: BTreeMap<String, (String, String)>,
    /// page → expected uses in text order
    uses: BTreeMap<String, Vec<String>>,
}

fn truth() -> Truth {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/acronyms/seeds");
    let mut definitions = BTreeMap::new();
    let mut uses = BTreeMap::new();
    for page in PAGES {
        let text = std::fs::read_to_string(dir.join(format!("{page}.expected"))).unwrap();
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            let fields: Vec<&str> = line.split('\t').collect();
            match fields.as_slice() {
                ["def", short, long] => {
                    definitions.insert(short.to_string(), (long.to_string(), page.to_string()));
                }
                ["uses", list] => {
                    uses.insert(
                        page.to_string(),
                        list.split_whitespace().map(str::to_string).collect(),
                    );
                }
                _ => {}
            }
        }
    }
    Truth { definitions, uses }
}

/// Byte offsets of `short` as a whole token in `text` (a hyphen may follow: `EU-ministers`).
fn occurrences(text: &str, short: &str) -> Vec<usize> {
    let is_word = |c: char| c.is_alphanumeric() || c == '&';
    text.match_indices(short)
        .map(|(i, _)| i)
        .filter(|&i| {
            let before = text[..i].chars().next_back();
            let after = text[i + short.len()..].chars().next();
            !before.is_some_and(is_word) && !after.is_some_and(is_word)
        })
        .collect()
}

fn index() -> (WorkspaceIndex, Vec<PathBuf>) {
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds");
    let files: Vec<PathBuf> = PAGES.iter().map(|p| seeds.join(format!("{p}.txt"))).collect();
    let (index, skipped, errors) = workspace::load_index(&files, &[], &Config::default());
    assert!(skipped.is_empty() && errors.is_empty());
    (index, files)
}

#[test]
fn hover_and_definition_are_right_for_every_acronym_use_in_the_seeds() {
    let truth = truth();
    let (index, files) = index();
    let mut total = 0;
    let mut hover_right = 0;
    let mut definition_right = 0;
    let mut wrong = Vec::new();
    for (page, path) in PAGES.iter().zip(&files) {
        let doc = index.docs().find(|d| d.path.as_deref() == Some(path.as_path())).unwrap();
        let expected = &truth.uses[*page];
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for short in expected {
            *counts.entry(short.as_str()).or_insert(0) += 1;
        }
        for (short, count) in counts {
            let offsets = occurrences(&doc.text, short);
            assert_eq!(offsets.len(), count, "{page}: `{short}` written {} times", offsets.len());
            for offset in offsets {
                total += 1;
                // Hover lands on the middle of the token, as a user's mouse would.
                let at = offset + short.len() / 2;
                let subject = query::subject_at(&index, doc, at);
                let Some(Subject::Acronym { short: found, .. }) = &subject else {
                    wrong.push(format!("{page}@{offset} {short}: no acronym under the cursor"));
                    continue;
                };
                let info = query::acronym_info(&index, found);
                let expansion = info
                    .definitions
                    .first()
                    .map(|d| d.definition.long.to_string())
                    .or(info.glossary.map(|e| e.expansion.clone()));
                let want = truth
                    .definitions
                    .get(short)
                    .map(|(long, _)| long.clone())
                    .or_else(|| index.glossary().get(short).map(|e| e.expansion.clone()));
                if found == short && expansion.is_some() && expansion == want {
                    hover_right += 1;
                } else {
                    wrong.push(format!(
                        "{page}@{offset} {short}: hover {found} = {expansion:?}, want {want:?}"
                    ));
                }
                let places = query::definition_places(&index, subject.as_ref().unwrap(), doc);
                let definition_ok = match truth.definitions.get(short) {
                    Some((_, defining_page)) => places
                        .first()
                        .is_some_and(|p| p.doc.name() == format!("{defining_page}.txt")),
                    // Glossary acronyms have no text location (the built-in glossary has no file).
                    None => places.is_empty() && index.glossary().get(short).is_some(),
                };
                if definition_ok {
                    definition_right += 1;
                } else {
                    wrong.push(format!(
                        "{page}@{offset} {short}: definition at {:?}",
                        places.first().map(|p| p.doc.name())
                    ));
                }
            }
        }
    }
    let hover_share = hover_right as f64 / total as f64;
    let definition_share = definition_right as f64 / total as f64;
    println!(
        "acronym uses in the seeds: {total}; hover right {hover_right} ({:.1} %), definition right {definition_right} ({:.1} %)",
        100.0 * hover_share,
        100.0 * definition_share
    );
    for line in &wrong {
        println!("  {line}");
    }
    assert_eq!(total, truth.uses.values().map(Vec::len).sum::<usize>());
    assert!(hover_share >= 0.95, "hover right {hover_share:.3}");
    assert!(definition_share >= 0.95, "definition right {definition_share:.3}");
}
