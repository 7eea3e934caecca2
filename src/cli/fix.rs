//! `scholion fix`: the safe fixes as a unified diff, or written back atomically.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use similar::TextDiff;

use super::{EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS};
use crate::analysis;
use crate::config::Config;

pub fn run_fix(paths: &[PathBuf], write: bool, config: &Config) -> i32 {
    let (index, mut errors) = match super::load_workspace(paths, config) {
        Ok(loaded) => loaded,
        Err(err) => {
            eprintln!("error: {err}");
            return EXIT_ERROR;
        }
    };
    let mut changed = 0;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for doc in index.docs() {
        let Some(path) = doc.path.as_deref() else { continue };
        let name = super::doc_name(doc);
        let original: &str = &doc.text;
        let findings = index.findings_for(doc, config);
        let fixed = analysis::apply_edits(original, &analysis::safe_edits(&findings));
        if fixed == original {
            continue;
        }
        changed += 1;
        if write {
            match write_if_unchanged(path, original, &fixed) {
                Ok(()) => eprintln!("fixed {name}"),
                Err(err) => errors.push(format!("{name}: {err}")),
            }
        } else {
            let diff = TextDiff::from_lines(original, &fixed);
            let a = format!("a/{name}");
            let b = format!("b/{name}");
            if write!(out, "{}", diff.unified_diff().context_radius(2).header(&a, &b)).is_err() {
                return EXIT_ERROR;
            }
        }
    }
    for error in &errors {
        eprintln!("error: {error}");
    }
    if !errors.is_empty() {
        EXIT_ERROR
    } else if changed > 0 && !write {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    }
}

/// Replace `path` with `fixed` through a temporary file and a rename, refusing when the file no
/// longer holds `original` (someone changed it since we read it).
pub fn write_if_unchanged(path: &Path, original: &str, fixed: &str) -> Result<(), String> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut temp = tempfile::NamedTempFile::new_in(dir)
        .map_err(|err| format!("cannot create a temporary file in {}: {err}", dir.display()))?;
    temp.write_all(fixed.as_bytes()).map_err(|err| format!("cannot write: {err}"))?;
    temp.as_file().sync_all().map_err(|err| format!("cannot sync: {err}"))?;
    if let Ok(metadata) = fs::metadata(path) {
        let _ = temp.as_file().set_permissions(metadata.permissions());
    }
    let current = fs::read(path).map_err(|err| format!("cannot re-read before writing: {err}"))?;
    if current != original.as_bytes() {
        return Err("changed on disk since it was read; not written (run again)".into());
    }
    temp.persist(path).map_err(|err| format!("cannot replace the file: {}", err.error))?;
    Ok(())
}
