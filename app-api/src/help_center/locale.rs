//! The languages of the help center: each article is written in one, and the public pages,
//! search configurations and category names follow it.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The languages of the help center.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
#[schema(as = HelpLocale)]
pub enum Locale {
    En,
    Fr,
}

impl Locale {
    pub const ALL: [Self; 2] = [Self::En, Self::Fr];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Fr => "fr",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.as_str() == value)
    }
}

shared::text_column!(Locale, parse);
