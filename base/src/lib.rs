//! The plain words every Helpdeskly crate speaks, free of HTTP and I/O, so that the domain
//! (`sav`) can use them and still depend on no web crate: a field's validation error, roles,
//! enum text columns, caches kept in the process, mail addresses and text. `shared` re-exports
//! each where the services have always named it.

pub mod db;
mod field_error;
pub mod kept;
pub mod mail;
mod role;

pub use field_error::FieldError;
pub use role::Role;
