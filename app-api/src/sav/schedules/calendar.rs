//! Holidays from an iCalendar file (RFC 5545), as public holiday calendars publish them: its
//! all-day events (`DTSTART;VALUE=DATE`), each a day or the days up to its `DTEND`, named by
//! their `SUMMARY`; an event that recurs every year (`RRULE:FREQ=YEARLY...`) is expanded over
//! the years asked for. Events with a time of day, or recurring otherwise, are skipped: a
//! holiday closes whole days.

use std::collections::BTreeMap;
use std::ops::RangeInclusive;

use chrono::{Datelike as _, NaiveDate, TimeZone as _};
use icalendar::{Calendar, Component as _, DatePerhapsTime};
use rrule::{Frequency, RRule, Tz, Unvalidated};

use super::{HOLIDAY_NAME_MAX_CHARS, Holiday};

/// The most days one event may close (a fortnight's closure and then some).
const DAYS_PER_EVENT_MAX: i64 = 31;

/// What a calendar holds for a schedule.
#[derive(Debug, PartialEq, Eq)]
pub struct Found {
    /// By date, one per date (the first event of a date names it).
    pub holidays: Vec<Holiday>,
    /// Events that do not close whole days, or recur other than yearly.
    pub skipped: usize,
}

/// Not an iCalendar file.
#[derive(Debug, thiserror::Error)]
#[error("not an iCalendar file (RFC 5545): {0}")]
pub struct NotACalendar(String);

/// The holidays of `text` falling in `years`.
pub fn holidays(text: &str, years: RangeInclusive<i32>) -> Result<Found, NotACalendar> {
    if !text.trim_start().starts_with("BEGIN:VCALENDAR") {
        return Err(NotACalendar("it does not begin with BEGIN:VCALENDAR".into()));
    }
    let calendar: Calendar = text.parse().map_err(NotACalendar)?;
    let mut found = BTreeMap::new();
    let mut skipped = 0;
    for event in calendar.events() {
        let (Some(DatePerhapsTime::Date(first)), end) = (event.get_start(), event.get_end()) else {
            skipped += 1;
            continue;
        };
        let days = match end {
            Some(DatePerhapsTime::Date(end)) if end > first => (end - first).num_days().min(DAYS_PER_EVENT_MAX),
            None | Some(DatePerhapsTime::Date(_)) => 1,
            Some(DatePerhapsTime::DateTime(_)) => {
                skipped += 1;
                continue;
            }
        };
        let starts = match event.property_value("RRULE") {
            None => vec![first],
            Some(rule) => {
                let Some(starts) = yearly(rule, first, &years) else {
                    skipped += 1;
                    continue;
                };
                starts
            }
        };
        let name = name_of(event.get_summary());
        for start in starts {
            for offset in 0..days {
                let Some(date) = start.checked_add_signed(chrono::Duration::days(offset)) else { continue };
                if years.contains(&date.year()) {
                    found.entry(date).or_insert_with(|| name.clone());
                }
            }
        }
    }
    let holidays = found.into_iter().map(|(date, name)| Holiday { date, name }).collect();
    Ok(Found { holidays, skipped })
}

/// The dates of a yearly rule from `first` that fall in `years`; `None` for a rule that is not
/// yearly or does not read.
fn yearly(rule: &str, first: NaiveDate, years: &RangeInclusive<i32>) -> Option<Vec<NaiveDate>> {
    let rule: RRule<Unvalidated> = rule.parse().ok()?;
    if rule.get_freq() != Frequency::Yearly {
        return None;
    }
    let at = |date: NaiveDate| Tz::UTC.from_utc_datetime(&date.and_time(chrono::NaiveTime::MIN));
    let start = at(first);
    let from = at(NaiveDate::from_ymd_opt(*years.start(), 1, 1)?);
    let to = at(NaiveDate::from_ymd_opt(years.end().checked_add(1)?, 1, 1)?);
    let set = rule.build(start).ok()?.after(from - chrono::Duration::days(DAYS_PER_EVENT_MAX)).before(to);
    let limit = u16::try_from((years.end() - years.start() + 1).max(1) * 60).unwrap_or(u16::MAX);
    Some(set.all(limit).dates.into_iter().map(|date| date.date_naive()).collect())
}

/// An event's summary as a holiday's name: trimmed, without control characters, cut to the
/// names' length; "Holiday" when it has none.
fn name_of(summary: Option<&str>) -> String {
    let name: String = summary
        .unwrap_or_default()
        .replace("\\,", ",")
        .replace("\\;", ";")
        .chars()
        .filter(|c| !c.is_control())
        .take(HOLIDAY_NAME_MAX_CHARS)
        .collect();
    let name = name.trim();
    if name.is_empty() { "Holiday".to_owned() } else { name.to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    const FRENCH: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Helpdeskly//Test//EN\r\n\
BEGIN:VEVENT\r\nUID:may-day\r\nDTSTART;VALUE=DATE:20200501\r\nRRULE:FREQ=YEARLY\r\nSUMMARY:Fête du Travail\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:ascension-2027\r\nDTSTART;VALUE=DATE:20270506\r\nDTEND;VALUE=DATE:20270507\r\nSUMMARY:Ascension\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:thanksgiving\r\nDTSTART;VALUE=DATE:20201126\r\nRRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=4TH\r\nSUMMARY:Thanksgiving\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:closure\r\nDTSTART;VALUE=DATE:20261224\r\nDTEND;VALUE=DATE:20261227\r\nSUMMARY:Winter closure\\, all teams\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:meeting\r\nDTSTART:20260310T090000Z\r\nSUMMARY:Meeting\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:weekly\r\nDTSTART;VALUE=DATE:20260105\r\nRRULE:FREQ=WEEKLY\r\nSUMMARY:Mondays\r\nEND:VEVENT\r\n\
END:VCALENDAR\r\n";

    #[test]
    fn all_day_events_yearly_rules_and_closures_over_three_years() {
        let found = holidays(FRENCH, 2026..=2028).unwrap();
        let dates: Vec<(NaiveDate, &str)> = found.holidays.iter().map(|h| (h.date, h.name.as_str())).collect();
        assert_eq!(
            dates,
            [
                (date(2026, 5, 1), "Fête du Travail"),
                (date(2026, 11, 26), "Thanksgiving"),
                (date(2026, 12, 24), "Winter closure, all teams"),
                (date(2026, 12, 25), "Winter closure, all teams"),
                (date(2026, 12, 26), "Winter closure, all teams"),
                (date(2027, 5, 1), "Fête du Travail"),
                (date(2027, 5, 6), "Ascension"),
                (date(2027, 11, 25), "Thanksgiving"),
                (date(2028, 5, 1), "Fête du Travail"),
                (date(2028, 11, 23), "Thanksgiving"),
            ]
        );
        // The meeting has a time of day; the weekly rule is not a holiday's.
        assert_eq!(found.skipped, 2);
    }

    #[test]
    fn what_is_not_a_calendar_is_refused() {
        assert!(holidays("", 2026..=2028).is_err());
        assert!(holidays("{\"holidays\": []}", 2026..=2028).is_err());
        assert!(holidays("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n", 2026..=2028).is_err());
    }

    #[test]
    fn an_event_without_a_summary_is_a_holiday_all_the_same() {
        let text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTART;VALUE=DATE:20261111\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let found = holidays(text, 2026..=2026).unwrap();
        assert_eq!(found.holidays, [Holiday { date: date(2026, 11, 11), name: "Holiday".into() }]);
    }
}
