//! `GET /v1/sla/policy` (staff) and `PUT /v1/sla/policy` (owners and admins): the tenant's SLA
//! targets per priority, auto-close delays and the schedule the targets count in. A new policy applies to tickets created afterwards;
//! running tickets keep the version they were created under. Changes go to the audit log.

use axum::Json;
use chrono::Utc;
use sav::ids::ScheduleId;
use sav::tickets::priority::Priority;
use sav::tickets::sla::{Grid, Targets};
use sav::tickets::sla_default::{self, AutoClose, MAX_MINUTES, Policy};
use serde::{Deserialize, Serialize};
use shared::error::{ApiError, ApiResult, FieldError};
use shared::http::JsonBody;
use utoipa::ToSchema;

use crate::access::{Access, Admins, Staff};
use crate::refusals::Answered as _;

/// An SLA policy, in whole minutes from 1 to 525,600 (a year).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SlaPolicy {
    /// Targets per priority; all four are required.
    pub targets: PriorityTargets,
    pub auto_close: AutoCloseDelays,
    /// The schedule whose business hours the targets count; `null` (the default): every hour.
    #[serde(default)]
    #[schema(value_type = Option<Uuid>)]
    pub schedule_id: Option<ScheduleId>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PriorityTargets {
    pub low: TargetMinutes,
    pub medium: TargetMinutes,
    pub high: TargetMinutes,
    pub urgent: TargetMinutes,
}

/// The SLA clock runs from creation, in the policy's business hours (or 24/7), paused while the
/// ticket waits for the customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetMinutes {
    /// Until the first public agent reply.
    #[schema(minimum = 1, maximum = 525_600)]
    pub response_minutes: i64,
    /// Until resolved; at least `response_minutes`.
    #[schema(minimum = 1, maximum = 525_600)]
    pub resolution_minutes: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AutoCloseDelays {
    /// A ticket waiting for the customer closes after this long without an answer.
    #[schema(minimum = 1, maximum = 525_600)]
    pub waiting_customer_minutes: i64,
    /// A resolved ticket closes after this long unless the customer reopens it.
    #[schema(minimum = 1, maximum = 525_600)]
    pub resolved_minutes: i64,
}

impl From<Policy> for SlaPolicy {
    fn from(policy: Policy) -> Self {
        let minutes = |t: Targets| TargetMinutes {
            response_minutes: t.response_minutes.into(),
            resolution_minutes: t.resolution_minutes.into(),
        };
        let Grid { low, medium, high, urgent } = policy.grid;
        Self {
            targets: PriorityTargets {
                low: minutes(low),
                medium: minutes(medium),
                high: minutes(high),
                urgent: minutes(urgent),
            },
            auto_close: AutoCloseDelays {
                waiting_customer_minutes: policy.auto_close.waiting_customer_minutes.into(),
                resolved_minutes: policy.auto_close.resolved_minutes.into(),
            },
            schedule_id: policy.schedule_id,
        }
    }
}

const OUT_OF_BOUNDS: &str = "must be a whole number of minutes from 1 to 525600";

/// The policy `body` describes, or every rule it breaks, each naming its field.
fn validate(body: &SlaPolicy) -> Result<Policy, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut minutes = |field: String, value: i64| match i32::try_from(value) {
        Ok(minutes) if (1..=MAX_MINUTES).contains(&minutes) => Some(minutes),
        _ => {
            errors.push(FieldError::new(field, OUT_OF_BOUNDS));
            None
        }
    };
    let mut targets = |priority: Priority, given: &TargetMinutes| {
        let name = priority.as_str();
        let response = minutes(format!("targets.{name}.response_minutes"), given.response_minutes);
        let resolution = minutes(format!("targets.{name}.resolution_minutes"), given.resolution_minutes);
        Some(Targets::of_grid(response?, resolution?))
    };
    let t = &body.targets;
    let (low, medium, high, urgent) = (
        targets(Priority::Low, &t.low),
        targets(Priority::Medium, &t.medium),
        targets(Priority::High, &t.high),
        targets(Priority::Urgent, &t.urgent),
    );
    let waiting = minutes("auto_close.waiting_customer_minutes".to_owned(), body.auto_close.waiting_customer_minutes);
    let resolved = minutes("auto_close.resolved_minutes".to_owned(), body.auto_close.resolved_minutes);
    for (priority, given) in Priority::ALL.into_iter().zip([low, medium, high, urgent]) {
        if let Some(t) = given.filter(|t| t.response_minutes > t.resolution_minutes) {
            errors.push(FieldError::new(
                format!("targets.{}.response_minutes", priority.as_str()),
                format!("must not exceed resolution_minutes ({})", t.resolution_minutes),
            ));
        }
    }
    match (low, medium, high, urgent, waiting, resolved) {
        (Some(low), Some(medium), Some(high), Some(urgent), Some(waiting), Some(resolved)) if errors.is_empty() => {
            Ok(Policy {
                grid: Grid { low, medium, high, urgent },
                auto_close: AutoClose { waiting_customer_minutes: waiting, resolved_minutes: resolved },
                schedule_id: body.schedule_id,
            })
        }
        _ => Err(errors),
    }
}

/// The tenant's SLA policy (staff).
#[utoipa::path(get, path = "/v1/sla/policy", tag = "sla", security(("bearer" = [])),
    responses(
        (status = 200, description = "The current policy", body = SlaPolicy),
        Access<Staff>,
    ))]
