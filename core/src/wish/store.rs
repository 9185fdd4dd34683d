//! The wish's store functions under one name: posting (`post`), changing (`change`), editing
//! (`edit`) and reading (`query`). Writers take `&mut AnyConnection` (a transaction, usually from
//! [`Db::begin_write`](crate::Db::begin_write)) so the change, its timeline row and its outbox
//! rows commit together; the same SQL runs on SQLite and PostgreSQL.

pub use super::change::{ChangeInput, apply, begin, follow_project};
pub use super::edit::{check as check_edit, edit};
pub use super::for_me::list as list_for_me;
pub use super::post::create;
pub use super::query::{get, list, load, timeline};
