//! microwish-console: the web console for grid leaders and the party secretary, served under
//! `/console/` by the same binary. Server-rendered pages (minijinja) with forms that work without
//! JavaScript; a cookie session (HttpOnly, SameSite=Lax, Secure behind TLS) and a CSRF token on
//! every form. Every rule — who may see, approve, assign or acknowledge what — is the core
//! function the API calls too; handlers here only read forms, call core and render.
#![forbid(unsafe_code)]

mod charts;
mod cookies;
mod guard;
mod i18n;
mod nav;
mod pages;
mod render;
mod sheets;

use std::sync::Arc;

use poem::endpoint::BoxEndpoint;
use poem::{EndpointExt, Route, get, post};

use microwish_core::{Db, Settings, SharedClock};

/// What every console page shares.
#[derive(Clone)]
pub struct ConsoleState {
    /// The store.
    pub db: Db,
    /// Validated settings.
    pub settings: Arc<Settings>,
    /// The clock (manual in tests).
    pub clock: SharedClock,
    /// Poked after a change that recorded notifications, as the API does.
    pub outbox_wake: Arc<tokio::sync::Notify>,
    templates: Arc<render::Templates>,
    invitation_allowed: Arc<dyn Fn(i64) -> bool + Send + Sync>,
}

impl ConsoleState {
    /// The console's state over the server's database, settings, clock and wake-up signal.
    pub fn new(db: Db, settings: Arc<Settings>, clock: SharedClock, outbox_wake: Arc<tokio::sync::Notify>) -> Self {
        Self {
            db,
            settings,
            clock,
            outbox_wake,
            templates: Arc::new(render::Templates::load()),
            invitation_allowed: Arc::new(|_| true),
        }
    }

    /// Counts each invitation against the same per-user limit as the API's (`limits.*`, kept by
    /// the server): `allowed(user)` answers whether this one may go ahead.
    pub fn with_invitation_limit(mut self, allowed: impl Fn(i64) -> bool + Send + Sync + 'static) -> Self {
        self.invitation_allowed = Arc::new(allowed);
        self
    }

    fn now(&self) -> i64 {
        self.clock.now_ms()
    }
}

/// The console's paths that take a register sheet (the server allows them the import's size).
pub const UPLOADS: &[&str] = &["/console/register/imports"];

/// The console's pages, to be mounted at `/console`.
pub fn endpoint(state: ConsoleState) -> BoxEndpoint<'static> {
    use pages::{
        audit, dashboard, event_edit, events, exports, grids, imports, login, party, party_service, people, queue,
        register, wish,
    };
    Route::new()
        .at("/", get(pages::index))
        .at("/static/:file", get(pages::asset))
        .at("/lang/:code", get(pages::language))
        .at("/login", get(login::page).post(login::redeem))
        .at("/login/status", get(login::status))
        .at("/link/:token", get(login::link_page).post(login::link_redeem))
        .at("/logout", post(login::logout))
        .at("/queue", get(queue::page))
        .at("/queue/:section", get(queue::one_section))
        .at("/wishes/:id", get(wish::page))
        .at("/wishes/:id/:action", post(queue::wish_action))
        .at("/alerts/:id/:action", post(queue::alert_action))
        .at("/events", get(events::list).post(events::create))
        .at("/events/:id", get(events::one))
        .at("/events/:id/invite", post(events::invite_people))
        .at("/events/:id/edit", post(event_edit::update))
        .at("/events/:id/cancel", post(event_edit::cancel))
        .at("/exports", get(exports::page))
        .at("/exports/indicators.csv", get(exports::indicators))
        .at("/exports/:name", get(exports::paged))
        .at("/grids", get(grids::list))
        .at("/grids/:id", get(grids::one))
        .at("/dashboard", get(dashboard::page))
        .at("/audit", get(audit::page))
        .at("/party", get(party::branches))
        .at("/party/cobuild", get(party::cobuild))
        .at("/party/registrations", get(party_service::registrations))
        .at("/party/registrations/:id/:action", post(party_service::decide))
        .at("/party/letters", get(party_service::letters))
        .at("/party/letters.csv", get(party_service::sheet))
        .at("/party/letters/:user_id", post(party_service::comment))
        .at("/party/letters/:user_id/print", get(party_service::print))
        .at("/register", get(register::page))
        .at("/register/imports", get(imports::list).post(imports::upload))
        .at("/register/imports/:id", get(imports::one))
        .at("/register/:grid/people", get(people::people))
        .at("/register/:grid/care", get(people::care_list))
        .at("/residence/:id/:action", post(register::decide))
        .at("/residents", post(register::register_resident))
        .data(state)
        .boxed()
}
