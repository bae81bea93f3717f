//! The words of a notification, in the recipient's language: the bell's one-line title, and
//! the mail's subject, text part and HTML part. Plain functions of plain values.
//!
//! Every mail about a ticket has the same subject, `[TKT-...] {ticket subject}`, so that mail
//! readers that thread by subject agree with those that thread by `References`. Everything a
//! person wrote (subjects, names, messages, reasons, the organisation's name) is text: escaped
//! in the HTML part, never markup.

use std::fmt::Write as _;

use shared::mail::escape_html as escape;

use super::{Kind, Language};

/// What happened, beyond the kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Detail {
    None,
    /// A message: who wrote it, its text (already plain), and whether it is an internal note.
    Message {
        author: String,
        text: String,
        internal: bool,
    },
    /// The status the ticket moved to, and why.
    Status {
        to: String,
        reason: Option<String>,
    },
    /// The SLA target missed (`response` or `resolution`).
    Breach {
        target: String,
    },
}

/// Everything a notification is written from.
#[derive(Debug, Clone)]
pub struct Context<'a> {
    pub kind: Kind,
    pub language: Language,
    /// Whether the recipient is the ticket's customer (the words differ for staff).
    pub to_customer: bool,
    /// The recipient is copied on the conversation (a `cc` participant): customer's words, no
    /// account to send them to, and `unsubscribe_url` takes them off the conversation.
    pub copied: bool,
    pub organisation: &'a str,
    pub recipient_firstname: &'a str,
    pub ticket_number: &'a str,
    pub ticket_subject: &'a str,
    pub ticket_url: &'a str,
    /// The person's notification settings page.
    pub settings_url: &'a str,
    /// The web page that turns this kind of mail off in one click (the mail's own
    /// `List-Unsubscribe` goes to the API).
    pub unsubscribe_url: &'a str,
    /// The resolution mail's rating page for its customer (signed; `&rating=N` is added for
    /// each score).
    pub rating_url: Option<&'a str>,
    pub detail: Detail,
}

/// A notification, written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub title: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Longest excerpt of a message quoted in a mail, in characters.
const EXCERPT_CHARS: usize = 4000;

fn status_name(status: &str, language: Language) -> &str {
    match (language, status) {
        (Language::En, "open") => "open",
        (Language::En, "in_progress") => "in progress",
        (Language::En, "waiting_customer") => "waiting for your answer",
        (Language::En, "resolved") => "resolved",
        (Language::En, "closed") => "closed",
        (Language::Fr, "open") => "ouvert",
        (Language::Fr, "in_progress") => "en cours",
        (Language::Fr, "waiting_customer") => "en attente de votre réponse",
        (Language::Fr, "resolved") => "résolu",
        (Language::Fr, "closed") => "clôturé",
        (_, other) => other,
    }
}

/// The one sentence that says what happened (the bell's title, and the mail's first line).
fn headline(c: &Context<'_>) -> String {
    let n = c.ticket_number;
    let fr = c.language == Language::Fr;
    match (&c.kind, &c.detail) {
        (Kind::TicketCreated, _) if c.to_customer => {
            if fr {
                format!("Nous avons bien reçu votre demande {n}")
            } else {
                format!("We received your request {n}")
            }
        }
        (Kind::TicketCreated, _) => {
            if fr {
                format!("Nouveau ticket {n} : {}", c.ticket_subject)
            } else {
                format!("New ticket {n}: {}", c.ticket_subject)
            }
        }
        (Kind::TicketAssigned, _) => {
            if fr {
                format!("Le ticket {n} vous a été attribué")
            } else {
                format!("Ticket {n} was assigned to you")
            }
        }
        (Kind::MessageAdded, Detail::Message { internal: true, author, .. }) => {
            if fr {
                format!("Note interne de {author} sur {n}")
            } else {
                format!("Internal note from {author} on {n}")
            }
        }
        (Kind::MessageAdded, Detail::Message { author, .. }) => {
            if fr {
                format!("Nouvelle réponse de {author} sur {n}")
            } else {
                format!("New reply from {author} on {n}")
            }
        }
        (Kind::MessageAdded, _) => {
            if fr {
                format!("Nouveau message sur {n}")
            } else {
                format!("New message on {n}")
            }
        }
        (Kind::StatusChanged, Detail::Status { to, .. }) if c.to_customer => {
            let status = status_name(to, c.language);
            if fr {
                format!("Votre demande {n} est maintenant {status}")
            } else {
                format!("Your request {n} is now {status}")
            }
        }
        (Kind::StatusChanged, Detail::Status { to, .. }) => {
            let status = status_name(to, Language::En);
            if fr {
                format!("Le client a changé le statut de {n} : {}", status_name(to, Language::Fr))
            } else {
                format!("The customer moved {n} to {status}")
            }
        }
        (Kind::StatusChanged, _) => {
            if fr {
                format!("Le statut de {n} a changé")
            } else {
                format!("The status of {n} changed")
            }
        }
        (Kind::TicketResolved, _) => {
            if fr {
                format!("Votre demande {n} a été résolue")
            } else {
                format!("Your request {n} was resolved")
            }
        }
        (Kind::SlaBreach, Detail::Breach { target }) => {
            let target = match (fr, target.as_str()) {
                (true, "response") => "réponse",
                (true, _) => "résolution",
                (false, t) => t,
            };
            if fr {
                format!("Objectif de {target} dépassé sur {n}")
            } else {
                format!("The {target} target was missed on {n}")
            }
        }
        (Kind::SlaBreach, _) => {
            if fr {
                format!("Objectif de service dépassé sur {n}")
            } else {
                format!("A service target was missed on {n}")
            }
        }
        // Not about a ticket: written by `webhook_disabled`.
        (Kind::WebhookDisabled, _) => webhook_disabled_headline(fr).to_owned(),
        // A rule's mail has the rule's subject (written by `rule_mail`); the reports' digest is
        // not about a ticket (written whole by `notifications::digest`).
        (Kind::RuleMail | Kind::ReportDigest, _) => String::new(),
    }
}

