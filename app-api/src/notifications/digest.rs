//! The words of the reports' digest (`sav::reports::digest`), in the recipient's language: the
//! period's totals, then each team's line. Plain functions of plain values; every name is text,
//! escaped in the HTML part.

use std::fmt::Write as _;

use chrono::NaiveDate;
use shared::mail::escape_html as escape;

use super::Language;
use super::render::Rendered;

/// What the performance report says of a set of tickets (`sav::reports::performance`), as the
/// digest tells it. Times in minutes.
#[derive(Debug, Clone, Default)]
pub struct Figures {
    pub created: i64,
    pub resolved: i64,
    pub reopened: i64,
    pub first_response_median: Option<f64>,
    pub first_response_p90: Option<f64>,
    pub resolution_median: Option<f64>,
    pub resolution_p90: Option<f64>,
    pub sla_met_ratio: Option<f64>,
    pub csat_average: Option<f64>,
}

/// What a digest is written from.
pub struct Facts<'a> {
    pub organisation: &'a str,
    /// The period's first and last day (inclusive), on the digest's clock.
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    pub total: &'a Figures,
    /// One line per team, by name (`None`: the tickets of no team).
    pub teams: &'a [(Option<String>, Figures)],
    /// The reports page.
    pub reports_url: &'a str,
}

struct Words {
    subject: &'static str,
    period: &'static str,
    created: &'static str,
    resolved: &'static str,
    reopened: &'static str,
    first_response: &'static str,
    resolution: &'static str,
    median_p90: &'static str,
    sla_met: &'static str,
    csat: &'static str,
    by_team: &'static str,
    no_team: &'static str,
    team: &'static str,
    open: &'static str,
    why: &'static str,
    /// The colon, spaced as the language spaces it.
    colon: &'static str,
}

const EN: Words = Words {
    subject: "Support digest",
    period: "Tickets created from",
    created: "Created",
    resolved: "Resolved",
    reopened: "Reopened",
    first_response: "First response",
    resolution: "Resolution",
    median_p90: "median / 90th percentile",
    sla_met: "SLA met",
    csat: "Satisfaction",
    by_team: "By team",
    no_team: "No team",
    team: "Team",
    open: "Open the reports",
    why: "You receive this digest because an administrator of {org} added your address to it.",
    colon: ": ",
};

const FR: Words = Words {
    subject: "Résumé du support",
    period: "Tickets créés du",
    created: "Créés",
    resolved: "Résolus",
    reopened: "Rouverts",
    first_response: "Première réponse",
    resolution: "Résolution",
    median_p90: "médiane / 90e centile",
    sla_met: "SLA respecté",
    csat: "Satisfaction",
    by_team: "Par équipe",
    no_team: "Sans équipe",
    team: "Équipe",
    open: "Ouvrir les rapports",
    why: "Vous recevez ce résumé car un administrateur de {org} y a ajouté votre adresse.",
    colon: "\u{a0}: ",
};

/// The digest's mail in `language`.
pub fn render(language: Language, facts: &Facts<'_>) -> Rendered {
    let fr = language == Language::Fr;
    let w = if fr { &FR } else { &EN };
    let (first, last) = (day(facts.first_day, fr), day(facts.last_day, fr));
    let span = if first == last { first.clone() } else { format!("{first} – {last}") };
    let subject = format!("{} {}{}{span}", w.subject, facts.organisation, w.colon);
    let to = if fr { "au" } else { "to" };
    let period = format!("{} {first} {to} {last}", w.period);
    let t = facts.total;
    let lines = [
        (w.created, t.created.to_string()),
        (w.resolved, t.resolved.to_string()),
        (w.reopened, t.reopened.to_string()),
        (w.first_response, spread(t.first_response_median, t.first_response_p90, fr)),
        (w.resolution, spread(t.resolution_median, t.resolution_p90, fr)),
        (w.sla_met, ratio(t.sla_met_ratio, fr)),
        (w.csat, csat(t.csat_average, fr)),
    ];
    let why = w.why.replace("{org}", facts.organisation);

    let mut text = format!("{subject}\n\n{period}\n\n");
    for (name, value) in &lines {
        let _ = writeln!(text, "{name}{}{value}", w.colon);
    }
    let _ = writeln!(text, "({} {})", w.first_response.to_lowercase(), w.median_p90);
    if !facts.teams.is_empty() {
        let _ = writeln!(text, "\n{}", w.by_team);
        for (name, m) in facts.teams {
            let name = name.as_deref().unwrap_or(w.no_team);
            let _ = writeln!(
                text,
                "- {name}{}{} {}, {} {}, {} {}, {} {}",
                w.colon,
                m.created,
                w.created.to_lowercase(),
                m.resolved,
                w.resolved.to_lowercase(),
                w.first_response.to_lowercase(),
                minutes(m.first_response_median, fr),
                w.sla_met,
                ratio(m.sla_met_ratio, fr),
            );
        }
    }
    let _ = write!(text, "\n{}{}{}\n\n-- \n{why}\n", w.open, w.colon, facts.reports_url);

    let mut html = format!(
        "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{}</title></head><body>\n<h1>{}</h1>\n<p>{}</p>\n<table>\n",
        language.as_str(),
        escape(&subject),
        escape(&subject),
        escape(&period),
    );
    for (name, value) in &lines {
        let _ = writeln!(html, "<tr><th scope=\"row\">{}</th><td>{}</td></tr>", escape(name), escape(value));
    }
    let _ = writeln!(html, "</table>\n<p><small>{}: {}</small></p>", escape(w.first_response), escape(w.median_p90));
    if !facts.teams.is_empty() {
        let _ = write!(
            html,
            "<h2>{}</h2>\n<table>\n<tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr>\n",
            escape(w.by_team),
            escape(w.team),
            escape(w.created),
            escape(w.resolved),
            escape(w.first_response),
            escape(w.sla_met),
        );
        for (name, m) in facts.teams {
            let _ = writeln!(
                html,
                "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(name.as_deref().unwrap_or(w.no_team)),
                m.created,
                m.resolved,
                escape(&minutes(m.first_response_median, fr)),
                escape(&ratio(m.sla_met_ratio, fr)),
            );
        }
        html.push_str("</table>\n");
    }
    let _ = write!(
        html,
        "<p><a href=\"{}\">{}</a></p>\n<hr>\n<p><small>{}</small></p>\n</body></html>\n",
        escape(facts.reports_url),
        escape(w.open),
        escape(&why),
    );
    Rendered { title: subject.chars().take(300).collect(), subject, text, html }
}

