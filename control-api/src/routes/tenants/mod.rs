//! Tenants: signup, status, lifecycle, members and invitations, and who may act on a tenant
//! (`access`: the one place a tenant route's caller is admitted or refused).

mod access;
pub mod invitations;
pub mod lifecycle;
pub mod members;
pub mod signup;
pub mod sso;

pub use crate::tenancy::tenants::TenantView;
pub use access::{Live, Managers, Operators, Owners, OwnersAlone, PlatformOperator, Standing, TenantAccess};
