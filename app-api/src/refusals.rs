//! How the domain's refusals answer over HTTP. The modules of `sav` return plain errors; the
//! status and the code of each are chosen here, once, so a code has one status everywhere. The
//! routes, `access` and the commands answer with them (`Answer`, `Answered` for `?`).

use axum::http::StatusCode;
use shared::error::{ApiError, ApiResult, FieldError};

use sav::rules::store as rules;
use sav::tickets::{self, fields, sla_default};
use sav::{categories, macros, organizations, satisfaction, schedules, teams, users, views};

/// A refusal of the domain as this edge answers it: its status and code, chosen once here.
pub trait Answer {
    fn answer(self) -> ApiError;
}

/// A domain call's result with its refusal answered, for `?` in a handler:
/// `teams::create(..).await.answered()?`.
pub trait Answered<T> {
    fn answered(self) -> ApiResult<T>;
}

impl<T, E: Answer> Answered<T> for Result<T, E> {
    fn answered(self) -> ApiResult<T> {
        self.map_err(Answer::answer)
    }
}

/// The ticket layer's refusals, as answers.
impl Answer for tickets::refusal::Refused {
    fn answer(self) -> ApiError {
        use tickets::refusal::Refused;
        match self {
            Refused::NoTicket(_) => ApiError::not_found(self.to_string()),
            Refused::NotMember | Refused::NotYours(_) => ApiError::forbidden(self.to_string()),
            Refused::Closed(_) => ApiError::conflict_as("ticket_closed", self.to_string()),
            Refused::Transition { detail, allowed } => {
                ApiError::conflict_as("invalid_transition", detail).with_extension("allowed", allowed)
            }
            Refused::Assignee(detail) => ApiError::conflict(detail),
            Refused::Broken(..) => ApiError::internal(self.to_string()),
            Refused::Field(error) => ApiError::invalid(vec![error]),
            Refused::Invalid(errors) => ApiError::invalid(errors),
            Refused::FieldsRequired(ref missing) => {
                let missing = missing.clone();
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "fields_required", self.to_string())
                    .with_field_errors(missing)
            }
            Refused::DifferentCustomers => ApiError::conflict_as("different_customers", self.to_string()),
            Refused::TooManyTags(detail) => {
                ApiError::limit_reached(detail.clone()).with_field_errors(vec![FieldError::new("tags", detail)])
            }
            Refused::Database(err) => ApiError::from(err),
        }
    }
}

impl Answer for teams::Refused {
    fn answer(self) -> ApiError {
        use teams::Refused;
        match self {
            Refused::NotFound => ApiError::not_found(self.to_string()),
            Refused::NameTaken => ApiError::conflict_as("team_name_taken", self.to_string()),
            Refused::InUse => ApiError::conflict_as("team_in_use", self.to_string()),
            Refused::LimitReached => ApiError::limit_reached(self.to_string()),
            Refused::Invalid(errors) => ApiError::invalid(errors),
            Refused::Database(err) => ApiError::from(err),
        }
    }
}

impl Answer for organizations::Refused {
    fn answer(self) -> ApiError {
        use organizations::Refused;
        match self {
            Refused::NotFound | Refused::NoSuchMember => ApiError::not_found(self.to_string()),
            Refused::NameTaken => ApiError::conflict_as("organization_name_taken", self.to_string()),
            Refused::InUse => ApiError::conflict_as("organization_in_use", self.to_string()),
            Refused::DomainTaken(ref domain) => {
                let field = FieldError::new("domains", format!("{domain} is held by another organisation"));
                ApiError::conflict_as("domain_taken", self.to_string()).with_field_errors(vec![field])
            }
            Refused::LimitReached => ApiError::limit_reached(self.to_string()),
            Refused::Invalid(errors) => ApiError::invalid(errors),
            Refused::Database(err) => ApiError::from(err),
        }
    }
}

impl Answer for users::Refused {
    fn answer(self) -> ApiError {
        use users::Refused;
        match self {
            Refused::NotMember => ApiError::not_found(self.to_string()),
            Refused::Invalid(errors) => ApiError::invalid(errors),
            Refused::Database(err) => ApiError::from(err),
        }
    }
}

