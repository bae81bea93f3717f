//! The migrations are embedded at compile time (`sqlx::migrate!`): a new or changed file in
//! `migrations/tenant` must rebuild this crate, or a binary would carry an old schema.

fn main() {
    println!("cargo:rerun-if-changed=../migrations/tenant");
}
