//! How the domain's refusals answer over HTTP. The modules of `sav` return plain errors; the
//! status and the code of each are chosen here, once, so a code has one status everywhere.

use shared::error::ApiError;

use crate::sav::teams;

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
