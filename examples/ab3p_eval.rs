//! Precision and recall of `find_definitions` on the Ab3P MED1250 gold standard.
//!
//! `cargo run --release --example ab3p_eval [-- --errors]`

#[path = "../tests/support/ab3p.rs"]
mod ab3p;

fn main() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/acronyms/ab3p/MED1250_labeled");
    let data = match std::fs::read(path) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) => {
            eprintln!("cannot read {path}: {e}");
            std::process::exit(1);
        }
    };
    let records = ab3p::parse(&data);
    let score = ab3p::evaluate(&records);
    if std::env::args().any(|a| a == "--errors") {
        for (pmid, sf, lf) in &score.false_pos_list {
            println!("FP {pmid}\t{sf}\t{lf}");
        }
        for (pmid, sf, lf) in &score.missed_list {
            println!("FN {pmid}\t{sf}\t{lf}");
        }
    }
    println!("records: {}", records.len());
    println!("gold pairs: {}", score.gold);
    println!(
        "found: {} (true {}, false {}, neutral {})",
        score.found, score.true_pos, score.false_pos, score.neutral
    );
    println!("precision: {:.1}%", 100.0 * score.precision());
    println!("recall: {:.1}%", 100.0 * score.recall());
}
