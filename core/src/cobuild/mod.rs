//! Co-building (共建): the work units that sign an agreement with the community, the resources
//! they offer (资源清单) and the projects (项目清单) that match residents' wishes to them — the
//! project's pure machine (`machine`), its rows and reads (`project`), proposing (`propose`),
//! deciding (`decide`) and the timeline and notifications each step leaves (`trail`) — and the
//! lists a leader plans with: a grid's needs (`needs`, 需求清单) and its supply and demand per
//! category over a period (`supply`, `period`).

pub mod decide;
pub mod machine;
pub mod needs;
pub mod period;
pub mod project;
pub mod propose;
pub mod resource;
pub mod supply;
mod trail;
pub mod unit;

pub use decide::{Decision, decide};
pub use machine::{ProjectAction, ProjectStatus};
pub use project::{Project, ProjectFilter};
pub use propose::{NewProject, propose};
pub use resource::{NewResource, Resource, ResourceFilter, ResourceKind, ResourceStatus};
pub use unit::{Unit, UnitFields};
