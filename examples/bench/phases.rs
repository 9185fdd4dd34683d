//! The load shapes: closed-loop GETs, open-loop GETs paced from a schedule (latency counted from
//! the scheduled send), and claims offered to several volunteers at once.

use super::*;

/// Waits for every load task and merges what they counted.
async fn merged(tasks: Vec<tokio::task::JoinHandle<Tally>>) -> Tally {
    let mut tally = Tally::default();
    for t in futures::future::join_all(tasks).await {
        tally.merge(t.expect("load task"));
    }
    tally
}

/// Closed loop: `concurrency` tasks each send `GET path` back to back for `duration`.
pub(crate) async fn closed_get(
    client: &reqwest::Client,
    url: &str,
    token: Option<&str>,
    concurrency: usize,
    duration: Duration,
) -> (Duration, Tally) {
    let start = Instant::now();
    let deadline = start + duration;
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| {
            let client = client.clone();
            let url = url.to_string();
            let token = token.map(str::to_string);
            tokio::spawn(async move {
                let mut tally = Tally::default();
                while Instant::now() < deadline {
                    let mut req = client.get(&url);
                    if let Some(token) = &token {
                        req = req.bearer_auth(token);
                    }
                    record(&mut tally, req, Instant::now()).await;
                }
                tally
            })
        })
        .collect();
    // The tasks first: a tuple's elements are evaluated in order, so the clock must be read after.
    let tally = merged(tasks).await;
    (start.elapsed(), tally)
}

/// Open loop: `rate` requests/s spread over `workers` tasks on a fixed schedule; each latency is
/// measured from the scheduled send time, so a late start counts against the server.
pub(crate) async fn open_get(
    client: &reqwest::Client,
    url: &str,
    token: &str,
    rate: f64,
    workers: usize,
    duration: Duration,
) -> (Duration, Tally) {
    let start = Instant::now() + Duration::from_millis(20);
    let total = (rate * duration.as_secs_f64()).round() as usize;
    let gap = Duration::from_secs_f64(1.0 / rate);
    let tasks: Vec<_> = (0..workers)
        .map(|w| {
            let client = client.clone();
            let url = url.to_string();
            let token = token.to_string();
            tokio::spawn(async move {
                let mut tally = Tally::default();
                for n in (w..total).step_by(workers) {
                    let due = start + gap * n as u32;
                    tokio::time::sleep_until(due.into()).await;
                    record(&mut tally, client.get(&url).bearer_auth(&token), due).await;
                }
                tally
            })
        })
        .collect();
    // The tasks first: a tuple's elements are evaluated in order, so the clock must be read after.
    let tally = merged(tasks).await;
    (start.elapsed(), tally)
}

/// Contended claims: the open wishes, shuffled, each offered `CONTENDERS` times in a row to
/// whichever tasks come next (each task is a different volunteer), so several volunteers race
/// for the same wish at the same moment.
pub(crate) async fn claims(
    client: &reqwest::Client,
    base: &str,
    tokens: &[String],
    wishes: &[i64],
    concurrency: usize,
    duration: Duration,
) -> (Duration, Tally) {
    let mut order = wishes.to_vec();
    order.shuffle(&mut rand::rng());
    let queue: Arc<Vec<i64>> = Arc::new(
        order
            .iter()
            .flat_map(|&id| std::iter::repeat_n(id, CONTENDERS))
            .collect(),
    );
    let next = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let deadline = start + duration;
    let tasks: Vec<_> = (0..concurrency)
        .map(|t| {
            let client = client.clone();
            let token = tokens[t % tokens.len()].clone();
            let base = base.to_string();
            let queue = queue.clone();
            let next = next.clone();
            tokio::spawn(async move {
                let mut tally = Tally::default();
                while Instant::now() < deadline {
                    let Some(&wish) = queue.get(next.fetch_add(1, Ordering::Relaxed)) else {
                        break;
                    };
                    let req = client
                        .post(format!("{base}/api/v1/wishes/{wish}/claim"))
                        .bearer_auth(&token);
                    if let Some((200, _)) = record(&mut tally, req, Instant::now()).await {
                        tally.wins.push(wish);
                    }
                }
                tally
            })
        })
        .collect();
    // The tasks first: a tuple's elements are evaluated in order, so the clock must be read after.
    let tally = merged(tasks).await;
    (start.elapsed(), tally)
}
