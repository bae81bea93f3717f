//! The threads argon2 runs on: a fixed number, each keeping one memory block (19 MiB with our
//! parameters) for its whole life and hashing into it again and again. What password hashing
//! holds is therefore threads × 19 MiB on any host, whatever the number of cores or callers.
//! (On the blocking pool, where it used to run, every thread that ever hashed kept the
//! allocator arena its block came from: a login flood left hundreds of MiB behind.)

use std::sync::{Arc, Mutex, mpsc};

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};

/// argon2id with OWASP's parameters: 19 MiB, 2 passes, 1 lane.
pub(super) fn argon2() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(19 * 1024, 2, 1, None).expect("valid parameters"))
}

type Job = Box<dyn FnOnce(&mut Vec<Block>) + Send>;

/// A fixed set of named threads (`argon2-0`, `argon2-1` ...) taking hashing jobs in turn. They
/// end when the last clone of their `HashThreads` is dropped.
#[derive(Clone)]
pub struct HashThreads {
    jobs: mpsc::Sender<Job>,
}

impl HashThreads {
    pub fn new(count: usize) -> Self {
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for n in 0..count.max(1) {
            let queue = Arc::clone(&queue);
            std::thread::Builder::new()
                .name(format!("argon2-{n}"))
                .spawn(move || {
                    let mut memory = Vec::new();
                    loop {
                        // One thread waits on the queue while the others wait for the lock.
                        let next = queue.lock().map_err(drop).and_then(|queue| queue.recv().map_err(drop));
                        let Ok(job) = next else { return };
                        job(&mut memory);
                    }
                })
                .expect("an argon2 thread starts");
        }
        Self { jobs }
    }

    async fn run<T: Send + 'static>(&self, work: impl FnOnce(&mut Vec<Block>) -> T + Send + 'static) -> T {
        let (answer, answered) = tokio::sync::oneshot::channel();
        self.jobs
            .send(Box::new(move |memory| {
                let _ = answer.send(work(memory));
            }))
            .expect("the argon2 threads live as long as their handle");
        answered.await.expect("an argon2 job answers")
    }

    /// An argon2id PHC string of `password`, with a new salt.
    pub async fn hash(&self, password: String) -> String {
        self.run(move |memory| hash_with(memory, &password)).await
    }

    /// Whether `password` matches the PHC string `stored` (any argon2 variant and parameters).
    pub async fn verify(&self, password: String, stored: String) -> bool {
        self.run(move |memory| verify_with(memory, &password, &stored)).await
    }
}

/// `memory`, sized for `params` (it keeps its size between jobs).
fn blocks<'m>(memory: &'m mut Vec<Block>, params: &Params) -> &'m mut [Block] {
    memory.resize(params.block_count(), Block::default());
    memory.as_mut_slice()
}

fn hash_with(memory: &mut Vec<Block>, password: &str) -> String {
    let argon2 = argon2();
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_bytes = [0u8; 64];
    let salt_raw = salt.decode_b64(&mut salt_bytes).expect("a generated salt decodes");
    let mut raw = [0u8; Params::DEFAULT_OUTPUT_LEN];
    argon2
        .hash_password_into_with_memory(password.as_bytes(), salt_raw, &mut raw, blocks(memory, argon2.params()))
        .expect("argon2 hashing of a bounded input");
    PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(argon2.params()).expect("parameters serialise"),
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&raw).expect("a 32-byte output")),
    }
    .to_string()
}

fn verify_with(memory: &mut Vec<Block>, password: &str, stored: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        tracing::error!("a stored password hash is not a PHC string");
        return false;
    };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else { return false };
    let (Ok(algorithm), Ok(params)) = (Algorithm::try_from(parsed.algorithm), Params::try_from(&parsed)) else {
        tracing::error!("a stored password hash is not argon2 with valid parameters");
        return false;
    };
    let version = parsed.version.map_or(Ok(Version::V0x13), Version::try_from);
    let Ok(version) = version else { return false };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt_raw) = salt.decode_b64(&mut salt_bytes) else { return false };
    let mut raw = vec![0u8; expected.len()];
    let argon2 = Argon2::new(algorithm, version, params.clone());
    let hashed =
        argon2.hash_password_into_with_memory(password.as_bytes(), salt_raw, &mut raw, blocks(memory, &params));
    if hashed.is_err() {
        return false;
    }
    // `Output`'s equality is constant-time.
    Output::new(&raw).is_ok_and(|computed| computed == expected)
}

#[cfg(test)]
mod tests {
    use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};

    use super::*;

    /// Hashes made here verify with the crate's own verifier, and the crate's verify here: the
    /// stored hashes of every account keep working.
    #[tokio::test]
    async fn hashes_are_the_crates_own_phc_strings() {
        let threads = HashThreads::new(2);
        let ours = threads.hash("correct horse battery".into()).await;
        assert!(ours.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{ours}");
        assert!(argon2().verify_password(b"correct horse battery", &PasswordHash::new(&ours).unwrap()).is_ok());
        let salt = SaltString::generate(&mut OsRng);
        let theirs = argon2().hash_password(b"correct horse battery", &salt).unwrap().to_string();
        assert!(threads.verify("correct horse battery".into(), theirs.clone()).await);
        assert!(!threads.verify("wrong horse battery".into(), theirs).await);
        assert!(!threads.verify("correct horse battery".into(), "not a hash".into()).await);
    }

    /// However many callers at once, the work runs on the fixed threads and nowhere else.
    #[tokio::test]
    async fn every_hash_runs_on_one_of_the_fixed_threads() {
        let threads = HashThreads::new(2);
        let names = futures_util::future::join_all(
            (0..8).map(|_| threads.run(|_| std::thread::current().name().map(str::to_owned).unwrap_or_default())),
        )
        .await;
        assert!(names.iter().all(|name| name == "argon2-0" || name == "argon2-1"), "{names:?}");
        let memory_sizes = futures_util::future::join_all((0..4).map(|n| {
            let threads = threads.clone();
            async move {
                threads.hash(format!("password number {n}")).await;
                threads.run(|memory| memory.capacity()).await
            }
        }))
        .await;
        // Each thread holds one block of 19,456 KiB, kept between jobs.
        assert!(memory_sizes.iter().all(|&blocks| blocks == 19 * 1024), "{memory_sizes:?}");
    }
}
