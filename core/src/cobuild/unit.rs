//! Co-building units (共建单位): admins keep them; a unit's contact is a signed-in user an admin
//! links to it, who may then maintain the unit's resources.

use jiff::civil::Date;
use serde_json::json;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::audit::{self, Action, Subject};
use crate::error::{CoreError, CoreResult, on_constraint};
use crate::fields::{ContactName, Email, PartyOrg, Phone, UnitName};
use crate::people::{Caller, Role};

/// A unit as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    /// Id.
    pub id: i64,
    /// Name, unique in the community.
    pub name: String,
    /// The unit's party organisation.
    pub party_org: String,
    /// First day of the agreement (YYYY-MM-DD), if stated.
    pub agreement_from: Option<String>,
    /// Last day of the agreement (YYYY-MM-DD), if stated.
    pub agreement_to: Option<String>,
    /// Contact person.
    pub contact_name: String,
    /// Contact's phone, in full: the edge masks it for those who may not see it.
    pub contact_phone: String,
    /// Contact's email: project proposals are sent there.
    pub contact_email: String,
    /// The signed-in user who acts for the unit, once an admin linked one.
    pub contact_user_id: Option<i64>,
    /// The unit's WeCom group robot, if any.
    pub wecom_robot_key: Option<String>,
}

/// A unit's fields as an admin writes them, validated.
#[derive(Debug, Clone)]
pub struct UnitFields {
    /// Name.
    pub name: UnitName,
    /// Party organisation.
    pub party_org: PartyOrg,
    /// Agreement period.
    pub agreement: (Option<Date>, Option<Date>),
    /// Contact person.
    pub contact_name: ContactName,
    /// Contact's phone.
    pub contact_phone: Phone,
    /// Contact's email.
    pub contact_email: Email,
    /// WeCom robot key (empty: none).
    pub wecom_robot_key: Option<String>,
}

/// Parses an agreement date, naming the field when it is not YYYY-MM-DD.
pub fn parse_date(field: &str, text: &str) -> CoreResult<Date> {
    text.parse::<Date>()
        .map_err(|_| CoreError::invalid("invalid_field", format!("{field}: must be a date like 2026-01-31")))
}

