//! Who hears of a registration: every admin when one is filed (it waits for them), the applicant
//! when it is decided — written in the same transaction, once per recipient.

use serde_json::json;
use sqlx::AnyConnection;

use super::machine::RegistrationStatus;
use super::model::Registration;
use crate::error::CoreResult;
use crate::notify::NotificationKind;
use crate::outbox::{self, NewNotification};

fn notification(
    kind: NotificationKind,
    recipient: i64,
    r: &Registration,
    payload: serde_json::Value,
) -> NewNotification {
    NewNotification {
        kind,
        recipient_id: recipient,
        subject_type: "registration",
        subject_id: r.id,
        urgent: false,
        payload,
        dedupe_key: format!("registration:{}:{}:{kind}:{recipient}", r.id, r.status),
    }
}

/// A registration was filed: every admin but the applicant hears of it.
pub(super) async fn filed(conn: &mut AnyConnection, r: &Registration, now: i64) -> CoreResult<()> {
    let admins: Vec<i64> =
        sqlx::query_scalar("SELECT user_id FROM user_roles WHERE role = 'admin' AND user_id <> $1 ORDER BY user_id")
            .bind(r.user_id)
            .fetch_all(&mut *conn)
            .await?;
    let payload = json!({ "registration_id": r.id, "applicant_name": r.display_name, "work_unit": r.work_unit,
        "unit_branch": r.unit_branch, "title": format!("{}（{}）", r.display_name, r.work_unit) });
    for admin in admins {
        let n = notification(NotificationKind::PartyRegistration, admin, r, payload.clone());
        outbox::record(conn, &n, now).await?;
    }
    Ok(())
}

/// A registration was approved or rejected: the applicant hears which, with the branch they
/// joined or the reason.
pub(super) async fn decided(conn: &mut AnyConnection, r: &Registration, now: i64) -> CoreResult<()> {
    let kind = match r.status {
        RegistrationStatus::Approved => NotificationKind::PartyApproved,
        RegistrationStatus::Rejected => NotificationKind::PartyRejected,
        RegistrationStatus::Pending | RegistrationStatus::Withdrawn => return Ok(()),
    };
    let branch_name: Option<String> = match r.branch_id {
        Some(id) => {
            sqlx::query_scalar("SELECT name FROM party_branches WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *conn)
                .await?
        }
        None => None,
    };
    let payload = json!({ "registration_id": r.id, "work_unit": r.work_unit, "branch_name": branch_name,
        "reason": r.reason, "title": r.work_unit });
    outbox::record(conn, &notification(kind, r.user_id, r, payload), now).await?;
    Ok(())
}
