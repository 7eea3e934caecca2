//! The rule registry: every rule code Scholion reports, its default severity, and how user
//! settings (enable, severity, a per-document cap) shape the findings of the analyzers.

use std::ops::Range;

use crate::config::Config;
use crate::finding::{Finding, Located, Severity};

/// One rule as users see it in configuration and documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleInfo {
    pub code: &'static str,
    pub default_severity: Severity,
    pub description: &'static str,
}

/// The code of the summary diagnostic that stands for findings over the per-document cap.
pub const TOO_MANY_FINDINGS: &str = "too-many-findings";

/// Every rule Scholion reports, with its default severity.
pub const RULES: &[RuleInfo] = &[
    // Layout (issue: layout model).
    rule("interleaved-columns", Severity::Warning, "a line holds two columns joined by spaces"),
    rule(
        "hyphenated-word",
        Severity::Information,
        "a word broken by a hyphen at a column line end",
    ),
    rule(
        "page-furniture",
        Severity::Hint,
        "a running header, page number or chapter number in the text flow",
    ),
    rule(
        "split-sentence",
        Severity::Information,
        "a sentence continues somewhere other than the next line",
    ),
    // Characters.
    rule(
        "garbled-character",
        Severity::Warning,
        "mojibake: UTF-8 text decoded in a legacy encoding",
    ),
    rule("replacement-character", Severity::Warning, "U+FFFD: a character was lost in conversion"),
    rule("control-character", Severity::Warning, "a stray C0/C1 control character"),
    rule(
        "pdf-ligature",
        Severity::Information,
        "a typographic ligature (ﬁ, ﬂ, …) instead of letters",
    ),
    rule(
        "invisible-character",
        Severity::Information,
        "a soft hyphen, zero-width character or stray no-break space",
    ),
    // Acronyms.
    rule(
        "undefined-acronym",
        Severity::Information,
        "an acronym defined nowhere in the workspace or a glossary",
    ),
    rule(
        TOO_MANY_FINDINGS,
        Severity::Information,
        "more findings than `maxDiagnosticsPerFile`; the rest are not shown",
    ),
];

const fn rule(
    code: &'static str,
    default_severity: Severity,
    description: &'static str,
) -> RuleInfo {
    RuleInfo { code, default_severity, description }
}

/// Drop disabled rules, apply severity overrides, sort by position and cap the count.
pub fn apply_settings<'a>(
    findings: impl IntoIterator<Item = Located<'a>>,
    config: &Config,
) -> Vec<Finding> {
    apply_settings_with_unseen(findings, 0, config)
}

/// [`apply_settings`] when `unseen` more enabled findings are known to start after every one
/// of `findings` that can be shown (they only count towards the summary).
pub fn apply_settings_with_unseen<'a>(
    findings: impl IntoIterator<Item = Located<'a>>,
    unseen: usize,
    config: &Config,
) -> Vec<Finding> {
    // Order and cap references; only the findings shown are copied (and moved to absolute
    // ranges), so a document with 14,000 findings costs little more than one with 500.
    let mut shown: Vec<(Range<usize>, Located<'a>)> = findings
        .into_iter()
        .filter(|located| config.rule(located.finding.rule).enabled)
        .map(|located| (located.range(), located))
        .collect();
    let order = |a: &(Range<usize>, Located<'_>), b: &(Range<usize>, Located<'_>)| {
        (a.0.start, a.0.end, a.1.finding.rule, &a.1.finding.message).cmp(&(
            b.0.start,
            b.0.end,
            b.1.finding.rule,
            &b.1.finding.message,
        ))
    };
    let cap = config.max_diagnostics_per_file;
    let hidden = if shown.len() > cap && config.rule(TOO_MANY_FINDINGS).enabled {
        let hidden = shown.len() - cap + unseen;
        // The first `cap` in order, without sorting the rest.
        shown.select_nth_unstable_by(cap, order);
        let first_hidden = shown[cap].0.clone();
        shown.truncate(cap);
        Some((hidden, first_hidden))
    } else {
        None
    };
    shown.sort_unstable_by(order);
    let mut out: Vec<Finding> = shown
        .into_iter()
        .map(|(_, located)| {
            let mut finding = located.to_finding();
            if let Some(severity) = config.rule(finding.rule).severity {
                finding.severity = severity;
            }
            finding
        })
        .collect();
    if let Some((hidden, first_hidden)) = hidden {
        out.push(Finding {
            rule: TOO_MANY_FINDINGS,
            severity: config.rule(TOO_MANY_FINDINGS).severity.unwrap_or(Severity::Information),
            message: more_findings_message(Some(hidden), cap),
            range: first_hidden.start..first_hidden.start,
            fixes: Vec::new(),
            related: Vec::new(),
        });
    }
    out
}

/// The summary's message: how many findings the cap hides, when they were counted.
pub fn more_findings_message(hidden: Option<usize>, cap: usize) -> String {
    let more = match hidden {
        Some(hidden) => format!("{hidden} more findings are"),
        None => "More findings are".to_string(),
    };
    format!(
        "{more} not shown (limit: maxDiagnosticsPerFile = {cap}); run `scholion check` for all \
         of them"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::RuleSetting;

    fn finding(rule: &'static str, start: usize) -> Finding {
        Finding {
            rule,
            severity: Severity::Warning,
            message: String::new(),
            range: start..start + 1,
            fixes: vec![],
            related: vec![],
        }
    }

    fn registered(code: &str) -> Option<Severity> {
        RULES.iter().find(|r| r.code == code).map(|r| r.default_severity)
    }

    #[test]
    fn every_rule_an_analyzer_reports_is_registered_with_its_severity() {
        for (code, severity, _) in crate::garbled::RULES {
            assert_eq!(registered(code), Some(*severity), "{code}");
        }
        let text = "Kop 3\nDe Onbekende Dienst werkt met de QXZV en in Oekra\u{221a}\u{00d8}ne. De dienst\nwerkt aan een ﬁne organisatie-\nontwikkeling samen.";
        let analysis = crate::analysis::DocumentAnalysis::new(text);
        let findings = crate::analysis::findings(text, &analysis, &|_| false, &Config::default());
        assert!(findings.iter().any(|f| f.rule == "garbled-character"));
        assert!(findings.iter().any(|f| f.rule == "undefined-acronym"));
        for finding in &findings {
            assert_eq!(registered(finding.rule), Some(finding.severity), "{}", finding.rule);
        }
    }

    #[test]
    fn settings_disable_override_and_cap() {
        let mut config = Config { max_diagnostics_per_file: 2, ..Config::default() };
        config.rules.insert("a".into(), RuleSetting { enabled: false, severity: None });
        config
            .rules
            .insert("b".into(), RuleSetting { enabled: true, severity: Some(Severity::Hint) });
        let findings = [finding("b", 9), finding("a", 0), finding("b", 3), finding("b", 5)];
        let out = apply_settings(findings.iter().map(Located::absolute), &config);
        let codes: Vec<_> = out.iter().map(|f| (f.rule, f.range.start, f.severity)).collect();
        assert_eq!(
            codes,
            vec![
                ("b", 3, Severity::Hint),
                ("b", 5, Severity::Hint),
                (TOO_MANY_FINDINGS, 9, Severity::Information)
            ]
        );
        assert!(out[2].message.starts_with("1 more"));
    }
}
