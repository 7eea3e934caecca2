//! The command line: batch use of the same analysis core the server runs.

mod acronyms;
mod check;
mod fix;
mod reflow;

pub use acronyms::run_acronyms;
pub use check::{run_check, OutputFormat};
pub use fix::run_fix;
pub use reflow::run_reflow;

use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::workspace::{self, FileFilter, IndexedDoc, WorkspaceIndex};

/// Exit codes shared by the subcommands.
pub const EXIT_CLEAN: i32 = 0;
pub const EXIT_FINDINGS: i32 = 1;
pub const EXIT_ERROR: i32 = 2;

/// Expand the command line's paths: files as given, folders walked with the configured globs
/// and `.gitignore`. Missing paths are returned as errors.
pub fn collect_files(
    paths: &[PathBuf],
    config: &Config,
) -> Result<(Vec<PathBuf>, Vec<String>), String> {
    let filter = FileFilter::new(config)?;
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        if path.is_dir() {
            files.extend(workspace::discover(path, &filter));
        } else if path.is_file() {
            files.push(path.clone());
        } else {
            errors.push(format!("{}: no such file or folder", path.display()));
        }
    }
    Ok((files, errors))
}

/// The files under `paths`, read and analysed together as one workspace (an acronym defined in
/// one file explains it in all), plus a message for every path or file that could not be used.
/// Glossary problems are printed as warnings.
pub fn load_workspace(
    paths: &[PathBuf],
    config: &Config,
) -> Result<(WorkspaceIndex, Vec<String>), String> {
    let (files, mut errors) = collect_files(paths, config)?;
    let (index, skipped, glossary_errors) = workspace::load_index(&files, &roots(paths), config);
    for error in &glossary_errors {
        eprintln!("warning: {error}");
    }
    errors.extend(skipped.iter().map(|(path, reason)| format!("{}: {reason}", display_path(path))));
    Ok((index, errors))
}

/// How a document is named in output.
pub fn doc_name(doc: &IndexedDoc) -> String {
    doc.path.as_deref().map(display_path).unwrap_or_else(|| doc.key.as_str().to_string())
}

/// The folders whose glossaries (`.scholion/glossary.toml`, configured paths) apply: the
/// current folder and every folder given on the command line.
pub fn roots(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut roots: Vec<PathBuf> = std::env::current_dir().into_iter().collect();
    roots.extend(paths.iter().filter(|p| p.is_dir()).cloned());
    roots
}

/// The configuration file the command line reads from the current folder, if present.
pub const CONFIG_FILE: &str = ".scholion/config.toml";

/// Read `.scholion/config.toml` (same keys as the editor settings); defaults without it.
/// Malformed settings are reported on stderr and replaced by their defaults.
pub fn load_config() -> Config {
    let Ok(text) = std::fs::read_to_string(CONFIG_FILE) else { return Config::default() };
    let value: toml::Value = match toml::from_str(&text) {
        Ok(value) => value,
        Err(err) => {
            eprintln!("warning: {CONFIG_FILE}: {}; using defaults", err.message());
            return Config::default();
        }
    };
    let json = serde_json::to_value(value).unwrap_or_default();
    let (config, warnings) = Config::from_json(&json);
    for warning in warnings {
        eprintln!("warning: {CONFIG_FILE}: {warning}");
    }
    config
}

/// How a path is shown in output: relative to the current folder when it lies below it.
pub fn display_path(path: &Path) -> String {
    let shown = std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(&cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf());
    shown.to_string_lossy().into_owned()
}
