//! Scholion: a language server and command line for damaged source texts pulled out of PDFs.
//!
//! The analysis core (`text`, `finding`, `rules`, `analysis` and the analyzers) is pure: text in,
//! findings with byte ranges out. `workspace` reads files, `lsp` and `cli` are thin front ends.

pub mod acronyms;
pub mod analysis;
pub mod chunked;
pub mod cli;
pub mod config;
pub mod finding;
pub mod garbled;
pub mod layout;
pub mod lexicon;
pub mod lsp;
pub mod parallel;
pub mod rules;
pub mod text;
pub mod workspace;
