//! Integrations end to end: API keys on every route and across replicas, and webhooks sent to
//! real HTTP receivers (`testkit::webhooks`: a Python server that checks each signature with the
//! `standardwebhooks` package, an implementation independent of ours).

mod keys;
mod webhooks;

use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::Person;
use crate::tickets::Desk;

/// An API key of the desk's organisation, made by its owner, as a caller: its token is the key.
pub async fn make_key(desk: &Desk, scopes: &[&str]) -> (Person, Value) {
    let made = desk.post(&desk.owner, "/v1/api-keys", &json!({ "name": "Shop sync", "scopes": scopes })).await;
    assert_eq!(made.status, 201, "{}", made.body);
    let body = made.json();
    let key = Person {
        id: body["id"].as_str().unwrap().parse::<Uuid>().unwrap(),
        email: String::new(),
        token: body["key"].as_str().unwrap().to_owned(),
        role: "integration".to_owned(),
    };
    (key, body)
}
