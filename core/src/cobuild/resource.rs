//! Resources (资源清单): what a co-building unit offers — a venue, funds, a professional service,
//! goods, a volunteer team — with the wish category it serves, a quantity or capacity, an
//! availability window and a status. The unit's contact (or an admin) keeps them; leaders list them.

use std::fmt;
use std::str::FromStr;

use serde_json::json;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::unit;
use crate::audit::{self, Action, Subject};
use crate::error::{CoreError, CoreResult};
use crate::fields::ItemTitle;
use crate::people::{Caller, Role};

macro_rules! word_enum {
    ($(#[$doc:meta])* $name:ident, $field:literal { $($(#[$vdoc:meta])* $variant:ident = $text:literal),+ }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $name { $($(#[$vdoc])* $variant),+ }

        impl $name {
            /// The word stored and sent.
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = CoreError;
            fn from_str(s: &str) -> Result<Self, CoreError> {
                match s {
                    $($text => Ok(Self::$variant),)+
                    _ => Err(CoreError::invalid(
                        "invalid_field",
                        concat!($field, ": must be one of ", $($text, " "),+),
                    )),
                }
            }
        }
    };
}

word_enum!(/// What kind of thing a resource is.
    ResourceKind, "kind" {
    /// A room or hall.
    Venue = "venue",
    /// Money.
    Funds = "funds",
    /// A professional service: legal aid, health check, repairs.
    Service = "service",
    /// Goods.
    Goods = "goods",
    /// A team of volunteers.
    Team = "team"
});

word_enum!(/// Whether a resource can be asked for.
    ResourceStatus, "status" {
    /// On offer.
    Available = "available",
    /// Not now (fully booked, between seasons).
    Paused = "paused",
    /// No longer offered.
    Withdrawn = "withdrawn"
});

/// A resource as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resource {
    /// Id.
    pub id: i64,
    /// The unit offering it.
    pub unit_id: i64,
    /// The unit's name.
    pub unit_name: String,
    /// Title, e.g. "老年人健康体检".
    pub title: String,
    /// The wish category it serves.
    pub category: String,
    /// Kind.
    pub kind: ResourceKind,
    /// Capacity, amount or head count, if stated.
    pub quantity: Option<i64>,
    /// Available from (epoch ms), if bounded.
    pub available_from: Option<i64>,
    /// Available until (epoch ms), if bounded.
    pub available_to: Option<i64>,
    /// Status.
    pub status: ResourceStatus,
}

/// A resource's fields as its keeper writes them.
#[derive(Debug, Clone)]
pub struct NewResource {
    /// Title.
    pub title: ItemTitle,
    /// A configured wish category code.
    pub category: String,
    /// Kind.
    pub kind: ResourceKind,
    /// Quantity (≥ 1) if stated.
    pub quantity: Option<i64>,
    /// Availability window.
    pub window: (Option<i64>, Option<i64>),
    /// Status.
    pub status: ResourceStatus,
}

/// What a leader filters the list by.
#[derive(Debug, Clone, Default)]
pub struct ResourceFilter {
    /// Wish category.
    pub category: Option<String>,
    /// Kind.
    pub kind: Option<ResourceKind>,
    /// Status.
    pub status: Option<ResourceStatus>,
    /// Offering unit.
    pub unit_id: Option<i64>,
    /// Only those available at this instant (status available, inside the window).
    pub available_at: Option<i64>,
}

/// The columns [`from_row`] reads, the offering unit's name by a subquery (both engines take one
/// in `RETURNING` too).
const COLUMNS: &str = "id, unit_id, title, category, kind, quantity, available_from, available_to, status, \
     (SELECT u.name FROM cobuild_units u WHERE u.id = unit_resources.unit_id) AS unit_name";

fn from_row(r: &AnyRow) -> Resource {
    let kind: String = r.get("kind");
    let status: String = r.get("status");
    Resource {
        id: r.get("id"),
        unit_id: r.get("unit_id"),
        unit_name: r.get("unit_name"),
        title: r.get("title"),
        category: r.get("category"),
        kind: kind.parse().unwrap_or(ResourceKind::Service),
        quantity: r.get("quantity"),
        available_from: r.get("available_from"),
        available_to: r.get("available_to"),
        status: status.parse().unwrap_or(ResourceStatus::Withdrawn),
    }
}

impl NewResource {
    /// Checks what holds between fields against the configured categories.
    pub fn check(self, categories: &[String]) -> CoreResult<Self> {
        if !categories.contains(&self.category) {
            return Err(CoreError::invalid(
                "invalid_field",
                format!("category: `{}` is not one of GET /api/v1/categories", self.category),
            ));
        }
        if self.quantity.is_some_and(|q| !(1..=100_000_000).contains(&q)) {
            return Err(CoreError::invalid("invalid_field", "quantity: must be 1 to 100000000"));
        }
        if let (Some(from), Some(to)) = self.window
            && to <= from
        {
            return Err(CoreError::invalid(
                "invalid_field",
                "available_to: must be after available_from",
            ));
        }
        Ok(self)
    }
}

