//! The words of account mail, in English and French: each kind's subject, text part and HTML
//! part from plain values, with no I/O. Whatever people typed (names, organisation names) is
//! escaped in the HTML part, so a name like `<script>` stays text.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
pub use shared::mail::{Language, escape_html};

/// A mail's subject and parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Composed {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// One paragraph of a mail: literal words, and values people typed (escaped in HTML).
enum Piece<'a> {
    Words(&'a str),
    Typed(&'a str),
}

struct Body {
    text: String,
    html: String,
}

impl Body {
    fn new(language: Language) -> Self {
        let html = format!(
            "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\"></head>\
             <body style=\"font-family:sans-serif;line-height:1.5;color:#1f2937\">",
            language.as_str()
        );
        Self { text: String::new(), html }
    }

    fn paragraph(&mut self, pieces: &[Piece<'_>]) {
        self.html.push_str("<p>");
        for piece in pieces {
            match piece {
                Piece::Words(words) => {
                    self.text.push_str(words);
                    self.html.push_str(&escape_html(words));
                }
                Piece::Typed(value) => {
                    self.text.push_str(value);
                    self.html.push_str(&escape_html(value));
                }
            }
        }
        self.html.push_str("</p>");
        self.text.push_str("\n\n");
    }

    fn button(&mut self, label: &str, link: &str) {
        let _ = write!(
            self.html,
            "<p><a href=\"{href}\" style=\"display:inline-block;padding:10px 18px;background:#2563eb;\
             color:#ffffff;text-decoration:none;border-radius:6px\">{label}</a></p>\
             <p style=\"font-size:13px;color:#6b7280\">{href}</p>",
            href = escape_html(link),
            label = escape_html(label),
        );
        let _ = write!(self.text, "{label}:\n{link}\n\n");
    }

    fn finish(mut self, subject: String) -> Composed {
        self.html.push_str("</body></html>");
        Composed { subject, text: self.text.trim_end().to_owned() + "\n", html: self.html }
    }
}

fn greeting(language: Language, firstname: &str) -> [Piece<'_>; 3] {
    let hello = match language {
        Language::En => "Hello ",
        Language::Fr => "Bonjour ",
    };
    [Piece::Words(hello), Piece::Typed(firstname.trim()), Piece::Words(",")]
}

/// A password reset link, valid `minutes`.
pub fn password_reset(language: Language, firstname: &str, organisation: &str, link: &str, minutes: u64) -> Composed {
    let mut body = Body::new(language);
    body.paragraph(&greeting(language, firstname));
    let minutes = minutes.to_string();
    match language {
        Language::En => {
            body.paragraph(&[
                Piece::Words("Someone asked to reset the password of your Helpdeskly account for "),
                Piece::Typed(organisation),
                Piece::Words(". To choose a new password, follow this link within "),
                Piece::Words(&minutes),
                Piece::Words(" minutes; it works once."),
            ]);
            body.button("Choose a new password", link);
            body.paragraph(&[Piece::Words(
                "Once the password is changed, every session of your account ends. If you did not ask for \
                 this, ignore this mail: your password stays as it is.",
            )]);
            body.finish("Reset your Helpdeskly password".into())
        }
        Language::Fr => {
            body.paragraph(&[
                Piece::Words("Quelqu'un a demandé à réinitialiser le mot de passe de votre compte Helpdeskly pour "),
                Piece::Typed(organisation),
                Piece::Words(". Pour choisir un nouveau mot de passe, suivez ce lien dans les "),
                Piece::Words(&minutes),
                Piece::Words(" minutes ; il ne sert qu'une fois."),
            ]);
            body.button("Choisir un nouveau mot de passe", link);
            body.paragraph(&[Piece::Words(
                "Une fois le mot de passe changé, toutes les sessions de votre compte prennent fin. Si vous \
                 n'êtes pas à l'origine de cette demande, ignorez ce message : votre mot de passe reste inchangé.",
            )]);
            body.finish("Réinitialisez votre mot de passe Helpdeskly".into())
        }
    }
}

/// The link that verifies a self-registered customer's address, valid `days`.
pub fn email_verification(language: Language, firstname: &str, organisation: &str, link: &str, days: u64) -> Composed {
    let mut body = Body::new(language);
    body.paragraph(&greeting(language, firstname));
    let days = days.to_string();
    match language {
        Language::En => {
            body.paragraph(&[
                Piece::Words("Welcome to the support of "),
                Piece::Typed(organisation),
                Piece::Words(". Please confirm that this address is yours by following this link within "),
                Piece::Words(&days),
                Piece::Words(" days: until then, we send you no email about your requests."),
            ]);
            body.button("Confirm my address", link);
            body.paragraph(&[Piece::Words("If you did not create this account, ignore this mail.")]);
            body.finish("Confirm your email address".into())
        }
        Language::Fr => {
            body.paragraph(&[
                Piece::Words("Bienvenue au support de "),
                Piece::Typed(organisation),
                Piece::Words(". Confirmez que cette adresse est la vôtre en suivant ce lien dans les "),
                Piece::Words(&days),
                Piece::Words(" jours : d'ici là, nous ne vous envoyons aucun e-mail au sujet de vos demandes."),
            ]);
            body.button("Confirmer mon adresse", link);
            body.paragraph(&[Piece::Words("Si vous n'avez pas créé ce compte, ignorez ce message.")]);
            body.finish("Confirmez votre adresse e-mail".into())
        }
    }
}

/// What an invitation mail says.
pub struct InvitationMail<'a> {
    pub organisation: &'a str,
    /// Who invited, by name (their email when they have none).
    pub inviter: &'a str,
    /// `admin`, `agent` or `customer`.
    pub role: &'a str,
    pub link: &'a str,
    pub expires_at: DateTime<Utc>,
}

fn role_name(language: Language, role: &str) -> &'static str {
    match (language, role) {
        (Language::En, "admin") => "as an administrator",
        (Language::En, "agent") => "as an agent",
        (Language::En, _) => "as a customer",
        (Language::Fr, "admin") => "en tant qu'administrateur ou administratrice",
        (Language::Fr, "agent") => "en tant qu'agent",
        (Language::Fr, _) => "en tant que client ou cliente",
    }
}

