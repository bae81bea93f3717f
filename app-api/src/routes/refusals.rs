//! How the domain's refusals answer over HTTP. The modules of `sav` return plain errors; the
//! status and the code of each are chosen here, once, so a code has one status everywhere.

use axum::http::StatusCode;
use shared::error::ApiError;

use crate::sav::rules::store as rules;
use crate::sav::tickets::{fields, sla_default};
use crate::sav::{categories, macros, satisfaction, schedules, teams, users, views};

impl From<teams::Refused> for ApiError {
    fn from(refused: teams::Refused) -> Self {
        use teams::Refused;
        match refused {
            Refused::NotFound => ApiError::not_found(refused.to_string()),
            Refused::NameTaken => ApiError::conflict_as("team_name_taken", refused.to_string()),
            Refused::InUse => ApiError::conflict_as("team_in_use", refused.to_string()),
            Refused::LimitReached => ApiError::limit_reached(refused.to_string()),
            Refused::Invalid(errors) => ApiError::invalid(errors),
            Refused::Database(err) => ApiError::from(err),
        }
    }
}

impl From<users::Refused> for ApiError {
    fn from(refused: users::Refused) -> Self {
        use users::Refused;
        match refused {
            Refused::NotMember => ApiError::not_found(refused.to_string()),
            Refused::Invalid(errors) => ApiError::invalid(errors),
            Refused::Database(err) => ApiError::from(err),
        }
    }
}

impl From<sla_default::Refused> for ApiError {
    fn from(refused: sla_default::Refused) -> Self {
        match refused {
            sla_default::Refused::Invalid(errors) => ApiError::invalid(errors),
            sla_default::Refused::Database(err) => ApiError::from(err),
        }
    }
}

impl From<views::Refused> for ApiError {
    fn from(refused: views::Refused) -> Self {
        use views::Refused;
        match refused {
            Refused::NotFound => ApiError::not_found(refused.to_string()),
            Refused::NotAdmin(detail) => ApiError::forbidden(detail),
            Refused::LimitReached(detail) => ApiError::limit_reached(detail),
            Refused::Invalid(errors) => ApiError::invalid(errors),
            Refused::Database(err) => ApiError::from(err),
        }
    }
}

impl From<categories::Refused> for ApiError {
    fn from(refused: categories::Refused) -> Self {
        use categories::Refused;
        match refused {
            Refused::NotFound => ApiError::not_found(refused.to_string()),
            Refused::KeyTaken => ApiError::conflict_as("category_key_taken", refused.to_string()),
            Refused::LimitReached => ApiError::limit_reached(refused.to_string()),
            Refused::Invalid(errors) => ApiError::invalid(errors),
            Refused::Database(err) => ApiError::from(err),
        }
    }
}

impl From<macros::Refused> for ApiError {
    fn from(refused: macros::Refused) -> Self {
        use macros::Refused;
        match refused {
            Refused::NotFound => ApiError::not_found(refused.to_string()),
            Refused::NameTaken => ApiError::conflict_as("macro_name_taken", refused.to_string()),
            Refused::LimitReached => ApiError::limit_reached(refused.to_string()),
            Refused::Invalid(errors) => ApiError::invalid(errors),
            Refused::Database(err) => ApiError::from(err),
        }
    }
}

impl From<schedules::Refused> for ApiError {
    fn from(refused: schedules::Refused) -> Self {
        use schedules::Refused;
        match refused {
            Refused::NotFound => ApiError::not_found(refused.to_string()),
            Refused::NameTaken => ApiError::conflict_as("schedule_name_taken", refused.to_string()),
            Refused::InUse => ApiError::conflict_as("schedule_in_use", refused.to_string()),
            Refused::LimitReached(detail) => ApiError::limit_reached(detail),
            Refused::Invalid(errors) => ApiError::invalid(errors),
            Refused::Database(err) => ApiError::from(err),
        }
    }
}

impl From<satisfaction::Refused> for ApiError {
    fn from(refused: satisfaction::Refused) -> Self {
        use satisfaction::Refused;
        match refused {
            Refused::NotCustomer => ApiError::forbidden(refused.to_string()),
            Refused::NotResolved(detail) => ApiError::conflict_as("not_resolved", detail),
            Refused::AlreadyRated => ApiError::conflict_as("already_rated", refused.to_string()),
            Refused::InvalidLink => ApiError::new(StatusCode::BAD_REQUEST, "invalid_token", refused.to_string()),
            Refused::Ticket(refused) => ApiError::from(refused),
            Refused::Database(err) => ApiError::from(err),
        }
    }
}

impl From<rules::Refused> for ApiError {
    fn from(refused: rules::Refused) -> Self {
        use rules::Refused;
        match refused {
            Refused::NotFound => ApiError::not_found(refused.to_string()),
            Refused::NameTaken => ApiError::conflict_as("rule_name_taken", refused.to_string()),
            Refused::LimitReached => ApiError::limit_reached(refused.to_string()),
            Refused::Invalid(errors) => ApiError::invalid(errors),
            Refused::Database(err) => ApiError::from(err),
        }
    }
}

impl From<fields::Refused> for ApiError {
    fn from(refused: fields::Refused) -> Self {
        use fields::Refused;
        match refused {
            Refused::NotFound => ApiError::not_found(refused.to_string()),
            Refused::KeyTaken => ApiError::conflict_as("field_key_taken", refused.to_string()),
            Refused::OptionInUse(_) => ApiError::conflict_as("option_in_use", refused.to_string()),
            Refused::LimitReached => ApiError::limit_reached(refused.to_string()),
            Refused::Invalid(errors) => ApiError::invalid(errors),
            Refused::Required(ref missing) => {
                let missing = missing.clone();
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "fields_required", refused.to_string())
                    .with_field_errors(missing)
            }
            Refused::Database(err) => ApiError::from(err),
        }
    }
}
