//! The OpenAPI document (`/openapi.json`) and its Swagger UI (`/docs`), each built on its first
//! request and kept. poem-openapi builds both when the routes are made; the page inlines 1.6 MB
//! of Swagger's script and style beside the document, so building them at start-up cost an idle
//! server about 3 MiB of memory for pages most servers never serve (docs/benchmarks.md, fifth
//! pass). The first request of each pays instead, a few milliseconds, once; requests racing it
//! wait for that one build.

use std::sync::{Arc, OnceLock};

use poem::endpoint::BoxEndpoint;
use poem::{Endpoint, EndpointExt, Request, Response, Result};
use poem_openapi::OpenApiService;

use crate::{AppState, api};

/// The API's OpenAPI service, as served under `/api/v1` and described by the document.
pub(crate) fn service(state: AppState) -> OpenApiService<api::All, ()> {
    OpenApiService::new(api::all(state), "microwish", env!("CARGO_PKG_VERSION"))
        .description("Micro-wishes (微心愿) for an old urban community: residents post, volunteers claim, grid leaders coordinate.")
        .server("/api/v1")
}

/// `/openapi.json`.
pub(crate) fn spec(state: AppState) -> Lazy {
    Lazy::new(move || service(state.clone()).spec_endpoint().map_to_response().boxed())
}

/// `/docs`: the page and its OAuth receiver, as poem-openapi serves them.
pub(crate) fn swagger_ui(state: AppState) -> Lazy {
    Lazy::new(move || service(state.clone()).swagger_ui().map_to_response().boxed())
}

type Build = Box<dyn Fn() -> BoxEndpoint<'static> + Send + Sync>;

/// An endpoint made on the first request that reaches it. Requests racing the first wait for it
/// (a `OnceLock`), so it is made once.
#[derive(Clone)]
pub(crate) struct Lazy(Arc<(OnceLock<BoxEndpoint<'static>>, Build)>);

impl Lazy {
    fn new(build: impl Fn() -> BoxEndpoint<'static> + Send + Sync + 'static) -> Lazy {
        Lazy(Arc::new((OnceLock::new(), Box::new(build))))
    }
}

impl Endpoint for Lazy {
    type Output = Response;

    async fn call(&self, req: Request) -> Result<Response> {
        let (built, build) = &*self.0;
        built.get_or_init(build).call(req).await
    }
}
