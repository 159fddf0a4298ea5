//! The operations listener (`--metrics-addr`, off by default): `/metrics` in Prometheus text
//! format, `/healthz` (the process is up and serving HTTP) and `/readyz` (this process can do
//! its job: every gateway shard it runs is connected and the database answers).
//!
//! `/healthz` is for a liveness probe (restart when it fails); `/readyz` for a readiness probe
//! or a load balancer. A database outage makes `/readyz` fail but not `/healthz`, so a
//! supervisor does not restart every bot process because Postgres is down.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::{Context, Result};
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use cuecard_discord::GatewayStatus;
use cuecard_store::Store;
use metrics_exporter_prometheus::PrometheusHandle;
use tracing::{info, warn};

/// How long `/readyz` waits for the database before calling it unreachable.
const DATABASE_TIMEOUT: Duration = Duration::from_secs(2);

struct Probe {
    metrics: PrometheusHandle,
    gateway: Arc<GatewayStatus>,
    store: Store,
    /// The database's state at the last probe, to log changes rather than every probe.
    database_up: AtomicBool,
}

/// Binds `addr` (so a taken port fails start-up) and serves in the background.
pub async fn serve(
    addr: SocketAddr,
    metrics: PrometheusHandle,
    gateway: Arc<GatewayStatus>,
    store: Store,
) -> Result<SocketAddr> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("metrics.addr: cannot listen on {addr}"))?;
    let bound = listener.local_addr().context("reading the metrics address")?;
    let probe = Arc::new(Probe {
        metrics,
        gateway,
        store,
        database_up: AtomicBool::new(true),
    });
    let app = Router::new()
        .route("/metrics", get(render_metrics))
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(ready))
        .with_state(probe);
    tokio::spawn(async move {
        if let Err(error) = axum::serve(listener, app).await {
            warn!(error = %error, "the metrics listener stopped");
        }
    });
    info!(addr = %bound, "serving /metrics, /healthz and /readyz");
    Ok(bound)
}

async fn render_metrics(State(probe): State<Arc<Probe>>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        probe.metrics.render(),
    )
        .into_response()
}

async fn ready(State(probe): State<Arc<Probe>>) -> Response {
    let gateway = probe.gateway.check().await;
    let database = probe.store.ping(DATABASE_TIMEOUT).await;
    let database_up = database.is_ok();
    metrics::gauge!(crate::telemetry::DATABASE_UP).set(if database_up { 1.0 } else { 0.0 });
    metrics::gauge!(crate::telemetry::SHARDS_CONNECTED).set(f64::from(gateway.connected));
    if probe.database_up.swap(database_up, Ordering::Relaxed) != database_up {
        match &database {
            Ok(()) => info!("the database is reachable again"),
            Err(error) => warn!(error = %error, "the database is unreachable"),
        }
    }
    let ready = gateway.is_ready() && database_up;
    // The body says which check failed, not why: the reason is in the log, and this endpoint
    // may be reachable by more people than the log is.
    let body = format!(
        "{}\ngateway: {}/{} shards connected\ndatabase: {}\n",
        if ready { "ready" } else { "not ready" },
        gateway.connected,
        gateway.expected,
        if database_up { "reachable" } else { "unreachable" },
    );
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, body).into_response()
}
