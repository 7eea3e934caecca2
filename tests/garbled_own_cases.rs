//! Our own garbled cases (tests/data/garbled/cases.tsv, made by tests/data/garbled/make_cases.py), the clean
//! trap lines (tests/data/garbled/clean.txt) and the seed pages (seeds/).
//!
//! `cargo test --test own_cases -- --nocapture` prints the counts and every miss.

use std::collections::BTreeMap;

use scholion::garbled::{check, repair, GARBLED};

fn data(rel: &str) -> String {
    let path = format!("{}/{rel}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Undo the escapes of make_cases.py: `\\`, `\t`, `\u{XX}`.
fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match it.next() {
            Some('\\') => out.push('\\'),
            Some('t') => out.push('\t'),
            Some('u') => {
                assert_eq!(it.next(), Some('{'));
                let hex: String = it.by_ref().take_while(|&c| c != '}').collect();
                out.push(char::from_u32(u32::from_str_radix(&hex, 16).unwrap()).unwrap());
            }
            other => panic!("bad escape {other:?} in {s}"),
        }
    }
    out
}

struct Case {
    kind: String,
    how: String,
    garbled: String,
    clean: String,
}

fn cases() -> Vec<Case> {
    data("tests/data/garbled/cases.tsv")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            assert_eq!(f.len(), 4, "{l}");
            Case {
                kind: f[0].to_string(),
                how: f[1].to_string(),
                garbled: unescape(f[2]),
                clean: unescape(f[3]),
            }
        })
        .collect()
}

#[test]
fn garbled_lines_are_repaired() {
    let cases = cases();
    let mut by: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut right = 0;
    for c in &cases {
        let got = repair(&c.garbled);
        let e = by.entry(format!("{} {}", c.kind, c.how)).or_default();
        e.1 += 1;
        if got == c.clean {
            right += 1;
            e.0 += 1;
        } else {
            println!(
                "MISS {} {}\n  garbled: {:?}\n  want:    {:?}\n  got:     {:?}",
                c.kind, c.how, c.garbled, c.clean, got
            );
        }
    }
    for (k, (r, n)) in &by {
        println!("{k:32} {r:4}/{n:<4}");
    }
    let pct = 100.0 * right as f64 / cases.len() as f64;
    println!("own cases: {right}/{} repaired exactly ({pct:.2} %)", cases.len());
    assert!(cases.len() >= 700);
    // Target 99 %; we reach 100 %, so any regression fails.
    assert_eq!(right, cases.len(), "{pct:.2} %");
}

#[test]
fn clean_lines_are_untouched() {
    let mut lines: Vec<String> = data("tests/data/garbled/clean.txt")
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    let traps = lines.len();
    let mut clean: Vec<String> = cases().into_iter().map(|c| c.clean).collect();
    clean.sort();
    clean.dedup();
    lines.extend(clean);
    let mut touched = 0;
    for l in &lines {
        let findings = check(l);
        let fixed = repair(l);
        if !findings.is_empty() || fixed != *l {
            touched += 1;
            println!("TOUCHED {l:?}\n  -> {fixed:?}\n  {findings:?}");
        }
    }
    println!(
        "clean lines: {touched} of {} touched ({traps} traps, {} sentences)",
        lines.len(),
        lines.len() - traps
    );
    assert!(traps >= 90);
    assert_eq!(touched, 0);
}

#[test]
fn seeds_have_only_the_real_garbled_span() {
    let mut spans = Vec::new();
    for name in ["000_9189eb5902b93f6a.txt", "003_6e6cbfc847bdfa0c.txt", "004_b2c0f30eae937bd6.txt"]
    {
        let text = data(&format!("seeds/{name}"));
        for f in check(&text) {
            if f.rule == GARBLED {
                spans.push((name, text[f.range.clone()].to_string(), f.message.clone()));
            }
        }
    }
    println!("{spans:#?}");
    // 004 has `auspiciën` correctly encoded in this copy; 003 has the real Mac Roman mojibake.
    assert_eq!(spans.len(), 1);
    assert_eq!(spans[0].0, "003_6e6cbfc847bdfa0c.txt");
    assert_eq!(spans[0].1, "Oekra√Øne");
    assert_eq!(
        spans[0].2,
        "garbled characters: `Oekra√Øne` is UTF-8 read as Mac Roman; did you mean `Oekraïne`?"
    );
    // The garbled form of the 004 word is found as well.
    let text = "is er in opdracht van de dienst, onder auspici√´n van het NIMH, een";
    let f = check(text);
    assert_eq!(f.len(), 1);
    assert_eq!(&text[f[0].range.clone()], "auspici√´n");
    assert_eq!(repair(text), "is er in opdracht van de dienst, onder auspiciën van het NIMH, een");
}