/// Whether `caller` keeps the resources of `unit_id`: an admin or the unit's linked contact.
/// Decided before anything is looked up for anyone else: a caller who is not the contact hears
/// the same 403 whether the unit exists or not; only admins learn that it does not.
async fn may_keep(conn: &mut AnyConnection, caller: &Caller, unit_id: i64) -> CoreResult<()> {
    if caller.is_admin() {
        return unit::get(conn, unit_id).await.map(drop);
    }
    if unit::contacts(conn, caller.user_id).await?.contains(&unit_id) {
        return Ok(());
    }
    Err(CoreError::forbidden(
        "not_permitted",
        format!("only admins and the contact of unit {unit_id} keep its resources"),
    ))
}

/// Writes a resource of `unit_id`: a new one when `id` is None.
pub async fn write(
    conn: &mut AnyConnection,
    caller: &Caller,
    unit_id: i64,
    id: Option<i64>,
    r: &NewResource,
    now: i64,
) -> CoreResult<Resource> {
    may_keep(conn, caller, unit_id).await?;
    let sql = match id {
        None => format!(
            "INSERT INTO unit_resources (unit_id, title, category, kind, quantity, available_from, \
             available_to, status, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING {COLUMNS}"
        ),
        Some(_) => format!(
            "UPDATE unit_resources SET title = $2, category = $3, kind = $4, quantity = $5, \
             available_from = $6, available_to = $7, status = $8, updated_at = $9 \
             WHERE unit_id = $1 AND id = $10 RETURNING {COLUMNS}"
        ),
    };
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(unit_id)
        .bind(r.title.as_str())
        .bind(r.category.as_str())
        .bind(r.kind.as_str())
        .bind(r.quantity)
        .bind(r.window.0)
        .bind(r.window.1)
        .bind(r.status.as_str())
        .bind(now)
        .bind(id.unwrap_or(0))
        .fetch_optional(&mut *conn)
        .await?;
    let resource = row.map(|r| from_row(&r)).ok_or(CoreError::NotFound("resource"))?;
    let action = if id.is_some() {
        Action::ResourceUpdate
    } else {
        Action::ResourceCreate
    };
    let detail = json!({ "unit_id": unit_id, "title": resource.title, "status": r.status.as_str() });
    audit::record(
        conn,
        Some(caller),
        action.on(Subject::Resource(resource.id)).with(detail),
        now,
    )
    .await?;
    Ok(resource)
}

/// The resource with this id.
pub async fn get(conn: &mut AnyConnection, id: i64) -> CoreResult<Resource> {
    let sql = format!("SELECT {COLUMNS} FROM unit_resources WHERE id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|r| from_row(&r)).ok_or(CoreError::NotFound("resource"))
}

/// Resources matching `f`, by id: for admins, grid leaders, and a unit's contact (their own).
pub async fn list(conn: &mut AnyConnection, caller: &Caller, f: &ResourceFilter) -> CoreResult<Vec<Resource>> {
    // A unit's contact (not staff) lists the resources of the units they act for.
    let own = !(caller.is_admin() || caller.has(Role::GridLeader));
    if own && unit::contacts(conn, caller.user_id).await?.is_empty() {
        return Err(CoreError::forbidden(
            "not_permitted",
            "only admins, grid leaders and unit contacts list resources",
        ));
    }
    let sql = format!(
        "SELECT {COLUMNS} FROM unit_resources WHERE ($1 = '' OR category = $1) AND ($2 = '' OR kind = $2) \
         AND ($3 = '' OR status = $3) AND ($4 = 0 OR unit_id = $4) \
         AND ($5 = 0 OR unit_id IN (SELECT u.id FROM cobuild_units u WHERE u.contact_user_id = $5)) \
         AND ($6 = 0 OR (status = 'available' AND COALESCE(available_from, $6) <= $6 \
              AND COALESCE(available_to, $6 + 1) > $6)) ORDER BY id"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(f.category.clone().unwrap_or_default())
        .bind(f.kind.map_or("", ResourceKind::as_str))
        .bind(f.status.map_or("", ResourceStatus::as_str))
        .bind(f.unit_id.unwrap_or(0))
        .bind(if own { caller.user_id } else { 0 })
        .bind(f.available_at.unwrap_or(0))
        .fetch_all(&mut *conn)
        .await?;
    Ok(rows.iter().map(from_row).collect())
}
