//! Rate limits at the HTTP edge. In memory, per process (governor's GCRA, keyed): requests per
//! client IP, per signed-in user, sign-ins per IP and invitation requests per user. In the
//! database, across processes (`microwish_core::rate`): wishes and urgent wishes per user, and
//! wrong check-in codes per person and event. Every refusal is 429 `rate_limited` with
//! `Retry-After`. `limits.enabled = false` turns all of them off (load tests, the test suite).

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use poem::{Endpoint, Middleware, Request, Result};

use microwish_core::config::LimitSettings;
use microwish_core::rate::{self, Window};
use microwish_core::{Db, Settings};

use crate::error::ApiError;

/// The in-memory limiters and the database-backed windows of one server.
pub struct Limits {
    enabled: bool,
    trusted: Vec<Cidr>,
    per_ip: DefaultKeyedRateLimiter<IpAddr>,
    per_user: DefaultKeyedRateLimiter<i64>,
    sign_in: DefaultKeyedRateLimiter<IpAddr>,
    invitations: DefaultKeyedRateLimiter<i64>,
    wishes: Window,
    urgent: Window,
    checkin: Window,
    checks: AtomicU64,
}

fn quota(per: u32, period: Duration) -> Quota {
    let n = NonZeroU32::new(per.max(1)).unwrap_or(NonZeroU32::MIN);
    // `per` requests per `period`, allowed in a burst, refilled evenly.
    Quota::with_period(period / n.get())
        .unwrap_or_else(|| Quota::per_second(n))
        .allow_burst(n)
}

const MINUTE: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(3600);

impl Limits {
    /// Builds the limiters from validated settings.
    pub fn new(settings: &Settings) -> Self {
        let l: &LimitSettings = &settings.limits;
        let trusted = settings
            .server
            .trusted_proxies
            .iter()
            .filter_map(|t| Cidr::parse(t))
            .collect();
        Self {
            enabled: l.enabled,
            trusted,
            per_ip: DefaultKeyedRateLimiter::keyed(quota(l.per_ip_per_minute, MINUTE)),
            per_user: DefaultKeyedRateLimiter::keyed(quota(l.per_user_per_minute, MINUTE)),
            sign_in: DefaultKeyedRateLimiter::keyed(quota(l.sign_in_per_ip_per_minute, MINUTE)),
            invitations: DefaultKeyedRateLimiter::keyed(quota(l.invitations_per_user_per_hour, HOUR)),
            wishes: Window {
                max: l.wishes_per_user_per_hour,
                window_ms: 3_600_000,
            },
            urgent: Window {
                max: l.urgent_wishes_per_user_per_day,
                window_ms: 86_400_000,
            },
            checkin: Window {
                max: l.checkin_wrong_codes,
                window_ms: l.checkin_lockout.as_millis_i64(),
            },
            checks: AtomicU64::new(0),
        }
    }

    fn check<K: std::hash::Hash + Eq + Clone>(
        &self,
        limiter: &DefaultKeyedRateLimiter<K>,
        key: &K,
    ) -> Result<(), ApiError> {
        if !self.enabled {
            return Ok(());
        }
        // Keys of clients gone quiet are dropped now and then, so the maps stay small.
        if self.checks.fetch_add(1, Ordering::Relaxed) % 4096 == 4095 {
            for l in [&self.per_ip, &self.sign_in] {
                l.retain_recent();
                l.shrink_to_fit();
            }
            for l in [&self.per_user, &self.invitations] {
                l.retain_recent();
                l.shrink_to_fit();
            }
        }
        limiter.check_key(key).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            ApiError::rate_limited(wait.as_millis() as i64)
        })
    }

    /// Counts a request by a signed-in user.
    pub fn user(&self, user_id: i64) -> Result<(), ApiError> {
        self.check(&self.per_user, &user_id)
    }

    /// Counts an invitation request.
    pub fn invitation(&self, user_id: i64) -> Result<(), ApiError> {
        self.check(&self.invitations, &user_id)
    }

    /// Counts a wish posted by `user_id` (and an urgent one separately) in the database, so the
    /// limit holds however many servers share it.
    pub async fn post_wish(&self, db: &Db, user_id: i64, urgent: bool, now: i64) -> Result<(), ApiError> {
        if !self.enabled {
            return Ok(());
        }
        let over = |wait: Option<i64>| wait.map_or(Ok(()), |ms| Err(ApiError::rate_limited(ms)));
        over(rate::hit(db, &format!("wish:{user_id}"), self.wishes, now).await?)?;
        if urgent {
            over(rate::hit(db, &format!("urgent:{user_id}"), self.urgent, now).await?)?;
        }
        Ok(())
    }

    /// Refuses a check-in attempt by someone locked out of this event after wrong codes.
    pub async fn checkin_allowed(&self, db: &Db, event_id: i64, user_id: i64, now: i64) -> Result<(), ApiError> {
        if !self.enabled {
            return Ok(());
        }
        match rate::exhausted(db, &checkin_key(event_id, user_id), self.checkin, now).await? {
            Some(ms) => Err(ApiError::rate_limited(ms)),
            None => Ok(()),
        }
    }

    /// Counts a wrong check-in code.
    pub async fn checkin_failed(&self, db: &Db, event_id: i64, user_id: i64, now: i64) -> Result<(), ApiError> {
        if self.enabled {
            rate::hit(db, &checkin_key(event_id, user_id), self.checkin, now).await?;
        }
        Ok(())
    }

    /// The client's address: the peer, or — when the peer is a trusted proxy — the nearest
    /// address in `X-Forwarded-For` that is not one of ours (the ones further left are the
    /// client's to write, so they prove nothing).
    pub fn client_ip(&self, req: &Request) -> Option<IpAddr> {
        let peer = req.remote_addr().as_socket_addr().map(|a| a.ip())?;
        if !self.trusted.iter().any(|c| c.contains(peer)) {
            return Some(peer);
        }
        let forwarded = req.headers().get_all("x-forwarded-for");
        let hops: Vec<IpAddr> = forwarded
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|h| h.trim().parse().ok())
            .collect();
        Some(
            hops.into_iter()
                .rev()
                .find(|ip| !self.trusted.iter().any(|c| c.contains(*ip)))
                .unwrap_or(peer),
        )
    }
}

