//! The control-api binary: parses the command line and hands over to the library.
#![forbid(unsafe_code)]

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use control_api::ControlConfig;

#[derive(Parser)]
#[command(name = "control-api", version, about = "Helpdeskly control plane: tenants, identities, login")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Migrate the control database and serve the API (the default).
    Serve,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    shared::bootstrap::run(
        "control-api",
        ControlConfig::from_env,
        |c| &c.log,
        |config| async move {
            match cli.command.unwrap_or(Command::Serve) {
                Command::Serve => control_api::serve(config).await,
            }
        },
    )
}
