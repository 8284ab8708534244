//! Wiring: open the store, build the application and the HTTP edge, serve until a signal.

use crate::config::Config;
use api::{ApiConfig, AppState};
use domain::App;
use domain::ports::SystemClock;
use std::sync::Arc;
use tokio::net::TcpListener;

/// Opens the database named by the configuration and builds the application around it.
pub async fn open_app(config: &Config, bus: Arc<dyn domain::events::EventBus>) -> Result<(Arc<App>, store::SqlStore), String> {
    std::fs::create_dir_all(&config.data_dir).map_err(|e| format!("cannot create data directory {}: {e}", config.data_dir.display()))?;
    let url = config.effective_database_url();
    let store = store::SqlStore::connect(&url, config.db_read_connections)
        .await
        .map_err(|e| format!("cannot open the database {}: {e}", store::db::redact(&url)))?;
    let blobs = store::LocalBlobs::new(config.data_dir.join("files"));
    let app = Arc::new(App::new(Arc::new(store.clone()), Arc::new(blobs), bus, Arc::new(SystemClock), config.settings()));
    Ok((app, store))
}

pub fn api_config(config: &Config) -> ApiConfig {
    ApiConfig {
        site_url: config.effective_site_url(),
        allowed_origins: config.allowed_origins.clone(),
        max_connections: config.max_connections,
        max_connections_per_ip: config.max_connections_per_ip,
        ws_per_user: config.max_websockets_per_user,
        limits: api::limits::LimitConfig {
            per_ip: rate(config.rate_limit_per_ip, 2.0),
            per_user: rate(config.rate_limit_per_user, 4.0),
            search: rate(config.rate_limit_search_per_user, 4.0),
            ..api::limits::LimitConfig::default()
        },
        ..ApiConfig::default()
    }
}

/// A configured requests-per-second figure as a rate with a burst of `burst` seconds' worth;
/// 0 is off.
fn rate(per_second: f64, burst: f64) -> api::limits::Rate {
    if per_second > 0.0 { api::limits::Rate::new(per_second, (per_second * burst).ceil() as u32) } else { api::limits::Rate::OFF }
}

/// Runs the server on an already-bound listener until `shutdown` resolves.
pub async fn run(config: Config, listener: TcpListener, shutdown: impl std::future::Future<Output = ()> + Send) -> Result<(), String> {
    let bus = api::ws::HubBus::new();
    let (app, store) = open_app(&config, bus.clone()).await?;
    app.ensure_default_collections().await.map_err(|e| format!("cannot prepare TAXII collections: {e}"))?;
    app.reload_allowlist().await.map_err(|e| format!("cannot load the allow-list: {e}"))?;
    let publisher = tokio::spawn(app.clone().run_publisher());
    let state = AppState::new(app.clone(), bus, api_config(&config));
    let router = api::router(state.clone(), Some(crate::web::router()));
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    tracing::info!(%addr, database = %store::db::redact(&config.effective_database_url()), "conclave is listening");
    api::serve_state(listener, router, &state, shutdown).await;
    tracing::info!("shutting down: closing sockets and the database");
    state.hub.disconnect_all();
    publisher.abort();
    drop(app);
    store.db.close().await;
    Ok(())
}

/// Resolves on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
