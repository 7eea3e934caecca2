//! `scholion acronyms`: every acronym of a set of files, with its expansion and where it is
//! defined.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::PathBuf;

use serde_json::json;

use super::{display_path, EXIT_CLEAN, EXIT_ERROR};
use crate::config::Config;
use crate::workspace::query;

use super::OutputFormat;

pub fn run_acronyms(paths: &[PathBuf], format: OutputFormat, config: &Config) -> i32 {
    let (index, errors) = match super::load_workspace(paths, config) {
        Ok(loaded) => loaded,
        Err(err) => {
            eprintln!("error: {err}");
            return EXIT_ERROR;
        }
    };
    let mut shorts: BTreeSet<String> = index.defined_shorts().map(str::to_string).collect();
    for doc in index.docs() {
        shorts.extend(doc.analysis.facts().uses.iter().map(|m| m.key.to_string()));
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for short in &shorts {
        let info = query::acronym_info(&index, short);
        let (expansion, source, defined_at) = match (info.definitions.first(), info.glossary) {
            (Some(def), _) => {
                let file = def.doc.path.as_deref().map(display_path).unwrap_or_default();
                let line = query::line_number(def.doc, def.definition.short_range.start);
                (Some(def.definition.long.to_string()), "text", Some(format!("{file}:{line}")))
            }
            (None, Some(entry)) => (Some(entry.expansion.clone()), "glossary", None),
            (None, None) => {
                if !crate::acronyms::is_plausible_acronym(short) {
                    continue;
                }
                (None, "undefined", None)
            }
        };
        let others: Vec<String> = info
            .definitions
            .iter()
            .skip(1)
            .map(|d| d.definition.long.to_string())
            .filter(|long| Some(long) != expansion.as_ref())
            .collect();
        let written = match format {
            OutputFormat::Json => writeln!(
                out,
                "{}",
                json!({
                    "acronym": short,
                    "expansion": expansion,
                    "other_expansions": others,
                    "source": source,
                    "defined_at": defined_at,
                    "uses": info.uses,
                })
            ),
            OutputFormat::Human => writeln!(
                out,
                "{short:<10} {:<60} {:<9} {:<28} uses: {}{}",
                expansion.as_deref().unwrap_or("?"),
                source,
                defined_at.as_deref().unwrap_or("-"),
                info.uses,
                if others.is_empty() {
                    String::new()
                } else {
                    format!("  (also: {})", others.join("; "))
                }
            ),
        };
        if written.is_err() {
            return EXIT_ERROR;
        }
    }
    for error in &errors {
        eprintln!("error: {error}");
    }
    if errors.is_empty() {
        EXIT_CLEAN
    } else {
        EXIT_ERROR
    }
}