pub async fn get_sla_policy(access: Access<Staff>) -> ApiResult<Json<SlaPolicy>> {
    let (_, mut db) = access.connect().await?;
    Ok(Json(sla_default::current(&mut *db.begin().await?).await?.policy.into()))
}

/// Replace the tenant's SLA policy (owners and admins): it applies to tickets created from now on.
#[utoipa::path(put, path = "/v1/sla/policy", tag = "sla", security(("bearer" = [])), request_body = SlaPolicy,
    responses(
        (status = 200, description = "The policy, as stored", body = SlaPolicy),
        (status = 400, description = "`validation_failed`: unreadable body, missing or unknown field, wrong type"),
        Access<Admins>,
        (status = 422, description = "`validation_failed`: minutes out of bounds, a response target above its resolution target, an unknown `schedule_id`"),
    ))]
pub async fn put_sla_policy(access: Access<Admins>, JsonBody(body): JsonBody<SlaPolicy>) -> ApiResult<Json<SlaPolicy>> {
    let (admin, mut db) = access.connect().await?;
    let policy = validate(&body).map_err(ApiError::invalid)?;
    let mut tx = db.begin().await?;
    let adopted = sla_default::replace(&mut tx, admin.id, &policy, Utc::now()).await.answered()?;
    tx.commit().await?;
    Ok(Json(adopted.current().policy.into()))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn seed() -> SlaPolicy {
        Policy::SEED.into()
    }

    fn fields(result: Result<Policy, Vec<FieldError>>) -> Vec<(String, String)> {
        result.expect_err("refused").into_iter().map(|e| (e.field, e.message)).collect()
    }

    #[test]
    fn the_seed_round_trips_through_the_body() {
        assert_eq!(validate(&seed()), Ok(Policy::SEED));
        let body = serde_json::to_value(seed()).unwrap();
        assert_eq!(body["targets"]["urgent"], json!({ "response_minutes": 60, "resolution_minutes": 240 }));
        assert_eq!(body["auto_close"], json!({ "waiting_customer_minutes": 10080, "resolved_minutes": 1440 }));
        assert_eq!(serde_json::from_value::<SlaPolicy>(body).unwrap(), seed());
    }

    #[test]
    fn bounds_are_one_minute_to_a_year() {
        let mut body = seed();
        body.targets.low = TargetMinutes { response_minutes: 1, resolution_minutes: 525_600 };
        body.auto_close = AutoCloseDelays { waiting_customer_minutes: 1, resolved_minutes: 525_600 };
        let policy = validate(&body).unwrap();
        assert_eq!(policy.grid.low, Targets::of_grid(1, 525_600));
        assert_eq!(policy.auto_close, AutoClose { waiting_customer_minutes: 1, resolved_minutes: 525_600 });

        for bad in [0, -1, 525_601, i64::from(i32::MAX) + 1, i64::MIN] {
            let mut body = seed();
            body.targets.high.resolution_minutes = bad;
            assert_eq!(
                fields(validate(&body)),
                [("targets.high.resolution_minutes".to_owned(), OUT_OF_BOUNDS.to_owned())],
                "{bad}"
            );
            let mut body = seed();
            body.auto_close.resolved_minutes = bad;
            assert_eq!(fields(validate(&body)), [("auto_close.resolved_minutes".to_owned(), OUT_OF_BOUNDS.to_owned())]);
        }
    }

    #[test]
    fn a_response_target_stays_within_its_resolution_target() {
        let mut body = seed();
        body.targets.medium = TargetMinutes { response_minutes: 30, resolution_minutes: 30 };
        assert!(validate(&body).is_ok(), "equal is allowed");
        body.targets.medium.response_minutes = 31;
        assert_eq!(
            fields(validate(&body)),
            [("targets.medium.response_minutes".to_owned(), "must not exceed resolution_minutes (30)".to_owned())]
        );
        // Out of bounds is reported alone, not compared.
        body.targets.medium.resolution_minutes = 0;
        assert_eq!(fields(validate(&body)).len(), 1);
    }

    #[test]
    fn every_broken_rule_is_reported_at_once() {
        let mut body = seed();
        body.targets.low.response_minutes = 0;
        body.targets.urgent = TargetMinutes { response_minutes: 90, resolution_minutes: 60 };
        body.auto_close.waiting_customer_minutes = 525_601;
        let mut named: Vec<String> = fields(validate(&body)).into_iter().map(|(field, _)| field).collect();
        named.sort();
        assert_eq!(
            named,
            ["auto_close.waiting_customer_minutes", "targets.low.response_minutes", "targets.urgent.response_minutes"]
        );
    }

    #[test]
    fn the_body_is_strict() {
        let parse = |value: serde_json::Value| shared::http::parse_json::<SlaPolicy>(value.to_string().as_bytes());
        let mut body = serde_json::to_value(seed()).unwrap();
        assert!(parse(body.clone()).is_ok());
        body["targets"]["high"]["grace_minutes"] = json!(5);
        let err = parse(body).expect_err("an unknown field");
        assert_eq!(err.status(), axum::http::StatusCode::BAD_REQUEST);

        let mut body = serde_json::to_value(seed()).unwrap();
        body["targets"].as_object_mut().unwrap().remove("high");
        assert!(parse(body).is_err(), "a missing priority");
        let mut body = serde_json::to_value(seed()).unwrap();
        body["targets"]["low"]["response_minutes"] = json!(1.5);
        assert!(parse(body).is_err(), "a fraction of a minute");
    }
}
