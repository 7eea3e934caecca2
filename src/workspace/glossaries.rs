//! The workspace's glossaries: the built-in one, overlaid by the files named in the
//! configuration and by each workspace folder's `.scholion/glossary.toml` (later ones win).

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::acronyms::{Glossary, GlossaryEntry};
use crate::config::Config;

/// The glossary file every workspace folder may hold.
pub const WORKSPACE_GLOSSARY: &str = ".scholion/glossary.toml";

/// A user glossary file as read from disk.
#[derive(Debug, Clone)]
pub struct GlossaryFile {
    pub path: PathBuf,
    pub text: Arc<str>,
    pub glossary: Glossary,
}

/// The merged glossary and the files it came from.
#[derive(Debug, Clone)]
pub struct GlossarySet {
    merged: Glossary,
    files: Vec<GlossaryFile>,
}

impl Default for GlossarySet {
    fn default() -> Self {
        GlossarySet { merged: Glossary::builtin().clone(), files: Vec::new() }
    }
}

impl GlossarySet {
    /// Merge `files` (in order, later ones winning) over the built-in glossary.
    pub fn new(files: Vec<GlossaryFile>) -> Self {
        let mut merged = Glossary::builtin().clone();
        for file in &files {
            merged.overlay(file.glossary.clone());
        }
        GlossarySet { merged, files }
    }

    pub fn merged(&self) -> &Glossary {
        &self.merged
    }

    pub fn files(&self) -> &[GlossaryFile] {
        &self.files
    }

    /// The user glossary file whose entry for `short` is in force, with the entry's range.
    pub fn entry_location(&self, short: &str) -> Option<(&GlossaryFile, Range<usize>)> {
        self.files.iter().rev().find_map(|file| {
            let entry: &GlossaryEntry = file.glossary.get(short)?;
            Some((file, entry.source_range.clone()?))
        })
    }
}

/// The glossary files a workspace uses, in overlay order: configured paths (relative ones
/// resolved against each root), then each root's `.scholion/glossary.toml` that exists.
pub fn glossary_paths(roots: &[PathBuf], config: &Config) -> Vec<PathBuf> {
    let mut paths = Vec::new();
    for configured in &config.glossaries {
        let path = Path::new(configured);
        if path.is_absolute() {
            paths.push(path.to_path_buf());
        } else {
            paths.extend(roots.iter().map(|root| root.join(path)).filter(|p| p.is_file()));
        }
    }
    paths.extend(roots.iter().map(|root| root.join(WORKSPACE_GLOSSARY)).filter(|p| p.is_file()));
    let mut seen = Vec::new();
    paths.retain(|p| {
        let fresh = !seen.contains(p);
        seen.push(p.clone());
        fresh
    });
    paths
}

/// Read and parse glossary files; each unreadable or malformed one is left out with a message
/// that names the file (and the line, for TOML errors).
pub fn load(paths: &[PathBuf]) -> (GlossarySet, Vec<String>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(err) => {
                errors.push(format!("glossary {}: {err}", path.display()));
                continue;
            }
        };
        match Glossary::parse(&text) {
            Ok(glossary) => {
                files.push(GlossaryFile { path: path.clone(), text: Arc::from(text), glossary })
            }
            Err(err) => errors.push(format!("glossary {}: {err}", path.display())),
        }
    }
    (GlossarySet::new(files), errors)
}

/// Whether `path` is one of the glossary files of this set, or would be picked up as one.
pub fn is_glossary_path(path: &Path, config: &Config) -> bool {
    path.ends_with(WORKSPACE_GLOSSARY) || config.glossaries.iter().any(|g| path.ends_with(g))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn configured_and_workspace_glossaries_overlay_the_builtin_one() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        fs::create_dir_all(root.join(".scholion")).unwrap();
        fs::write(
            root.join("extra.toml"),
            "[XYZ]\nexpansion = \"Eerste\"\n[AIVD]\nexpansion = \"Eigen\"\n",
        )
        .unwrap();
        fs::write(root.join(WORKSPACE_GLOSSARY), "# team\n[XYZ]\nexpansion = \"Tweede\"\n")
            .unwrap();
        fs::write(root.join("bad.toml"), "[A]\nexpansion = 3\n").unwrap();
        let config = Config {
            glossaries: vec!["extra.toml".into(), "bad.toml".into(), "missing.toml".into()],
            ..Config::default()
        };
        let paths = glossary_paths(std::slice::from_ref(&root), &config);
        assert_eq!(
            paths,
            vec![root.join("extra.toml"), root.join("bad.toml"), root.join(WORKSPACE_GLOSSARY)]
        );
        let (set, errors) = load(&paths);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].contains("bad.toml") && errors[0].contains("line 2"), "{errors:?}");
        assert_eq!(set.merged().get("XYZ").unwrap().expansion, "Tweede");
        assert_eq!(set.merged().get("AIVD").unwrap().expansion, "Eigen");
        assert!(set.merged().get("NAVO").is_some());
        let (file, range) = set.entry_location("XYZ").unwrap();
        assert!(file.path.ends_with(WORKSPACE_GLOSSARY));
        assert_eq!(&file.text[range], "[XYZ]");
        assert!(set.entry_location("NAVO").is_none());
    }
}
