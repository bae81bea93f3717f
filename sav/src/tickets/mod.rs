//! SAV tickets. The rules live here as plain functions over plain values, with no I/O, so they
//! are tested exhaustively on their own: the status state machine (with which SLA clock each
//! status runs), the SLA clock's due times (`sla`), where a ticket stands against them
//! (`badge`), and the priority rules. Around them: who may see what (`access`), what people
//! write (`content`), the ticket rows (`store`, with the one list of their columns) and their
//! list (`listing`), their history (`history`) and threads (`messages`), the tenant's SLA policy
//! (`sla_default`), tags (`tags`), what each action asks of a ticket (`moves`, pure too), changes with their
//! side effects (`lifecycle`), and the due tickets the scheduled jobs act on (`due`; the acting
//! is app-api's `worker::deadlines`).

pub mod access;
pub mod badge;
pub mod change;
pub mod content;
pub mod due;
pub mod events;
pub mod fields;
pub mod history;
pub mod intake;
pub mod lifecycle;
pub mod links;
pub mod listing;
pub mod merging;
pub mod messages;
pub mod moves;
pub mod participants;
pub mod priority;
pub mod refusal;
pub mod sla;
pub mod sla_by_condition;
pub mod sla_default;
pub mod status;
pub mod store;
pub mod tags;
pub mod tallies;
pub mod view;
