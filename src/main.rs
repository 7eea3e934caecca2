//! The `scholion` command: language server and batch tools.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use scholion::cli::{self, OutputFormat};

#[derive(Parser)]
#[command(
    name = "scholion",
    version,
    about = "Language server and batch tools for damaged text pulled out of PDFs"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the Language Server Protocol on stdin/stdout.
    Lsp {
        /// Accepted and ignored: stdio is the only transport (VS Code's client appends it).
        #[arg(long)]
        stdio: bool,
    },
    /// Report findings for files or folders (default: the current folder).
    Check {
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value = "human")]
        format: OutputFormat,
        /// Never colour the output.
        #[arg(long)]
        no_color: bool,
    },
    /// Print the safe fixes as a unified diff, or apply them with --write.
    Fix {
        paths: Vec<PathBuf>,
        /// Write the fixes back (atomically; refuses files changed since they were read).
        #[arg(long)]
        write: bool,
    },
    /// Print a document in reading order: columns untangled, page furniture dropped, one
    /// paragraph per line, hyphenated breaks resolved.
    Reflow {
        file: PathBuf,
        /// One JSON object with each paragraph's text and source byte ranges.
        #[arg(long)]
        json: bool,
        /// Also learn word statistics from the text files under this folder, as the language
        /// server does from its workspace: columns are told apart better on short documents.
        #[arg(long, value_name = "FOLDER")]
        workspace: Option<PathBuf>,
    },
    /// List every acronym with its expansion, source (text or glossary), where it is defined
    /// and how often it is used.
    Acronyms {
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value = "human")]
        format: OutputFormat,
    },
}

fn init_logging(default_level: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("SCHOLION_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_level));
    // stdout carries the protocol: logs go to stderr only.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .try_init();
}

fn paths_or_current(paths: Vec<PathBuf>) -> Vec<PathBuf> {
    if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths
    }
}

/// glibc gives each thread that allocates its own arena (up to 8 per core), and the server's
/// short-lived analysis buffers, spread over the blocking pool's threads, fragment them: the
/// 12 MB benchmark workspace peaked at 294 MB with the default and at 198 MB with two arenas
/// (README, Performance). Call before any thread starts.
fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only adjusts allocator settings; called before other threads exist.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = cli::load_config();
    let code = match cli.command {
        Command::Lsp { stdio: _ } => {
            init_logging("info");
            limit_malloc_arenas();
            // The Dutch lexicon takes a while to load; start now, not at the first analysis
            // (an editor's handshake and first didOpen take a while too).
            let _ = std::thread::Builder::new()
                .name("scholion-lexicon".into())
                .spawn(scholion::lexicon::warm_up);
            let runtime = match tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                // Analyses and requests run on the blocking pool; a few threads per core
                // keep all cores busy without a thread (and its buffers) per request.
                .max_blocking_threads(16)
                .build()
            {
                Ok(runtime) => runtime,
                Err(err) => {
                    eprintln!("error: cannot start the async runtime: {err}");
                    return ExitCode::from(cli::EXIT_ERROR as u8);
                }
            };
            let shut_down = runtime.block_on(scholion::lsp::serve_stdio());
            // Do not wait for blocking analysis jobs still running after `exit`.
            runtime.shutdown_timeout(std::time::Duration::from_millis(100));
            // As LSP asks: 0 after `shutdown`, 1 when the session ended without it.
            if shut_down {
                cli::EXIT_CLEAN
            } else {
                1
            }
        }
        Command::Check { paths, format, no_color } => {
            init_logging("warn");
            cli::run_check(&paths_or_current(paths), format, !no_color, &config)
        }
        Command::Fix { paths, write } => {
            init_logging("warn");
            cli::run_fix(&paths_or_current(paths), write, &config)
        }
        Command::Reflow { file, json, workspace } => {
            init_logging("warn");
            cli::run_reflow(&file, workspace.as_deref(), json, &config)
        }
        Command::Acronyms { paths, format } => {
            init_logging("warn");
            cli::run_acronyms(&paths_or_current(paths), format, &config)
        }
    };
    ExitCode::from(code as u8)
}
