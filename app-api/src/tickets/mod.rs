//! SAV tickets. The rules live here as plain functions over plain values, with no I/O, so they
//! are tested exhaustively on their own: the status state machine, the SLA clock, and the
//! priority rules.

pub mod priority;
pub mod sla;
pub mod status;
