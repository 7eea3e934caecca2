//! `scholion fix`: the safe fixes as a unified diff, or written back atomically.
//!
//! `--write` replaces each file through a temporary file in the same folder and a rename, so a
//! file is always either its old or its new text, even if the process is killed. A kill can
//! leave the temporary file itself behind: it is hidden and named `.scholion-fix-*.tmp` (never
//! a `*.txt` document), and the next `fix --write` in that folder removes it once it is older
//! than [`STALE_TEMP_AGE`] (a younger one may belong to a run still going).

use std::collections::BTreeSet;
use std::fs;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use similar::TextDiff;

use super::{EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS};
use crate::analysis;
use crate::config::Config;

/// Name parts of the temporary files `--write` writes before renaming them into place.
pub const TEMP_PREFIX: &str = ".scholion-fix-";
pub const TEMP_SUFFIX: &str = ".tmp";

/// Leftover temporary files older than this are removed by the next `--write`.
pub const STALE_TEMP_AGE: Duration = Duration::from_secs(60);

/// Test hook: when set, `--write` prints `scholion-test: writing <name>` on stderr before each
/// file and waits for a line on stdin, so tests can change a file or stop the process at an
/// exact point. Never set it otherwise.
pub const TEST_STEP_ENV: &str = "SCHOLION_TEST_FIX_STEP";

pub fn run_fix(paths: &[PathBuf], write: bool, config: &Config) -> i32 {
    let (index, mut errors) = match super::load_workspace(paths, config) {
        Ok(loaded) => loaded,
        Err(err) => {
            eprintln!("error: {err}");
            return EXIT_ERROR;
        }
    };
    if write {
        let folders: BTreeSet<&Path> =
            index.docs().filter_map(|doc| doc.path.as_deref()?.parent()).collect();
        for folder in folders {
            remove_stale_temp_files(folder);
        }
    }
    let step = write && std::env::var_os(TEST_STEP_ENV).is_some();
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
            if step {
                eprintln!("scholion-test: writing {name}");
                let _ = std::io::stdin().lock().read_line(&mut String::new());
            }
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
/// longer holds `original` (someone changed it since we read it). A symbolic link is followed:
/// its target is rewritten and the link stays.
pub fn write_if_unchanged(path: &Path, original: &str, fixed: &str) -> Result<(), String> {
    let path = fs::canonicalize(path).map_err(|err| format!("cannot resolve the path: {err}"))?;
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut temp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .suffix(TEMP_SUFFIX)
        .tempfile_in(dir)
        .map_err(|err| format!("cannot create a temporary file in {}: {err}", dir.display()))?;
    temp.write_all(fixed.as_bytes()).map_err(|err| format!("cannot write: {err}"))?;
    temp.as_file().sync_all().map_err(|err| format!("cannot sync: {err}"))?;
    if let Ok(metadata) = fs::metadata(&path) {
        let _ = temp.as_file().set_permissions(metadata.permissions());
    }
    let current = fs::read(&path).map_err(|err| format!("cannot re-read before writing: {err}"))?;
    if current != original.as_bytes() {
        return Err("changed on disk since it was read; not written (run again)".into());
    }
    temp.persist(&path).map_err(|err| format!("cannot replace the file: {}", err.error))?;
    // Make the rename itself durable (best effort: not every platform can sync a folder).
    if let Ok(folder) = fs::File::open(dir) {
        let _ = folder.sync_all();
    }
    Ok(())
}

/// Remove temporary files that an interrupted `fix --write` left in `folder`.
fn remove_stale_temp_files(folder: &Path) {
    let Ok(entries) = fs::read_dir(folder) else { return };
    let now = SystemTime::now();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if !(name.starts_with(TEMP_PREFIX) && name.ends_with(TEMP_SUFFIX)) {
            continue;
        }
        let Ok(metadata) = entry.metadata() else { continue };
        let age = metadata.modified().ok().and_then(|m| now.duration_since(m).ok());
        if metadata.is_file() && age.is_some_and(|age| age >= STALE_TEMP_AGE) {
            match fs::remove_file(entry.path()) {
                Ok(()) => eprintln!(
                    "removed {}, left behind by an interrupted `scholion fix --write`",
                    super::display_path(&entry.path())
                ),
                Err(err) => eprintln!("warning: cannot remove {}: {err}", entry.path().display()),
            }
        }
    }
}
