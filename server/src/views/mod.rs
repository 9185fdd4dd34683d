//! Response bodies, and the one place where a resident's contact details are either shown in
//! full (and the reveal audited) or masked — for single wishes and lists alike (`present`);
//! likewise who is coming (`coming`), the holding volunteer shown to the resident's side.

mod coming;
mod event;
mod photo;
mod present;
mod profile;
mod wish;

pub use coming::Seen;
pub use event::{EventView, RegistrantsView};
pub use photo::PhotoView;
pub use profile::{GridView, UserView};
pub(crate) use wish::view;
pub use wish::{TimelineView, WishPage, WishView};
