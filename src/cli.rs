//! The command line: `serve`, `notifier`, `migrate`, `admin grant`, `admin console-link`, `demo`.

use std::path::PathBuf;
use std::sync::Arc;

use clap::{Parser, Subcommand};

use microwish_core::SystemClock;

use crate::{admin, config, demo, register, startup};

/// microwish — micro-wishes (微心愿) for an old urban community: residents post, party-member
/// volunteers claim, grid leaders coordinate, and a notifier makes sure everyone hears of it.
#[derive(Debug, Parser)]
#[command(name = "microwish", version, about, long_about = None)]
#[command(
    after_help = "Configuration: config/default.toml (embedded) < --config FILE < MICROWISH__SECTION__KEY environment variables.\n\
    Logs: RUST_LOG (default info). Try `microwish demo` to see the whole system on one machine."
)]
pub struct Cli {
    /// A TOML file overriding the embedded defaults.
    #[arg(long, short, global = true, value_name = "FILE", env = "MICROWISH_CONFIG")]
    pub config: Option<PathBuf>,
    /// What to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the HTTP API, with the notifier worker in-process unless notifier.enabled = false.
    /// Applies pending migrations first.
    Serve,
    /// Run the notifier worker alone (several may run against one PostgreSQL).
    Notifier,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Administration from the command line.
    Admin {
        /// What to do.
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Import or update the population register from a spreadsheet.
    Import {
        /// What to import.
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// Export the population register.
    Export {
        /// What to export.
        #[command(subcommand)]
        command: ExportCommand,
    },
    /// Run the whole system on this machine: SQLite in a temporary folder, the WeChat/WeCom
    /// protocol stub, seed data; prints how to try it.
    Demo {
        /// Address for the API.
        #[arg(long, default_value = "127.0.0.1:8080")]
        bind: String,
    },
}

/// Administration commands.
#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Give a role to the user with this WeChat openid, creating the user if unknown (this is
    /// how the first admin is made). With --grid, a grid leader is made leader of that grid.
    Grant {
        /// The user's WeChat openid.
        #[arg(long)]
        openid: String,
        /// resident, volunteer, grid_leader or admin.
        #[arg(long)]
        role: microwish_core::people::Role,
        /// With --role grid_leader: the grid to lead.
        #[arg(long, value_name = "GRID_ID")]
        grid: Option<i64>,
    },
    /// Print a one-time sign-in link to the web console for a grid leader or admin (valid for
    /// console.link_ttl; the fallback when the QR code cannot be scanned).
    ConsoleLink {
        /// The person's WeChat openid.
        #[arg(long)]
        openid: String,
    },
}

/// What `import` reads.
#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// People by household from CSV with the columns building,unit,room,name,phone,relation,tags
    /// (buildings must exist). Idempotent: re-importing updates, never duplicates. Prints a line
    /// for every refused row and a summary; the file is streamed, so its size does not matter.
    Households {
        /// The CSV file (UTF-8).
        file: PathBuf,
    },
}

/// What `export` writes.
#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// People by household, as CSV in the import's format, to standard output.
    Households {
        /// Only this grid.
        #[arg(long, value_name = "GRID_ID")]
        grid: Option<i64>,
    },
}

/// Sets up logging: `RUST_LOG` or `info`, with sqlx's per-statement logs kept to warnings.
/// Colours only on a terminal: a log file or the journal gets plain text, and writing the escape
/// codes around every field of every request's span cost the hot list a few percent
/// (docs/benchmarks.md, fifth pass).
pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
        .try_init();
}

/// Runs one command.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    init_tracing();
    if let Command::Demo { bind } = cli.command {
        return demo::run(&bind).await;
    }
    let settings = Arc::new(config::load(cli.config.as_deref())?);
    tracing::debug!(?settings, "configuration loaded");
    match cli.command {
        Command::Migrate => {
            let db = startup::open_database(&settings).await?;
            db.close().await;
            println!("migrations applied");
            Ok(())
        }
        Command::Serve => {
            let db = startup::open_database(&settings).await?;
            let server = startup::start_server(settings.clone(), db.clone(), Arc::new(SystemClock)).await?;
            let worker = match settings.notifier.enabled {
                true => Some(server.start_worker()?),
                false => None,
            };
            let stop = server.stopper();
            tokio::spawn(async move {
                startup::shutdown_signal().await;
                let _ = stop.send(true);
            });
            server.wait().await?;
            if let Some(worker) = worker {
                let _ = worker.await;
            }
            db.close().await;
            Ok(())
        }
        Command::Notifier => {
            let db = startup::open_database(&settings).await?;
            startup::run_notifier(settings, db.clone(), Arc::new(SystemClock)).await?;
            db.close().await;
            Ok(())
        }
        Command::Admin {
            command: AdminCommand::Grant { openid, role, grid },
        } => {
            let db = startup::open_database(&settings).await?;
            let summary = admin::grant(&db, &openid, role, grid).await;
            db.close().await;
            println!("{}", summary?);
            Ok(())
        }
        Command::Admin {
            command: AdminCommand::ConsoleLink { openid },
        } => {
            let db = startup::open_database(&settings).await?;
            let link = admin::console_link(&db, &settings, &openid).await;
            db.close().await;
            println!("{}", link?);
            Ok(())
        }
        Command::Import {
            command: ImportCommand::Households { file },
        } => {
            let db = startup::open_database(&settings).await?;
            let result = register::import_households(&db, &file).await;
            db.close().await;
            result
        }
        Command::Export {
            command: ExportCommand::Households { grid },
        } => {
            let db = startup::open_database(&settings).await?;
            let result = register::export_households(&db, grid).await;
            db.close().await;
            result
        }
        Command::Demo { .. } => unreachable!("handled above"),
    }
}
