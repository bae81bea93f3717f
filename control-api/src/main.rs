//! The control-api binary: parses the command line and hands over to the library.
#![forbid(unsafe_code)]

use std::io::{BufRead as _, IsTerminal as _};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use control_api::ControlConfig;
use control_api::tenancy::migrate::{MigrateOptions, TenantOutcome};

#[derive(Parser)]
#[command(name = "control-api", version, about = "Helpdeskly control plane: tenants, identities, login")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Migrate the control database and serve the API with the provisioning worker (the
    /// default).
    Serve,
    /// Run the provisioning worker alone.
    Worker,
    /// Apply the tenant migrations to every tenant database. Rerun after a failure: tenants
    /// already done are skipped.
    MigrateTenants {
        /// Tenant databases migrated at once.
        #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
        concurrency: u16,
        /// Only these tenants (comma-separated slugs).
        #[arg(long, value_delimiter = ',')]
        only: Option<Vec<String>>,
    },
    /// Create a platform operator, or make an existing user one. Prints the user id.
    CreatePlatformAdmin {
        #[arg(long)]
        email: String,
        /// Read the password from the first line of standard input (never from arguments,
        /// which other users of the machine can see).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// Dump the control database and every tenant database (pg_dump, custom format) into a new
    /// or empty folder, with DIR/manifest.json (each archive's schema version, size, SHA-256).
    Backup {
        #[arg(long)]
        out: std::path::PathBuf,
        /// Only these tenants (comma-separated slugs).
        #[arg(long, value_delimiter = ',')]
        only: Option<Vec<String>>,
        /// Tenant databases dumped at once.
        #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
        concurrency: u16,
    },
    /// Restore one tenant's database from a backup folder, the tenant suspended meanwhile.
    RestoreTenant {
        #[arg(long)]
        from: std::path::PathBuf,
        #[arg(long)]
        tenant: String,
        /// Do not ask: the tenant's current data is replaced by the backup's.
        #[arg(long)]
        yes: bool,
    },
    /// Register a PostgreSQL cluster for new tenants (or update one), reached with the admin URL
    /// in `CLUSTER_ADMIN_URL` (a role that may create databases and roles; never given as an
    /// argument, which other users of the machine can see), and make its tenant template. New
    /// tenants go to the active cluster with the fewest tenants. Prints its id.
    AddCluster {
        /// 1 to 63 characters; `default` is `TENANT_DATABASE_URL`'s, registered by `serve`.
        #[arg(long)]
        name: String,
        /// Tenants it may hold (1,000 for a new cluster when not given).
        #[arg(long, value_parser = clap::value_parser!(i32).range(1..))]
        max_tenants: Option<i32>,
    },
    /// List the clusters: name, address, status, tenants placed and room.
    ListClusters,
    /// Print the key app-api needs (`APP_PLANE_KEY`), derived from `DB_ENCRYPTION_KEY`. It opens
    /// tenant database passwords and signs app-api's tenant cache, nothing else.
    AppPlaneKey,
}

