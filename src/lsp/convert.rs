//! Conversions between core facts (byte ranges) and LSP types (positions in the negotiated
//! encoding). Every conversion goes through `crate::text::position`.

use std::collections::HashMap;
use std::ops::Range;

use tower_lsp_server::ls_types::{
    self as lsp, CodeAction, CodeActionKind, Diagnostic, DiagnosticRelatedInformation,
    DiagnosticSeverity, Location, NumberOrString, TextEdit, Uri, WorkspaceEdit,
};

use crate::finding::{Finding, Fix, Severity};
use crate::text::{position, Lines, PositionEncoding};

pub const SOURCE: &str = "scholion";

pub fn to_lsp_position(p: crate::text::Position) -> lsp::Position {
    lsp::Position::new(p.line, p.character)
}

pub fn from_lsp_position(p: lsp::Position) -> crate::text::Position {
    crate::text::Position::new(p.line, p.character)
}

pub fn to_lsp_range(text: &dyn Lines, range: Range<usize>, enc: PositionEncoding) -> lsp::Range {
    let (start, end) = position::to_positions(text, range, enc);
    lsp::Range::new(to_lsp_position(start), to_lsp_position(end))
}

pub fn to_offset(text: &dyn Lines, p: lsp::Position, enc: PositionEncoding) -> usize {
    position::to_offset(text, from_lsp_position(p), enc)
}

pub fn severity(severity: Severity) -> DiagnosticSeverity {
    match severity {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Information => DiagnosticSeverity::INFORMATION,
        Severity::Hint => DiagnosticSeverity::HINT,
    }
}

pub fn diagnostic(
    text: &dyn Lines,
    uri: &Uri,
    finding: &Finding,
    enc: PositionEncoding,
) -> Diagnostic {
    let related = (!finding.related.is_empty()).then(|| {
        finding
            .related
            .iter()
            .map(|r| DiagnosticRelatedInformation {
                location: Location::new(uri.clone(), to_lsp_range(text, r.range.clone(), enc)),
                message: r.message.clone(),
            })
            .collect()
    });
    Diagnostic {
        range: to_lsp_range(text, finding.range.clone(), enc),
        severity: Some(severity(finding.severity)),
        code: Some(NumberOrString::String(finding.rule.to_string())),
        source: Some(SOURCE.to_string()),
        message: finding.message.clone(),
        related_information: related,
        ..Diagnostic::default()
    }
}

pub fn workspace_edit(
    text: &dyn Lines,
    uri: &Uri,
    fix: &Fix,
    enc: PositionEncoding,
) -> WorkspaceEdit {
    let edits = fix
        .edits
        .iter()
        .map(|e| TextEdit::new(to_lsp_range(text, e.range.clone(), enc), e.new_text.clone()))
        .collect();
    WorkspaceEdit {
        changes: Some(HashMap::from([(uri.clone(), edits)])),
        ..WorkspaceEdit::default()
    }
}

/// A quick fix for one finding, carrying the diagnostic it resolves.
pub fn quick_fix(
    text: &dyn Lines,
    uri: &Uri,
    finding: &Finding,
    fix: &Fix,
    enc: PositionEncoding,
) -> CodeAction {
    CodeAction {
        title: fix.title.clone(),
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![diagnostic(text, uri, finding, enc)]),
        edit: Some(workspace_edit(text, uri, fix, enc)),
        is_preferred: fix.preferred.then_some(true),
        ..CodeAction::default()
    }
}
