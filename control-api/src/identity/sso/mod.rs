//! Single sign-on with OpenID Connect, per tenant: the owner's settings (`settings`), the
//! provider spoken to (`provider`: discovery, the code flow with PKCE, ID and logout tokens
//! verified), the sign-ins under way (`attempts`), what the claims mean here (`mapping`), and
//! who the person is (`signin`).

pub mod attempts;
pub mod mapping;
pub mod provider;
pub mod settings;
pub mod signin;
