//! The whole platform for app-api tests (`testkit::Platform`): a control plane (control-api's
//! router and worker, provisioning real tenant databases on the test server) and app-api
//! replicas on the same control database and Redis namespace.

#[allow(unused_imports, reason = "not every test module uses every part")]
pub use testkit::{
    BASE_DOMAIN, ControlOptions, Org, PASSWORD, Person, Platform, Replica, Service, TEST_ENCRYPTION_KEY,
    TEST_PUBLIC_KEY, TenantDb, amqp_url, broker_url, parse, redis_at, url,
};

/// `app-api worker` run as its own process on the platform's control database and keys, on a
/// free port for its operations endpoints, with its (unused) file store in a folder of its own;
/// `vars` add to or override those settings. Killed when dropped.
pub struct WorkerProcess {
    pub child: tokio::process::Child,
    pub port: u16,
    /// Every setting it was started with.
    pub vars: Vec<(&'static str, String)>,
    _blobs: tempfile::TempDir,
}

impl WorkerProcess {
    pub fn spawn(platform: &Platform, vars: &[(&'static str, String)]) -> Self {
        let config = &platform.control.config;
        let blobs = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let mut all = vec![
            ("APP_PORT", port.to_string()),
            ("BIND_ADDR", "127.0.0.1".to_owned()),
            ("CONTROL_DATABASE_URL", config.control_db.expose().to_owned()),
            ("APP_PLANE_KEY", config.keys.app_plane.to_base64()),
            ("JWT_PUBLIC_KEYS", TEST_PUBLIC_KEY.to_owned()),
            ("AMQP_URL", amqp_url()),
            ("CONTROL_DB_MAX_CONNECTIONS", "2".to_owned()),
            ("TENANT_POOLS_MAX_TOTAL_CONNECTIONS", "4".to_owned()),
            ("LOG_LEVEL", "warn".to_owned()),
            ("BLOB_DIR", blobs.path().to_string_lossy().into_owned()),
        ];
        for (name, value) in vars {
            all.retain(|(kept, _)| kept != name);
            all.push((name, value.clone()));
        }
        let child = worker_command(&all).kill_on_drop(true).spawn().expect("run app-api worker");
        Self { child, port, vars: all, _blobs: blobs }
    }
}

/// `app-api worker` with exactly `vars` for its environment, its output discarded.
pub fn worker_command(vars: &[(&str, String)]) -> tokio::process::Command {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_app-api"));
    command
        .arg("worker")
        .env_clear()
        .envs(vars.iter().map(|(k, v)| (*k, v.as_str())))
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    command
}
