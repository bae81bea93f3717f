//! Who people are and how they prove it: email and password rules, argon2id hashing, the guard
//! every secret check goes through, brute-force lockout, proving a login's password, TOTP,
//! access-token minting, refresh-token sessions, the single-use tokens of mailed links, the audit trail, single sign-on with a tenant's OpenID Provider (`sso`), the repositories of
//! identities, memberships and invitations, what the data-access export reads, erasure, and the
//! mail people receive about their account (`mail`).

pub mod account_tokens;
pub mod audit;
pub mod email;
pub mod erasure;
pub mod export;
pub mod guard;
mod hash_threads;
pub mod invitations;
pub mod lockout;
pub mod login;
pub mod mail;
pub mod memberships;
pub mod password;
pub mod people;
pub mod second_factor;
pub mod sessions;
pub mod sso;
pub mod tokens;
pub mod totp;
pub mod users;