/// The paragraphs of the mail after the greeting (plain text; escaped for HTML by the caller).
fn paragraphs(c: &Context<'_>) -> Vec<String> {
    let fr = c.language == Language::Fr;
    let mut out = vec![format!("{}.", headline(c))];
    match &c.detail {
        Detail::Message { text, .. } => out.push(text.clone()),
        Detail::Status { reason: Some(reason), .. } => {
            out.push(if fr { format!("Motif : {reason}") } else { format!("Reason: {reason}") });
        }
        _ => {}
    }
    let ask = match (c.kind, c.to_customer) {
        (Kind::TicketCreated, true) if fr => Some(
            "Nous vous répondrons dès que possible. Vous pouvez répondre à ce message pour ajouter des précisions.",
        ),
        (Kind::TicketCreated, true) => {
            Some("We will answer as soon as we can. You can reply to this email to add details.")
        }
        (Kind::TicketResolved, _) if fr => Some(
            "Si votre problème est réglé, confirmez la résolution ; sinon, répondez à ce message ou rouvrez la demande.",
        ),
        (Kind::TicketResolved, _) => Some(
            "If your problem is solved, confirm the resolution; if not, reply to this email or reopen the request.",
        ),
        (Kind::StatusChanged | Kind::MessageAdded, true) if fr => {
            Some("Vous pouvez répondre directement à ce message.")
        }
        (Kind::StatusChanged | Kind::MessageAdded, true) => Some("You can reply to this email directly."),
        _ => None,
    };
    out.extend(ask.map(str::to_owned));
    out
}

