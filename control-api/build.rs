//! The control database's migrations are embedded at compile time (`sqlx::migrate!`): a new or
//! changed file in `migrations/control` must rebuild this crate, or the binary would carry an
//! old schema.

fn main() {
    println!("cargo:rerun-if-changed=../migrations/control");
}
