//! Finding and reading the text files of a workspace.
//!
//! `.gitignore` (and `.ignore`) are honoured through the `ignore` crate, also outside git
//! repositories; include/exclude globs are matched against paths relative to the root.

use std::fmt;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};

use crate::config::Config;

/// Why a file was left out of the index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkipReason {
    TooLarge { size: u64, limit: u64 },
    Binary,
    InvalidUtf8 { valid_up_to: usize },
    Unreadable(String),
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SkipReason::TooLarge { size, limit } => {
                write!(f, "file is {size} bytes, over the limit of {limit} (maxFileSize)")
            }
            SkipReason::Binary => write!(f, "binary file (holds NUL bytes)"),
            SkipReason::InvalidUtf8 { valid_up_to } => {
                write!(f, "not valid UTF-8 (first bad byte at offset {valid_up_to})")
            }
            SkipReason::Unreadable(err) => write!(f, "cannot be read: {err}"),
        }
    }
}

/// Compiled include/exclude patterns.
#[derive(Debug, Clone)]
pub struct FileFilter {
    include: GlobSet,
    exclude: GlobSet,
}

impl FileFilter {
    /// Build from the configuration; a bad pattern is returned as a readable error.
    pub fn new(config: &Config) -> Result<Self, String> {
        Ok(FileFilter {
            include: build_set(&config.include)?,
            exclude: build_set(&config.exclude)?,
        })
    }

    /// Whether `relative` (a path relative to a workspace root) should be indexed.
    pub fn accepts(&self, relative: &Path) -> bool {
        self.include.is_match(relative) && !self.exclude.is_match(relative)
    }
}

fn build_set(patterns: &[String]) -> Result<GlobSet, String> {
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        let glob = Glob::new(pattern).map_err(|err| format!("bad glob `{pattern}`: {err}"))?;
        builder.add(glob);
    }
    builder.build().map_err(|err| err.to_string())
}

/// Every file under `root` that the filter accepts, in a stable order.
pub fn discover(root: &Path, filter: &FileFilter) -> Vec<PathBuf> {
    let walker =
        ignore::WalkBuilder::new(root).hidden(true).require_git(false).follow_links(false).build();
    let mut files = Vec::new();
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                tracing::warn!("skipping part of {}: {err}", root.display());
                continue;
            }
        };
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let path = entry.into_path();
        let relative = path.strip_prefix(root).unwrap_or(&path);
        if filter.accepts(relative) {
            files.push(path);
        }
    }
    files.sort();
    files
}

/// Read a text file, refusing what cannot be indexed.
pub fn read_text(path: &Path, max_size: u64) -> Result<String, SkipReason> {
    let file = fs::File::open(path).map_err(|err| SkipReason::Unreadable(err.to_string()))?;
    let size = file.metadata().map_err(|err| SkipReason::Unreadable(err.to_string()))?.len();
    if size > max_size {
        return Err(SkipReason::TooLarge { size, limit: max_size });
    }
    let mut bytes = Vec::with_capacity(size as usize);
    // Read at most one byte past the limit: the file may grow between stat and read.
    file.take(max_size + 1)
        .read_to_end(&mut bytes)
        .map_err(|err| SkipReason::Unreadable(err.to_string()))?;
    if bytes.len() as u64 > max_size {
        return Err(SkipReason::TooLarge { size: bytes.len() as u64, limit: max_size });
    }
    decode_text(bytes)
}

/// Accept UTF-8 text (a leading byte-order mark is kept: the garbled rules report it).
pub fn decode_text(bytes: Vec<u8>) -> Result<String, SkipReason> {
    if bytes.contains(&0) {
        return Err(SkipReason::Binary);
    }
    String::from_utf8(bytes)
        .map_err(|err| SkipReason::InvalidUtf8 { valid_up_to: err.utf8_error().valid_up_to() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_include_exclude() {
        let config = Config { exclude: vec!["drafts/**".into()], ..Config::default() };
        let filter = FileFilter::new(&config).unwrap();
        assert!(filter.accepts(Path::new("a/b.txt")));
        assert!(filter.accepts(Path::new("b.txt")));
        assert!(!filter.accepts(Path::new("drafts/b.txt")));
        assert!(!filter.accepts(Path::new("b.md")));
        let bad = Config { include: vec!["a[".into()], ..Config::default() };
        assert!(FileFilter::new(&bad).unwrap_err().contains("a["));
    }

    #[test]
    fn discovery_honours_gitignore_and_reading_refuses_bad_files() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::write(root.join(".gitignore"), "ignored/\n").unwrap();
        fs::create_dir_all(root.join("ignored")).unwrap();
        fs::create_dir_all(root.join("sub dir")).unwrap();
        fs::write(root.join("ignored/x.txt"), "x").unwrap();
        fs::write(root.join("sub dir/ü.txt"), "ok").unwrap();
        fs::write(root.join("bin.txt"), b"a\0b").unwrap();
        fs::write(root.join("latin1.txt"), b"caf\xe9").unwrap();
        fs::write(root.join("big.txt"), "y".repeat(100)).unwrap();
        let filter = FileFilter::new(&Config::default()).unwrap();
        let names: Vec<_> = discover(root, &filter)
            .iter()
            .map(|p| p.strip_prefix(root).unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, vec!["big.txt", "bin.txt", "latin1.txt", "sub dir/ü.txt"]);
        assert_eq!(read_text(&root.join("bin.txt"), 1000), Err(SkipReason::Binary));
        assert_eq!(
            read_text(&root.join("latin1.txt"), 1000),
            Err(SkipReason::InvalidUtf8 { valid_up_to: 3 })
        );
        assert!(matches!(read_text(&root.join("big.txt"), 10), Err(SkipReason::TooLarge { .. })));
        assert_eq!(read_text(&root.join("sub dir/ü.txt"), 10).unwrap(), "ok");
        assert!(matches!(read_text(&root.join("gone.txt"), 10), Err(SkipReason::Unreadable(_))));
    }
}
