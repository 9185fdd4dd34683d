//! Counting a phase: latencies and outcomes per request, percentiles, rates, and the server's
//! CPU time while it ran.

use super::*;

/// Latencies and outcomes of one phase.
#[derive(Default)]
pub(crate) struct Tally {
    pub(crate) latencies: Vec<Duration>,
    pub(crate) ok: u64,
    pub(crate) lost: u64,
    pub(crate) other_4xx: u64,
    pub(crate) server_errors: u64,
    pub(crate) transport_errors: u64,
    pub(crate) wins: Vec<i64>,
}

impl Tally {
    pub(crate) fn merge(&mut self, other: Tally) {
        self.latencies.extend(other.latencies);
        self.ok += other.ok;
        self.lost += other.lost;
        self.other_4xx += other.other_4xx;
        self.server_errors += other.server_errors;
        self.transport_errors += other.transport_errors;
        self.wins.extend(other.wins);
    }

    pub(crate) fn total(&self) -> u64 {
        self.ok + self.lost + self.other_4xx + self.server_errors + self.transport_errors
    }
}

/// A finished phase.
pub(crate) struct Phase {
    pub(crate) name: String,
    pub(crate) concurrency: String,
    pub(crate) elapsed: Duration,
    pub(crate) tally: Tally,
    /// CPU time used during the phase by the server process and by this load generator.
    pub(crate) server_cpu: Duration,
    pub(crate) client_cpu: Duration,
    /// CPU time of the PostgreSQL backends serving the server meanwhile (zero on SQLite).
    pub(crate) database_cpu: Duration,
}

impl Phase {
    pub(crate) fn new(name: impl Into<String>, concurrency: impl Into<String>, run: Run) -> Phase {
        let Run {
            elapsed,
            mut tally,
            server_cpu,
            client_cpu,
            database_cpu,
        } = run;
        tally.latencies.sort_unstable();
        Phase {
            name: name.into(),
            concurrency: concurrency.into(),
            elapsed,
            tally,
            server_cpu,
            client_cpu,
            database_cpu,
        }
    }

    /// CPU microseconds per request.
    pub(crate) fn cpu_per_request(&self, cpu: Duration) -> f64 {
        cpu.as_secs_f64() * 1e6 / self.tally.total().max(1) as f64
    }

    pub(crate) fn rate(&self) -> f64 {
        self.tally.total() as f64 / self.elapsed.as_secs_f64()
    }

    pub(crate) fn per_second(&self, n: u64) -> f64 {
        n as f64 / self.elapsed.as_secs_f64()
    }

    /// Nearest-rank percentile, in milliseconds.
    pub(crate) fn percentile(&self, p: f64) -> f64 {
        let l = &self.tally.latencies;
        if l.is_empty() {
            return f64::NAN;
        }
        let rank = ((p / 100.0) * l.len() as f64).ceil() as usize;
        l[rank.clamp(1, l.len()) - 1].as_secs_f64() * 1e3
    }

    pub(crate) fn summary(&self) -> String {
        let t = &self.tally;
        format!(
            "{:<44} {:>9.0} req/s  p50 {:>6.2} ms  p99 {:>6.2} ms  max {:>7.2} ms  CPU/req server {:.0} µs, database {:.0} µs, client {:.0} µs  ({} ok, {} lost, {} other 4xx, {} 5xx, {} transport errors)",
            self.name,
            self.rate(),
            self.percentile(50.0),
            self.percentile(99.0),
            self.percentile(100.0),
            self.cpu_per_request(self.server_cpu),
            self.cpu_per_request(self.database_cpu),
            self.cpu_per_request(self.client_cpu),
            t.ok,
            t.lost,
            t.other_4xx,
            t.server_errors,
            t.transport_errors
        )
    }
}

/// The raw result of one phase.
pub(crate) struct Run {
    pub(crate) elapsed: Duration,
    pub(crate) tally: Tally,
    pub(crate) server_cpu: Duration,
    pub(crate) client_cpu: Duration,
    pub(crate) database_cpu: Duration,
}

/// Runs a phase, noting the CPU time the server, its database backends and this process use meanwhile.
pub(crate) async fn measure(server: &ServerProcess, phase: impl Future<Output = (Duration, Tally)>) -> Run {
    let (server_before, client_before) = (server.cpu(), cpu_time("/proc/self/stat"));
    let database_before = server.database_cpu();
    let (elapsed, tally) = phase.await;
    Run {
        elapsed,
        tally,
        server_cpu: server.cpu().saturating_sub(server_before),
        client_cpu: cpu_time("/proc/self/stat").saturating_sub(client_before),
        database_cpu: server.database_cpu().saturating_sub(database_before),
    }
}

/// Sends one request and records its outcome; `started` is when it should have started.
pub(crate) async fn record(tally: &mut Tally, req: reqwest::RequestBuilder, started: Instant) -> Option<(u16, Value)> {
    match req.send().await {
        Ok(resp) => {
            let status = resp.status().as_u16();
            let body = resp.bytes().await;
            tally.latencies.push(started.elapsed());
            let Ok(body) = body else {
                tally.transport_errors += 1;
                return None;
            };
            let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            match status {
                200..=299 => tally.ok += 1,
                409 if body["code"] == "claim_lost" => tally.lost += 1,
                400..=499 => tally.other_4xx += 1,
                _ => tally.server_errors += 1,
            }
            Some((status, body))
        }
        Err(_) => {
            tally.latencies.push(started.elapsed());
            tally.transport_errors += 1;
            None
        }
    }
}
