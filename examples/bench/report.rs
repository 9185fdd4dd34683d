//! The measured phases in order against the running server, and the report they make.

use super::*;

pub(crate) async fn load(
    args: &Args,
    duration: Duration,
    stub: &WechatStub,
    db: &Db,
    server: &ServerProcess,
    seeded: &Seeded,
) -> anyhow::Result<String> {
    let base = server.base.clone();
    microwish_wechat::install_crypto_provider();
    let client = reqwest::Client::builder()
        .no_proxy()
        .tcp_nodelay(true)
        .pool_max_idle_per_host(args.concurrency * 2)
        .timeout(Duration::from_secs(30))
        .build()?;
    ensure!(
        client.get(format!("{base}/readyz")).send().await?.status().is_success(),
        "the server is not ready"
    );
    // One real sign-in through the WeChat stub, to prove the wiring.
    let code = stub.issue_login_code("bench-login-check");
    let login = client
        .post(format!("{base}/api/v1/auth/wechat"))
        .json(&json!({ "code": code }))
        .send()
        .await?;
    ensure!(
        login.status().is_success(),
        "sign-in through the stub failed: {}",
        login.status()
    );
    let token = seeded.volunteer_tokens[0].clone();
    let page: Value = client
        .get(format!("{base}{LIST_PATH}"))
        .bearer_auth(&token)
        .send()
        .await?
        .json()
        .await?;
    let items = page["items"].as_array().map_or(0, Vec::len);
    ensure!(items == 20, "the open list should hold a page of 20, got {page}");

    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle = server.rss_kib();
    let load_before = loadavg();

    let c = args.concurrency;
    let list_url = format!("{base}{LIST_PATH}");
    let mut phases = Vec::new();
    // Warm-up (not recorded): connections, the server's pool, caches.
    closed_get(&client, &list_url, Some(&token), c, Duration::from_secs(2)).await;

    eprintln!("bench: GET /healthz ...");
    let run = measure(
        server,
        closed_get(&client, &format!("{base}/healthz"), None, c, duration),
    )
    .await;
    phases.push(Phase::new("`GET /healthz` (ceiling)", format!("{c} closed"), run));
    eprintln!("  {}", phases[0].summary());

    eprintln!("bench: GET {LIST_PATH} ...");
    let run = measure(server, closed_get(&client, &list_url, Some(&token), c, duration)).await;
    phases.push(Phase::new(
        "`GET /api/v1/wishes?status=open`",
        format!("{c} closed"),
        run,
    ));
    eprintln!("  {}", phases[1].summary());

    let half = (phases[1].rate() / 2.0).max(1.0);
    eprintln!("bench: GET {LIST_PATH} paced at {half:.0}/s ...");
    let run = measure(server, open_get(&client, &list_url, &token, half, c, duration)).await;
    phases.push(Phase::new(
        "`GET /api/v1/wishes?status=open` at half load",
        format!("open loop {half:.0}/s"),
        run,
    ));
    eprintln!("  {}", phases[2].summary());

    eprintln!("bench: contended claims ...");
    let tokens = &seeded.volunteer_tokens;
    let run = measure(server, claims(&client, &base, tokens, &seeded.open_wishes, c, duration)).await;
    phases.push(Phase::new(
        "`POST /api/v1/wishes/{id}/claim`, contended",
        format!("{c} closed"),
        run,
    ));
    eprintln!("  {}", phases[3].summary());
    let after_load = server.rss_kib();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let idle_after = server.rss_kib();

    // Checks: no 5xx anywhere; every wish won at most once; the database agrees with the 200s.
    for p in &phases {
        ensure!(
            p.tally.server_errors == 0 && p.tally.transport_errors == 0,
            "{}: {} 5xx, {} transport errors",
            p.name,
            p.tally.server_errors,
            p.tally.transport_errors
        );
    }
    let claim = &phases[3];
    let mut winners: HashMap<i64, u32> = HashMap::new();
    for &w in &claim.tally.wins {
        *winners.entry(w).or_default() += 1;
    }
    ensure!(winners.values().all(|&n| n == 1), "a wish was won twice");
    let held: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM wishes WHERE status = 'claimed'")
        .fetch_one(db.pool())
        .await?;
    ensure!(
        held as usize == seeded.claimed + claim.tally.wins.len(),
        "the database holds {held} claimed wishes; expected {} seeded + {} won",
        seeded.claimed,
        claim.tally.wins.len()
    );

    let mib = |v: Option<(u64, u64)>, peak: bool| match v {
        Some((rss, hwm)) => format!("{:.1} MiB", (if peak { hwm } else { rss }) as f64 / 1024.0),
        None => "n/a".into(),
    };
    let mut out = String::new();
    let engine = format!("{:?}", args.engine).to_lowercase();
    out.push_str(&format!(
        "\n### {engine}: {} s per phase, {c} connections, {WISHES} wishes ({} open at start)\n\n",
        args.duration,
        seeded.open_wishes.len()
    ));
    out.push_str(
        "| phase | load | req/s | p50 ms | p99 ms | max ms | server CPU µs/req | database CPU µs/req | outcome |\n",
    );
    out.push_str("|---|---|---:|---:|---:|---:|---:|---:|---|\n");
    for p in &phases {
        let t = &p.tally;
        let outcome = if p.name.contains("claim") {
            format!(
                "{:.0} wins/s + {:.0} lost (409 `claim_lost`)/s; {} other 4xx, {} 5xx",
                p.per_second(t.ok),
                p.per_second(t.lost),
                t.other_4xx,
                t.server_errors
            )
        } else {
            format!("{} × 200, {} 4xx, {} 5xx", t.ok, t.other_4xx + t.lost, t.server_errors)
        };
        out.push_str(&format!(
            "| {} | {} | {:.0} | {:.2} | {:.2} | {:.2} | {:.0} | {} | {} |\n",
            p.name,
            p.concurrency,
            p.rate(),
            p.percentile(50.0),
            p.percentile(99.0),
            p.percentile(100.0),
            p.cpu_per_request(p.server_cpu),
            if server.postgres_database.is_some() {
                format!("{:.0}", p.cpu_per_request(p.database_cpu))
            } else {
                "in the server".into()
            },
            outcome
        ));
    }
    let ratio = phases[1].rate() / phases[0].rate() * 100.0;
    out.push_str(&format!(
        "\n- list / healthz rate: {ratio:.1} %\n- claims: {} wishes offered to {CONTENDERS} volunteers each, {} won, each exactly once (checked against the database)\n",
        claim.tally.total().div_ceil(CONTENDERS as u64),
        claim.tally.wins.len(),
    ));
    out.push_str(&format!(
        "- server RSS: idle after seeding {}, right after the load {} (peak {}), idle 2 s later {}\n",
        mib(idle, false),
        mib(after_load, false),
        mib(after_load, true),
        mib(idle_after, false)
    ));
    let client_cpu: Duration = phases.iter().map(|p| p.client_cpu).sum();
    let server_cpu: Duration = phases.iter().map(|p| p.server_cpu).sum();
    let wall: Duration = phases.iter().map(|p| p.elapsed).sum();
    out.push_str(&format!(
        "- CPU over the four phases: server {:.2} cores, load generator {:.2} cores (of {}); load average before {}, after {}\n",
        server_cpu.as_secs_f64() / wall.as_secs_f64(),
        client_cpu.as_secs_f64() / wall.as_secs_f64(),
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        load_before,
        loadavg()
    ));
    Ok(out)
}
