//! `[limits]` and `[console]`: how hard the server guards its doors — rate limits, and the web
//! console's sign-in and cookies.

use serde::Deserialize;

use super::ConfigDuration;

/// `[limits]`: rate limits per client IP and per user (429 `rate_limited` with `Retry-After`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitSettings {
    /// Rate limiting on or off.
    pub enabled: bool,
    /// Requests per minute from one client IP (in each server process).
    pub per_ip_per_minute: u32,
    /// Requests per minute from one signed-in user (in each server process).
    pub per_user_per_minute: u32,
    /// Sign-in attempts per minute from one client IP.
    pub sign_in_per_ip_per_minute: u32,
    /// Wishes one user may post per hour (counted in the database, across servers).
    pub wishes_per_user_per_hour: u32,
    /// Urgent wishes one user may post per day (counted in the database).
    pub urgent_wishes_per_user_per_day: u32,
    /// Invitation requests per user per hour.
    pub invitations_per_user_per_hour: u32,
    /// Wrong check-in codes one person may try for one event…
    pub checkin_wrong_codes: u32,
    /// …within this window, after which they are locked out of it until the window ends.
    pub checkin_lockout: ConfigDuration,
}

/// `[console]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsoleSettings {
    /// The address people reach the server at, for printed sign-in links; empty = `http://{server.bind}`.
    pub public_url: String,
    /// How long a console sign-in lasts.
    pub session_ttl: ConfigDuration,
    /// How long a QR sign-in code can be approved and redeemed.
    pub ticket_ttl: ConfigDuration,
    /// How long a one-time link from `microwish admin console-link` stays valid.
    pub link_ttl: ConfigDuration,
    /// `auto` (Secure cookies when the request came over TLS, directly or per
    /// `X-Forwarded-Proto`), `always`, or `never`.
    pub secure_cookies: String,
}
