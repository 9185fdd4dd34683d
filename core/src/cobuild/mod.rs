//! Co-building (共建): the work units that sign an agreement with the community, the resources
//! they offer (资源清单) and the projects (项目清单) that match residents' wishes to them.

pub mod resource;
pub mod unit;

pub use resource::{NewResource, Resource, ResourceFilter, ResourceKind, ResourceStatus};
pub use unit::{Unit, UnitFields};
