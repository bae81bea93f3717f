//! `POST /v1/tickets`: a customer (or staff, for a customer or themselves) opens a ticket. The
//! priority comes from the rules unless staff choose it; the SLA clock starts now, held to the
//! targets of the tenant's current SLA policy, which the ticket keeps.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use sav::ids::{OrganizationId, TeamId, UserId};
use sav::tickets::access::Viewer;
use sav::tickets::fields;
use sav::tickets::messages::Channel;
use sav::tickets::priority::Priority;
use sav::tickets::view::TicketView;
use sav::tickets::{content, tags};
use serde::Deserialize;
use shared::error::{ApiError, ApiResult, FieldError};
use shared::http::JsonBody;
use utoipa::ToSchema;

use crate::commands::{Opening, Requester, TicketWriter};
use crate::refusals::Answered as _;
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTicket {
    /// 1 to 255 characters.
    pub subject: String,
    /// HTML allowed (sanitised), up to 20,000 characters.
    pub description: String,
    /// `a-z`, `0-9`, `_`, `-`; `payment_failure` makes the ticket urgent.
    pub category: Option<String>,
    pub order_id: Option<i64>,
    /// Staff only; ignored for customers, whose tickets get the priority the rules give.
    pub priority: Option<Priority>,
    /// A JSON object of at most 16 KiB.
    #[schema(value_type = Option<Object>)]
    pub metadata: Option<serde_json::Value>,
    /// Staff only: the customer the ticket is for (default: the caller); a synonym of
    /// `requester: {user_id}`.
    #[schema(value_type = Option<Uuid>)]
    pub user_id: Option<UserId>,
    /// Staff only: the customer the ticket is for, by id (a member of this organisation) or by
    /// address (the member with that address, ignoring case, else a customer made for it, with
    /// no password).
    pub requester: Option<RequesterInput>,
    /// Staff only: `web` (the default) or `phone` (a call or a visit); ignored for customers.
    pub channel: Option<Channel>,
    /// Staff only: mail the requester the ticket's acknowledgement, as if they had opened it
    /// (default false).
    #[serde(default)]
    pub notify_requester: bool,
    /// Staff only (ignored for customers): the team whose queue it joins; a routed team assigns
    /// it at once to an available member when one may take it.
    #[schema(value_type = Option<Uuid>)]
    pub team_id: Option<TeamId>,
    /// One of the requester's customer organisations (default: their primary, if any); any
    /// other is 422 naming `organization_id`.
    #[schema(value_type = Option<Uuid>)]
    pub organization_id: Option<OrganizationId>,
    /// Staff only (ignored for customers): at most 20 tags, each trimmed and lower-cased, then
    /// `[a-z0-9][a-z0-9_:-]{0,49}`.
    pub tags: Option<Vec<String>>,
    /// Custom fields' values, `{key: value}` (staff: any field; customers: those editable by
    /// customers); a wrong type, an unknown key or option is 422 naming `fields.KEY`.
    #[schema(value_type = Option<Object>)]
    pub fields: Option<serde_json::Map<String, serde_json::Value>>,
}

/// The customer a ticket opened by staff is for.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum RequesterInput {
    Member(RequesterById),
    Address(RequesterByAddress),
}

/// A member of this organisation.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequesterById {
    #[schema(value_type = Uuid)]
    pub user_id: UserId,
}

/// An address (at most 254 characters) and, for a customer made for it, a name (at most 200
/// characters: its first word is the first name).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequesterByAddress {
    pub email: String,
    pub name: Option<String>,
}

/// Open a ticket.
#[utoipa::path(post, path = "/v1/tickets", tag = "tickets", security(("bearer" = [])), request_body = CreateTicket,
    responses(
        (status = 201, description = "Created", body = TicketView),
        (status = 400, description = "`validation_failed`: unreadable body, unknown field, wrong type"),
        (status = 403, description = "`forbidden`: a customer opening a ticket for someone else, or naming a `requester`"),
        (status = 422, description = "`validation_failed`: field rules, a bad tag, a custom field's value (naming `fields.KEY`), `team_id` not a team of this organisation, `organization_id` not one of the requester's customer organisations, a `requester` that is not a customer of this organisation (or both `requester` and `user_id`), a `channel` other than `web` or `phone`; `limit_reached`: more than 20 tags"),
    ))]
