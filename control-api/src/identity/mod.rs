//! Who people are and how they prove it: email and password rules, argon2id hashing, the guard
//! every secret check goes through, brute-force lockout, TOTP, access-token minting,
//! refresh-token sessions, and the audit trail.

pub mod audit;
pub mod email;
pub mod guard;
pub mod lockout;
pub mod password;
pub mod people;
pub mod second_factor;
pub mod sessions;
pub mod tokens;
pub mod totp;
pub mod users;
