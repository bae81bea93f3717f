//! Every route of app-api, in one place, with its OpenAPI document.

use axum::Router;
use axum::routing::{get, post};
use shared::error::{FieldError, Problem};
use shared::http::openapi::{BearerAuth, ProblemResponse, add_problems, common_problems, problem_bodies};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use utoipa_swagger_ui::SwaggerUi;

use crate::attachments::upload::UPLOAD_BODY_LIMIT;
use crate::context::{tenant_context, visitor_context};
use crate::routes::attachments;
use crate::routes::tickets::{
    assign, bulk, create, customer, history, links, list, merge, messages, participants, presence, read, status, update,
};
use crate::routes::{
    api_keys, categories, channels, control_routes, export, fields, files, help_center, help_images, help_pages,
    inbound, macros, me, notifications, onboarding, operations, orders, organizations, reports, rules, satisfaction,
    schedules, sla_by_condition, sla_default, staff, stream, tags, teams, ticket_settings, users, views, webhooks,
};
use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(title = "Helpdeskly app API", description = "The tenant plane: SAV tickets, messages, attachments, SLA. \
        Every /v1 request names its tenant by subdomain or X-Tenant-Slug and carries a bearer token issued for that tenant."),
    components(schemas(Problem, FieldError)),
    modifiers(&BearerAuth),
    tags(
        (name = "operations", description = "Health, readiness, metrics"),
        (name = "me", description = "The caller"),
        (name = "onboarding", description = "A new organisation's checklist: agents invited, mail connected, the portal shared, an article published"),
        (name = "users", description = "The people of the tenant: the VIP flag"),
        (name = "organizations", description = "Customer organisations: the companies a tenant's customers belong to, their domains and members"),
        (name = "tickets", description = "SAV tickets: the queue, one ticket, assignment, the status state machine, history"),
        (name = "messages", description = "A ticket's thread: public messages and internal notes"),
        (name = "attachments", description = "Files on tickets and messages: upload, download links, the access log, storage use"),
        (name = "orders", description = "Order references the priority rules read"),
        (name = "reports", description = "SLA summary, agent workload, performance, the tickets as CSV, the mailed digest"),
        (name = "sla", description = "The tenant's SLA policy: targets per priority and auto-close delays"),
        (name = "notifications", description = "The bell, notification settings, and the one-click unsubscribe of mail"),
        (name = "live", description = "Server-sent events of what the caller may see change"),
        (name = "rules", description = "Rules: what happens to tickets by itself, run in the write path, tried without writing, and logged"),
        (name = "teams", description = "Teams and automatic assignment: who takes a team's tickets, and how they are handed out"),
        (name = "business hours", description = "Schedules: the hours a team works, in its time zone, with its holidays"),
        (name = "fields", description = "Typed custom fields: the tenant's own questions about its tickets"),
        (name = "views", description = "Saved ticket filters: a person's own and the shared ones, their tickets and their counts"),
        (name = "macros", description = "Macros: a reply, a status, a priority and an assignment applied in one transaction"),
        (name = "satisfaction", description = "Customers' ratings of resolved tickets, in the portal or from the resolution mail's link"),
        (name = "help center", description = "Articles in English and French, their categories, search, and readers' votes: published articles for anyone on the organisation's host, written by staff"),
        (name = "integrations", description = "API keys (`Authorization: Bearer hdk_...`, scoped) and webhooks signed per Standard Webhooks"),
    )
)]
struct ApiDoc;

/// What the tenant middleware (`tenant_context`) answers before any tenant-plane handler runs.
const TENANT_PLANE: &[ProblemResponse] = &[
    ("400", "`validation_failed`: no tenant named (subdomain or X-Tenant-Slug), or a malformed slug"),
    ("401", "`unauthorized` or `token_expired`: no valid token or API key"),
    (
        "403",
        "`tenant_mismatch`, `tenant_suspended`, `mfa_required`, or `insufficient_scope` (an API key without the route's scope, or on a route keys cannot call)",
    ),
    ("404", "`tenant_not_found`"),
    ("429", "`rate_limited`: see Retry-After"),
    ("503", "`tenant_provisioning` (see Retry-After)"),
];

/// What the visitor middleware (`visitor_context`) answers before any help center handler runs:
/// the tenant plane's checks when a token is given, the address's budget when not.
const HELP_CENTER: &[ProblemResponse] = &[
    ("400", "`validation_failed`: no tenant named (subdomain or X-Tenant-Slug), or a malformed slug"),
    ("401", "`unauthorized` or `token_expired`: a token that is not valid here (none is needed to read)"),
    (
        "403",
        "`tenant_mismatch`, `tenant_suspended`, `mfa_required`, or `insufficient_scope` (API keys cannot call these routes)",
    ),
    ("404", "`tenant_not_found`"),
    ("429", "`rate_limited`: see Retry-After"),
    ("503", "`tenant_provisioning` (see Retry-After)"),
];

/// What `app-api worker` serves: health, readiness and metrics, for probes and Prometheus.
pub fn build_operations_router(state: AppState) -> Router {
    let (http, metrics) = (state.config.http.clone(), state.metrics.clone());
    shared::http::operations_router(operations::get_ready, state, &http, metrics)
}

