//! Reading the Ab3P MED1250 gold standard and scoring `find_definitions` on it.
//! Shared by `tests/ab3p.rs` and `examples/ab3p_eval.rs` (included with `#[path]`).

use std::collections::{BTreeMap, BTreeSet};

use scholion::acronyms::find_definitions;

/// One MEDLINE record with its gold pairs.
pub struct Record {
    pub pmid: String,
    pub title: String,
    pub abstract_text: String,
    /// Gold `(short, long)` pairs (lines `  SF|LF`) with how often each is listed (a pair
    /// defined in both title and abstract is listed twice: 1,221 lines, 1,204 distinct pairs).
    pub gold: BTreeMap<(String, String), usize>,
    /// Pairs that count neither way: synonyms (`//*  SF|LF`) and commented-out pairs
    /// (`//  SF|LF`).
    pub neutral: BTreeSet<(String, String)>,
}

fn norm(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn pair(line: &str) -> Option<(String, String)> {
    let (sf, lf) = line.split_once('|')?;
    Some((norm(sf), norm(lf)))
}

/// Parse the `MED1250_labeled` file.
pub fn parse(data: &str) -> Vec<Record> {
    let mut out = Vec::new();
    let mut lines: Vec<&str> = Vec::new();
    let flush = |lines: &mut Vec<&str>, out: &mut Vec<Record>| {
        let mut text_lines = Vec::new();
        let mut gold = BTreeMap::new();
        let mut neutral = BTreeSet::new();
        for l in lines.iter() {
            if let Some(rest) = l.strip_prefix("//*") {
                neutral.extend(pair(rest));
            } else if let Some(rest) = l.strip_prefix("//  ") {
                neutral.extend(pair(rest));
            } else if l.starts_with("//") {
            } else if let Some(rest) = l.strip_prefix("  ") {
                if let Some(p) = pair(rest) {
                    *gold.entry(p).or_insert(0) += 1;
                }
            } else {
                text_lines.push(*l);
            }
        }
        if text_lines.len() >= 2 {
            out.push(Record {
                pmid: text_lines[0].trim().to_string(),
                title: text_lines[1].to_string(),
                abstract_text: text_lines.get(2..).map(|r| r.join(" ")).unwrap_or_default(),
                gold,
                neutral,
            });
        }
        lines.clear();
    };
    for line in data.lines() {
        if line.trim().is_empty() {
            flush(&mut lines, &mut out);
        } else {
            lines.push(line);
        }
    }
    flush(&mut lines, &mut out);
    out
}

/// Scores over a corpus. A true positive is a gold pair found (counted as often as it is both
/// listed and found); a false positive is a distinct found pair, per record, that is neither
/// gold nor neutral. Long forms are compared exactly after whitespace normalisation.
#[derive(Default, Debug)]
pub struct Score {
    pub gold: usize,
    pub found: usize,
    pub true_pos: usize,
    pub false_pos: usize,
    pub neutral: usize,
    /// (pmid, short, long) of false positives and misses, for inspection.
    pub false_pos_list: Vec<(String, String, String)>,
    pub missed_list: Vec<(String, String, String)>,
}

impl Score {
    pub fn precision(&self) -> f64 {
        self.true_pos as f64 / (self.true_pos + self.false_pos).max(1) as f64
    }
    pub fn recall(&self) -> f64 {
        self.true_pos as f64 / self.gold.max(1) as f64
    }
}

/// The text given to `find_definitions` for a record: title and abstract as two paragraphs.
pub fn record_text(r: &Record) -> String {
    format!("{}\n\n{}", r.title.trim(), r.abstract_text.trim())
}

pub fn evaluate(records: &[Record]) -> Score {
    let mut s = Score::default();
    for r in records {
        let text = record_text(r);
        let mut found: BTreeMap<(String, String), usize> = BTreeMap::new();
        for d in find_definitions(&text) {
            *found.entry((d.short, d.long)).or_insert(0) += 1;
        }
        s.gold += r.gold.values().sum::<usize>();
        s.found += found.len();
        for (p, &n) in &found {
            if let Some(&g) = r.gold.get(p) {
                s.true_pos += n.min(g);
            } else if r.neutral.contains(p) {
                s.neutral += 1;
            } else {
                s.false_pos += 1;
                s.false_pos_list.push((r.pmid.clone(), p.0.clone(), p.1.clone()));
            }
        }
        for g in r.gold.keys() {
            if !found.contains_key(g) {
                s.missed_list.push((r.pmid.clone(), g.0.clone(), g.1.clone()));
            }
        }
    }
    s
}
