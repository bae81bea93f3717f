//! Serving a router until a shutdown signal, then draining in-flight requests within a bound.

use std::future::{Future, IntoFuture};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::Notify;

/// Serves `router` on `listener` until `shutdown` resolves; then stops accepting, lets
/// in-flight requests finish for at most `grace`, and returns.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
    grace: Duration,
) -> std::io::Result<()> {
    let draining = Arc::new(Notify::new());
    let signal = {
        let draining = Arc::clone(&draining);
        async move {
            shutdown.await;
            draining.notify_one();
        }
    };
    let server = axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(signal)
        .into_future();
    tokio::pin!(server);
    tokio::select! {
        result = &mut server => result,
        () = draining.notified() => {
            tracing::info!(grace_seconds = grace.as_secs(), "shutting down: no new connections, draining in-flight requests");
            if let Ok(result) = tokio::time::timeout(grace, server).await {
                tracing::info!("drained");
                result
            } else {
                tracing::warn!("grace period over: abandoning requests still in flight");
                Ok(())
            }
        }
    }
}

/// Resolves on SIGTERM or SIGINT (Ctrl-C).
pub async fn shutdown_signal() {
    let interrupt = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %err, "cannot listen for SIGINT");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut stream) => {
                stream.recv().await;
            }
            Err(err) => {
                tracing::error!(error = %err, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => tracing::info!("SIGINT received"),
        () = terminate => tracing::info!("SIGTERM received"),
    }
}