pub async fn create_ticket(
    writer: TicketWriter,
    State(state): State<AppState>,
    JsonBody(body): JsonBody<CreateTicket>,
) -> ApiResult<(StatusCode, HeaderMap, Json<TicketView>)> {
    let (mut opening, address) = body.checked()?;
    if let Some((email, name)) = address {
        opening.requester = Some(requester_by_address(&state, &writer, &email, &name).await?);
    }
    let (written, mut db) = writer.open(opening).await?;
    let mut headers = HeaderMap::new();
    if let Ok(location) = HeaderValue::from_str(&format!("/v1/tickets/{}", written.ticket.id)) {
        headers.insert(header::LOCATION, location);
    }
    let shown = fields::shown(&mut *db.begin().await?, written.viewer).await?;
    Ok((StatusCode::CREATED, headers, Json(TicketView::new(written.ticket, written.viewer, &shown))))
}

/// The member with `email` in the caller's organisation, or a customer made for it (the
/// platform's identity first, then the tenant's copy, which the ticket's transaction writes):
/// staff only, checked before anything is made. Two requests for one new address make one
/// customer (the identity's address is unique, ignoring case).
async fn requester_by_address(
    state: &AppState,
    writer: &TicketWriter,
    email: &str,
    name: &str,
) -> ApiResult<Requester> {
    let mut db = writer.connect().await?;
    Viewer::load(&mut *db.begin().await?, writer.user_id())
        .await
        .answered()?
        .require_staff()
        .map_err(|_| ApiError::forbidden("only staff open tickets for a customer"))?;
    drop(db);
    let customer = state.tenancy.customer_by_mail(writer.tenant().id, email, name).await?;
    let member = customer.ok_or_else(|| {
        ApiError::invalid(vec![FieldError::new("requester", "this address belongs to a disabled account")])
    })?;
    Ok(Requester::Joined(member))
}

impl CreateTicket {
    /// The opening this body asks for, every field checked (422 with each field's error), and
    /// the requester's address and name when it names one (found or made by the caller).
    fn checked(self) -> ApiResult<(Opening, Option<(String, String)>)> {
        let mut errors = Vec::new();
        let mut keep = |result: Result<String, FieldError>| result.map_err(|e| errors.push(e)).ok();
        let subject = keep(content::subject("subject", &self.subject));
        let description = keep(content::rich_text("description", &self.description, true));
        let category = self.category.as_deref().map(|c| keep(content::category(c)));
        let metadata =
            content::metadata(self.metadata.unwrap_or_else(|| serde_json::json!({}))).map_err(|e| errors.push(e)).ok();
        let tags = tags::checked("tags", self.tags.as_deref().unwrap_or_default()).map_err(|e| errors.push(e)).ok();
        if self.order_id.is_some_and(|id| id <= 0) {
            errors.push(FieldError::new("order_id", "must be a positive integer"));
        }
        let (requester, address) = match (self.requester, self.user_id) {
            (Some(_), Some(_)) => {
                errors.push(FieldError::new("requester", "give either requester or user_id, not both"));
                (None, None)
            }
            (None, Some(user_id)) | (Some(RequesterInput::Member(RequesterById { user_id })), None) => {
                (Some(Requester::Member(user_id)), None)
            }
            (Some(RequesterInput::Address(RequesterByAddress { email, name })), None) => {
                let address = shared::mail::address(&email);
                let name = name.as_deref().map_or("", str::trim).to_owned();
                if address.is_none() {
                    errors.push(FieldError::new("requester.email", "is not an email address"));
                }
                if name.chars().count() > 200 || name.chars().any(char::is_control) {
                    errors.push(FieldError::new(
                        "requester.name",
                        "must be at most 200 characters, without control characters",
                    ));
                }
                (None, address.map(|a| (a, name)))
            }
            (None, None) => (None, None),
        };
        if self.channel.is_some_and(|c| !matches!(c, Channel::Web | Channel::Phone)) {
            errors.push(FieldError::new("channel", "must be web or phone"));
        }
        match (subject, description, category, metadata, tags) {
            (Some(subject), Some(description), category, Some(metadata), Some(tags)) if errors.is_empty() => Ok((
                Opening {
                    subject,
                    description,
                    category: category.flatten(),
                    order_id: self.order_id,
                    priority: self.priority,
                    metadata,
                    requester,
                    channel: self.channel,
                    notify_requester: self.notify_requester,
                    team_id: self.team_id,
                    organization_id: self.organization_id,
                    tags,
                    fields: self.fields.unwrap_or_default(),
                    copied: Vec::new(),
                },
                address,
            )),
            _ => Err(ApiError::invalid(errors)),
        }
    }
}