fn day(date: NaiveDate, fr: bool) -> String {
    if fr { date.format("%d/%m/%Y").to_string() } else { date.format("%Y-%m-%d").to_string() }
}

/// A duration in minutes as a person reads it: `45 min`, `3 h 20 min`, `2 d 4 h`; `—` for none.
fn minutes(value: Option<f64>, fr: bool) -> String {
    let Some(value) = value else { return "—".to_owned() };
    #[allow(clippy::cast_possible_truncation, reason = "whole minutes of a report, far below i64's range")]
    let total = value.round() as i64;
    let (days, hours, mins) = (total / 1440, total % 1440 / 60, total % 60);
    let d = if fr { "j" } else { "d" };
    match (days, hours) {
        (0, 0) => format!("{mins} min"),
        (0, _) => format!("{hours} h {mins} min"),
        _ => format!("{days} {d} {hours} h"),
    }
}

fn spread(median: Option<f64>, p90: Option<f64>, fr: bool) -> String {
    format!("{} / {}", minutes(median, fr), minutes(p90, fr))
}

fn ratio(value: Option<f64>, fr: bool) -> String {
    let Some(value) = value else { return "—".to_owned() };
    let percent = format!("{:.1}", value * 100.0);
    if fr { format!("{} %", percent.replace('.', ",")) } else { format!("{percent}%") }
}

fn csat(value: Option<f64>, fr: bool) -> String {
    let Some(value) = value else { return "—".to_owned() };
    let average = format!("{value:.2}");
    if fr { format!("{} / 5", average.replace('.', ",")) } else { format!("{average} / 5") }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn measures(created: i64) -> Figures {
        Figures {
            created,
            resolved: 3,
            reopened: 1,
            first_response_median: Some(42.4),
            first_response_p90: Some(200.0),
            resolution_median: Some(3000.0),
            resolution_p90: None,
            sla_met_ratio: Some(0.875),
            csat_average: Some(4.5),
        }
    }

    #[test]
    fn the_digest_says_the_period_its_totals_and_each_team_in_both_languages() {
        let total = measures(5);
        let teams = [(Some("<Billing>".to_owned()), measures(4)), (None, measures(1))];
        let facts = Facts {
            organisation: "Acme",
            first_day: NaiveDate::from_ymd_opt(2026, 11, 16).unwrap(),
            last_day: NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(),
            total: &total,
            teams: &teams,
            reports_url: "https://acme.example.com/admin/reports",
        };
        let en = render(Language::En, &facts);
        assert_eq!(en.subject, "Support digest Acme: 2026-11-16 – 2026-11-22");
        assert!(en.text.contains("Created: 5\n"), "{}", en.text);
        assert!(en.text.contains("First response: 42 min / 3 h 20 min\n"), "{}", en.text);
        assert!(en.text.contains("Resolution: 2 d 2 h / —\n"), "{}", en.text);
        assert!(en.text.contains("SLA met: 87.5%\n") && en.text.contains("Satisfaction: 4.50 / 5"), "{}", en.text);
        assert!(en.text.contains("- <Billing>: 4 created") && en.text.contains("- No team: 1 created"), "{}", en.text);
        assert!(en.html.contains("&lt;Billing&gt;") && !en.html.contains("<Billing>"));
        assert!(en.html.contains("<html lang=\"en\">"));
        let fr = render(Language::Fr, &facts);
        assert_eq!(fr.subject, "Résumé du support Acme\u{a0}: 16/11/2026 – 22/11/2026");
        assert!(fr.text.contains("SLA respecté\u{a0}: 87,5 %") && fr.text.contains("Sans équipe"), "{}", fr.text);
        assert!(fr.text.contains("Résolution\u{a0}: 2 j 2 h / —"), "{}", fr.text);
    }
}
