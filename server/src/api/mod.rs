//! The API resources, one `#[OpenApi]` struct each, combined into one service.

mod admin;
mod alerts;
mod audit;
mod auth;
mod calendar;
mod care;
mod community;
mod console;
mod event_body;
mod event_lists;
mod events;
mod family;
mod hours;
mod insight;
mod me;
mod me_party;
mod needs;
mod notices;
mod party;
mod party_admin;
mod party_feedback;
mod people;
mod photos;
mod projects;
mod register;
mod register_csv;
mod registrations;
mod residence;
mod resources;
mod subscriptions;
mod units;
mod wish_actions;
mod wish_edit;
mod wish_query;
mod wishes;

use poem_openapi::Tags;

use crate::state::AppState;

/// Sections of the API documentation.
#[derive(Tags)]
pub enum Tag {
    /// Signing in.
    Auth,
    /// The caller's own profile and settings.
    Me,
    /// Micro-wishes: posting, browsing, and their life cycle.
    Wishes,
    /// The community's structure.
    Community,
    /// Community events, invitations, check-in and volunteer hours.
    Events,
    /// The register: buildings, households, people, residence, family and care.
    Register,
    /// Community staff.
    Admin,
    /// The party organisation: branches and their members.
    Party,
    /// Co-building (共建): units, the resources they offer and the projects that match them to wishes.
    CoBuilding,
}

/// The register's resources: buildings and people, the CSV sheet, residence requests.
type RegisterApis = (
    register::RegisterApi,
    register_csv::RegisterCsvApi,
    residence::ResidenceApi,
    family::FamilyApi,
    care::CareApi,
    people::PeopleApi,
);

/// The wish's resources: posting and reading, its life cycle, editing, photos.
type WishApis = (
    wishes::WishApi,
    wish_actions::WishActionApi,
    wish_edit::WishEditApi,
    photos::PhotoApi,
);

/// Co-building: units, their resources, projects.
type CoBuildingApis = (
    units::UnitApi,
    resources::ResourceApi,
    projects::ProjectApi,
    needs::NeedsApi,
);

/// The party organisation: branches and members, 双报到, targets and year-end feedback.
type PartyApis = (
    party::PartyApi,
    party_admin::PartyAdminApi,
    me_party::MePartyApi,
    registrations::RegistrationsApi,
    party_feedback::FeedbackApi,
);

/// Staff resources: grids, roles and notifications; the party organisation and co-building; the
/// audit log.
type StaffApis = (admin::AdminApi, PartyApis, CoBuildingApis, audit::AuditApi);

/// The caller's own: profile, subscribe messages, calendar feed.
type MeApis = (me::MeApi, subscriptions::SubscriptionApi, calendar::CalendarApi);

/// Events: managing and answering them, and the lists; notices to the same audiences.
type EventApis = (events::EventApi, event_lists::EventListApi, notices::NoticeApi);

/// Every resource of the API.
pub type All = (
    auth::AuthApi,
    MeApis,
    WishApis,
    community::CommunityApi,
    alerts::AlertApi,
    EventApis,
    hours::HoursApi,
    insight::InsightApi,
    StaffApis,
    RegisterApis,
    console::ConsoleApi,
);

/// Every resource of the API, serving `state`.
pub fn all(state: AppState) -> All {
    (
        auth::AuthApi(state.clone()),
        (
            me::MeApi(state.clone()),
            subscriptions::SubscriptionApi(state.clone()),
            calendar::CalendarApi(state.clone()),
        ),
        (
            wishes::WishApi(state.clone()),
            wish_actions::WishActionApi(state.clone()),
            wish_edit::WishEditApi(state.clone()),
            photos::PhotoApi(state.clone()),
        ),
        community::CommunityApi(state.clone()),
        alerts::AlertApi(state.clone()),
        (
            events::EventApi(state.clone()),
            event_lists::EventListApi(state.clone()),
            notices::NoticeApi(state.clone()),
        ),
        hours::HoursApi(state.clone()),
        insight::InsightApi(state.clone()),
        (
            admin::AdminApi(state.clone()),
            (
                party::PartyApi(state.clone()),
                party_admin::PartyAdminApi(state.clone()),
                me_party::MePartyApi(state.clone()),
                registrations::RegistrationsApi(state.clone()),
                party_feedback::FeedbackApi(state.clone()),
            ),
            (
                units::UnitApi(state.clone()),
                resources::ResourceApi(state.clone()),
                projects::ProjectApi(state.clone()),
                needs::NeedsApi(state.clone()),
            ),
            audit::AuditApi(state.clone()),
        ),
        (
            register::RegisterApi(state.clone()),
            register_csv::RegisterCsvApi(state.clone()),
            residence::ResidenceApi(state.clone()),
            family::FamilyApi(state.clone()),
            care::CareApi(state.clone()),
            people::PeopleApi(state.clone()),
        ),
        console::ConsoleApi(state),
    )
}
