//! A Redis key namespace per test, so parallel tests share one server without seeing each
//! other's keys; the keys are deleted when the handle drops.

/// `TEST_REDIS_URL`, by default the local server.
pub fn redis_url() -> String {
    std::env::var("TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

#[derive(Debug)]
pub struct TestRedis {
    pub url: String,
    pub prefix: String,
}

impl TestRedis {
    pub fn new() -> Self {
        Self { url: redis_url(), prefix: format!("hdtest:{}:", uuid::Uuid::new_v4().simple()) }
    }

    /// Keys currently under this namespace.
    pub async fn keys(&self) -> Vec<String> {
        let client = redis::Client::open(self.url.as_str()).expect("valid Redis URL");
        let mut conn = client.get_multiplexed_async_connection().await.expect("the test Redis is reachable");
        redis::cmd("KEYS").arg(format!("{}*", self.prefix)).query_async(&mut conn).await.expect("KEYS")
    }
}

impl Default for TestRedis {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for TestRedis {
    fn drop(&mut self) {
        let (url, pattern) = (self.url.clone(), format!("{}*", self.prefix));
        let handle = std::thread::spawn(move || {
            let Ok(client) = redis::Client::open(url.as_str()) else { return };
            let Ok(mut conn) = client.get_connection() else { return };
            let keys: Vec<String> = redis::cmd("KEYS").arg(&pattern).query(&mut conn).unwrap_or_default();
            if !keys.is_empty() {
                let _: redis::RedisResult<i64> = redis::cmd("DEL").arg(keys).query(&mut conn);
            }
        });
        let _ = handle.join();
    }
}
