//! High availability on real local clusters of the test's own, on 127.0.0.1: each backing
//! service's node dies while an app-api replica works, and the replica follows the cluster
//! (DESIGN.md "High availability").

mod postgres;
mod rabbitmq;
mod redis;

use std::process::{Child, Command, Stdio};

/// A port free on 127.0.0.1 now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A server process of the test's, killed (and waited for) when dropped. Its output goes to a
/// file of the temporary folder, kept when the test fails.
pub struct Process {
    child: Child,
    log: std::path::PathBuf,
}

impl Process {
    pub fn spawn(name: &str, program: &str, args: &[String]) -> Self {
        Self::spawn_with_env(name, program, args, &[])
    }

    /// `spawn`, with `env` added to the environment.
    pub fn spawn_with_env(name: &str, program: &str, args: &[String], env: &[(&str, String)]) -> Self {
        let log = std::env::temp_dir().join(format!("helpdeskly-{name}-{}.log", uuid::Uuid::now_v7().simple()));
        let out = std::fs::File::create(&log).unwrap();
        let child = Command::new(program)
            .args(args)
            .envs(env.iter().map(|(key, value)| (*key, value.as_str())))
            .stdin(Stdio::null())
            .stdout(out.try_clone().unwrap())
            .stderr(out)
            .spawn()
            .unwrap_or_else(|err| panic!("{program} could not start ({err}); see {}", log.display()));
        Self { child, log }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            eprintln!("the output of {:?}: {}", self.child.id(), self.log.display());
        } else {
            let _ = std::fs::remove_file(&self.log);
        }
    }
}
