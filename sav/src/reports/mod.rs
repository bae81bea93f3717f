//! What managers read of the tickets: the dashboards (`dashboard`: where the SLA stands, each
//! staff member's load), the performance report over a range of creation (`performance`), every
//! ticket of a range as CSV (`tickets_csv`), and the mailed digest (`digest`). `range` reads the
//! parameters they share.

pub mod dashboard;
pub mod digest;
pub mod performance;
pub mod range;
pub mod tickets_csv;
