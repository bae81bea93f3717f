//! Single sign-on with OpenID Connect, per tenant: the owner's settings (`settings`), the
//! provider spoken to (`provider`: discovery, the code flow with PKCE, ID and logout tokens
//! verified), the sign-ins under way (`attempts`), what the claims mean here (`mapping`). Who the
//! person is, a tenancy matter, is `tenancy::sso_signin`.

pub mod attempts;
pub mod mapping;
pub mod provider;
pub mod settings;
