//! Photos' rows and bytes: attaching (the wish row locked so the count per wish holds under
//! concurrent uploads, the bytes put in the object store, the row written in the caller's
//! transaction), reading for those the rule lets see them, listing on a wish, deleting.

use bytes::Bytes;
use rand::Rng;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::access::{self, AttachRefusal, PhotoKind, Viewer};
use super::image::{ImageType, strip_metadata};
use super::objects::Objects;
use crate::db::AnyConnection;
use crate::error::{CoreError, CoreResult};
use crate::people::Caller;
use crate::register::family::is_family;
use crate::wish::access::can_see;
use crate::wish::{Wish, query};

/// A photo's row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Photo {
    /// Id.
    pub id: i64,
    /// The wish it belongs to.
    pub wish_id: i64,
    /// Who uploaded it.
    pub uploader_id: i64,
    /// The resident's, or the volunteer's proof.
    pub kind: PhotoKind,
    /// `image/jpeg`, `image/png` or `image/webp`.
    pub content_type: String,
    /// Stored size (metadata removed).
    pub size_bytes: i64,
    /// Uploaded, epoch ms.
    pub created_at: i64,
    /// Where the bytes are in the object store.
    object_key: String,
}

const COLUMNS: &str = "id, wish_id, uploader_id, kind, content_type, size_bytes, created_at, object_key";

fn from_row(r: &AnyRow) -> Photo {
    Photo {
        id: r.get(0),
        wish_id: r.get(1),
        uploader_id: r.get(2),
        kind: PhotoKind::parse(&r.get::<String, _>(3)),
        content_type: r.get(4),
        size_bytes: r.get(5),
        created_at: r.get(6),
        object_key: r.get(7),
    }
}

