//! One wish: what it is, where it stands, its timeline, and — only when asked, only for those
//! the privacy rule allows, and recorded in the audit of contact views like every API reveal —
//! the resident's phone and address, so a leader can call before assigning — and the leader's
//! actions for its current state (the same forms and endpoints as the queue's).

use poem::http::StatusCode;
use poem::web::{Data, Path};
use poem::{Request, Response, handler};
use serde_json::{Value, json};

use microwish_core::CoreError;
use microwish_core::console::queue;
use microwish_core::people::user;
use microwish_core::privacy::{is_audited_reveal, mask_phone, may_see_contact, record_reveals};
use microwish_core::wish::store as wishes;

use super::{category_label, local_time};
use crate::guard::Signed;
use crate::i18n::Lang;
use crate::{ConsoleState, render};

/// GET /console/wishes/{id}[?contact=1]
#[handler]
pub async fn page(req: &Request, state: Data<&ConsoleState>, signed: Signed, id: Path<i64>) -> Response {
    let state = *state;
    let asked = req
        .uri()
        .query()
        .is_some_and(|q| q.split('&').any(|p| p == "contact=1"));
    let now = state.now();
    let caller = &signed.caller;
    let loaded = async {
        let mut conn = state.db.pool().acquire().await?;
        let (wish, timeline) = wishes::timeline(&mut conn, caller, id.0).await?;
        let mut steps = Vec::with_capacity(timeline.len());
        for step in &timeline {
            let who = match step.actor_id {
                Some(actor) => user::get(&mut conn, actor)
                    .await
                    .map(|u| u.display_name)
                    .unwrap_or_default(),
                None => String::new(),
            };
            steps.push((step.clone(), who));
        }
        // Leaders act on the page too: the volunteers to assign an open wish to, by name.
        let choices = if caller.oversees(wish.grid_id) && wish.status.as_str() == "open" {
            queue::volunteers(&mut conn).await?
        } else {
            Vec::new()
        };
        let volunteer = match wish.volunteer_id {
            Some(v) => Some(user::get(&mut conn, v).await?.display_name),
            None => None,
        };
        let window = state.settings.wishes.contact_visible_after_close.as_millis_i64();
        let allowed = may_see_contact(caller, &wish, now, window);
        let reveal = asked && allowed;
        if reveal && is_audited_reveal(caller, &wish) {
            drop(conn);
            let mut tx = state.db.begin_write().await?;
            record_reveals(&mut tx, caller.user_id, &[(wish.id, wish.resident_id)], now).await?;
            tx.commit().await?;
            tracing::info!(
                viewer = caller.user_id,
                wish = wish.id,
                "resident contact details revealed (console)"
            );
        }
        Ok::<_, CoreError>((wish, steps, volunteer, allowed, reveal, choices))
    }
    .await;
    let (wish, steps, volunteer, allowed, reveal, choices) = match loaded {
        Ok(loaded) => loaded,
        Err(err) => return render::core_error(state, req, err),
    };
    let s = &state.settings;
    let phone = wish
        .resident
        .phone
        .as_deref()
        .map(|p| if reveal { p.to_string() } else { mask_phone(p) });
    let timeline: Vec<Value> = steps
        .iter()
        .map(|(step, who)| {
            json!({ "at": local_time(s, step.at), "action": step.action, "who": who, "note": step.note,
                    "to": step.to_status })
        })
        .collect();
    let data = json!({
        "wish": {
            "id": wish.id, "grid_id": wish.grid_id, "title": wish.title, "description": wish.description, "status": wish.status.as_str(),
            "category": category_label(s, Lang::of(req), &wish.category), "urgent": wish.urgency.as_str() == "urgent",
            "resident": wish.resident.display_name, "building": wish.resident.building,
            "phone": phone, "address": if reveal { wish.resident.address.clone() } else { None },
            "volunteer": volunteer, "posted": local_time(s, wish.created_at),
            "due": wish.due_at.map(|d| local_time(s, d)), "rating": wish.rating,
        },
        "may_act": caller.oversees(wish.grid_id),
        "volunteers": choices.iter().map(|v| super::queue::volunteer_json(v, None)).collect::<Vec<_>>(),
        "may_reveal": allowed && !reveal,
        "revealed": reveal,
        "timeline": timeline,
    });
    render::page(state, req, Some(&signed), "wish.html", data, StatusCode::OK)
}
