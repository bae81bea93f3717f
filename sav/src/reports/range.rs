//! The parameters the reports share, read as plain values: a range of creation (`from`, `to`
//! exclusive, RFC 3339 instants or dates at midnight in `time_zone`, UTC by default), and how
//! the performance report groups and buckets tickets. Each refusal names its parameter.

use base::FieldError;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

/// The longest range a report covers.
pub const SPAN_DAYS_MAX: i64 = 366;

/// Tickets created in `[from, to)`, dates and periods read on `zone`'s clock.
#[derive(Debug, Clone)]
pub struct Range {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// The IANA name of the zone, as given (`UTC` by default).
    pub time_zone: String,
    pub zone: jiff::tz::TimeZone,
}

/// An IANA time zone by name, as the bundled zone database knows it.
pub fn zone(name: &str) -> Option<jiff::tz::TimeZone> {
    if name.is_empty() || name.len() > 64 {
        return None;
    }
    jiff::tz::TimeZone::get(name).ok()
}

/// The IANA zone named `time_zone` (`UTC` when absent), or its refusal naming `time_zone`.
pub fn zone_field(time_zone: Option<&str>) -> Result<jiff::tz::TimeZone, FieldError> {
    zone(time_zone.unwrap_or("UTC"))
        .ok_or_else(|| FieldError::new("time_zone", "must be an IANA time zone, such as Europe/Paris"))
}

impl Range {
    /// `from`, `to` and `time_zone` as given, or every refusal (a parameter missing or unreadable,
    /// an unknown zone, `from` after `to`, a span over 366 days).
    pub fn parse(from: Option<&str>, to: Option<&str>, time_zone: Option<&str>) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = time_zone.unwrap_or("UTC");
        let zone = zone_field(time_zone).map_err(|e| errors.push(e)).ok();
        let clock = zone.clone().unwrap_or(jiff::tz::TimeZone::UTC);
        let mut read = |field: &str, value: Option<&str>| match value.map(|v| instant(v, &clock)) {
            Some(Some(at)) => Some(at),
            Some(None) => {
                errors.push(FieldError::new(field, "must be an RFC 3339 instant or a date (YYYY-MM-DD)"));
                None
            }
            None => {
                errors.push(FieldError::new(field, "is required"));
                None
            }
        };
        let (from, to) = (read("from", from), read("to", to));
        if let (Some(from), Some(to)) = (from, to) {
            if from > to {
                errors.push(FieldError::new("from", "must not be after `to`"));
            } else if to - from > chrono::Duration::days(SPAN_DAYS_MAX) {
                errors.push(FieldError::new("to", format!("must be at most {SPAN_DAYS_MAX} days after `from`")));
            }
        }
        match (from, to, zone) {
            (Some(from), Some(to), Some(zone)) if errors.is_empty() => {
                Ok(Self { from, to, time_zone: name.to_owned(), zone })
            }
            _ => Err(errors),
        }
    }

    /// The day on the range's clock of `at`.
    pub fn date_of(&self, at: DateTime<Utc>) -> NaiveDate {
        let day = to_jiff(at).to_zoned(self.zone.clone()).date();
        NaiveDate::from_ymd_opt(
            i32::from(day.year()),
            u32::from(day.month().unsigned_abs()),
            u32::from(day.day().unsigned_abs()),
        )
        .expect("a civil date is a date")
    }
}

/// An RFC 3339 instant, or a date at midnight on `zone`'s clock (the first instant of that day
/// where midnight is skipped).
fn instant(value: &str, zone: &jiff::tz::TimeZone) -> Option<DateTime<Utc>> {
    if let Ok(at) = DateTime::parse_from_rfc3339(value) {
        return Some(at.with_timezone(&Utc));
    }
    let date: jiff::civil::Date = value.parse().ok().filter(|_| value.len() == 10)?;
    let start = date.to_zoned(zone.clone()).ok()?.start_of_day().ok()?;
    DateTime::from_timestamp(start.timestamp().as_second(), 0)
}

pub(crate) fn to_jiff(at: DateTime<Utc>) -> jiff::Timestamp {
    jiff::Timestamp::from_second(at.timestamp()).expect("a chrono instant is within jiff's range")
}

/// What the performance report groups tickets by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Grouping {
    /// The current assignee.
    Agent,
    Team,
    Priority,
    /// Each of a ticket's tags (a ticket counts under each of them).
    Tag,
    /// Where the ticket came from: `web`, `email`, `api`.
    Channel,
    /// The ticket's customer organisation.
    Organization,
}

