//! The server under load in its own process: this binary re-executed with `--serve-only`,
//! configured through `MICROWISH__*` variables, and its CPU time read from /proc.

use super::*;

/// Runs the server like `microwish serve` does; prints `LISTENING addr` once bound and stops when
/// stdin closes (the parent going away) or on Ctrl-C / SIGTERM.
pub(crate) async fn serve_only() -> anyhow::Result<()> {
    microwish::cli::init_tracing();
    let settings = Arc::new(microwish::config::load(None)?);
    let db = startup::open_database(&settings).await?;
    let server = startup::start_server(settings, db.clone(), Arc::new(SystemClock)).await?;
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "LISTENING {}", server.addr)?;
        out.flush()?;
    }
    let on_eof = server.stopper();
    std::thread::spawn(move || {
        let mut sink = Vec::new();
        let _ = std::io::stdin().read_to_end(&mut sink);
        let _ = on_eof.send(true);
    });
    let on_signal = server.stopper();
    tokio::spawn(async move {
        startup::shutdown_signal().await;
        let _ = on_signal.send(true);
    });
    server.wait().await?;
    db.close().await;
    Ok(())
}

/// The server child process.
pub(crate) struct ServerProcess {
    pub(crate) child: Child,
    pub(crate) base: String,
    /// The PostgreSQL database it serves from (`None` on SQLite, which runs inside it).
    pub(crate) postgres_database: Option<String>,
}

impl ServerProcess {
    /// Re-executes this binary with `--serve-only` and the settings as environment variables.
    pub(crate) fn spawn(settings: &Settings) -> anyhow::Result<ServerProcess> {
        // MICROWISH_BENCH_SERVER: another build's bench binary serves instead (before/after runs
        // with one client).
        let exe = match std::env::var_os("MICROWISH_BENCH_SERVER") {
            Some(exe) => exe.into(),
            None => std::env::current_exe().context("cannot find the bench executable")?,
        };
        let mut child = Command::new(exe)
            .arg("--serve-only")
            .env("MICROWISH__SERVER__BIND", "127.0.0.1:0")
            .env("MICROWISH__DATABASE__URL", &settings.database.url)
            .env(
                "MICROWISH__DATABASE__MAX_CONNECTIONS",
                settings.database.max_connections.to_string(),
            )
            .env("MICROWISH__WECHAT__API_BASE", &settings.wechat.api_base)
            .env("MICROWISH__WECHAT__APPID", &settings.wechat.appid)
            .env("MICROWISH__WECHAT__SECRET", &settings.wechat.secret)
            .env("MICROWISH__WECOM__API_BASE", &settings.wecom.api_base)
            .env("MICROWISH__NOTIFIER__ENABLED", "false")
            .env("MICROWISH__LIMITS__ENABLED", "false")
            .env(
                "MICROWISH__WISHES__MAX_OPEN_CLAIMS",
                settings.wishes.max_open_claims.to_string(),
            )
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .context("cannot start the server process")?;
        let stdout = child.stdout.take().context("no stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let addr = loop {
            match lines.next() {
                Some(line) => {
                    if let Some(addr) = line?.strip_prefix("LISTENING ") {
                        break addr.to_string();
                    }
                }
                None => {
                    let status = child.wait()?;
                    bail!("the server process ended before listening ({status})");
                }
            }
        };
        // The server logs to stdout: keep draining it (a closed pipe would break its logging),
        // passing warnings and errors on and counting the rest.
        std::thread::spawn(move || {
            let mut quiet = 0u64;
            for line in lines.map_while(Result::ok) {
                if line.contains("WARN") || line.contains("ERROR") {
                    eprintln!("server: {line}");
                } else {
                    quiet += 1;
                }
            }
            eprintln!("bench: the server wrote {quiet} info/debug log lines (not shown)");
        });
        let url = &settings.database.url;
        let postgres_database = (!url.starts_with("sqlite:")).then(|| {
            url.rsplit('/')
                .next()
                .unwrap_or_default()
                .split('?')
                .next()
                .unwrap_or_default()
                .to_string()
        });
        Ok(ServerProcess {
            child,
            base: format!("http://{addr}"),
            postgres_database,
        })
    }

    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Resident set size (and its peak) of the server process, in KiB, from /proc.
    pub(crate) fn rss_kib(&self) -> Option<(u64, u64)> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).ok()?;
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        };
        Some((field("VmRSS:")?, field("VmHWM:")?))
    }

    /// CPU time (user + system) the server process has used so far.
    pub(crate) fn cpu(&self) -> Duration {
        cpu_time(&format!("/proc/{}/stat", self.pid()))
    }

    /// CPU time the PostgreSQL backends serving it have used so far (zero on SQLite).
    pub(crate) fn database_cpu(&self) -> Duration {
        self.postgres_database
            .as_deref()
            .map_or(Duration::ZERO, crate::procfs::postgres_backends_cpu)
    }

    /// Closes the server's stdin (it shuts down gracefully) and waits; kills it after 15 s.
    pub(crate) fn stop(mut self) -> anyhow::Result<()> {
        drop(self.child.stdin.take());
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Some(status) = self.child.try_wait()? {
                ensure!(status.success(), "the server process ended with {status}");
                return Ok(());
            }
            if Instant::now() > deadline {
                self.child.kill()?;
                self.child.wait()?;
                bail!("the server process did not stop within 15 s and was killed");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}
