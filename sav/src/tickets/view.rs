//! A ticket as its caller is shown it: the ticket and the moves the caller may make on it now
//! (`moves::allowed_statuses`), so clients offer exactly what the server accepts and keep no copy
//! of the state machine.

use serde::Serialize;
use utoipa::ToSchema;

use super::access::Viewer;
use super::fields::Shown;
use super::moves::{self, State};
use super::status::Status;
use super::store::Ticket;

#[derive(Debug, Serialize, ToSchema)]
pub struct TicketView {
    #[serde(flatten)]
    pub ticket: Ticket,
    /// The statuses the caller may move the ticket to now (`POST /v1/tickets/{id}/status`
    /// accepts exactly these).
    pub allowed_statuses: Vec<Status>,
}

impl TicketView {
    /// `ticket` as `viewer` is shown it: tags are the team's own words about a ticket, for staff
    /// only (a customer is shown none); of its custom fields, those `shown` (`fields::shown`).
    pub fn new(mut ticket: Ticket, viewer: Viewer, shown: &Shown) -> Self {
        if !viewer.is_staff() {
            ticket.tags.clear();
        }
        shown.apply(&mut ticket.fields);
        let allowed_statuses = moves::allowed_statuses(&State::of(&ticket), viewer.caller());
        Self { ticket, allowed_statuses }
    }
}