fn checkin_key(event_id: i64, user_id: i64) -> String {
    format!("checkin:{event_id}:{user_id}")
}

/// An address block from `server.trusted_proxies`: `10.0.0.0/8`, `::1/128` or a bare address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    net: IpAddr,
    bits: u32,
}

impl Cidr {
    /// Reads a block; `None` when malformed (config validation refuses those first).
    pub fn parse(text: &str) -> Option<Cidr> {
        let (addr, bits) = match text.split_once('/') {
            Some((a, b)) => (a.parse::<IpAddr>().ok()?, Some(b.parse::<u32>().ok()?)),
            None => (text.parse::<IpAddr>().ok()?, None),
        };
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let bits = bits.unwrap_or(max);
        (bits <= max).then_some(Cidr { net: addr, bits })
    }

    /// Whether `ip` is inside the block.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        match (self.net, ip) {
            (IpAddr::V4(n), IpAddr::V4(a)) => {
                prefix_eq(u128::from(u32::from(n)), u128::from(u32::from(a)), self.bits, 32)
            }
            (IpAddr::V6(n), IpAddr::V6(a)) => prefix_eq(u128::from(n), u128::from(a), self.bits, 128),
            _ => false,
        }
    }
}

fn prefix_eq(a: u128, b: u128, bits: u32, width: u32) -> bool {
    bits == 0 || (a ^ b) >> (width - bits) == 0
}

/// The per-IP middleware: every request counts against its client IP, sign-ins against a
/// tighter limit. Probes (`/healthz`, `/readyz`, `/metrics`) are not limited.
pub struct RateLimit(pub std::sync::Arc<Limits>);

impl<E: Endpoint> Middleware<E> for RateLimit {
    type Output = RateLimitEndpoint<E>;

    fn transform(&self, ep: E) -> Self::Output {
        RateLimitEndpoint {
            inner: ep,
            limits: self.0.clone(),
        }
    }
}

/// The endpoint wrapped by [`RateLimit`].
pub struct RateLimitEndpoint<E> {
    inner: E,
    limits: std::sync::Arc<Limits>,
}

impl<E: Endpoint> Endpoint for RateLimitEndpoint<E> {
    type Output = E::Output;

    async fn call(&self, req: Request) -> Result<Self::Output> {
        let path = req.uri().path();
        let probe = matches!(path, "/healthz" | "/readyz" | "/metrics");
        if self.limits.enabled
            && !probe
            && let Some(ip) = self.limits.client_ip(&req)
        {
            self.limits.check(&self.limits.per_ip, &ip)?;
            if path == "/api/v1/auth/wechat" {
                self.limits.check(&self.limits.sign_in, &ip)?;
            }
        }
        self.inner.call(req).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_contain_what_they_should() {
        let lan = Cidr::parse("10.0.0.0/8").unwrap();
        assert!(lan.contains("10.1.2.3".parse().unwrap()));
        assert!(!lan.contains("11.0.0.1".parse().unwrap()));
        assert!(lan.contains("::ffff:10.9.9.9".parse().unwrap()), "IPv4-mapped IPv6");
        let one = Cidr::parse("127.0.0.1").unwrap();
        assert!(one.contains("127.0.0.1".parse().unwrap()));
        assert!(!one.contains("127.0.0.2".parse().unwrap()));
        assert!(Cidr::parse("::1/128").unwrap().contains("::1".parse().unwrap()));
        assert!(Cidr::parse("0.0.0.0/0").unwrap().contains("8.8.8.8".parse().unwrap()));
        assert_eq!(Cidr::parse("10.0.0.0/33"), None);
        assert_eq!(Cidr::parse("not-an-ip"), None);
    }
}