/// Attaches an upload of type `image` to wish `wish_id` for `caller`, its metadata removed.
/// Run it inside a write transaction; at most `max_per_wish` photos of each kind.
#[allow(clippy::too_many_arguments)]
pub async fn attach(
    conn: &mut AnyConnection,
    objects: &Objects,
    caller: &Caller,
    wish_id: i64,
    image: ImageType,
    upload: Bytes,
    max_per_wish: u32,
    now: i64,
) -> CoreResult<Photo> {
    // The wish's row lock orders concurrent uploads to one wish, so the count below holds.
    sqlx::query("UPDATE wishes SET updated_at = updated_at WHERE id = $1")
        .bind(wish_id)
        .execute(&mut *conn)
        .await?;
    let wish = query::get(conn, caller, wish_id).await?;
    let kind = access::may_attach(caller, &wish).map_err(|refused| match refused {
        AttachRefusal::NotPermitted => CoreError::forbidden(
            "not_permitted",
            "only the resident (or whoever posted the wish) and the volunteer holding it add photos",
        ),
        AttachRefusal::Closed => CoreError::conflict(
            "invalid_transition",
            format!("photos cannot be added to a wish that is {}", wish.status),
        ),
    })?;
    let held: i64 = sqlx::query("SELECT COUNT(*) FROM wish_photos WHERE wish_id = $1 AND kind = $2")
        .bind(wish_id)
        .bind(kind.as_str())
        .fetch_one(&mut *conn)
        .await?
        .get(0);
    if held >= i64::from(max_per_wish) {
        return Err(CoreError::conflict(
            "too_many_photos",
            format!("this wish already has {held} such photos (the limit is {max_per_wish}): delete one first"),
        ));
    }
    let bytes = strip_metadata(image, upload)?;
    let key = format!("wishes/{wish_id}/{}", hex::encode(rand::rng().random::<[u8; 16]>()));
    let size = i64::try_from(bytes.len()).unwrap_or(i64::MAX);
    // Put before the row: a failed put writes no row; a failed commit leaves an unreferenced
    // object behind (harmless, and rare), never a row without its bytes.
    objects.put(&key, bytes).await?;
    let sql = format!(
        "INSERT INTO wish_photos (wish_id, uploader_id, kind, content_type, size_bytes, object_key, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {COLUMNS}"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(wish_id)
        .bind(caller.user_id)
        .bind(kind.as_str())
        .bind(image.content_type())
        .bind(size)
        .bind(&key)
        .bind(now)
        .fetch_one(&mut *conn)
        .await?;
    Ok(from_row(&row))
}

/// The photo and its bytes, for a caller the rule lets see it; for anyone else it does not exist.
pub async fn open(conn: &mut AnyConnection, objects: &Objects, caller: &Caller, id: i64) -> CoreResult<(Photo, Bytes)> {
    let (photo, _) = visible(conn, caller, id).await?;
    let bytes = objects.get(&photo.object_key).await?;
    Ok((photo, bytes))
}

/// The photos of `wish` that `caller` may see, oldest first.
pub async fn on_wish(conn: &mut AnyConnection, caller: &Caller, wish: &Wish) -> CoreResult<Vec<Photo>> {
    let sql = format!("SELECT {COLUMNS} FROM wish_photos WHERE wish_id = $1 ORDER BY id");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(wish.id)
        .fetch_all(&mut *conn)
        .await?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let (grid_id, family) = viewer_facts(conn, caller, wish).await?;
    let viewer = Viewer {
        caller,
        grid_id,
        family,
    };
    let photos = rows.iter().map(from_row);
    Ok(photos
        .filter(|p| access::may_see(viewer, wish, p.kind, p.uploader_id))
        .collect())
}

/// Deletes a photo its uploader may still remove; answers its object key, which the caller
/// removes from the object store once the transaction has committed.
pub async fn delete(conn: &mut AnyConnection, caller: &Caller, id: i64) -> CoreResult<String> {
    let (photo, wish) = visible(conn, caller, id).await?;
    if !access::may_delete(caller, &wish, photo.kind, photo.uploader_id) {
        if photo.uploader_id != caller.user_id {
            return Err(CoreError::forbidden(
                "not_permitted",
                "only the uploader deletes a photo",
            ));
        }
        return Err(CoreError::conflict(
            "invalid_transition",
            format!("photos of a wish that is {} stay", wish.status),
        ));
    }
    sqlx::query("DELETE FROM wish_photos WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(photo.object_key)
}

/// Removes a deleted photo's bytes; a failure is logged, not answered (the row is already gone).
pub async fn forget(objects: &Objects, key: &str) {
    if objects.delete(key).await.is_err() {
        tracing::warn!(key, "a deleted photo's bytes stay in the store");
    }
}

/// The photo and its wish when `caller` may see the photo; not found otherwise.
async fn visible(conn: &mut AnyConnection, caller: &Caller, id: i64) -> CoreResult<(Photo, Wish)> {
    let sql = format!("SELECT {COLUMNS} FROM wish_photos WHERE id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    let photo = row.as_ref().map(from_row).ok_or(CoreError::NotFound("photo"))?;
    let wish = query::load(conn, photo.wish_id).await?;
    let (grid_id, family) = viewer_facts(conn, caller, &wish).await?;
    let viewer = Viewer {
        caller,
        grid_id,
        family,
    };
    if !can_see(caller, &wish) || !access::may_see(viewer, &wish, photo.kind, photo.uploader_id) {
        return Err(CoreError::NotFound("photo"));
    }
    Ok((photo, wish))
}

/// The caller's grid and whether they are family of the wish's resident.
async fn viewer_facts(conn: &mut AnyConnection, caller: &Caller, wish: &Wish) -> CoreResult<(Option<i64>, bool)> {
    let grid_id: Option<i64> = sqlx::query("SELECT grid_id FROM users WHERE id = $1")
        .bind(caller.user_id)
        .fetch_optional(&mut *conn)
        .await?
        .and_then(|r| r.get(0));
    let family = is_family(conn, caller.user_id, wish.resident_id).await?;
    Ok((grid_id, family))
}
