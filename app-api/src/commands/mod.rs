//! The commands that write tickets: the one way a ticket is written. A change is a command
//! (`Change`, `sav::tickets::change`): the ticket is loaded under its row lock as the caller may
//! see it, the domain applies it in memory and builds its history entries and events, and one
//! transaction saves the ticket, records the entries and writes the events to the outbox; after
//! the commit the worker is hinted. Every route that writes a ticket comes through here
//! (`TicketWriter`), and so does anything else that acts on tickets (macros, mail, integrations);
//! the scheduled jobs end their changes through the same `finish`, which runs the tenant's rules
//! (`rules`) before anything is recorded.
//!
//! The modules depend on each other in one direction: `conversation` (the writes around a
//! thread) on `writer` (a change, an opening, a merge, a macro), both on `finish` (the end of
//! every write), and `finish` on `rules` (the tenant's rules, run in the write).

pub mod conversation;
mod finish;
pub mod rules;
mod writer;

pub use finish::{Unwritten, finish};
pub use writer::{Merged, Opening, Requester, TicketWriter, Written};