impl UnitFields {
    /// Checks what holds between fields: the period runs forward, the robot key is sane.
    pub fn check(self) -> CoreResult<Self> {
        if let (Some(from), Some(to)) = self.agreement
            && to < from
        {
            return Err(CoreError::invalid(
                "invalid_field",
                "agreement_to: must not be before agreement_from",
            ));
        }
        if let Some(key) = &self.wecom_robot_key
            && (key.is_empty() || key.len() > 64 || !key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        {
            return Err(CoreError::invalid(
                "invalid_field",
                "wecom_robot_key: letters, digits and dashes, at most 64",
            ));
        }
        Ok(self)
    }
}

const COLUMNS: &str = "id, name, party_org, agreement_from, agreement_to, contact_name, contact_phone, \
     contact_email, contact_user_id, wecom_robot_key";

fn from_row(r: &AnyRow) -> Unit {
    Unit {
        id: r.get("id"),
        name: r.get("name"),
        party_org: r.get("party_org"),
        agreement_from: r.get("agreement_from"),
        agreement_to: r.get("agreement_to"),
        contact_name: r.get("contact_name"),
        contact_phone: r.get("contact_phone"),
        contact_email: r.get("contact_email"),
        contact_user_id: r.get("contact_user_id"),
        wecom_robot_key: r.get("wecom_robot_key"),
    }
}

fn admins_only(caller: &Caller) -> CoreResult<()> {
    if caller.is_admin() {
        Ok(())
    } else {
        Err(CoreError::forbidden(
            "not_permitted",
            "only admins keep co-building units",
        ))
    }
}

fn name_taken(e: sqlx::Error) -> CoreError {
    on_constraint(e, |c| {
        (c.contains("cobuild_units_name") || c.contains("cobuild_units.name"))
            .then(|| CoreError::conflict("unit_name_taken", "a unit with this name already exists"))
    })
}

/// Whether `caller` may see a unit's contact phone and email in full: admins and the unit's own
/// contact. Leaders reach a unit through a project (its contact is emailed) and see the phone
/// masked, as everyone else does: the person behind it did not sign up to be called by anyone.
pub fn may_see_contact(caller: &Caller, unit: &Unit) -> bool {
    caller.is_admin() || unit.contact_user_id == Some(caller.user_id)
}

/// Writes a unit: a new one when `id` is None. Admins only.
pub async fn write(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: Option<i64>,
    f: &UnitFields,
    now: i64,
) -> CoreResult<Unit> {
    admins_only(caller)?;
    let sql = match id {
        None => format!(
            "INSERT INTO cobuild_units (name, party_org, agreement_from, agreement_to, contact_name, \
             contact_phone, contact_email, wecom_robot_key, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING {COLUMNS}"
        ),
        Some(_) => format!(
            "UPDATE cobuild_units SET name = $1, party_org = $2, agreement_from = $3, agreement_to = $4, \
             contact_name = $5, contact_phone = $6, contact_email = $7, wecom_robot_key = $8, updated_at = $9 \
             WHERE id = $10 RETURNING {COLUMNS}"
        ),
    };
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(f.name.as_str())
        .bind(f.party_org.as_str())
        .bind(f.agreement.0.map(|d| d.to_string()))
        .bind(f.agreement.1.map(|d| d.to_string()))
        .bind(f.contact_name.as_str())
        .bind(f.contact_phone.as_str())
        .bind(f.contact_email.as_str())
        .bind(f.wecom_robot_key.clone())
        .bind(now)
        .bind(id.unwrap_or(0))
        .fetch_optional(&mut *conn)
        .await
        .map_err(name_taken)?;
    let unit = row.map(|r| from_row(&r)).ok_or(CoreError::NotFound("unit"))?;
    let action = if id.is_some() {
        Action::UnitUpdate
    } else {
        Action::UnitCreate
    };
    let detail = json!({ "name": unit.name, "party_org": unit.party_org, "contact_name": unit.contact_name });
    audit::record(conn, Some(caller), action.on(Subject::Unit(unit.id)).with(detail), now).await?;
    Ok(unit)
}

/// Links (or with None unlinks) the user who acts for the unit. Admins only.
pub async fn link_contact(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: i64,
    user_id: Option<i64>,
    now: i64,
) -> CoreResult<Unit> {
    admins_only(caller)?;
    if let Some(user) = user_id {
        let known: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE id = $1")
            .bind(user)
            .fetch_optional(&mut *conn)
            .await?;
        known.ok_or_else(|| CoreError::invalid("unknown_user", format!("user_id: no user {user}")))?;
    }
    let sql =
        format!("UPDATE cobuild_units SET contact_user_id = $1, updated_at = $2 WHERE id = $3 RETURNING {COLUMNS}");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(user_id)
        .bind(now)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    let unit = row.map(|r| from_row(&r)).ok_or(CoreError::NotFound("unit"))?;
    let fact = Action::UnitContact
        .on(Subject::Unit(id))
        .with(json!({ "user_id": user_id }));
    audit::record(conn, Some(caller), fact, now).await?;
    Ok(unit)
}

/// The unit with this id.
pub async fn get(conn: &mut AnyConnection, id: i64) -> CoreResult<Unit> {
    let sql = format!("SELECT {COLUMNS} FROM cobuild_units WHERE id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|r| from_row(&r)).ok_or(CoreError::NotFound("unit"))
}

/// The units `user_id` is the linked contact of, by id.
pub async fn contacts(conn: &mut AnyConnection, user_id: i64) -> CoreResult<Vec<i64>> {
    Ok(
        sqlx::query_scalar("SELECT id FROM cobuild_units WHERE contact_user_id = $1 ORDER BY id")
            .bind(user_id)
            .fetch_all(&mut *conn)
            .await?,
    )
}

/// Every unit, by id: for admins, grid leaders and unit contacts.
pub async fn list(conn: &mut AnyConnection, caller: &Caller) -> CoreResult<Vec<Unit>> {
    let sql = format!("SELECT {COLUMNS} FROM cobuild_units ORDER BY id");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(&mut *conn).await?;
    let units: Vec<Unit> = rows.iter().map(from_row).collect();
    let staff = caller.is_admin() || caller.has(Role::GridLeader);
    if !staff && !units.iter().any(|u| u.contact_user_id == Some(caller.user_id)) {
        return Err(CoreError::forbidden(
            "not_permitted",
            "only admins, grid leaders and unit contacts list the units",
        ));
    }
    Ok(units)
}
