//! `scholion reflow`: a document in reading order.

use std::io::Write;
use std::path::Path;

use serde_json::json;

use super::{EXIT_CLEAN, EXIT_ERROR};
use crate::analysis::DocumentAnalysis;
use crate::config::Config;
use crate::layout::reflow::reflow_paragraphs;
use crate::layout::LanguageModel;
use crate::workspace;

pub fn run_reflow(path: &Path, folder: Option<&Path>, as_json: bool, config: &Config) -> i32 {
    let text = match workspace::read_text(path, config.max_file_size) {
        Ok(text) => text,
        Err(reason) => {
            eprintln!("error: {}: {reason}", path.display());
            return EXIT_ERROR;
        }
    };
    let analysis = match folder {
        None => DocumentAnalysis::new(&text),
        Some(folder) => match folder_model(folder, path, &text, config) {
            Ok(model) => DocumentAnalysis::with_model(&text, &model),
            Err(err) => {
                eprintln!("error: {err}");
                return EXIT_ERROR;
            }
        },
    };
    let paragraphs: Vec<_> = reflow_paragraphs(&text, &analysis.layout)
        .into_iter()
        .filter(|p| !p.text.trim().is_empty())
        .map(|mut p| {
            p.text = crate::analysis::repair_characters(&p.text);
            p
        })
        .collect();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let written = if as_json {
        let items: Vec<_> = paragraphs
            .iter()
            .map(|p| {
                json!({
                    "kind": p.kind,
                    "text": p.text,
                    "source": p.source.iter().map(|r| [r.start, r.end]).collect::<Vec<_>>(),
                })
            })
            .collect();
        writeln!(out, "{}", json!({ "file": path.display().to_string(), "paragraphs": items }))
    } else {
        let texts: Vec<&str> = paragraphs.iter().map(|p| p.text.as_str()).collect();
        writeln!(out, "{}", texts.join("\n\n"))
    };
    if written.is_err() {
        return EXIT_ERROR;
    }
    EXIT_CLEAN
}

/// The language model of the text files under `folder` and the document itself (counted once,
/// also when it lies in the folder), read one file at a time. Files that cannot be read are
/// skipped with a warning.
fn folder_model(
    folder: &Path,
    document: &Path,
    text: &str,
    config: &Config,
) -> Result<LanguageModel, String> {
    if !folder.is_dir() {
        return Err(format!("{}: not a folder", folder.display()));
    }
    let (files, _) = super::collect_files(&[folder.to_path_buf()], config)?;
    let document = document.canonicalize().ok();
    let mut model = LanguageModel::from_text(text);
    for file in files {
        if file.canonicalize().ok() == document {
            continue;
        }
        match workspace::read_text(&file, config.max_file_size) {
            Ok(other) => model.add_text(&other),
            Err(reason) => eprintln!("warning: {}: {reason}", super::display_path(&file)),
        }
    }
    Ok(model)
}
