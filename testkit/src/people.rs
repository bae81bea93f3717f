//! What tests name people and organisations with: unique addresses and slugs, and the body
//! of a sign-up.

use serde_json::{Value, json};
use uuid::Uuid;

use crate::options::PASSWORD;

/// A signup request body.
pub fn signup_body(slug: &str, email: &str) -> Value {
    json!({
        "organization_name": format!("{slug} SAV"),
        "slug": slug,
        "admin": { "email": email, "password": PASSWORD, "firstname": "Grace", "lastname": "Hopper" }
    })
}

/// A unique email for this test.
pub fn unique_email(tag: &str) -> String {
    format!("{tag}-{}@example.org", Uuid::new_v4().simple())
}

/// A unique tenant slug for this test.
pub fn unique_slug() -> String {
    format!("t-{}", &Uuid::new_v4().simple().to_string()[..12])
}
