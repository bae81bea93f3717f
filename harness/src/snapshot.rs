//! Committed copies of generated documents (the services' OpenAPI documents, which the web app
//! builds its API types from): a test fails when the copy is stale, and rewrites it when
//! `UPDATE_SNAPSHOTS=1` is set.

use std::path::Path;

/// Compares `document`, pretty-printed, with the file at `path`; with `UPDATE_SNAPSHOTS=1`,
/// writes it there instead.
///
/// # Panics
/// When the file differs (or is missing) and updating was not asked for.
pub fn assert_json_snapshot(path: &Path, document: &serde_json::Value) {
    let mut fresh = serde_json::to_string_pretty(document).expect("JSON value");
    fresh.push('\n');
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().expect("a file path")).expect("snapshot folder");
        std::fs::write(path, fresh).expect("snapshot written");
        return;
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == fresh,
        "{} is stale: run `scripts/openapi.sh` to regenerate it (and the web app's types with it)",
        path.display()
    );
}
