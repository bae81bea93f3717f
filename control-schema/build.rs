//! `sqlx::migrate!` embeds `migrations/control` at compile time but does not tell cargo to watch
//! the folder: a new file there must rebuild this crate, or the binaries would carry an old
//! schema.

fn main() {
    println!("cargo:rerun-if-changed=../migrations/control");
}
