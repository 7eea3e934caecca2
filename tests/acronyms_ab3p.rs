//! `find_definitions` on the Ab3P MED1250 gold standard (1,250 English abstracts, 1,221 pairs).
//! Published: Ab3P 96.5% precision / 83.2% recall; Schwartz & Hearst about 95% / 82%.

#[path = "support/ab3p.rs"]
mod ab3p;

#[test]
fn ab3p_precision_and_recall() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/acronyms/ab3p/MED1250_labeled");
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let data = String::from_utf8_lossy(&bytes);
    let records = ab3p::parse(&data);
    assert_eq!(records.len(), 1250);
    let score = ab3p::evaluate(&records);
    assert_eq!(score.gold, 1221);
    let (p, r) = (score.precision(), score.recall());
    eprintln!("Ab3P MED1250: precision {:.1}%, recall {:.1}%", 100.0 * p, 100.0 * r);
    assert!(p >= 0.970, "precision {p:.3}");
    assert!(r >= 0.835, "recall {r:.3}");
}