/// The buckets of creation time the performance report splits each group into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    Day,
    /// Monday to Sunday.
    Week,
    Month,
}

impl Grouping {
    const ALL: [(&'static str, Self); 6] = [
        ("agent", Self::Agent),
        ("team", Self::Team),
        ("priority", Self::Priority),
        ("tag", Self::Tag),
        ("channel", Self::Channel),
        ("organization", Self::Organization),
    ];

    /// `group_by` as given, or its refusal.
    pub fn parse(value: Option<&str>) -> Result<Self, FieldError> {
        let Some(value) = value else { return Err(FieldError::new("group_by", "is required")) };
        Self::ALL.iter().find(|(name, _)| *name == value).map(|(_, grouping)| *grouping).ok_or_else(|| {
            FieldError::new("group_by", "must be one of agent, team, priority, tag, channel, organization")
        })
    }
}

impl Period {
    /// `period` as given (absent: none), or its refusal.
    pub fn parse(value: Option<&str>) -> Result<Option<Self>, FieldError> {
        match value {
            None => Ok(None),
            Some("day") => Ok(Some(Self::Day)),
            Some("week") => Ok(Some(Self::Week)),
            Some("month") => Ok(Some(Self::Month)),
            Some(_) => Err(FieldError::new("period", "must be one of day, week, month")),
        }
    }

    /// Its word for PostgreSQL's `date_trunc`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Day => "day",
            Self::Week => "week",
            Self::Month => "month",
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone as _;

    use super::*;

    fn fields(errors: &[FieldError]) -> Vec<&str> {
        errors.iter().map(|e| e.field.as_str()).collect()
    }

    #[test]
    fn dates_are_midnight_on_the_zones_clock_and_instants_are_kept() {
        let utc = Range::parse(Some("2026-03-01"), Some("2026-04-01T10:00:00+02:00"), None).unwrap();
        assert_eq!(utc.from, Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap());
        assert_eq!(utc.to, Utc.with_ymd_and_hms(2026, 4, 1, 8, 0, 0).unwrap());
        assert_eq!(utc.time_zone, "UTC");
        let paris = Range::parse(Some("2026-03-01"), Some("2026-04-01"), Some("Europe/Paris")).unwrap();
        assert_eq!(paris.from, Utc.with_ymd_and_hms(2026, 2, 28, 23, 0, 0).unwrap());
        // Summer time since 29 March.
        assert_eq!(paris.to, Utc.with_ymd_and_hms(2026, 3, 31, 22, 0, 0).unwrap());
        assert_eq!(paris.date_of(Utc.with_ymd_and_hms(2026, 3, 31, 22, 30, 0).unwrap()).to_string(), "2026-04-01");
    }

    #[test]
    fn a_span_of_366_days_is_taken_and_one_more_second_is_not() {
        assert!(Range::parse(Some("2024-01-01"), Some("2025-01-01"), None).is_ok());
        let errors = Range::parse(Some("2024-01-01T00:00:00Z"), Some("2025-01-01T00:00:01Z"), None).unwrap_err();
        assert_eq!(fields(&errors), ["to"]);
    }

    #[test]
    fn every_refusal_names_its_parameter() {
        assert_eq!(fields(&Range::parse(Some("2026-05-02"), Some("2026-05-01"), None).unwrap_err()), ["from"]);
        assert_eq!(fields(&Range::parse(None, None, None).unwrap_err()), ["from", "to"]);
        let errors = Range::parse(Some("yesterday"), Some("2026-13-01"), Some("Mars/Olympus")).unwrap_err();
        assert_eq!(fields(&errors), ["time_zone", "from", "to"]);
        assert!(Range::parse(Some("2026-5-1"), Some("2026-06-01"), None).is_err());
        assert_eq!(Grouping::parse(Some("customer")).unwrap_err().field, "group_by");
        assert_eq!(Grouping::parse(None).unwrap_err().field, "group_by");
        assert_eq!(Grouping::parse(Some("tag")).unwrap(), Grouping::Tag);
        assert_eq!(Period::parse(Some("year")).unwrap_err().field, "period");
        assert_eq!(Period::parse(None).unwrap(), None);
    }

    #[test]
    fn an_equal_from_and_to_is_an_empty_range() {
        let range = Range::parse(Some("2026-05-01"), Some("2026-05-01"), None).unwrap();
        assert_eq!(range.from, range.to);
    }
}
