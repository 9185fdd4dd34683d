//! Photos over HTTP: `POST /wishes/{id}/photos` (the image itself as the body), `GET
//! /photos/{id}` (the image, to those who may see it), `DELETE /photos/{id}` (its uploader).
//! The type comes from the magic bytes, never from the client's word.

use poem::http::StatusCode;
use poem::{FromRequest, Request, RequestBody};
use poem_openapi::param::Path;
use poem_openapi::payload::{Binary, Json, ParsePayload, Payload};
use poem_openapi::registry::MetaSchemaRef;
use poem_openapi::{ApiRequest, ApiResponse, OpenApi};

use microwish_core::photo::{ImageType, store};

use super::Tag;
use crate::auth::BearerAuth;
use crate::error::ApiError;
use crate::state::AppState;
use crate::views::PhotoView;

/// An image body: `image/jpeg`, `image/png`, `image/webp` or `application/octet-stream`.
pub struct Image(pub Vec<u8>);

impl Payload for Image {
    const CONTENT_TYPE: &'static str = "image/*";

    fn check_content_type(content_type: &str) -> bool {
        let essence = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        matches!(
            essence.as_str(),
            "image/jpeg" | "image/png" | "image/webp" | "application/octet-stream"
        )
    }

    fn schema_ref() -> MetaSchemaRef {
        Binary::<Vec<u8>>::schema_ref()
    }
}

impl ParsePayload for Image {
    const IS_REQUIRED: bool = true;

    async fn from_request(request: &Request, body: &mut RequestBody) -> poem::Result<Self> {
        Ok(Self(Vec::<u8>::from_request(request, body).await?))
    }
}

/// The photo to attach.
#[derive(ApiRequest)]
enum Upload {
    /// A JPEG, PNG or WebP image, at most `photos.max_bytes` (413 beyond).
    Image(Image),
}

#[derive(ApiResponse)]
enum Attached {
    /// The photo, stored without its metadata.
    #[oai(status = 201)]
    Photo(Json<PhotoView>),
}

/// The image, by its type.
#[derive(ApiResponse)]
enum Served {
    /// A JPEG.
    #[oai(status = 200, content_type = "image/jpeg")]
    Jpeg(Binary<Vec<u8>>, #[oai(header = "Cache-Control")] String),
    /// A PNG.
    #[oai(status = 200, content_type = "image/png")]
    Png(Binary<Vec<u8>>, #[oai(header = "Cache-Control")] String),
    /// A WebP image.
    #[oai(status = 200, content_type = "image/webp")]
    Webp(Binary<Vec<u8>>, #[oai(header = "Cache-Control")] String),
}

#[derive(ApiResponse)]
enum Deleted {
    /// Deleted.
    #[oai(status = 204)]
    Done,
}

/// A photo may be cached by the caller's own client, never by a shared cache.
const PRIVATE: &str = "private, max-age=86400";

pub struct PhotoApi(pub AppState);

#[OpenApi(tag = "Tag::Wishes")]
impl PhotoApi {
    /// Attach a photo: the resident (or whoever posted the wish) while it is under review, open
    /// or claimed; the volunteer holding it, as proof of fulfilment. JPEG, PNG or WebP (by magic
    /// bytes; anything else 415), at most `photos.max_bytes` (413) and `photos.max_per_wish` of
    /// each kind (409 `too_many_photos`). EXIF, XMP and text metadata — GPS position included —
    /// are removed without re-encoding: the stored image is the upload minus its metadata.
    #[oai(path = "/wishes/:id/photos", method = "post")]
    async fn attach(&self, auth: BearerAuth, id: Path<i64>, body: Upload) -> Result<Attached, ApiError> {
        let state = &self.0;
        let caller = state.caller(&auth).await?;
        let Upload::Image(Image(bytes)) = body;
        let image = ImageType::sniff(&bytes).ok_or_else(|| {
            let message = "the photo must be a JPEG, PNG or WebP image";
            ApiError::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", message)
        })?;
        let (max, now) = (state.settings.photos.max_per_wish, state.clock.now_ms());
        let mut tx = state.db.begin_write().await?;
        let photo = store::attach(&mut tx, &state.photos, &caller, id.0, image, bytes.into(), max, now).await?;
        tx.commit().await?;
        tracing::info!(photo = photo.id, wish = id.0, by = caller.user_id, "photo attached");
        Ok(Attached::Photo(Json(photo.into())))
    }

    /// The image, for those who may see the wish's photos: the resident's side and linked
    /// family, the volunteer holding it, the uploader, the grid's leader, admins — and, while the
    /// wish is open, volunteers living in its grid (the resident's photos only). Anyone else gets
    /// 404, as for a photo that does not exist.
    #[oai(path = "/photos/:id", method = "get")]
    async fn get(&self, auth: BearerAuth, id: Path<i64>) -> Result<Served, ApiError> {
        let caller = self.0.caller(&auth).await?;
        let mut conn = self.0.db.pool().acquire().await?;
        let (photo, bytes) = store::open(&mut conn, &self.0.photos, &caller, id.0).await?;
        let body = Binary(bytes.to_vec());
        Ok(match photo.content_type.as_str() {
            "image/png" => Served::Png(body, PRIVATE.into()),
            "image/webp" => Served::Webp(body, PRIVATE.into()),
            _ => Served::Jpeg(body, PRIVATE.into()),
        })
    }

    /// Delete a photo: its uploader, while they could still attach it (409 after; 403 for
    /// someone else who may see it; 404 for anyone who may not).
    #[oai(path = "/photos/:id", method = "delete")]
    async fn delete(&self, auth: BearerAuth, id: Path<i64>) -> Result<Deleted, ApiError> {
        let caller = self.0.caller(&auth).await?;
        let mut tx = self.0.db.begin_write().await?;
        let key = store::delete(&mut tx, &caller, id.0).await?;
        tx.commit().await?;
        store::forget(&self.0.photos, &key).await;
        Ok(Deleted::Done)
    }
}