/// Writes the notification of `c`.
pub fn render(c: &Context<'_>) -> Rendered {
    let fr = c.language == Language::Fr;
    let title: String = headline(c).chars().take(300).collect();
    let subject = format!("[{}] {}", c.ticket_number, c.ticket_subject);
    let greeting = match (fr, c.recipient_firstname.trim().is_empty()) {
        (true, true) => "Bonjour,".to_owned(),
        (true, false) => format!("Bonjour {},", c.recipient_firstname),
        (false, true) => "Hello,".to_owned(),
        (false, false) => format!("Hello {},", c.recipient_firstname),
    };
    let (open, settings, why, stop) = if fr {
        ("Voir la demande", "Choisir mes notifications", "Vous recevez ce message de", "Ne plus recevoir ces e-mails")
    } else {
        ("View the request", "Choose my notifications", "You receive this email from", "Stop these emails")
    };
    let body = paragraphs(c);
    let mut text = format!("{greeting}\n\n");
    for paragraph in &body {
        text.push_str(paragraph);
        text.push_str("\n\n");
    }
    let ratings = c.rating_url.map(|url| rating_links(url, fr));
    if let Some((ask, links)) = &ratings {
        let _ = writeln!(text, "{ask}");
        for (label, url) in links {
            let _ = writeln!(text, "{label}: {url}");
        }
        text.push('\n');
    }
    let (copied_why, leave) = if fr {
        ("Vous êtes en copie de cette conversation avec", "Quitter la conversation")
    } else {
        ("You are copied on this conversation with", "Leave the conversation")
    };
    if c.copied {
        let _ = write!(text, "-- \n{copied_why} {}.\n{leave}: {}\n", c.organisation, c.unsubscribe_url);
    } else {
        let _ = write!(
            text,
            "{open}: {}\n\n-- \n{why} {}.\n{settings}: {}\n{stop}: {}\n",
            c.ticket_url, c.organisation, c.settings_url, c.unsubscribe_url
        );
    }

    let mut html = format!(
        "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{}</title></head><body>\n<p>{}</p>\n",
        c.language.as_str(),
        escape(&subject),
        escape(&greeting)
    );
    for paragraph in &body {
        let lines: Vec<String> = paragraph.lines().map(escape).collect();
        let _ = writeln!(html, "<p>{}</p>", lines.join("<br>\n"));
    }
    if let Some((ask, links)) = &ratings {
        let _ = write!(html, "<p>{}</p>\n<p>", escape(ask));
        let anchors: Vec<String> =
            links.iter().map(|(label, url)| format!("<a href=\"{}\">{}</a>", escape(url), escape(label))).collect();
        let _ = writeln!(html, "{}</p>", anchors.join(" · "));
    }
    if c.copied {
        let _ = write!(
            html,
            "<hr>\n<p><small>{copied_why} {}. <a href=\"{}\">{leave}</a></small></p>\n</body></html>\n",
            escape(c.organisation),
            escape(c.unsubscribe_url),
        );
    } else {
        let _ = write!(
            html,
            "<p><a href=\"{}\">{open}</a></p>\n<hr>\n<p><small>{why} {}. <a href=\"{}\">{settings}</a> · <a href=\"{}\">{stop}</a></small></p>\n</body></html>\n",
            escape(c.ticket_url),
            escape(c.organisation),
            escape(c.settings_url),
            escape(c.unsubscribe_url),
        );
    }
    Rendered { title, subject, text, html }
}

/// The question and the five links of a rating page (`url` has its query already).
fn rating_links(url: &str, fr: bool) -> (&'static str, Vec<(String, String)>) {
    let ask = if fr {
        "Comment avons-nous été ? Notez notre aide en un clic :"
    } else {
        "How did we do? Rate our help in one click:"
    };
    let labels: [&str; 5] = if fr {
        ["1 - Très mauvais", "2 - Mauvais", "3 - Correct", "4 - Bien", "5 - Excellent"]
    } else {
        ["1 - Very poor", "2 - Poor", "3 - Fair", "4 - Good", "5 - Excellent"]
    };
    let links =
        labels.iter().zip(1..=5).map(|(label, score)| ((*label).to_owned(), format!("{url}&rating={score}"))).collect();
    (ask, links)
}

fn webhook_disabled_headline(fr: bool) -> &'static str {
    if fr { "Un webhook a été désactivé" } else { "A webhook was disabled" }
}

/// The notice to owners and admins that a webhook endpoint was disabled, and why (`gone`: it
/// answered 410; else three days of failures). `page_url`: the integrations page.
pub fn webhook_disabled(
    language: Language,
    firstname: &str,
    organisation: &str,
    url: &str,
    gone: bool,
    page_url: &str,
) -> Rendered {
    let fr = language == Language::Fr;
    let shown: String = url.chars().take(200).collect();
    let (title, subject, why, then, open, from) = if fr {
        (
            format!("Webhook désactivé : {shown}"),
            format!("[{organisation}] Un webhook a été désactivé"),
            if gone {
                format!("Le webhook {shown} a été désactivé : il a répondu 410 (Gone).")
            } else {
                format!("Le webhook {shown} a été désactivé : ses envois échouent depuis trois jours.")
            },
            "Les événements ne lui sont plus envoyés. Un administrateur peut le réactiver depuis les intégrations, et rejouer ce qui a échoué.",
            "Ouvrir les intégrations",
            "Vous recevez ce message en tant qu'administrateur de",
        )
    } else {
        (
            format!("Webhook disabled: {shown}"),
            format!("[{organisation}] A webhook was disabled"),
            if gone {
                format!("The webhook {shown} was disabled: it answered 410 (Gone).")
            } else {
                format!("The webhook {shown} was disabled: its deliveries have failed for three days.")
            },
            "Events are no longer sent to it. An admin can enable it again from the integrations page, and replay what failed.",
            "Open the integrations",
            "You receive this email as an admin of",
        )
    };
    let greeting = match (fr, firstname.trim().is_empty()) {
        (true, true) => "Bonjour,".to_owned(),
        (true, false) => format!("Bonjour {firstname},"),
        (false, true) => "Hello,".to_owned(),
        (false, false) => format!("Hello {firstname},"),
    };
    let text = format!("{greeting}\n\n{why}\n\n{then}\n\n{open}: {page_url}\n\n-- \n{from} {organisation}.\n");
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{}</title></head><body>\n<p>{}</p>\n<p>{}</p>\n<p>{}</p>\n<p><a href=\"{}\">{open}</a></p>\n<hr>\n<p><small>{from} {}.</small></p>\n</body></html>\n",
        language.as_str(),
        escape(&subject),
        escape(&greeting),
        escape(&why),
        escape(then),
        escape(page_url),
        escape(organisation),
    );
    Rendered { title: title.chars().take(300).collect(), subject, text, html }
}

