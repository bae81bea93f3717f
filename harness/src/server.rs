//! A service's real router served on a loopback port, with a client that speaks to it.

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use reqwest::{Method, StatusCode, header::HeaderMap};
use serde::Serialize;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A running server. Dropping it stops the server.
pub struct TestServer {
    pub addr: SocketAddr,
    pub client: reqwest::Client,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl TestServer {
    pub async fn start(router: Router) -> Self {
        Self::start_with(
            router,
            shared::serve::ServeOptions { grace: Duration::from_secs(5), header_timeout: Duration::from_secs(10) },
        )
        .await
    }

    pub async fn start_with(router: Router, options: shared::serve::ServeOptions) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind a loopback port");
        let addr = listener.local_addr().expect("bound address");
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(shared::serve::serve(
            listener,
            router,
            async {
                let _ = stopped.await;
            },
            options,
        ));
        let client = reqwest::Client::builder().no_proxy().build().expect("client");
        Self { addr, client, stop: Some(stop), task: Some(task) }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Starts the graceful shutdown and waits for the server to end.
    pub async fn shutdown(mut self) -> std::io::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.task.take().expect("running").await.expect("server task")
    }

    pub fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.client.request(method, self.url(path))
    }

    pub async fn get(&self, path: &str) -> TestResponse {
        TestResponse::from(self.request(Method::GET, path).send().await.expect("request sent")).await
    }

    pub async fn post_json(&self, path: &str, body: &impl Serialize) -> TestResponse {
        TestResponse::from(self.request(Method::POST, path).json(body).send().await.expect("request sent")).await
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// A fully read response.
#[derive(Debug)]
pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl TestResponse {
    pub async fn from(response: reqwest::Response) -> Self {
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.text().await.expect("read the body");
        Self { status, headers, body }
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("body is not JSON ({e}): {}", self.body))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts a problem+json answer with this status and code, and returns the document.
    #[track_caller]
    pub fn assert_problem(&self, status: u16, code: &str) -> serde_json::Value {
        assert_eq!(self.status.as_u16(), status, "unexpected status; body: {}", self.body);
        assert_eq!(self.header("content-type"), Some("application/problem+json"), "body: {}", self.body);
        let body = self.json();
        assert_eq!(body["code"], code, "body: {}", self.body);
        assert_eq!(body["status"], status);
        body
    }
}

/// Every documented 4xx and 5xx response of an OpenAPI document is problem+json with the
/// `Problem` schema (`/ready`'s 503 excepted: it answers with its report), and every operation has
/// an id of its own (the web app's generated types name operations by it).
pub fn assert_errors_are_problem_json(doc: &serde_json::Value) {
    let mut ids = std::collections::HashSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("operations") {
            let id = operation["operationId"].as_str().unwrap_or_default();
            assert!(ids.insert(id.to_owned()), "{method} {path}: the operationId {id:?} is another operation's too");
            for (status, response) in operation["responses"].as_object().expect("responses") {
                if status.starts_with('4') || (status.starts_with('5') && path != "/ready") {
                    let schema = &response["content"]["application/problem+json"]["schema"]["$ref"];
                    assert_eq!(schema, "#/components/schemas/Problem", "{method} {path} {status}");
                }
            }
        }
    }
}

/// The statuses under which the document names error `code` (in backticks, in a response's
/// description), and how many operations name it.
pub fn statuses_naming(doc: &serde_json::Value, code: &str) -> (std::collections::BTreeSet<String>, usize) {
    let quoted = format!("`{code}`");
    let (mut statuses, mut operations) = (std::collections::BTreeSet::new(), 0);
    for item in doc["paths"].as_object().expect("paths").values() {
        for operation in item.as_object().expect("operations").values() {
            let mut named = false;
            for (status, response) in operation["responses"].as_object().expect("responses") {
                if response["description"].as_str().is_some_and(|d| d.contains(&quoted)) {
                    statuses.insert(status.clone());
                    named = true;
                }
            }
            operations += usize::from(named);
        }
    }
    (statuses, operations)
}
