//! Hardening: what a hostile or careless client could do, closed — metrics cardinality, rate
//! limits, sessions, existence oracles, check-in and hours, and operations.

mod metrics;
