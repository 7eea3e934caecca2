//! `scholion check`: findings rendered like rustc, or as JSON lines.

use std::io::Write;
use std::path::PathBuf;

use codespan_reporting::diagnostic::{Diagnostic, Label, LabelStyle, Severity as CsSeverity};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term::{self, termcolor};
use serde_json::json;

use super::{EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS};
use crate::config::Config;
use crate::finding::{Finding, Severity};
use crate::text::{position, LineIndex, PositionEncoding};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    Human,
    Json,
}

pub fn run_check(paths: &[PathBuf], format: OutputFormat, color: bool, config: &Config) -> i32 {
    let (index, errors) = match super::load_workspace(paths, config) {
        Ok(loaded) => loaded,
        Err(err) => {
            eprintln!("error: {err}");
            return EXIT_ERROR;
        }
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut writer = termcolor::StandardStream::stdout(if color {
        termcolor::ColorChoice::Auto
    } else {
        termcolor::ColorChoice::Never
    });
    let mut counts = [0usize; 4];
    let mut files_with_findings = 0;
    for doc in index.docs() {
        let findings = index.findings_for(doc, config);
        if !findings.is_empty() {
            files_with_findings += 1;
        }
        let name = super::doc_name(doc);
        for finding in &findings {
            counts[severity_rank(finding.severity)] += 1;
            let written = match format {
                OutputFormat::Json => writeln!(out, "{}", finding_json(&name, &doc.text, finding)),
                OutputFormat::Human => render_human(&mut writer, &name, &doc.text, finding)
                    .map_err(std::io::Error::other),
            };
            if written.is_err() {
                return EXIT_ERROR; // stdout closed (e.g. piped into `head`)
            }
        }
    }
    for error in &errors {
        eprintln!("error: {error}");
    }
    let total: usize = counts.iter().sum();
    if format == OutputFormat::Human {
        let _ = writeln!(
            out,
            "{} in {} of {} files ({} errors, {} warnings, {} information, {} hints)",
            plural(total, "finding"),
            files_with_findings,
            index.len(),
            counts[0],
            counts[1],
            counts[2],
            counts[3]
        );
    }
    if !errors.is_empty() {
        EXIT_ERROR
    } else if total > 0 {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

fn severity_rank(severity: Severity) -> usize {
    match severity {
        Severity::Error => 0,
        Severity::Warning => 1,
        Severity::Information => 2,
        Severity::Hint => 3,
    }
}

fn render_human(
    writer: &mut termcolor::StandardStream,
    name: &str,
    text: &str,
    finding: &Finding,
) -> Result<(), codespan_reporting::files::Error> {
    let file = SimpleFile::new(name, text);
    let severity = match finding.severity {
        Severity::Error => CsSeverity::Error,
        Severity::Warning => CsSeverity::Warning,
        Severity::Information => CsSeverity::Note,
        Severity::Hint => CsSeverity::Help,
    };
    let mut labels = vec![Label::primary((), finding.range.clone())];
    for related in &finding.related {
        labels.push(
            Label::new(LabelStyle::Secondary, (), related.range.clone())
                .with_message(&related.message),
        );
    }
    let mut notes = Vec::new();
    if let Some(fix) = finding.fixes.iter().find(|f| f.preferred).or(finding.fixes.first()) {
        let safety = if fix.safe { "" } else { " (not applied by `scholion fix`)" };
        notes.push(format!("fix: {}{safety}", fix.title));
    }
    let diagnostic = Diagnostic::new(severity)
        .with_code(finding.rule)
        .with_message(&finding.message)
        .with_labels(labels)
        .with_notes(notes);
    term::emit(writer, &term::Config::default(), &file, &diagnostic)
}

/// One finding as a JSON object; lines and columns are 1-based, columns count characters.
pub fn finding_json(name: &str, text: &str, finding: &Finding) -> serde_json::Value {
    let lines = LineIndex::new(text);
    let (start, end) =
        position::to_positions(&lines, finding.range.clone(), PositionEncoding::Utf32);
    let fix = finding.fixes.iter().find(|f| f.preferred).or(finding.fixes.first()).map(|fix| {
        json!({
            "title": fix.title,
            "safe": fix.safe,
            "edits": fix.edits.iter().map(|e| json!({
                "byte_range": [e.range.start, e.range.end],
                "new_text": e.new_text,
            })).collect::<Vec<_>>(),
        })
    });
    json!({
        "file": name,
        "rule": finding.rule,
        "severity": finding.severity.as_str(),
        "message": finding.message,
        "line": start.line + 1,
        "column": start.character + 1,
        "end_line": end.line + 1,
        "end_column": end.character + 1,
        "byte_range": [finding.range.start, finding.range.end],
        "fix": fix,
    })
}