/// How the organisation's support team is organised: tags, its first hour's checklist, fields,
/// views, its customers' organisations, teams, business hours, SLA policies and rules.
fn organisation_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(tags::list_tags))
        .routes(routes!(onboarding::get_onboarding, onboarding::patch_onboarding))
        .routes(routes!(fields::list_fields, fields::create_field))
        .routes(routes!(fields::patch_field, fields::delete_field))
        .routes(routes!(views::list_views, views::create_view))
        .routes(routes!(views::view_counts))
        .routes(routes!(views::patch_view, views::delete_view))
        .routes(routes!(views::view_tickets))
        .routes(routes!(organizations::list_organizations, organizations::create_organization))
        .routes(routes!(
            organizations::get_organization,
            organizations::patch_organization,
            organizations::delete_organization
        ))
        .routes(routes!(organizations::list_members))
        .routes(routes!(organizations::put_member, organizations::delete_member))
        .routes(routes!(organizations::my_organizations))
        .routes(routes!(teams::list_teams, teams::create_team))
        .routes(routes!(teams::patch_team, teams::delete_team))
        .routes(routes!(schedules::list_schedules, schedules::create_schedule))
        .routes(routes!(schedules::patch_schedule, schedules::delete_schedule))
        .routes(routes!(schedules::import_holidays))
        .routes(routes!(sla_by_condition::get_sla_policies, sla_by_condition::put_sla_policies))
        .routes(routes!(rules::list_rules, rules::create_rule))
        .routes(routes!(rules::patch_rule, rules::delete_rule))
        .routes(routes!(rules::dry_run_rule))
        .routes(routes!(rules::list_rule_runs))
}

/// What anyone on the organisation's host may read, signed in or not (writes check the caller in
/// their handlers, `access::Visitor::require`): the help center's API, its image upload (under
/// the uploads' limits) and its public pages (HTML for readers and search engines, outside the
/// API's document); and the ticket categories (the portal's form offers them).
fn help_center_routes(state: &AppState) -> (utoipa::openapi::OpenApi, Router<AppState>, Router<AppState>) {
    let api = OpenApiRouter::new()
        .routes(routes!(help_center::list_articles, help_center::create_article))
        .routes(routes!(help_center::get_article, help_center::patch_article, help_center::delete_article))
        .routes(routes!(help_center::post_feedback))
        .routes(routes!(help_center::list_categories, help_center::create_category))
        .routes(routes!(help_center::get_category, help_center::patch_category, help_center::delete_category))
        .routes(routes!(help_center::search_articles))
        .routes(routes!(help_center::preview_article))
        .routes(routes!(help_images::list_images))
        .routes(routes!(help_images::delete_image))
        .routes(routes!(categories::list_ticket_categories, categories::create_ticket_category))
        .routes(routes!(categories::patch_ticket_category))
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), visitor_context));
    let pages = Router::new()
        .route("/help", get(help_pages::help_root))
        .route("/help/help.css", get(help_pages::help_css))
        .route("/help/{locale}", get(help_pages::help_home))
        .route("/help/{locale}/search", get(help_pages::help_search))
        .route("/help/{locale}/categories/{id}", get(help_pages::help_category))
        .route("/help/{locale}/articles/{slug}", get(help_pages::help_article))
        .route("/help/{locale}/articles/{slug}/feedback", post(help_pages::help_feedback))
        .route("/help/images/{id}", get(help_images::help_image))
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), visitor_context));
    let (uploads, uploads_api) = OpenApiRouter::new()
        .routes(routes!(help_images::upload_image))
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), visitor_context))
        .split_for_parts();
    let (api, mut doc) = api.split_for_parts();
    doc.merge(uploads_api);
    add_problems(&mut doc, HELP_CENTER);
    (doc, api.merge(pages), uploads)
}