/// A rule's mail: its subject and body as the rule's author wrote them, then which rule sent
/// it about which ticket, and where to read the ticket.
pub fn rule_mail(
    language: Language,
    organisation: &str,
    rule: &str,
    ticket_number: &str,
    ticket_url: &str,
    subject: &str,
    body: &str,
) -> Rendered {
    let fr = language == Language::Fr;
    let (about, open) = if fr {
        (
            format!("Envoyé par la règle « {rule} » de {organisation}, à propos du ticket {ticket_number}."),
            "Ouvrir le ticket",
        )
    } else {
        (format!("Sent by the rule “{rule}” of {organisation}, about ticket {ticket_number}."), "Open the ticket")
    };
    let subject = format!("[{ticket_number}] {subject}");
    let text = format!("{body}\n\n{open}: {ticket_url}\n\n-- \n{about}\n");
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{}</title></head><body>\n{}\n<p><a href=\"{}\">{open}</a></p>\n<hr>\n<p><small>{}</small></p>\n</body></html>\n",
        language.as_str(),
        escape(&subject),
        shared::mail::text_to_html(body),
        escape(ticket_url),
        escape(&about),
    );
    Rendered { title: subject.chars().take(300).collect(), subject, text, html }
}

/// The text of a stored message (sanitised HTML) as plain text for mail, cut to a length a
/// mail can carry.
pub fn plain_text(html: &str) -> String {
    let text = text_of(html);
    if text.chars().count() > EXCERPT_CHARS {
        let cut: String = text.chars().take(EXCERPT_CHARS).collect();
        format!("{cut}…")
    } else {
        text
    }
}

