//! The audit log end to end, on both engines: every staff action lands in it with who, what and
//! where (`actions`), and it reads back filtered and paged, admins only (`reading`).

mod actions;
mod reading;
