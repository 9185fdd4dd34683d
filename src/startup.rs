//! Start-up: open and migrate the database, build the shared state, and run the HTTP server
//! until a shutdown signal. Used by `serve`, `demo` and the end-to-end tests alike.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use poem::listener::TcpAcceptor;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use microwish_core::config::redact_url;
use microwish_core::{Db, Settings, SharedClock};
use microwish_notifier::{Scheduler, Worker};
use microwish_server::{AppState, Metrics};
use microwish_wechat::{MiniProgram, WechatConfig};

/// Connects to the configured database and applies pending migrations.
pub async fn open_database(settings: &Settings) -> anyhow::Result<Db> {
    let url = &settings.database.url;
    let db = Db::connect(url, settings.database.max_connections)
        .await
        .with_context(|| format!("cannot open database {}", redact_url(url)))?;
    db.migrate().await.context("cannot apply database migrations")?;
    tracing::info!(database = %redact_url(url), engine = ?db.engine(), "database ready");
    Ok(db)
}

/// The WeChat client the server uses (its token holder is shared by clones).
pub fn wechat_client(settings: &Settings) -> anyhow::Result<MiniProgram> {
    let config = WechatConfig {
        api_base: settings.wechat.api_base.clone(),
        appid: settings.wechat.appid.clone(),
        secret: settings.wechat.secret.clone(),
    };
    MiniProgram::new(config).map_err(|e| anyhow::anyhow!("cannot build the WeChat client: {e}"))
}

/// A running HTTP server.
pub struct RunningServer {
    /// The address it listens on (the real port when 0 was asked for).
    pub addr: SocketAddr,
    /// The shared state (database, clock, settings).
    pub state: AppState,
    stop: watch::Sender<bool>,
    task: JoinHandle<std::io::Result<()>>,
}

impl RunningServer {
    /// Stops accepting, lets requests in flight finish (up to 10 s), and waits.
    pub async fn stop(self) -> anyhow::Result<()> {
        let _ = self.stop.send(true);
        self.task.await.context("server task panicked")??;
        Ok(())
    }

    /// Waits until the server ends by itself.
    pub async fn wait(self) -> anyhow::Result<()> {
        self.task.await.context("server task panicked")??;
        Ok(())
    }

    /// A handle that stops the server when sent `true`.
    pub fn stopper(&self) -> watch::Sender<bool> {
        self.stop.clone()
    }

    /// Starts a notifier worker in this process: it shares the server's WeChat token holder,
    /// metrics registry and wake-up signal, and stops with the server.
    pub fn start_worker(&self) -> anyhow::Result<JoinHandle<()>> {
        let s = &self.state;
        let worker = Worker::builder(
            s.db.clone(),
            s.settings.clone(),
            s.clock.clone(),
            s.wechat.clone(),
            &s.metrics.registry,
        )
        .map_err(anyhow::Error::msg)?
        .wake(s.outbox_wake.clone())
        .build();
        let scheduler = Scheduler::new(s.db.clone(), s.settings.clone(), s.clock.clone());
        let stop = self.stop.subscribe();
        let scheduled = tokio::spawn(scheduler.run(self.stop.subscribe()));
        Ok(tokio::spawn(async move {
            worker.run(stop).await;
            let _ = scheduled.await;
        }))
    }
}

/// Runs a notifier worker alone until Ctrl-C or SIGTERM (then finishes the batch in hand),
/// serving its metrics and health on `notifier.metrics_bind` unless that is empty.
pub async fn run_notifier(settings: Arc<Settings>, db: Db, clock: SharedClock) -> anyhow::Result<()> {
    let registry = prometheus::Registry::new();
    let clock_for_scheduler = clock.clone();
    let worker = Worker::builder(
        db.clone(),
        settings.clone(),
        clock,
        wechat_client(&settings)?,
        &registry,
    )
    .map_err(anyhow::Error::msg)?
    .build();
    let (stop, stopped) = watch::channel(false);
    let probes = match settings.notifier.metrics_bind.as_str() {
        "" => None,
        bind => Some(crate::probes::serve(bind, registry, stopped.clone()).await?.1),
    };
    tokio::spawn(async move {
        shutdown_signal().await;
        let _ = stop.send(true);
    });
    let scheduler = Scheduler::new(db, settings, clock_for_scheduler);
    let scheduled = tokio::spawn(scheduler.run(stopped.clone()));
    worker.run(stopped).await;
    let _ = scheduled.await;
    if let Some(probes) = probes {
        let _ = probes.await;
    }
    Ok(())
}

/// Binds `settings.server.bind` and serves the API on an already-open database.
pub async fn start_server(settings: Arc<Settings>, db: Db, clock: SharedClock) -> anyhow::Result<RunningServer> {
    let listener = tokio::net::TcpListener::bind(&settings.server.bind)
        .await
        .with_context(|| format!("cannot listen on {}", settings.server.bind))?;
    let addr = listener.local_addr()?;
    let limits = Arc::new(microwish_server::Limits::new(&settings));
    let cache_ttl = settings.server.cache_ttl.as_millis_i64();
    let callers = Arc::new(microwish_server::Callers::new(cache_ttl));
    let pages = Arc::new(microwish_server::Pages::new(cache_ttl));
    let photos = microwish_core::photo::Objects::open(&settings.photos.store)
        .map_err(|message| anyhow::anyhow!("photos.store: {message}"))?;
    let state = AppState {
        photos,
        db,
        wechat: wechat_client(&settings)?,
        settings,
        clock,
        metrics: Metrics::new(),
        outbox_wake: Arc::new(tokio::sync::Notify::new()),
        limits,
        callers,
        pages,
    };
    let console = microwish_console::ConsoleState::new(
        state.db.clone(),
        state.settings.clone(),
        state.clock.clone(),
        state.outbox_wake.clone(),
    )
    .with_invitation_limit({
        let limits = state.limits.clone();
        move |user| limits.invitation(user).is_ok()
    });
    let app = microwish_server::app_with(
        state.clone(),
        vec![("/console", microwish_console::endpoint(console))],
        microwish_console::UPLOADS,
    );
    let (stop, stopped) = watch::channel(false);
    let task = serve_until(listener, app, stopped, Duration::from_secs(10))?;
    tracing::info!(%addr, "listening: API under /api/v1, docs at /docs, console at /console/");
    Ok(RunningServer {
        addr,
        state,
        stop,
        task,
    })
}

/// Serves `app` on `listener` in a task until `stop` turns true, giving requests in flight
/// `grace` to finish: the API server and the standalone notifier's probes start alike.
pub fn serve_until(
    listener: tokio::net::TcpListener,
    app: impl poem::Endpoint + 'static,
    mut stop: watch::Receiver<bool>,
    grace: Duration,
) -> std::io::Result<JoinHandle<std::io::Result<()>>> {
    let acceptor = TcpAcceptor::from_tokio(listener)?;
    Ok(tokio::spawn(async move {
        poem::Server::new_with_acceptor(acceptor)
            .run_with_graceful_shutdown(
                app,
                async move {
                    let _ = stop.wait_for(|s| *s).await;
                },
                Some(grace),
            )
            .await
    }))
}

/// Resolves on Ctrl-C or SIGTERM.
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
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutdown signal received");
}
