//! Events as the API shows them: the event with its numbers and the caller's own place; the
//! check-in code only to those who manage it. Organisers' lists of who is coming.

use poem_openapi::Object;

use microwish_core::clock::rfc3339;
use microwish_core::console::events::Registrant;
use microwish_core::event::{Event, Place, model::may_manage};
use microwish_core::people::Caller;

/// An event. The check-in code is shown to those who manage it only.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct EventView {
    id: i64,
    title: String,
    description: String,
    location: String,
    starts_at: String,
    ends_at: String,
    capacity: Option<i64>,
    grid_id: Option<i64>,
    organiser_id: i64,
    /// published, cancelled, finished.
    status: String,
    /// Grows on each change of time or place (the calendar invitation's SEQUENCE).
    sequence: i64,
    /// Residents of the event's grid may check in without an invitation.
    walk_ins: bool,
    registered: i64,
    waitlisted: i64,
    /// The caller's own place: invited, registered, waitlisted, declined.
    my_response: Option<String>,
    checkin_code: Option<String>,
}

impl EventView {
    /// `e` as `caller` sees it, with its (registered, waitlisted) counts and the caller's place.
    pub fn new(caller: &Caller, e: Event, (registered, waitlisted): (i64, i64), mine: Option<Place>) -> Self {
        let manages = may_manage(caller, e.grid_id) || e.organiser_id == caller.user_id;
        Self {
            id: e.id,
            starts_at: rfc3339(e.starts_at),
            ends_at: rfc3339(e.ends_at),
            status: e.status.as_str().to_string(),
            registered,
            waitlisted,
            my_response: mine.map(|p| p.as_str().to_string()),
            checkin_code: manages.then_some(e.checkin_code),
            title: e.title,
            description: e.description,
            location: e.location,
            capacity: e.capacity,
            grid_id: e.grid_id,
            organiser_id: e.organiser_id,
            sequence: e.sequence,
            walk_ins: e.walk_ins,
        }
    }
}

/// Someone with a place, or waiting for one.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct RegistrantView {
    user_id: i64,
    display_name: String,
    /// Their place in the waitlist, from 1 (waitlisted people only).
    position: Option<i64>,
    /// When they checked in at the venue, if they did.
    checked_in_at: Option<String>,
}

/// Who is coming to an event: registered, then the waitlist in order.
#[derive(Object)]
pub struct RegistrantsView {
    event_id: i64,
    capacity: Option<i64>,
    registered: Vec<RegistrantView>,
    waitlist: Vec<RegistrantView>,
    /// Invited and not yet answering.
    invited: i64,
    declined: i64,
}

impl RegistrantsView {
    /// The event's people, in the order the store gives them.
    pub fn new(event: &Event, people: Vec<Registrant>) -> Self {
        let mut view = Self {
            event_id: event.id,
            capacity: event.capacity,
            registered: Vec::new(),
            waitlist: Vec::new(),
            invited: 0,
            declined: 0,
        };
        for p in people {
            let mut person = RegistrantView {
                user_id: p.user_id,
                display_name: p.name,
                position: None,
                checked_in_at: p.checked_in_at.map(rfc3339),
            };
            match p.response.as_str() {
                "registered" => view.registered.push(person),
                "waitlisted" => {
                    person.position = Some(view.waitlist.len() as i64 + 1);
                    view.waitlist.push(person);
                }
                "invited" => view.invited += 1,
                _ => view.declined += 1,
            }
        }
        view
    }
}
