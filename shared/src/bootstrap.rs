//! What both binaries do before their command runs: read the configuration (a bad one stops
//! the process with exit code 2 and one line naming the variable), start logging, build the
//! runtime, and turn the command's outcome into an exit code.

use std::fmt::Display;
use std::process::ExitCode;

use crate::config::{ConfigError, Env, LogConfig};

/// Runs `command` with the configuration `load` reads from the process environment.
pub fn run<C, F, Fut, E>(
    binary: &str,
    load: impl FnOnce(&Env) -> Result<C, ConfigError>,
    log: impl FnOnce(&C) -> &LogConfig,
    command: F,
) -> ExitCode
where
    F: FnOnce(C) -> Fut,
    Fut: Future<Output = Result<(), E>>,
    E: Display,
{
    let config = match load(&Env::from_process()) {
        Ok(config) => config,
        Err(err) => {
            eprintln!("{binary}: configuration error: {err}");
            return ExitCode::from(2);
        }
    };
    crate::telemetry::init(log(&config));
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    match runtime.block_on(command(config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!(error = %err, "{binary} stopped");
            eprintln!("{binary}: {err}");
            ExitCode::FAILURE
        }
    }
}
