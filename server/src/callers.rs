//! A per-process cache of who is behind a bearer token. Every API request needs its caller (user,
//! roles, led grids); reading them is a database round trip that costs more than many handlers.
//! An entry lives `server.cache_ttl` at most, and never past its session's expiry. What this
//! process changes it forgets at once: a signed-out token, every token of a user whose roles or
//! sessions changed, everything when a grid's leader changed. What another process changes (a
//! second instance, the CLI) is seen within the TTL. Beside a cached caller it keeps the language
//! their errors are worded in, once an error has looked it up: a refused claim is a normal answer
//! under contention, and its wording cost a second database round trip every time.

use std::collections::HashMap;
use std::sync::Mutex;

use microwish_core::Lang;
use microwish_core::people::Caller;

/// More entries than this and the cache starts over (a bound on memory, not a policy).
const MAX_ENTRIES: usize = 100_000;

#[derive(Default)]
struct Inner {
    /// Token → (caller, valid until in epoch ms).
    entries: HashMap<String, (Caller, i64)>,
    /// Token → the language of its cached caller's errors (`None`: they chose none); only for a
    /// token in `entries`, and forgotten with it.
    languages: HashMap<String, Option<Lang>>,
    /// Bumped by every forgetting, so an answer read before it is not stored after it.
    generation: u64,
}

/// The cache; one per process, shared by the handlers through the state.
pub struct Callers {
    ttl_ms: i64,
    inner: Mutex<Inner>,
}

impl Callers {
    /// A cache whose entries live `ttl_ms` (0 = never stored).
    pub fn new(ttl_ms: i64) -> Self {
        Self {
            ttl_ms,
            inner: Mutex::default(),
        }
    }

    /// The cached caller behind `token`, if still valid at `now`.
    pub fn get(&self, token: &str, now: i64) -> Option<Caller> {
        let inner = self.lock();
        inner
            .entries
            .get(token)
            .filter(|(_, until)| *until > now)
            .map(|(caller, _)| caller.clone())
    }

    /// The language of the cached caller behind `token` (`Some(None)`: they chose none), if both
    /// the caller and their language are cached and still valid at `now`.
    pub fn language(&self, token: &str, now: i64) -> Option<Option<Lang>> {
        let inner = self.lock();
        inner.entries.get(token).filter(|(_, until)| *until > now)?;
        inner.languages.get(token).copied()
    }

    /// Remembers the language read for `token` at `generation`, if its caller is cached and nothing
    /// was forgotten since.
    pub fn put_language(&self, token: &str, language: Option<Lang>, generation: u64) {
        let mut inner = self.lock();
        if inner.generation == generation && inner.entries.contains_key(token) {
            inner.languages.insert(token.to_owned(), language);
        }
    }

    /// The generation to hand back to [`put`](Self::put) after reading the database.
    pub fn generation(&self) -> u64 {
        self.lock().generation
    }

    /// Remembers `caller` for `token`, read at `now` from a session expiring at `expires_at`,
    /// unless something was forgotten since `generation` (the answer may predate that change).
    pub fn put(&self, token: &str, caller: Caller, expires_at: i64, now: i64, generation: u64) {
        if self.ttl_ms <= 0 {
            return;
        }
        let mut inner = self.lock();
        if inner.generation != generation {
            return;
        }
        if inner.entries.len() >= MAX_ENTRIES {
            inner.entries.clear();
            inner.languages.clear();
        }
        let until = expires_at.min(now.saturating_add(self.ttl_ms));
        inner.entries.insert(token.to_owned(), (caller, until));
    }

    /// Forgets one token (signed out).
    pub fn forget_token(&self, token: &str) {
        let mut inner = self.lock();
        inner.generation += 1;
        inner.entries.remove(token);
        inner.languages.remove(token);
    }

    /// Forgets every token of `user_id` (roles changed, sessions revoked).
    pub fn forget_user(&self, user_id: i64) {
        let mut inner = self.lock();
        inner.generation += 1;
        inner.entries.retain(|_, (caller, _)| caller.user_id != user_id);
        let Inner { entries, languages, .. } = &mut *inner;
        languages.retain(|token, _| entries.contains_key(token));
    }

    /// Forgets everything (a grid's leader changed: led grids of two people moved).
    pub fn forget_all(&self) {
        let mut inner = self.lock();
        inner.generation += 1;
        inner.entries.clear();
        inner.languages.clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding this lock leaves only a map behind; it stays usable.
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use microwish_core::people::Role;

    fn caller(user_id: i64) -> Caller {
        Caller {
            user_id,
            roles: vec![Role::Resident],
            led_grids: Vec::new(),
        }
    }

    #[test]
    fn an_entry_ends_with_its_ttl_or_its_session() {
        let cache = Callers::new(1_000);
        cache.put("a", caller(1), 10_000, 0, cache.generation());
        cache.put("b", caller(2), 500, 0, cache.generation());
        assert_eq!(cache.get("a", 999), Some(caller(1)));
        assert_eq!(cache.get("a", 1_000), None);
        assert_eq!(cache.get("b", 499), Some(caller(2)));
        assert_eq!(cache.get("b", 500), None);
    }

    #[test]
    fn forgetting_wins_over_an_answer_read_before_it() {
        let cache = Callers::new(1_000);
        let read_at = cache.generation();
        cache.forget_user(1);
        cache.put("a", caller(1), 10_000, 0, read_at);
        assert_eq!(cache.get("a", 1), None);
    }

    #[test]
    fn a_language_lives_and_dies_with_its_caller() {
        let cache = Callers::new(1_000);
        cache.put_language("a", Some(Lang::En), cache.generation());
        assert_eq!(cache.language("a", 1), None, "no caller cached: not kept");
        cache.put("a", caller(1), 10_000, 0, cache.generation());
        cache.put("b", caller(2), 10_000, 0, cache.generation());
        let read_at = cache.generation();
        cache.put_language("a", Some(Lang::En), read_at);
        cache.put_language("b", None, read_at);
        assert_eq!(cache.language("a", 1), Some(Some(Lang::En)));
        assert_eq!(cache.language("b", 1), Some(None));
        assert_eq!(cache.language("a", 1_000), None, "expired with the caller");
        cache.forget_user(1);
        assert_eq!(cache.language("a", 1), None);
        assert_eq!(cache.language("b", 1), Some(None));
        cache.put("a", caller(1), 10_000, 0, cache.generation());
        cache.put_language("a", Some(Lang::ZhCn), read_at);
        assert_eq!(cache.language("a", 1), None, "read before a forgetting: not kept");
    }

    #[test]
    fn forgetting_a_user_leaves_others() {
        let cache = Callers::new(1_000);
        cache.put("a", caller(1), 10_000, 0, cache.generation());
        cache.put("b", caller(2), 10_000, 0, cache.generation());
        cache.forget_user(1);
        assert_eq!(cache.get("a", 1), None);
        assert_eq!(cache.get("b", 1), Some(caller(2)));
        cache.forget_token("b");
        assert_eq!(cache.get("b", 1), None);
    }

    #[test]
    fn a_zero_ttl_stores_nothing() {
        let cache = Callers::new(0);
        cache.put("a", caller(1), 10_000, 0, cache.generation());
        assert_eq!(cache.get("a", 0), None);
    }
}
