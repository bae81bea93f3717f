//! The help center: articles that answer customers before they write, on each organisation's
//! host. Staff write them (`articles`, `categories`; the Markdown made into sanitised HTML once
//! by `markdown`), anyone reads the published ones through the API and the server-rendered
//! pages (`pages`), `search` finds them in their own language, and `readers` counts what readers
//! did with them for the team's report; `images` keeps the pictures articles show.

pub mod articles;
pub mod categories;
pub mod images;
pub mod locale;
pub mod markdown;
pub mod pages;
pub mod readers;
pub mod search;

use std::fmt::Write as _;
use std::net::IpAddr;

use chrono::NaiveDate;
use prometheus::{IntCounterVec, Registry};
use sav::ids::UserId;
use shared::config::EncryptionKey;
use shared::metrics::Registrar;
use uuid::Uuid;

/// The help center's part of the state: its metrics and the key that keeps voters' addresses
/// out of the database.
pub struct HelpCenter {
    pub metrics: HelpMetrics,
    voters: EncryptionKey,
}

impl HelpCenter {
    pub fn new(voters: EncryptionKey, registry: &Registry) -> Self {
        Self { metrics: HelpMetrics::register(registry), voters }
    }

    /// Who votes: a signed-in person by id; anyone else by a keyed digest of their address, the
    /// tenant and the day (the address is never stored, and a day's digest tells nothing of
    /// another's).
    pub fn voter(&self, tenant: Uuid, person: Option<UserId>, address: Option<IpAddr>, day: NaiveDate) -> String {
        if let Some(person) = person {
            return format!("user:{person}");
        }
        let address = address.map_or_else(|| "unknown".to_owned(), |a| a.to_string());
        let seen = format!("{tenant}|{day}|{address}");
        let digest = shared::crypto::keyed_digest(&self.voters, seen.as_bytes());
        let hex = digest.iter().take(16).fold(String::with_capacity(32), |mut hex, b| {
            let _ = write!(hex, "{b:02x}");
            hex
        });
        format!("address:{hex}")
    }
}

/// What readers do with the help center, for Prometheus.
pub struct HelpMetrics {
    searches: IntCounterVec,
    views: IntCounterVec,
    votes: IntCounterVec,
}

impl HelpMetrics {
    pub const OUTCOMES: [&str; 2] = ["found", "empty"];
    pub const SOURCES: [&str; 2] = ["direct", "suggestion"];
    pub const VOTES: [&str; 3] = ["helpful", "not_helpful", "repeat"];

    fn register(registry: &Registry) -> Self {
        let registrar = Registrar(registry);
        let searches = registrar.counter_vec(
            "help_center_searches_total",
            "Help center searches by customers and visitors, by outcome (found: at least one article)",
            &["outcome"],
        );
        let views = registrar.counter_vec(
            "help_center_article_views_total",
            "Help center articles read by anyone but staff, by where the reader came from (suggestion: the \
             new-ticket form's)",
            &["source"],
        );
        let votes = registrar.counter_vec(
            "help_center_votes_total",
            "Helpful votes on help center articles (repeat: the voter had voted on it that day, not counted)",
            &["vote"],
        );
        for outcome in Self::OUTCOMES {
            searches.with_label_values(&[outcome]);
        }
        for source in Self::SOURCES {
            views.with_label_values(&[source]);
        }
        for vote in Self::VOTES {
            votes.with_label_values(&[vote]);
        }
        Self { searches, views, votes }
    }

    pub fn searched(&self, found: bool) {
        self.searches.with_label_values(&[if found { "found" } else { "empty" }]).inc();
    }

    pub fn viewed(&self, suggested: bool) {
        self.views.with_label_values(&[if suggested { "suggestion" } else { "direct" }]).inc();
    }

    pub fn voted(&self, helpful: bool, counted: bool) {
        let vote = match (counted, helpful) {
            (false, _) => "repeat",
            (true, true) => "helpful",
            (true, false) => "not_helpful",
        };
        self.votes.with_label_values(&[vote]).inc();
    }
}
