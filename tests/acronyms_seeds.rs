//! The three seed pages (hand-made reading-order versions in `testdata/seeds/`): every
//! definition and every use, as listed in the `.expected` files.

use std::collections::BTreeSet;

use scholion::acronyms::{find_definitions, find_known_uses, Glossary};

const SEEDS: [&str; 3] = ["000_9189eb5902b93f6a", "003_6e6cbfc847bdfa0c", "004_b2c0f30eae937bd6"];

fn read(name: &str) -> String {
    let path = format!("{}/tests/data/acronyms/seeds/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

struct Expected {
    defs: Vec<(String, String)>,
    uses: Vec<String>,
}

fn expected(seed: &str) -> Expected {
    let mut e = Expected { defs: Vec::new(), uses: Vec::new() };
    for line in read(&format!("{seed}.expected")).lines() {
        let mut cols = line.split('\t');
        match cols.next() {
            Some("def") => {
                let short = cols.next().expect("short").to_string();
                let long = cols.next().expect("long").to_string();
                e.defs.push((short, long));
            }
            Some("uses") => {
                e.uses = cols.flat_map(str::split_whitespace).map(str::to_string).collect();
            }
            _ => {}
        }
    }
    e
}

#[test]
fn seed_definitions() {
    let mut all = BTreeSet::new();
    for seed in SEEDS {
        let text = read(&format!("{seed}.txt"));
        let found: Vec<(String, String)> = find_definitions(&text)
            .into_iter()
            .map(|d| {
                assert_eq!(&text[d.short_range.clone()], d.short);
                (d.short, d.long)
            })
            .collect();
        assert_eq!(found, expected(seed).defs, "definitions in {seed}");
        all.extend(found.into_iter().map(|(s, _)| s));
    }
    let want: BTreeSet<String> = [
        "MIVD", "JSCU", "BZK", "Wiv", "TCG", "DCC", "JISTARC", "SOCOM", "DOPS", "UVO", "MDO", "I&V",
    ]
    .into_iter()
    .map(str::to_string)
    .collect();
    assert_eq!(all, want);
}

#[test]
fn seed_uses() {
    // Known: the built-in glossary and every short form the seeds define (a workspace index).
    let mut defined = BTreeSet::new();
    for seed in SEEDS {
        for d in find_definitions(&read(&format!("{seed}.txt"))) {
            defined.insert(d.short);
        }
    }
    let glossary = Glossary::builtin();
    let known = |s: &str| glossary.contains(s) || defined.contains(s);
    for seed in SEEDS {
        let text = read(&format!("{seed}.txt"));
        let uses = find_known_uses(&text, &known);
        for u in &uses {
            assert_eq!(&text[u.range.clone()], u.short);
        }
        let found: Vec<String> = uses.into_iter().map(|u| u.short).collect();
        assert_eq!(found, expected(seed).uses, "uses in {seed}");
    }
}
