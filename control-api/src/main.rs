//! The control-api binary: parses the command line and hands over to the library.
#![forbid(unsafe_code)]

use std::io::BufRead as _;
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
    /// Create a platform operator, or make an existing user one. Prints the user id.
    CreatePlatformAdmin {
        #[arg(long)]
        email: String,
        /// Read the password from the first line of standard input (never from arguments,
        /// which other users of the machine can see).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
}

#[derive(Debug, thiserror::Error)]
enum Failure {
    #[error(transparent)]
    Serve(#[from] control_api::ServeError),
    #[error(transparent)]
    Admin(#[from] control_api::AdminError),
    #[error("cannot read the password from standard input: {0}")]
    Stdin(std::io::Error),
}

fn read_password() -> Result<String, Failure> {
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).map_err(Failure::Stdin)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    shared::bootstrap::run(
        "control-api",
        ControlConfig::from_env,
        |c| &c.log,
        |config| async move {
            match cli.command.unwrap_or(Command::Serve) {
                Command::Serve => Ok(control_api::serve(config).await?),
                Command::CreatePlatformAdmin { email, password_stdin: _ } => {
                    let password = read_password()?;
                    let id = control_api::create_platform_admin(config, &email, password).await?;
                    println!("{id}");
                    Ok::<(), Failure>(())
                }
            }
        },
    )
}
