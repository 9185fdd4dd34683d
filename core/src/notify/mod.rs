//! Notifications as core knows them: their kinds (what each means, how urgent, who may switch it
//! off, which templates word it). The outbox that records them lives beside.

pub mod kind;

pub use kind::{Audience, KindUrgency, NotificationKind, UnknownKind, WechatTemplate};