/// The full application: routes, OpenAPI at `/openapi.json`, docs at `/docs`, common layers.
pub fn build_router(state: AppState) -> Router {
    // The tenant plane: resolution, token and rate limits before any handler.
    let tenant_plane = OpenApiRouter::new()
        .routes(routes!(me::get_me))
        .routes(routes!(me::put_availability))
        .merge(organisation_routes())
        .routes(routes!(notifications::list_notifications))
        .routes(routes!(notifications::mark_read))
        .routes(routes!(notifications::get_preferences, notifications::put_preferences))
        .routes(routes!(export::export_me))
        .routes(routes!(export::export_user))
        .routes(routes!(users::list_users))
        .routes(routes!(users::get_user, users::patch_user, users::erase_user))
        .routes(routes!(staff::list_staff))
        .routes(routes!(list::list_tickets, create::create_ticket))
        .routes(routes!(read::get_ticket, update::patch_ticket))
        .routes(routes!(assign::assign_ticket))
        .routes(routes!(status::change_status))
        .routes(routes!(bulk::change_statuses))
        .routes(routes!(merge::merge_tickets))
        .routes(routes!(participants::list_participants, participants::add_participant))
        .routes(routes!(participants::remove_participant))
        .routes(routes!(links::list_links, links::add_link))
        .routes(routes!(links::remove_link))
        .routes(routes!(links::split_message))
        .routes(routes!(messages::list_messages, messages::post_message))
        .routes(routes!(history::get_history))
        .routes(routes!(orders::put_order))
        .routes(routes!(reports::get_sla_summary))
        .routes(routes!(reports::get_workload))
        .routes(routes!(reports::get_performance))
        .routes(routes!(reports::get_tickets_csv))
        .routes(routes!(reports::get_digest, reports::put_digest))
        .routes(routes!(help_center::get_help_center_report))
        .routes(routes!(sla_default::get_sla_policy, sla_default::put_sla_policy))
        .routes(routes!(ticket_settings::get_ticket_settings, ticket_settings::patch_ticket_settings))
        .routes(routes!(attachments::get_attachment, attachments::delete_attachment))
        .routes(routes!(attachments::get_access_log))
        .routes(routes!(attachments::get_storage_usage))
        .routes(routes!(api_keys::create_api_key, api_keys::list_api_keys))
        .routes(routes!(api_keys::revoke_api_key))
        .routes(routes!(webhooks::create_webhook, webhooks::list_webhooks))
        .routes(routes!(webhooks::get_webhook, webhooks::patch_webhook, webhooks::delete_webhook))
        .routes(routes!(webhooks::rotate_secret))
        .routes(routes!(webhooks::test_webhook))
        .routes(routes!(webhooks::list_deliveries))
        .routes(routes!(webhooks::replay_delivery))
        .routes(routes!(channels::get_email_channel, channels::put_email_channel, channels::delete_email_channel))
        .routes(routes!(inbound::list_inbound_emails))
        .routes(routes!(inbound::get_inbound_raw))
        .routes(routes!(inbound::release_inbound_email))
        .routes(routes!(inbound::discard_inbound_email))
        .routes(routes!(macros::list_macros, macros::create_macro))
        .routes(routes!(macros::patch_macro, macros::delete_macro))
        .routes(routes!(macros::apply_macro))
        .routes(routes!(satisfaction::get_ticket_satisfaction, satisfaction::rate_ticket))
        .routes(routes!(satisfaction::get_satisfaction_report))
        .routes(routes!(customer::get_ticket_customer))
        .routes(routes!(presence::put_presence, presence::delete_presence))
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), tenant_context))
        .route_layer(axum::middleware::from_fn(shared::http::etag::conditional_get));
    let (help_api, help_center, help_uploads) = help_center_routes(&state);
    // The live stream: the tenant plane's checks, no conditional GET (its body never ends).
    let live = OpenApiRouter::new()
        .routes(routes!(stream::stream))
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), tenant_context));
    // Uploads stream up to the largest file's limit and cut each file at its type's limit.
    // So does mail posted to email in, up to its own limit (`mailin::MAX_MESSAGE_BYTES`).
    let uploads = OpenApiRouter::new()
        .routes(routes!(attachments::upload_attachment, attachments::list_attachments))
        .routes(routes!(inbound::post_inbound_email))
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), tenant_context));

    let (router, mut api) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(shared::readiness::get_health))
        .routes(routes!(operations::get_ready))
        .routes(routes!(shared::metrics::get_metrics))
        .routes(routes!(files::get_file))
        .routes(routes!(notifications::unsubscribe))
        .routes(routes!(participants::leave))
        .routes(routes!(satisfaction::get_rating_link, satisfaction::post_rating_link))
        .split_for_parts();
    let (tenant_plane, mut tenant_api) = tenant_plane.split_for_parts();
    let (live, mut live_api) = live.split_for_parts();
    let (uploads, mut uploads_api) = uploads.split_for_parts();
    add_problems(&mut tenant_api, TENANT_PLANE);
    add_problems(&mut live_api, TENANT_PLANE);
    add_problems(&mut uploads_api, TENANT_PLANE);
    let router = router.merge(tenant_plane).merge(live).merge(help_center);
    let router = control_routes::PREFIXES.iter().fold(router, |router, prefix| {
        router.route(&format!("{prefix}/{{*rest}}"), axum::routing::any(control_routes::forward))
    });
    api.merge(tenant_api);
    api.merge(live_api);
    api.merge(help_api);
    api.merge(uploads_api);
    common_problems(&mut api);
    problem_bodies(&mut api);
    let (http, metrics) = (state.config.http.clone(), state.metrics.clone());
    let router = router.with_state(state.clone()).merge(SwaggerUi::new("/docs").url("/openapi.json", api));
    let upload_limit = usize::try_from(UPLOAD_BODY_LIMIT).unwrap_or(usize::MAX);
    let upload_timeout = state.config.attachments.upload_timeout;
    let uploads =
        uploads.merge(help_uploads).with_state(state).layer(axum::extract::DefaultBodyLimit::max(upload_limit));
    let uploads = shared::http::with_time_limit(uploads, upload_timeout);
    shared::http::with_common_layers(router, uploads, &http, metrics)
}
