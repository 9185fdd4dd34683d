//! The console's sections, in the order the header shows them. A new section (the register, party
//! building, the four indicators) is one line here, a module in `pages/`, its routes in `lib.rs`
//! and its words in the catalogs.

use serde_json::{Value, json};

use microwish_core::people::Caller;

/// One section of the console.
struct Section {
    /// Catalog key of its name (`nav_{key}`) and its id in the page.
    key: &'static str,
    /// Where it starts.
    path: &'static str,
    /// Shown to admins only (the party secretary's sections).
    admin_only: bool,
}

const SECTIONS: &[Section] = &[
    Section {
        key: "queue",
        path: "/console/queue",
        admin_only: false,
    },
    Section {
        key: "register",
        path: "/console/register",
        admin_only: false,
    },
    Section {
        key: "events",
        path: "/console/events",
        admin_only: false,
    },
    Section {
        key: "grids",
        path: "/console/grids",
        admin_only: false,
    },
    Section {
        key: "dashboard",
        path: "/console/dashboard",
        admin_only: true,
    },
    Section {
        key: "party",
        path: "/console/party",
        admin_only: true,
    },
    Section {
        key: "exports",
        path: "/console/exports",
        admin_only: false,
    },
    Section {
        key: "audit",
        path: "/console/audit",
        admin_only: true,
    },
];

/// The sections `caller` may open, with the one holding `path` marked active.
pub fn for_caller(caller: &Caller, path: &str, t: &Value) -> Vec<Value> {
    SECTIONS
        .iter()
        .filter(|s| !s.admin_only || caller.is_admin())
        .map(|s| {
            json!({
                "key": s.key,
                "href": s.path,
                "label": t[format!("nav_{}", s.key)],
                "active": path.starts_with(s.path),
            })
        })
        .collect()
}
