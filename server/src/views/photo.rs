//! A photo of a wish as the API lists it: what it is and where to fetch it.

use poem_openapi::Object;

use microwish_core::clock::rfc3339;
use microwish_core::photo::Photo;

/// A photo: the resident's (`wish`) or the volunteer's proof of fulfilment (`proof`). Fetch the
/// image itself at `url` with the same bearer token.
#[derive(Debug, Object)]
pub struct PhotoView {
    /// Id.
    pub id: i64,
    /// The wish it belongs to.
    pub wish_id: i64,
    /// wish or proof.
    pub kind: String,
    /// image/jpeg, image/png or image/webp.
    pub content_type: String,
    /// Stored size in bytes (metadata removed).
    pub size_bytes: i64,
    /// Who uploaded it.
    pub uploader_id: i64,
    /// `/api/v1/photos/{id}`.
    pub url: String,
    /// Uploaded.
    pub created_at: String,
}

impl From<Photo> for PhotoView {
    fn from(p: Photo) -> Self {
        Self {
            id: p.id,
            wish_id: p.wish_id,
            kind: p.kind.as_str().to_string(),
            url: format!("/api/v1/photos/{}", p.id),
            content_type: p.content_type,
            size_bytes: p.size_bytes,
            uploader_id: p.uploader_id,
            created_at: rfc3339(p.created_at),
        }
    }
}
