//! Photos of a wish: what a resident attaches (the broken light) and a volunteer's proof of
//! fulfilment. `image` recognises JPEG, PNG and WebP by their magic bytes and removes their
//! metadata (EXIF, XMP, text chunks — where a phone writes the GPS position) without re-encoding;
//! `access` decides who may attach, see and delete (pure); `objects` is the object store the bytes
//! live in (a local directory, or S3 with the `s3` feature); `store` keeps the rows beside it.

pub mod access;
pub mod image;
pub mod objects;
pub mod store;

pub use access::PhotoKind;
pub use image::ImageType;
pub use objects::Objects;
pub use store::Photo;