/// The whole text of a stored message (sanitised HTML), as a person reads it.
pub fn text_of(html: &str) -> String {
    let spaced = html
        .replace("<br>", "\n")
        .replace("<br/>", "\n")
        .replace("<br />", "\n")
        .replace("</p>", "</p>\n")
        .replace("</li>", "</li>\n");
    let stripped = ammonia::Builder::empty().clean(&spaced).to_string();
    let text = stripped
        .replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    text.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context(kind: Kind, language: Language, detail: Detail) -> Context<'static> {
        Context {
            kind,
            language,
            to_customer: true,
            copied: false,
            organisation: "Acme & Co",
            recipient_firstname: "Ada",
            ticket_number: "TKT-000042",
            ticket_subject: "<script>alert(1)</script> parcel",
            ticket_url: "https://acme.helpdeskly.test/tickets/42",
            settings_url: "https://acme.helpdeskly.test/account/notifications",
            unsubscribe_url: "https://acme.helpdeskly.test/unsubscribe?token=a&b",
            rating_url: None,
            detail,
        }
    }

    #[test]
    fn user_content_is_text_in_both_parts() {
        let reply =
            Detail::Message { author: "Bob <b>".into(), text: "Hi <img src=x onerror=1>".into(), internal: false };
        let mail = render(&context(Kind::MessageAdded, Language::En, reply));
        assert_eq!(mail.subject, "[TKT-000042] <script>alert(1)</script> parcel");
        assert!(mail.text.contains("Hi <img src=x onerror=1>"));
        assert!(!mail.html.contains("<script>"), "{}", mail.html);
        assert!(!mail.html.contains("<img"), "{}", mail.html);
        assert!(!mail.html.contains("<b>"));
        assert!(mail.html.contains("&lt;script&gt;alert(1)&lt;/script&gt; parcel"));
        assert!(mail.html.contains("Acme &amp; Co"));
        assert_eq!(mail.title, "New reply from Bob <b> on TKT-000042");
    }

    #[test]
    fn french_and_english() {
        let status = Detail::Status { to: "waiting_customer".into(), reason: Some("Photo du colis ?".into()) };
        let fr = render(&context(Kind::StatusChanged, Language::Fr, status.clone()));
        assert!(fr.text.starts_with("Bonjour Ada,"));
        assert!(fr.text.contains("Votre demande TKT-000042 est maintenant en attente de votre réponse."));
        assert!(fr.text.contains("Motif : Photo du colis ?"));
        assert!(fr.html.contains("lang=\"fr\""));
        let en = render(&context(Kind::StatusChanged, Language::En, status));
        assert!(en.text.contains("Your request TKT-000042 is now waiting for your answer."));
        assert!(en.text.contains("https://acme.helpdeskly.test/tickets/42"));
        assert!(en.text.contains("Stop these emails: https://acme.helpdeskly.test/unsubscribe?token=a&b"));
        assert!(en.html.contains("href=\"https://acme.helpdeskly.test/unsubscribe?token=a&amp;b\""));
    }

    #[test]
    fn a_copied_participant_gets_the_reply_and_a_way_out_but_no_account_links() {
        let reply = Detail::Message { author: "Bob".into(), text: "Your parcel left.".into(), internal: false };
        for language in [Language::En, Language::Fr] {
            let c = Context {
                copied: true,
                unsubscribe_url: "https://acme.helpdeskly.test/leave?token=l34v3",
                ..context(Kind::MessageAdded, language, reply.clone())
            };
            let mail = render(&c);
            assert!(mail.text.contains("Your parcel left."));
            assert!(mail.text.contains("https://acme.helpdeskly.test/leave?token=l34v3"), "{}", mail.text);
            assert!(mail.html.contains("href=\"https://acme.helpdeskly.test/leave?token=l34v3\""));
            assert!(
                !mail.text.contains("/tickets/42") && !mail.text.contains("/account/notifications"),
                "{}",
                mail.text
            );
        }
        let fr = render(&Context { copied: true, ..context(Kind::MessageAdded, Language::Fr, reply) });
        assert!(fr.text.contains("Vous êtes en copie de cette conversation avec Acme & Co."), "{}", fr.text);
    }

    #[test]
    fn every_kind_has_words_in_both_languages() {
        for kind in Kind::ALL {
            for language in [Language::En, Language::Fr] {
                for to_customer in [true, false] {
                    let c = Context { to_customer, ..context(kind, language, Detail::None) };
                    let mail = render(&c);
                    assert!(mail.title.contains("TKT-000042"), "{kind:?} {language:?}: {}", mail.title);
                    assert!(mail.text.contains(&mail.title));
                }
            }
        }
    }

    #[test]
    fn a_resolution_mail_to_the_customer_asks_for_a_rating() {
        let url = "https://acme.helpdeskly.test/rate?token=t0k";
        let c = Context { rating_url: Some(url), ..context(Kind::TicketResolved, Language::En, Detail::None) };
        let mail = render(&c);
        assert!(mail.text.contains("How did we do?"), "{}", mail.text);
        for score in 1..=5 {
            assert!(mail.text.contains(&format!("{url}&rating={score}")), "{}", mail.text);
            assert!(mail.html.contains(&format!("href=\"{url}&amp;rating={score}\"")), "{}", mail.html);
        }
        let fr = render(&Context { language: Language::Fr, ..c });
        assert!(fr.text.contains("Comment avons-nous été ?") && fr.text.contains("5 - Excellent"));
        let without = render(&context(Kind::TicketResolved, Language::En, Detail::None));
        assert!(!without.text.contains("rating="), "no link without a rating page");
    }

    #[test]
    fn stored_messages_become_plain_text() {
        assert_eq!(
            plain_text("<p>Hello &amp; welcome</p><p>Line <b>two</b><br>three</p>"),
            "Hello & welcome\nLine two\nthree"
        );
        assert_eq!(plain_text("a &lt;b&gt;"), "a <b>");
        let long = "x".repeat(EXCERPT_CHARS + 10);
        assert_eq!(plain_text(&long).chars().count(), EXCERPT_CHARS + 1);
    }

    #[test]
    fn a_disabled_webhook_notice_keeps_the_url_as_text() {
        let url = "https://hooks.example/<script>alert(1)</script>";
        let en =
            webhook_disabled(Language::En, "Ada", "Acme & Co", url, true, "https://acme.example/admin/integrations");
        assert!(en.title.starts_with("Webhook disabled: https://hooks.example/"));
        assert!(en.text.contains("410") && en.text.contains("Hello Ada,"));
        assert!(
            !en.html.contains("<script>") && en.html.contains("&lt;script&gt;") && en.html.contains("Acme &amp; Co")
        );
        let fr = webhook_disabled(Language::Fr, "", "Acme", url, false, "https://acme.example/admin/integrations");
        assert!(fr.text.contains("trois jours") && fr.text.starts_with("Bonjour,"));
        assert_eq!(fr.subject, "[Acme] Un webhook a été désactivé");
    }
}
