//! What both services' OpenAPI documents share.

use std::collections::BTreeMap;

use utoipa::openapi::path::{Operation, Parameter, ParameterIn};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Content, Ref, RefOr, Response};

/// Declares the `bearer` (JWT) security scheme that protected operations refer to.
pub struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build()),
        );
    }
}

/// A problem response: its status and what it means (the codes it carries, in backticks).
pub type ProblemResponse = (&'static str, &'static str);

/// What an operation that takes a bearer token can answer before its handler runs.
const BEARER: &[ProblemResponse] =
    &[("401", "`unauthorized` or `token_expired`: no valid bearer token, or its session has ended")];

/// What an operation with a JSON body can answer before its handler runs (`JsonBody`).
const JSON_BODY: &[ProblemResponse] = &[
    ("400", "`validation_failed`: the body is not JSON, or has unknown fields or values of the wrong type"),
    ("408", "`body_timeout`: the body did not arrive in time"),
    ("413", "`payload_too_large`"),
    ("415", "`unsupported_media_type`: the body is not application/json"),
    ("422", "`validation_failed`: a value that is not allowed, or text holding a NUL character"),
];

/// What an operation with another body (uploads, raw messages) can answer while reading it.
const OTHER_BODY: &[ProblemResponse] =
    &[("408", "`body_timeout`: the body did not arrive in time"), ("413", "`payload_too_large`")];

/// What an operation with query parameters can answer when one cannot be read or is not allowed.
const QUERY: &[ProblemResponse] = &[
    ("400", "`validation_failed`: a query parameter that cannot be read, or an unknown value"),
    ("422", "`validation_failed`: a query parameter out of range, or holding a NUL character"),
];

/// What an operation with a typed path parameter (a number, a UUID) answers for a malformed one.
const TYPED_PATH: &[ProblemResponse] = &[("400", "`validation_failed`: a malformed path parameter")];

/// What any operation can answer, whatever it does: the request timeout, a statement over its
/// time limit, a database gone away.
const ANY: &[ProblemResponse] =
    &[("503", "`request_timeout`, `server_busy` or `dependency_unavailable` (see Retry-After)")];

/// Documents on every operation the problem responses it can answer because of what it takes (a
/// bearer token, a JSON or other body, query parameters, typed path parameters) and of the
/// layers in front of every route (the request timeout), so that no route has to list them and
/// none forgets one. Run on the finished document, before `problem_bodies`.
pub fn common_problems(openapi: &mut utoipa::openapi::OpenApi) {
    for operation in operations(openapi) {
        let mut responses: Vec<ProblemResponse> = ANY.to_vec();
        if takes_bearer(operation) {
            responses.extend_from_slice(BEARER);
        }
        if let Some(body) = &operation.request_body {
            let json = body.content.keys().any(|media| media == "application/json" || media.ends_with("+json"));
            responses.extend_from_slice(if json { JSON_BODY } else { OTHER_BODY });
        }
        let parameters = operation.parameters.iter().flatten();
        if parameters.clone().any(|p| matches!(p.parameter_in, ParameterIn::Query)) {
            responses.extend_from_slice(QUERY);
        }
        if parameters.clone().any(|p| matches!(p.parameter_in, ParameterIn::Path) && is_typed(p)) {
            responses.extend_from_slice(TYPED_PATH);
        }
        add_to(operation, &responses);
    }
}

/// `responses` as an operation's responses by status, each with its description alone: what an
/// extractor's `utoipa::IntoResponses` gives the routes that list it (`problem_bodies` adds the
/// body).
pub fn problem_responses(responses: impl IntoIterator<Item = ProblemResponse>) -> BTreeMap<String, RefOr<Response>> {
    responses
        .into_iter()
        .map(|(status, description)| (status.to_owned(), RefOr::T(Response::new(description))))
        .collect()
}

/// The plain 404 of a route whose path names something that may not exist (or not for the
/// caller): list `NotFound` in the route's `responses`.
pub struct NotFound;

impl utoipa::IntoResponses for NotFound {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        problem_responses([("404", "`not_found`")])
    }
}

/// Documents `responses` on every operation of `openapi`: what a middleware in front of a group
/// of routes answers (app-api's tenant plane), said once for the group.
pub fn add_problems(openapi: &mut utoipa::openapi::OpenApi, responses: &[ProblemResponse]) {
    for operation in operations(openapi) {
        add_to(operation, responses);
    }
}

/// Adds each response whose status the operation does not document; where it does, the codes
/// its description does not name yet are added to it, so a status lists every code it carries.
fn add_to(operation: &mut Operation, responses: &[ProblemResponse]) {
    for &(status, description) in responses {
        match operation.responses.responses.get_mut(status) {
            None => {
                let response = Response::new(description);
                operation.responses.responses.insert(status.to_owned(), RefOr::T(response));
            }
            Some(RefOr::T(documented)) => {
                let named = description.split('`').skip(1).step_by(2).all(|code| documented.description.contains(code));
                if !named {
                    documented.description = format!("{}; {description}", documented.description);
                }
            }
            Some(RefOr::Ref(_)) => {}
        }
    }
}

fn takes_bearer(operation: &Operation) -> bool {
    operation
        .security
        .iter()
        .flatten()
        .any(|requirement| serde_json::to_value(requirement).is_ok_and(|value| value.get("bearer").is_some()))
}

/// A path parameter whose text must parse (a number, a UUID): not a plain string.
fn is_typed(parameter: &Parameter) -> bool {
    let schema = parameter.schema.as_ref().and_then(|schema| serde_json::to_value(schema).ok());
    schema.is_some_and(|schema| schema.get("type") != Some(&"string".into()) || schema.get("format").is_some())
}

fn operations(openapi: &mut utoipa::openapi::OpenApi) -> impl Iterator<Item = &mut Operation> {
    openapi.paths.paths.values_mut().flat_map(|item| {
        [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.options,
            &mut item.head,
            &mut item.patch,
            &mut item.trace,
        ]
        .into_iter()
        .flatten()
    })
}

/// Gives every 4xx and 5xx response that declares no body the problem+json body with the
/// `Problem` schema, so routes document an error by its status and codes alone:
/// `(status = 404, description = "`not_found`")`. Run on the finished document.
pub fn problem_bodies(openapi: &mut utoipa::openapi::OpenApi) {
    for operation in operations(openapi) {
        for (status, response) in &mut operation.responses.responses {
            let is_error = status.starts_with('4') || status.starts_with('5');
            if let (true, RefOr::T(response)) = (is_error, response)
                && response.content.is_empty()
            {
                let body = Content::new(Some(Ref::from_schema_name("Problem")));
                response.content.insert("application/problem+json".to_owned(), body);
            }
        }
    }
}
