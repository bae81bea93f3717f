//! Holidays from an iCalendar file (RFC 5545), as public holiday calendars publish them: its
//! all-day events (`DTSTART;VALUE=DATE`), each a day or the days up to its `DTEND`, named by
//! their `SUMMARY`; a single event from this year on, up to ten years ahead; an event that
//! recurs every year (`RRULE:FREQ=YEARLY...`) expanded over this year and the next two. Every
//! event not imported is listed with why (`Skipped`), never dropped in silence: a holiday closes
//! whole days, of a year to come.

use std::collections::BTreeMap;
use std::ops::RangeInclusive;

use chrono::{Datelike as _, NaiveDate, TimeZone as _};
use icalendar::{Calendar, CalendarDateTime, Component as _, DatePerhapsTime};
use rrule::{Frequency, RRule, Tz, Unvalidated};

use super::{HOLIDAY_NAME_MAX_CHARS, Holiday};

/// The most days one event may close (a fortnight's closure and then some).
const DAYS_PER_EVENT_MAX: i64 = 31;

/// How far ahead a single event is imported, in days (ten years).
const SINGLE_AHEAD_DAYS: i64 = 3653;
/// The years after this one a yearly event is expanded over.
const YEARLY_AHEAD_YEARS: i32 = 2;

/// What a calendar holds for a schedule.
#[derive(Debug, PartialEq, Eq)]
pub struct Found {
    /// By date, one per date (the first event of a date names it).
    pub holidays: Vec<Holiday>,
    /// The events not imported, in the calendar's order.
    pub skipped: Vec<Skipped>,
}

/// An event of the calendar that is not a holiday here, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[schema(as = SkippedHoliday)]
pub struct Skipped {
    /// Its first day, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<NaiveDate>,
    pub summary: String,
    /// `time_of_day` (not a whole day), `not_yearly` (recurs otherwise), `past` (before this
    /// year), `too_far` (over ten years ahead).
    pub reason: SkipReason,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    TimeOfDay,
    NotYearly,
    Past,
    TooFar,
}

/// Not an iCalendar file.
#[derive(Debug, thiserror::Error)]
#[error("not an iCalendar file (RFC 5545): {0}")]
pub struct NotACalendar(String);

/// The holidays of `text` for a schedule on `today`.
pub fn holidays(text: &str, today: NaiveDate) -> Result<Found, NotACalendar> {
    if !text.trim_start().starts_with("BEGIN:VCALENDAR") {
        return Err(NotACalendar("it does not begin with BEGIN:VCALENDAR".into()));
    }
    let calendar: Calendar = text.parse().map_err(NotACalendar)?;
    let years = today.year()..=today.year() + YEARLY_AHEAD_YEARS;
    let this_year = NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today);
    let last_single = today + chrono::Duration::days(SINGLE_AHEAD_DAYS);
    let mut found = BTreeMap::new();
    let mut skipped = Vec::new();
    for event in calendar.events() {
        let name = name_of(event.get_summary());
        let mut skip = |date: Option<NaiveDate>, reason| skipped.push(Skipped { date, summary: name.clone(), reason });
        let first = match event.get_start() {
            Some(DatePerhapsTime::Date(first)) => first,
            Some(DatePerhapsTime::DateTime(at)) => {
                let date = match at {
                    CalendarDateTime::Floating(at) | CalendarDateTime::WithTimezone { date_time: at, .. } => at.date(),
                    CalendarDateTime::Utc(at) => at.date_naive(),
                };
                skip(Some(date), SkipReason::TimeOfDay);
                continue;
            }
            None => {
                skip(None, SkipReason::TimeOfDay);
                continue;
            }
        };
        let days = match event.get_end() {
            Some(DatePerhapsTime::Date(end)) if end > first => (end - first).num_days().min(DAYS_PER_EVENT_MAX),
            None | Some(DatePerhapsTime::Date(_)) => 1,
            Some(DatePerhapsTime::DateTime(_)) => {
                skip(Some(first), SkipReason::TimeOfDay);
                continue;
            }
        };
        let (starts, within): (Vec<NaiveDate>, Box<dyn Fn(NaiveDate) -> bool>) = match event.property_value("RRULE") {
            None if first > last_single => {
                skip(Some(first), SkipReason::TooFar);
                continue;
            }
            None => (vec![first], Box::new(|date| date >= this_year && date <= last_single)),
            Some(rule) => {
                let Some(starts) = yearly(rule, first, &years) else {
                    skip(Some(first), SkipReason::NotYearly);
                    continue;
                };
                (starts, Box::new(|date: NaiveDate| years.contains(&date.year())))
            }
        };
        let mut any = false;
        for start in starts {
            for offset in 0..days {
                let Some(date) = start.checked_add_signed(chrono::Duration::days(offset)) else { continue };
                if within(date) {
                    any = true;
                    found.entry(date).or_insert_with(|| name.clone());
                }
            }
        }
        if !any {
            skip(Some(first), if first < this_year { SkipReason::Past } else { SkipReason::TooFar });
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
        let found = holidays(FRENCH, date(2026, 3, 1)).unwrap();
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
        let skipped: Vec<(Option<NaiveDate>, &str, SkipReason)> =
            found.skipped.iter().map(|s| (s.date, s.summary.as_str(), s.reason)).collect();
        assert_eq!(
            skipped,
            [
                (Some(date(2026, 3, 10)), "Meeting", SkipReason::TimeOfDay),
                (Some(date(2026, 1, 5)), "Mondays", SkipReason::NotYearly),
            ]
        );
    }

    #[test]
    fn single_events_come_up_to_ten_years_ahead_and_the_rest_is_said() {
        let calendar = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Helpdeskly//Test//EN\r\n\
BEGIN:VEVENT\r\nUID:far\r\nDTSTART;VALUE=DATE:20340714\r\nSUMMARY:Jubilee\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:too-far\r\nDTSTART;VALUE=DATE:20400101\r\nSUMMARY:Far away\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:past\r\nDTSTART;VALUE=DATE:20190101\r\nSUMMARY:Long ago\r\nEND:VEVENT\r\n\
END:VCALENDAR\r\n";
        let found = holidays(calendar, date(2026, 3, 1)).unwrap();
        assert_eq!(found.holidays, [Holiday { date: date(2034, 7, 14), name: "Jubilee".into() }]);
        let reasons: Vec<(&str, SkipReason)> = found.skipped.iter().map(|s| (s.summary.as_str(), s.reason)).collect();
        assert_eq!(reasons, [("Far away", SkipReason::TooFar), ("Long ago", SkipReason::Past)]);
    }

    #[test]
    fn what_is_not_a_calendar_is_refused() {
        assert!(holidays("", date(2026, 3, 1)).is_err());
        assert!(holidays("{\"holidays\": []}", date(2026, 3, 1)).is_err());
        assert!(holidays("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n", date(2026, 3, 1)).is_err());
    }

    #[test]
    fn an_event_without_a_summary_is_a_holiday_all_the_same() {
        let text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTART;VALUE=DATE:20261111\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let found = holidays(text, date(2026, 3, 1)).unwrap();
        assert_eq!(found.holidays, [Holiday { date: date(2026, 11, 11), name: "Holiday".into() }]);
    }
}