/// An invitation to join an organisation.
pub fn invitation(language: Language, mail: &InvitationMail<'_>) -> Composed {
    let mut body = Body::new(language);
    let role = role_name(language, mail.role);
    let expiry = mail.expires_at.format("%Y-%m-%d %H:%M UTC").to_string();
    match language {
        Language::En => {
            body.paragraph(&[Piece::Words("Hello,")]);
            body.paragraph(&[
                Piece::Typed(mail.inviter),
                Piece::Words(" invites you to join "),
                Piece::Typed(mail.organisation),
                Piece::Words(" on Helpdeskly "),
                Piece::Words(role),
                Piece::Words("."),
            ]);
            body.button("Accept the invitation", mail.link);
            body.paragraph(&[
                Piece::Words("The invitation can be accepted until "),
                Piece::Words(&expiry),
                Piece::Words(". If you did not expect it, ignore this mail."),
            ]);
            body.finish(format!("{} invites you to Helpdeskly", mail.organisation))
        }
        Language::Fr => {
            body.paragraph(&[Piece::Words("Bonjour,")]);
            body.paragraph(&[
                Piece::Typed(mail.inviter),
                Piece::Words(" vous invite à rejoindre "),
                Piece::Typed(mail.organisation),
                Piece::Words(" sur Helpdeskly "),
                Piece::Words(role),
                Piece::Words("."),
            ]);
            body.button("Accepter l'invitation", mail.link);
            body.paragraph(&[
                Piece::Words("L'invitation peut être acceptée jusqu'au "),
                Piece::Words(&expiry),
                Piece::Words(". Si vous ne l'attendiez pas, ignorez ce message."),
            ]);
            body.finish(format!("{} vous invite sur Helpdeskly", mail.organisation))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_values_are_escaped_in_html_and_kept_in_text() {
        let mail = password_reset(
            Language::En,
            "<script>alert(1)</script>",
            "A & B \"Ltd\"",
            "https://a.test/r?token=x&y",
            30,
        );
        assert!(mail.html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{}", mail.html);
        assert!(!mail.html.contains("<script>"));
        assert!(mail.html.contains("A &amp; B &quot;Ltd&quot;"));
        assert!(mail.html.contains("href=\"https://a.test/r?token=x&amp;y\""));
        assert!(mail.text.contains("Hello <script>alert(1)</script>,"));
        assert!(mail.text.contains("https://a.test/r?token=x&y"));
        assert!(mail.text.contains("30 minutes"));
    }

    #[test]
    fn each_kind_speaks_english_and_french() {
        let expires_at = DateTime::parse_from_rfc3339("2030-01-02T03:04:05Z").unwrap().to_utc();
        let invite = |language| {
            invitation(
                language,
                &InvitationMail {
                    organisation: "Acme",
                    inviter: "Ada L",
                    role: "agent",
                    link: "https://x.test/invite/t",
                    expires_at,
                },
            )
        };
        let en = invite(Language::En);
        let fr = invite(Language::Fr);
        assert_eq!(en.subject, "Acme invites you to Helpdeskly");
        assert_eq!(fr.subject, "Acme vous invite sur Helpdeskly");
        assert!(en.text.contains("Ada L invites you to join Acme on Helpdeskly as an agent."));
        assert!(fr.text.contains("Ada L vous invite à rejoindre Acme sur Helpdeskly en tant qu'agent."));
        assert!(en.text.contains("2030-01-02 03:04 UTC"));
        assert!(fr.html.starts_with("<!DOCTYPE html><html lang=\"fr\">"));
        assert!(email_verification(Language::Fr, "Zoé", "Acme", "l", 7).text.starts_with("Bonjour Zoé,"));
        assert!(email_verification(Language::En, "Zoe", "Acme", "l", 7).text.contains("within 7 days"));
        assert_eq!(
            password_reset(Language::Fr, "Zoé", "Acme", "l", 30).subject,
            "Réinitialisez votre mot de passe Helpdeskly"
        );
    }
}
