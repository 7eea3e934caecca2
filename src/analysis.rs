//! The analysis core's entry point: run every analyzer over a text and collect its findings.
//!
//! Pure: text in, findings with byte ranges out. No LSP types, no async, no I/O.

use crate::config::Config;
use crate::finding::{Finding, Severity};
use crate::rules;

/// The rules of each analyzer: (code, default severity, description).
pub const RULE_GROUPS: &[&[(&str, Severity, &str)]] = &[];

/// All findings for `text`, shaped by the user's rule settings.
pub fn analyze(text: &str, config: &Config) -> Vec<Finding> {
    let findings = raw_findings(text);
    rules::apply_settings(findings, config)
}

fn raw_findings(_text: &str) -> Vec<Finding> {
    Vec::new()
}

/// The edits of every finding's safe fix (its preferred one if several are safe), in text
/// order, leaving out any that would overlap an edit already taken.
pub fn safe_edits(findings: &[Finding]) -> Vec<crate::finding::Edit> {
    let mut edits: Vec<crate::finding::Edit> = Vec::new();
    let mut chosen: Vec<&crate::finding::Fix> = findings
        .iter()
        .filter_map(|f| {
            let safe = f.fixes.iter().filter(|fix| fix.safe);
            safe.clone().find(|fix| fix.preferred).or_else(|| safe.clone().next())
        })
        .collect();
    chosen.sort_by_key(|fix| fix.edits.first().map(|e| e.range.start).unwrap_or(0));
    for fix in chosen {
        let mut candidate = fix.edits.clone();
        candidate.sort_by_key(|e| (e.range.start, e.range.end));
        let clashes = candidate.iter().any(|e| {
            edits.iter().any(|taken| {
                e.range.start < taken.range.end && taken.range.start < e.range.end
                    || (e.range.is_empty()
                        && taken.range.is_empty()
                        && e.range.start == taken.range.start)
            })
        });
        if !clashes {
            edits.extend(candidate);
        }
    }
    edits.sort_by_key(|e| (e.range.start, e.range.end));
    edits
}

/// Apply non-overlapping edits (as returned by [`safe_edits`]) to `text`.
pub fn apply_edits(text: &str, edits: &[crate::finding::Edit]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut cursor = 0;
    for edit in edits {
        let valid = edit.range.start >= cursor
            && edit.range.start <= edit.range.end
            && text.is_char_boundary(edit.range.start)
            && text.is_char_boundary(edit.range.end);
        if !valid {
            continue;
        }
        out.push_str(&text[cursor..edit.range.start]);
        out.push_str(&edit.new_text);
        cursor = edit.range.end;
    }
    out.push_str(&text[cursor..]);
    out
}