impl Answer for sla_default::Refused {
    fn answer(self) -> ApiError {
        match self {
            sla_default::Refused::Invalid(errors) => ApiError::invalid(errors),
            sla_default::Refused::Database(err) => ApiError::from(err),
        }
    }
}

impl Answer for views::Refused {
    fn answer(self) -> ApiError {
        use views::Refused;
        match self {
            Refused::NotFound => ApiError::not_found(self.to_string()),
            Refused::NotAdmin(detail) => ApiError::forbidden(detail),
            Refused::LimitReached(detail) => ApiError::limit_reached(detail),
            Refused::Invalid(errors) => ApiError::invalid(errors),
            Refused::Database(err) => ApiError::from(err),
        }
    }
}

impl Answer for categories::Refused {
    fn answer(self) -> ApiError {
        use categories::Refused;
        match self {
            Refused::NotFound => ApiError::not_found(self.to_string()),
            Refused::KeyTaken => ApiError::conflict_as("category_key_taken", self.to_string()),
            Refused::LimitReached => ApiError::limit_reached(self.to_string()),
            Refused::Invalid(errors) => ApiError::invalid(errors),
            Refused::Database(err) => ApiError::from(err),
        }
    }
}

impl Answer for macros::Refused {
    fn answer(self) -> ApiError {
        use macros::Refused;
        match self {
            Refused::NotFound => ApiError::not_found(self.to_string()),
            Refused::NameTaken => ApiError::conflict_as("macro_name_taken", self.to_string()),
            Refused::LimitReached => ApiError::limit_reached(self.to_string()),
            Refused::Invalid(errors) => ApiError::invalid(errors),
            Refused::Database(err) => ApiError::from(err),
        }
    }
}

impl Answer for schedules::Refused {
    fn answer(self) -> ApiError {
        use schedules::Refused;
        match self {
            Refused::NotFound => ApiError::not_found(self.to_string()),
            Refused::NameTaken => ApiError::conflict_as("schedule_name_taken", self.to_string()),
            Refused::InUse => ApiError::conflict_as("schedule_in_use", self.to_string()),
            Refused::LimitReached(detail) => ApiError::limit_reached(detail),
            Refused::Invalid(errors) => ApiError::invalid(errors),
            Refused::Database(err) => ApiError::from(err),
        }
    }
}

impl Answer for satisfaction::Refused {
    fn answer(self) -> ApiError {
        use satisfaction::Refused;
        match self {
            Refused::NotCustomer => ApiError::forbidden(self.to_string()),
            Refused::NotResolved(detail) => ApiError::conflict_as("not_resolved", detail),
            Refused::AlreadyRated => ApiError::conflict_as("already_rated", self.to_string()),
            Refused::InvalidLink => ApiError::new(StatusCode::BAD_REQUEST, "invalid_token", self.to_string()),
            Refused::Ticket(refused) => refused.answer(),
            Refused::Database(err) => ApiError::from(err),
        }
    }
}

impl Answer for rules::Refused {
    fn answer(self) -> ApiError {
        use rules::Refused;
        match self {
            Refused::NotFound => ApiError::not_found(self.to_string()),
            Refused::NameTaken => ApiError::conflict_as("rule_name_taken", self.to_string()),
            Refused::LimitReached => ApiError::limit_reached(self.to_string()),
            Refused::Invalid(errors) => ApiError::invalid(errors),
            Refused::Database(err) => ApiError::from(err),
        }
    }
}

impl Answer for fields::Refused {
    fn answer(self) -> ApiError {
        use fields::Refused;
        match self {
            Refused::NotFound => ApiError::not_found(self.to_string()),
            Refused::KeyTaken => ApiError::conflict_as("field_key_taken", self.to_string()),
            Refused::OptionInUse(_) => ApiError::conflict_as("option_in_use", self.to_string()),
            Refused::LimitReached => ApiError::limit_reached(self.to_string()),
            Refused::Invalid(errors) => ApiError::invalid(errors),
            Refused::Database(err) => ApiError::from(err),
        }
    }
}
