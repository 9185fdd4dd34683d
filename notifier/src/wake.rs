//! Cross-process wake-ups: PostgreSQL `NOTIFY microwish_outbox` (sent when an outbox row commits)
//! turned into pokes of the worker's in-process signal, with reconnection; the poll covers gaps.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Notify, watch};

/// Turns PostgreSQL `NOTIFY microwish_outbox` into wake-ups, reconnecting after failures.
pub async fn listen(url: String, wake: Arc<Notify>, mut stop: watch::Receiver<bool>) {
    use sqlx::postgres::PgListener;
    while !*stop.borrow() {
        let mut listener = match PgListener::connect(&url).await {
            Ok(l) => l,
            Err(err) => {
                tracing::warn!(error = %err, "LISTEN connection failed; polling meanwhile");
                tokio::time::sleep(Duration::from_secs(5)).await;
                continue;
            }
        };
        if let Err(err) = listener.listen(microwish_core::outbox::WAKE_CHANNEL).await {
            tracing::warn!(error = %err, "LISTEN failed; polling meanwhile");
            tokio::time::sleep(Duration::from_secs(5)).await;
            continue;
        }
        loop {
            tokio::select! {
                msg = listener.recv() => match msg {
                    Ok(_) => wake.notify_one(),
                    Err(err) => {
                        tracing::warn!(error = %err, "LISTEN connection lost; reconnecting");
                        break;
                    }
                },
                _ = stop.changed() => return,
            }
        }
    }
}