#[derive(Debug, thiserror::Error)]
enum Failure {
    #[error(transparent)]
    Serve(#[from] control_api::ServeError),
    #[error(transparent)]
    Admin(#[from] control_api::AdminError),
    #[error(transparent)]
    Migrate(#[from] control_api::MigrateTenantsError),
    #[error("{0} tenant database(s) failed to migrate; fix them and run migrate-tenants again")]
    TenantsFailed(usize),
    #[error("cannot read the password from standard input: {0}")]
    Stdin(std::io::Error),
    #[error(transparent)]
    Backup(#[from] control_api::tenancy::backup::BackupError),
    #[error("{0} tenant database(s) failed to back up; the manifest lists the others")]
    BackupsFailed(usize),
    #[error("not confirmed: pass --yes, or answer with the tenant's slug at a terminal")]
    NotConfirmed,
    #[error("add-cluster: {0}")]
    Cluster(String),
}

/// Per-tenant progress: a bar for people at a terminal, plain lines for logs and pipes.
struct Progress(Option<indicatif::ProgressBar>);

impl Progress {
    fn new() -> Self {
        Self(std::io::stderr().is_terminal().then(|| {
            let bar = indicatif::ProgressBar::new(0);
            bar.set_style(
                indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} tenants  {elapsed_precise}  {msg}")
                    .expect("valid template"),
            );
            bar
        }))
    }

    fn total(&self, total: usize) {
        if let Some(bar) = &self.0 {
            bar.set_length(total as u64);
        }
    }

    /// One tenant done: `Ok` text after `ok`, or the failure.
    fn tenant(&self, slug: &str, result: Result<String, &String>) {
        let line = match result {
            Ok(detail) => format!("ok      {slug}{detail}"),
            Err(err) => format!("FAILED  {slug}: {err}"),
        };
        match &self.0 {
            Some(bar) => {
                bar.println(line);
                bar.inc(1);
            }
            None => println!("{line}"),
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

async fn backup(config: ControlConfig, options: control_api::tenancy::backup::BackupOptions) -> Result<(), Failure> {
    let progress = Progress::new();
    let (manifest, failed) = control_api::backup(
        config,
        &options,
        |total| progress.total(total),
        |outcome| progress.tenant(&outcome.slug, outcome.result.as_ref().map(|bytes| format!(" ({bytes} bytes)"))),
    )
    .await?;
    progress.finish();
    println!(
        "backed up the control database and {} tenants into {}; failed {}",
        manifest.tenants.len(),
        options.out.display(),
        failed.len()
    );
    if failed.is_empty() { Ok(()) } else { Err(Failure::BackupsFailed(failed.len())) }
}

async fn restore_tenant(
    config: ControlConfig,
    from: std::path::PathBuf,
    slug: String,
    yes: bool,
) -> Result<(), Failure> {
    if !yes {
        if !std::io::stdin().is_terminal() {
            return Err(Failure::NotConfirmed);
        }
        eprint!("This replaces every piece of {slug}'s data with the backup's. Type the slug to go on: ");
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).map_err(Failure::Stdin)?;
        if line.trim() != slug {
            return Err(Failure::NotConfirmed);
        }
    }
    let restored = control_api::restore_tenant(config, &from, &slug).await?;
    println!(
        "restored {} from schema version {} (now {})",
        restored.slug, restored.schema_version, restored.migrated_to
    );
    Ok(())
}

async fn add_cluster(config: ControlConfig, name: &str, max_tenants: Option<i32>) -> Result<(), Failure> {
    use shared::config::FromEnv as _;
    if name.is_empty() || name.chars().count() > 63 || name.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Failure::Cluster("--name must be 1 to 63 characters, without spaces".into()));
    }
    if name == control_api::tenancy::clusters::DEFAULT {
        return Err(Failure::Cluster(
            "`default` is TENANT_DATABASE_URL's cluster: change that variable instead".into(),
        ));
    }
    let raw =
        std::env::var("CLUSTER_ADMIN_URL").map_err(|_| Failure::Cluster("CLUSTER_ADMIN_URL is not set".into()))?;
    let url = shared::config::DatabaseUrl::from_env(&raw)
        .map_err(|problem| Failure::Cluster(format!("CLUSTER_ADMIN_URL: {problem}")))?;
    let id = control_api::add_cluster(config, name, &url, max_tenants).await?;
    println!("{id}");
    Ok(())
}

fn read_password() -> Result<String, Failure> {
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).map_err(Failure::Stdin)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

async fn migrate_tenants(config: ControlConfig, options: MigrateOptions) -> Result<(), Failure> {
    let progress = Progress::new();
    let report = control_api::migrate_tenants(
        config,
        &options,
        |total| progress.total(total),
        |outcome: &TenantOutcome| progress.tenant(&outcome.slug, outcome.result.as_ref().map(|()| String::new())),
    )
    .await?;
    progress.finish();
    println!(
        "migrated {}, already current {}, failed {}",
        report.migrated.len(),
        report.up_to_date,
        report.failed.len()
    );
    if report.failed.is_empty() { Ok(()) } else { Err(Failure::TenantsFailed(report.failed.len())) }
}

/// Needs `DB_ENCRYPTION_KEY` alone, not the rest of the configuration.
fn print_app_plane_key() -> ExitCode {
    use shared::config::FromEnv as _;
    let Ok(raw) = std::env::var("DB_ENCRYPTION_KEY") else {
        eprintln!("control-api: DB_ENCRYPTION_KEY is not set");
        return ExitCode::from(2);
    };
    match shared::config::EncryptionKey::from_env(&raw) {
        Ok(master) => {
            println!("{}", master.derive(shared::crypto::KeyPurpose::AppPlane).to_base64());
            ExitCode::SUCCESS
        }
        Err(problem) => {
            eprintln!("control-api: DB_ENCRYPTION_KEY is invalid: {problem}");
            ExitCode::from(2)
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if matches!(cli.command, Some(Command::AppPlaneKey)) {
        return print_app_plane_key();
    }
    shared::bootstrap::run(
        "control-api",
        ControlConfig::from_env,
        |c| &c.log,
        |config| async move {
            match cli.command.unwrap_or(Command::Serve) {
                Command::Serve => Ok(control_api::serve(config).await?),
                Command::Worker => Ok(control_api::worker(config).await?),
                Command::MigrateTenants { concurrency, only } => {
                    migrate_tenants(config, MigrateOptions { concurrency: usize::from(concurrency), only }).await
                }
                Command::Backup { out, only, concurrency } => {
                    let options = control_api::tenancy::backup::BackupOptions {
                        out,
                        only,
                        concurrency: usize::from(concurrency),
                    };
                    backup(config, options).await
                }
                Command::RestoreTenant { from, tenant, yes } => restore_tenant(config, from, tenant, yes).await,
                Command::CreatePlatformAdmin { email, password_stdin: _ } => {
                    let password = read_password()?;
                    let id = control_api::create_platform_admin(config, &email, password).await?;
                    println!("{id}");
                    Ok::<(), Failure>(())
                }
                Command::AddCluster { name, max_tenants } => add_cluster(config, &name, max_tenants).await,
                Command::ListClusters => {
                    for c in control_api::list_clusters(config).await? {
                        println!(
                            "{}  {}:{}  {}  {} of {} tenants  {}",
                            c.name, c.host, c.port, c.status, c.tenants, c.max_tenants, c.id
                        );
                    }
                    Ok(())
                }
                Command::AppPlaneKey => unreachable!("handled before the configuration is read"),
            }
        },
    )
}
