//! What every analyzer reports: findings located by byte ranges in the analysed text.
//!
//! This is the contract between the pure analysis core and its front ends (the LSP layer and the
//! command line). Nothing here knows about LSP positions, files or async.

use std::ops::Range;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// How serious a finding is. Mirrors the four LSP severities without depending on LSP types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Information,
    Hint,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Information => "information",
            Severity::Hint => "hint",
        }
    }
}

/// Replace the bytes `range` of the analysed text with `new_text`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Edit {
    pub range: Range<usize>,
    pub new_text: String,
}

/// One way to resolve a finding. A fix's edits never overlap each other.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fix {
    /// Shown to the user, e.g. "Replace with `Oekraïne`".
    pub title: String,
    pub edits: Vec<Edit>,
    /// Safe fixes are applied by `scholion fix` and by "fix all"; unsafe ones only on request.
    pub safe: bool,
    /// The fix an editor should offer first (LSP `isPreferred`).
    pub preferred: bool,
}

/// Another place in the same text that explains the finding (LSP `relatedInformation`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Related {
    pub range: Range<usize>,
    pub message: String,
}

/// One problem found in a text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Stable rule code, e.g. `garbled-character`.
    pub rule: &'static str,
    /// The rule's default severity; configuration may override it later.
    pub severity: Severity,
    pub message: String,
    /// Byte range in the analysed text; always on UTF-8 character boundaries.
    pub range: Range<usize>,
    pub fixes: Vec<Fix>,
    pub related: Vec<Related>,
}

impl Finding {
    /// The same finding for the same text moved by `delta` bytes (for per-page caches).
    pub fn shifted(&self, delta: isize) -> Finding {
        let mv = |r: &Range<usize>| {
            r.start.saturating_add_signed(delta)..r.end.saturating_add_signed(delta)
        };
        Finding {
            range: mv(&self.range),
            fixes: self
                .fixes
                .iter()
                .map(|fix| Fix {
                    title: fix.title.clone(),
                    edits: fix
                        .edits
                        .iter()
                        .map(|e| Edit { range: mv(&e.range), new_text: e.new_text.clone() })
                        .collect(),
                    safe: fix.safe,
                    preferred: fix.preferred,
                })
                .collect(),
            related: self
                .related
                .iter()
                .map(|r| Related { range: mv(&r.range), message: r.message.clone() })
                .collect(),
            rule: self.rule,
            severity: self.severity,
            message: self.message.clone(),
        }
    }
}

/// Findings whose ranges are relative to `base`: a page's or paragraph's findings stay valid
/// wherever an edit moves the page, so versions of a document share them instead of copying.
#[derive(Debug, Clone)]
pub struct FindingChunk {
    /// What the findings' ranges are moved by: the start of their page or paragraph, or 0 for
    /// absolute ranges (negative once an edit before them shortened the text).
    pub base: isize,
    /// No finding of the chunk starts before this (absolute) position: the start of its page
    /// or paragraph. Lets a caller find the first findings of a document without sorting all.
    pub starts_at: usize,
    pub findings: Arc<[Finding]>,
}

impl FindingChunk {
    /// Findings relative to `base`, none starting before it.
    pub fn new(base: usize, findings: Arc<[Finding]>) -> Self {
        FindingChunk { base: base as isize, starts_at: base, findings }
    }

    /// Findings whose ranges are absolute already, none starting before `starts_at`.
    pub fn absolute(starts_at: usize, findings: Vec<Finding>) -> Self {
        FindingChunk { base: 0, starts_at, findings: findings.into() }
    }

    pub fn iter(&self) -> impl Iterator<Item = Located<'_>> {
        self.iter_moved(0)
    }

    /// The findings as they lie when the chunk has moved `delta` bytes.
    pub fn iter_moved(&self, delta: isize) -> impl Iterator<Item = Located<'_>> {
        let base = self.base + delta;
        self.findings.iter().map(move |finding| Located { base, finding })
    }

    /// The same findings `delta` bytes further on (nothing is copied but the pointer).
    pub fn shifted(&self, delta: isize) -> Self {
        FindingChunk {
            base: self.base + delta,
            starts_at: self.starts_at.saturating_add_signed(delta),
            findings: self.findings.clone(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.findings.is_empty()
    }
}

impl crate::chunked::Shift for FindingChunk {
    fn shifted(&self, delta: isize) -> Self {
        FindingChunk::shifted(self, delta)
    }
}

/// `found` with absolute ranges, in text order (and by rule and message where ranges are
/// equal): one order for comparing findings computed in different ways.
pub fn absolute_in_order<'a>(found: impl Iterator<Item = Located<'a>>) -> Vec<Finding> {
    let mut found: Vec<Finding> = found.map(|f| f.to_finding()).collect();
    found.sort_by(|a, b| {
        (a.range.start, a.range.end, a.rule, &a.message).cmp(&(
            b.range.start,
            b.range.end,
            b.rule,
            &b.message,
        ))
    });
    found
}

/// A finding of a [`FindingChunk`], with the base that makes its ranges absolute.
#[derive(Debug, Clone, Copy)]
pub struct Located<'a> {
    pub base: isize,
    pub finding: &'a Finding,
}

impl<'a> Located<'a> {
    /// A finding whose ranges are absolute.
    pub fn absolute(finding: &'a Finding) -> Self {
        Located { base: 0, finding }
    }

    pub fn range(&self) -> Range<usize> {
        let r = &self.finding.range;
        r.start.saturating_add_signed(self.base)..r.end.saturating_add_signed(self.base)
    }

    /// The finding with absolute ranges (copied: only for the findings actually shown).
    pub fn to_finding(&self) -> Finding {
        if self.base == 0 {
            self.finding.clone()
        } else {
            self.finding.shifted(self.base)
        }
    }
}
