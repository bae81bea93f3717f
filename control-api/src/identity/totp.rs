//! TOTP (RFC 6238): SHA-1, 6 digits, 30-second steps, one step of skew either way. Returns the
//! matched time step so callers can refuse a step already used.

use subtle::ConstantTimeEq as _;
use totp_rs::{Algorithm, Secret, TOTP};

pub const DIGITS: usize = 6;
pub const STEP_SECS: u64 = 30;
const SKEW_STEPS: u64 = 1;
pub const ISSUER: &str = "Helpdeskly";

fn totp(secret: &[u8], digits: usize, account: &str) -> TOTP {
    TOTP::new_unchecked(
        Algorithm::SHA1,
        digits,
        1,
        STEP_SECS,
        secret.to_vec(),
        Some(ISSUER.to_owned()),
        account.to_owned(),
    )
}

/// A new random 160-bit secret (RFC 4226 recommends 160 bits).
pub fn generate_secret() -> Vec<u8> {
    use rand::RngCore as _;
    let mut secret = vec![0u8; 20];
    rand::rngs::OsRng.fill_bytes(&mut secret);
    secret
}

/// The secret in base32, as authenticator apps take it by hand.
pub fn secret_base32(secret: &[u8]) -> String {
    Secret::Raw(secret.to_vec()).to_encoded().to_string()
}

/// The raw secret from its base32 form.
pub fn secret_from_base32(encoded: &str) -> Option<Vec<u8>> {
    Secret::Encoded(encoded.to_owned()).to_bytes().ok()
}

/// `otpauth://totp/Helpdeskly:{account}?secret=...&issuer=Helpdeskly`.
pub fn otpauth_url(secret: &[u8], account: &str) -> String {
    totp(secret, DIGITS, account).get_url()
}

/// The otpauth URL as a QR code in SVG.
pub fn qr_svg(url: &str) -> String {
    qrcode::QrCode::new(url.as_bytes())
        .map(|code| code.render::<qrcode::render::svg::Color<'_>>().min_dimensions(200, 200).build())
        .unwrap_or_default()
}

/// The code for the step that contains `unix_secs`.
pub fn code_at(secret: &[u8], digits: usize, unix_secs: u64) -> String {
    totp(secret, digits, "").generate(unix_secs)
}

/// The time step `code` belongs to, within the skew window around `unix_secs`.
pub fn matching_step(secret: &[u8], code: &str, unix_secs: u64) -> Option<u64> {
    let code = code.trim();
    if code.len() != DIGITS || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let current = unix_secs / STEP_SECS;
    (current.saturating_sub(SKEW_STEPS)..=current + SKEW_STEPS)
        .find(|step| bool::from(code_at(secret, DIGITS, step * STEP_SECS).as_bytes().ct_eq(code.as_bytes())))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 Appendix B, SHA-1 rows (8 digits, ASCII secret "12345678901234567890").
    #[test]
    fn rfc6238_appendix_b_sha1() {
        let secret = b"12345678901234567890";
        for (time, expected) in [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ] {
            assert_eq!(code_at(secret, 8, time), expected, "T = {time}");
        }
    }

    #[test]
    fn one_step_of_skew_and_no_more() {
        let secret = generate_secret();
        let now = 1_700_000_015;
        let step = now / STEP_SECS;
        let code = |s: u64| code_at(&secret, DIGITS, s * STEP_SECS);
        assert_eq!(matching_step(&secret, &code(step), now), Some(step));
        assert_eq!(matching_step(&secret, &code(step - 1), now), Some(step - 1));
        assert_eq!(matching_step(&secret, &code(step + 1), now), Some(step + 1));
        assert_eq!(matching_step(&secret, &code(step - 2), now), None);
        assert_eq!(matching_step(&secret, &code(step + 2), now), None);
        assert_eq!(matching_step(&secret, "12345", now), None);
        assert_eq!(matching_step(&secret, "abcdef", now), None);
    }

    #[test]
    fn provisioning_uri_and_qr() {
        let secret = vec![0u8; 20];
        let url = otpauth_url(&secret, "ada@example.org");
        assert!(url.starts_with("otpauth://totp/Helpdeskly:ada%40example.org?secret="), "{url}");
        assert!(url.contains("issuer=Helpdeskly"));
        assert_eq!(secret_base32(&secret), "A".repeat(32));
        assert_eq!(secret_from_base32(&secret_base32(&secret)), Some(secret.clone()));
        let svg = qr_svg(&url);
        assert!(svg.starts_with("<?xml") && svg.contains("<svg"), "{}", &svg[..80.min(svg.len())]);
    }
}
