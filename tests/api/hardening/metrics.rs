//! `/metrics` labels come from route templates: random paths and methods add no series.

use rand::Rng;

use crate::helpers::{Engine, TestApp};

/// The HTTP series `/metrics` exports (each sample's name and labels, without its value). Only
/// the HTTP metrics: the notifier's and the scheduler's series come and go with background work
/// that has nothing to do with what a client sends.
async fn series(app: &TestApp) -> std::collections::BTreeSet<String> {
    let text = app
        .client
        .get(format!("{}/metrics", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .filter(|l| l.starts_with("microwish_http_"))
        .filter_map(|l| l.rsplit_once(' ').map(|(series, _)| series.to_string()))
        .collect()
}

fn random_segment(rng: &mut impl Rng) -> String {
    (0..rng.random_range(1..12))
        .map(|_| char::from(b"abcdefghijklmnopqrstuvwxyz0123456789-_"[rng.random_range(0..38)]))
        .collect()
}

/// One probe of each kind per round, so two rounds reach the same label sets.
async fn probe_round(app: &TestApp, rounds: usize) {
    let mut rng = rand::rng();
    for i in 0..rounds {
        let seg = random_segment(&mut rng);
        let word: String = (0..6).map(|_| char::from(b'A' + rng.random_range(0..26))).collect();
        let (method, path) = match i % 6 {
            0 => ("GET".to_string(), format!("/{seg}/{}", rng.random::<u32>())),
            1 => ("POST".to_string(), format!("/api/v1/{seg}")),
            2 => (format!("X{word}"), format!("/{seg}")),
            3 => (
                "GET".to_string(),
                format!("/api/v1/{seg}/{}/{seg}", rng.random::<u32>()),
            ),
            4 => (format!("Z{word}"), format!("/api/v1/wishes/{seg}")),
            _ => ("DELETE".to_string(), format!("/docs/{seg}/{seg}")),
        };
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let resp = app
            .client
            .request(method, format!("{}{}", app.base, path))
            .send()
            .await
            .unwrap();
        assert!(resp.status().is_client_error(), "{path}: {}", resp.status());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_paths_and_methods_add_no_series() {
    let app = TestApp::spawn(Engine::Sqlite).await;
    // The first round meets each kind of probe once (one series per kind and status)…
    probe_round(&app, 60).await;
    series(&app).await;
    let before = series(&app).await;
    // …after which a thousand more, all different, must leave the count as it was.
    probe_round(&app, 1000).await;
    series(&app).await;
    let after = series(&app).await;
    let minted: Vec<&String> = after.difference(&before).collect();
    assert!(minted.is_empty(), "random input minted new metric series: {minted:#?}");
}
