//! A JSON body already serialized: the same OpenAPI schema and content type as `Json<T>`, sent
//! as the bytes it holds. Cached list pages go out as these without being built again.

use std::marker::PhantomData;

use bytes::Bytes;
use poem::http::header;
use poem::{IntoResponse, Response};
use poem_openapi::registry::{MetaMediaType, MetaResponse, MetaResponses, MetaSchemaRef, Registry};
use poem_openapi::types::{ToJSON, Type};
use poem_openapi::{ApiResponse, payload::Payload};

/// `T` as JSON bytes; documented exactly as `Json<T>`.
pub struct JsonBytes<T> {
    bytes: Bytes,
    schema: PhantomData<fn() -> T>,
}

impl<T: ToJSON> JsonBytes<T> {
    /// Serializes `value`.
    pub fn new(value: &T) -> Self {
        let json = value.to_json().unwrap_or_default();
        Self::from_bytes(Bytes::from(serde_json::to_vec(&json).unwrap_or_default()))
    }
}

impl<T> JsonBytes<T> {
    /// Bytes serialized earlier from a `T` (by [`JsonBytes::new`]).
    pub fn from_bytes(bytes: Bytes) -> Self {
        Self {
            bytes,
            schema: PhantomData,
        }
    }

    /// The bytes, to keep.
    pub fn bytes(&self) -> Bytes {
        self.bytes.clone()
    }
}

impl<T: Type> Payload for JsonBytes<T> {
    const CONTENT_TYPE: &'static str = "application/json; charset=utf-8";

    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

impl<T: Send> IntoResponse for JsonBytes<T> {
    fn into_response(self) -> Response {
        Response::builder()
            .header(header::CONTENT_TYPE, "application/json; charset=utf-8")
            .body(self.bytes)
    }
}

impl<T: Type + Send> ApiResponse for JsonBytes<T> {
    fn meta() -> MetaResponses {
        MetaResponses {
            responses: vec![MetaResponse {
                description: "",
                status: Some(200),
                status_range: None,
                content: vec![MetaMediaType {
                    content_type: Self::CONTENT_TYPE,
                    schema: Self::schema_ref(),
                }],
                headers: vec![],
            }],
        }
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}
