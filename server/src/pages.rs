//! Hot pages of the wish list, kept serialized. A page filtered by a public status (open,
//! claimed, fulfilled, closed) and not `mine` holds the same wishes whoever asks, so its rows and
//! its bytes — every contact masked, no volunteer shown — are kept per filter. A caller who may
//! see none of its contacts and none of its volunteers (the privacy rules, `may_see_contact` and
//! `may_see_volunteer`, asked per wish and per request) gets those bytes as they are; anyone else
//! gets the kept rows presented for them, reveals audited as ever.
//!
//! Staleness: a page is dropped when this process begins any write (`Db::write_generation`) and
//! after `server.cache_ttl` in any case, which bounds what a write of another instance — or one
//! racing the page's read — leaves unseen.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use bytes::Bytes;

use microwish_core::people::Caller;
use microwish_core::privacy::{may_see_contact, may_see_volunteer};
use microwish_core::wish::for_me::ForMeKey;
use microwish_core::wish::store;
use microwish_core::wish::{Wish, WishFilter, WishOrder, WishStatus};

use crate::error::ApiError;
use crate::payload::JsonBytes;
use crate::state::AppState;
use crate::views::{Seen, WishPage, WishView, view};

/// More pages than this and the cache starts over (cursors make keys many).
const MAX_PAGES: usize = 1_000;

/// What makes two pages the same page.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PageKey {
    status: WishStatus,
    grid_id: Option<i64>,
    category: Option<String>,
    referred: Option<bool>,
    before_id: Option<i64>,
    limit: i64,
}

impl PageKey {
    /// The key of a page every caller sees alike; `None` for a page that depends on the caller
    /// (`mine`, or ordered `for_me`: by their grid and skills).
    pub fn of(filter: &WishFilter) -> Option<Self> {
        let alike = !filter.mine && filter.order == WishOrder::Newest;
        let status = filter.status.filter(|s| s.is_public() && alike)?;
        Some(Self {
            status,
            grid_id: filter.grid_id,
            category: filter.category.clone(),
            referred: filter.referred,
            before_id: filter.before_id,
            limit: filter.limit,
        })
    }
}

/// A kept page: its rows, and its bytes as a stranger sees them.
pub struct Page {
    generation: u64,
    built_at: i64,
    /// The wishes, unmasked (presented per caller when the bytes do not fit them).
    pub wishes: Vec<Wish>,
    /// The page with every contact masked.
    pub masked: Bytes,
}

impl Page {
    /// Whether `caller` sees exactly the masked page: no contact and no volunteer on it is
    /// theirs to see (`family_of`: the residents they are family of).
    pub fn fits(&self, caller: &Caller, family_of: &[i64], now: i64, visible_after_close_ms: i64) -> bool {
        !self.wishes.iter().any(|w| {
            may_see_contact(caller, w, now, visible_after_close_ms)
                || may_see_volunteer(caller, w, family_of, now, visible_after_close_ms)
        })
    }
}

/// The cache; one per process.
pub struct Pages {
    ttl_ms: i64,
    pages: Mutex<HashMap<PageKey, Arc<Page>>>,
}

impl Pages {
    /// A cache whose pages live `ttl_ms` at most (0 = never kept).
    pub fn new(ttl_ms: i64) -> Self {
        Self {
            ttl_ms,
            pages: Mutex::default(),
        }
    }

    /// The page under `key`, if read at `generation` and less than the TTL ago.
    pub fn get(&self, key: &PageKey, generation: u64, now: i64) -> Option<Arc<Page>> {
        let pages = self.lock();
        let page = pages.get(key)?;
        (page.generation == generation && now < page.built_at.saturating_add(self.ttl_ms)).then(|| page.clone())
    }

    /// Keeps a page read at `generation` (taken before the read) at `now`.
    pub fn put(&self, key: PageKey, generation: u64, now: i64, wishes: Vec<Wish>, masked: Bytes) -> Arc<Page> {
        let page = Arc::new(Page {
            generation,
            built_at: now,
            wishes,
            masked,
        });
        if self.ttl_ms > 0 {
            let mut pages = self.lock();
            if pages.len() >= MAX_PAGES {
                pages.clear();
            }
            pages.insert(key, page.clone());
        }
        page
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<PageKey, Arc<Page>>> {
        self.pages.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl AppState {
    /// A page of the wish list as `caller` may see it: from the kept page when the filter is one
    /// every caller sees alike, else read for them.
    pub async fn wish_page(&self, caller: &Caller, filter: &WishFilter) -> Result<JsonBytes<WishPage>, ApiError> {
        if let WishOrder::ForMe(after) = filter.order {
            return self.for_me_page(caller, filter, after).await;
        }
        let now = self.clock.now_ms();
        let generation = self.db.write_generation();
        let key = PageKey::of(filter);
        let page = match key.as_ref().and_then(|k| self.pages.get(k, generation, now)) {
            Some(page) => page,
            None => {
                let mut conn = self.db.pool().acquire().await?;
                let wishes = store::list(&mut conn, caller, filter).await?;
                drop(conn);
                let Some(key) = key else {
                    return self.present_page(caller, wishes, filter).await;
                };
                let masked = wishes.iter().map(|w| view(w.clone(), Seen::default())).collect();
                let masked = JsonBytes::new(&page_of(masked, &wishes, filter)).bytes();
                self.pages.put(key, generation, now, wishes, masked)
            }
        };
        let window = self.settings.wishes.contact_visible_after_close.as_millis_i64();
        let family_of = self.family_for(caller, &page.wishes).await?;
        if page.fits(caller, &family_of, now, window) {
            return Ok(JsonBytes::from_bytes(page.masked.clone()));
        }
        let items = self.present_known(caller, page.wishes.clone(), &family_of).await?;
        Ok(JsonBytes::new(&page_of(items, &page.wishes, filter)))
    }

    /// A page of open wishes in `caller`'s own order: read for them every time, never kept.
    async fn for_me_page(
        &self,
        caller: &Caller,
        filter: &WishFilter,
        after: Option<ForMeKey>,
    ) -> Result<JsonBytes<WishPage>, ApiError> {
        let mut conn = self.db.pool().acquire().await?;
        let sla = (&self.settings.escalation, self.clock.now_ms());
        let (wishes, last) = store::list_for_me(&mut conn, caller, filter, after, sla).await?;
        drop(conn);
        let items = self.present(caller, wishes).await?;
        let next_cursor = last.map(|k| k.cursor());
        Ok(JsonBytes::new(&WishPage { items, next_cursor }))
    }

    /// The page presented for `caller` (contacts they may see shown, and audited).
    async fn present_page(
        &self,
        caller: &Caller,
        wishes: Vec<Wish>,
        filter: &WishFilter,
    ) -> Result<JsonBytes<WishPage>, ApiError> {
        let items = self.present(caller, wishes.clone()).await?;
        Ok(JsonBytes::new(&page_of(items, &wishes, filter)))
    }
}

/// The page around its items: a cursor when it is full.
fn page_of(items: Vec<WishView>, wishes: &[Wish], filter: &WishFilter) -> WishPage {
    let next_cursor = (wishes.len() as i64 == filter.limit)
        .then(|| wishes.last().map(|w| w.id.to_string()))
        .flatten();
    WishPage { items, next_cursor }
}
