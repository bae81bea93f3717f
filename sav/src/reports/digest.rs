//! The mailed digest: a summary of the period just ended, sent at an hour of the tenant's time
//! zone, daily or weekly, to the recipients an admin chose. The periods and send instants are
//! pure functions of the settings and the time (`Schedule`); the settings row keeps the end of
//! the last period written (`sent_through`), which the worker moves in the same transaction as
//! it writes the mail, so each period is mailed once whatever restarts or replicas do.

use base::FieldError;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sqlx::{Connection as _, PgConnection};
use utoipa::ToSchema;

use super::range::{self, to_jiff};
use crate::ids::UserId;
use crate::schedules::Day;
use crate::users;

/// The most recipients a digest has.
pub const RECIPIENTS_MAX: usize = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Frequency {
    Off,
    Daily,
    Weekly,
}

base::text_column!(Frequency, parse);

impl Frequency {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Off => "off",
            Self::Daily => "daily",
            Self::Weekly => "weekly",
        }
    }

    fn parse(word: &str) -> Option<Self> {
        [Self::Off, Self::Daily, Self::Weekly].into_iter().find(|f| f.as_str() == word)
    }
}

/// `PUT /v1/reports/digest`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DigestSettings {
    pub frequency: Frequency,
    /// The day a weekly digest is sent (default `mon`).
    #[serde(default = "monday")]
    pub weekday: Day,
    /// The hour it is sent, 0 to 23, on `time_zone`'s clock.
    pub hour: i16,
    /// An IANA time zone.
    pub time_zone: String,
    /// At most 20 addresses.
    pub recipients: Vec<String>,
}

fn monday() -> Day {
    Day::Mon
}

/// `GET /v1/reports/digest`: the settings, and where the digest stands.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Digest {
    pub frequency: Frequency,
    pub weekday: Day,
    pub hour: i16,
    pub time_zone: String,
    pub recipients: Vec<String>,
    /// The end (exclusive, on the digest's clock) of the last period mailed, or passed over
    /// because the settings were saved after its hour.
    pub last_sent_period_end: Option<NaiveDate>,
    /// When the next digest is sent (`None`: off).
    pub next_send_at: Option<DateTime<Utc>>,
}

/// A period whose digest is due: sent at `send_at`, about the tickets created in `[from, to)`
/// (`from_date`..`to_date` on the digest's clock).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    pub send_at: DateTime<Utc>,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub from_date: NaiveDate,
    pub to_date: NaiveDate,
}

/// The settings as the send instants' arithmetic reads them.
#[derive(Debug, Clone)]
pub struct Schedule {
    pub frequency: Frequency,
    pub weekday: Day,
    pub hour: i8,
    pub zone: jiff::tz::TimeZone,
}

impl Schedule {
    /// The settings read, or `None` for a zone the zone database does not know (checked on
    /// save) or an hour out of range.
    pub fn of(settings: &DigestSettings) -> Option<Self> {
        let hour = i8::try_from(settings.hour).ok().filter(|h| (0..24).contains(h))?;
        Some(Self {
            frequency: settings.frequency,
            weekday: settings.weekday,
            hour,
            zone: range::zone(&settings.time_zone)?,
        })
    }

    /// The days a digest goes out on, the period's length in days.
    fn days(&self) -> Option<i64> {
        match self.frequency {
            Frequency::Off => None,
            Frequency::Daily => Some(1),
            Frequency::Weekly => Some(7),
        }
    }

    /// The instant of `hour` on `day` on the digest's clock (an hour a DST change skips is
    /// moved past the gap).
    fn send_at(&self, day: jiff::civil::Date) -> DateTime<Utc> {
        let at = day.at(self.hour, 0, 0, 0).to_zoned(self.zone.clone()).expect("a day of the zone's range");
        from_jiff(at.timestamp())
    }

    /// The latest send day at or before `day`.
    fn send_day_at_or_before(&self, day: jiff::civil::Date) -> jiff::civil::Date {
        match self.frequency {
            Frequency::Weekly => {
                let back = (day.weekday().to_monday_zero_offset() - self.weekday.to_jiff().to_monday_zero_offset())
                    .rem_euclid(7);
                day.checked_sub(jiff::Span::new().days(back)).expect("a day of the zone's range")
            }
            Frequency::Off | Frequency::Daily => day,
        }
    }

    /// The latest period whose send instant is at or before `now`.
    pub fn latest(&self, now: DateTime<Utc>) -> Option<Due> {
        let days = self.days()?;
        let today = to_jiff(now).to_zoned(self.zone.clone()).date();
        let mut day = self.send_day_at_or_before(today);
        if self.send_at(day) > now {
            day = day.checked_sub(jiff::Span::new().days(days)).expect("a day of the zone's range");
        }
        let start = day.checked_sub(jiff::Span::new().days(days)).expect("a day of the zone's range");
        Some(Due {
            send_at: self.send_at(day),
            from: self.start_of(start),
            to: self.start_of(day),
            from_date: naive(start),
            to_date: naive(day),
        })
    }

    /// The first send instant after `now`.
    pub fn next_after(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let days = self.days()?;
        let latest = self.latest(now)?;
        let day = to_jiff(latest.send_at).to_zoned(self.zone.clone()).date();
        Some(self.send_at(day.checked_add(jiff::Span::new().days(days)).expect("a day of the zone's range")))
    }

    fn start_of(&self, day: jiff::civil::Date) -> DateTime<Utc> {
        let start = day.to_zoned(self.zone.clone()).and_then(|z| z.start_of_day()).expect("a day of the zone's range");
        from_jiff(start.timestamp())
    }
}

/// The period to mail now, if its send instant has come and it was not mailed yet.
pub fn pending(schedule: &Schedule, sent_through: Option<NaiveDate>, now: DateTime<Utc>) -> Option<Due> {
    schedule.latest(now).filter(|due| sent_through.is_none_or(|sent| sent < due.to_date))
}

/// What a save does to `sent_through`: a period whose hour passed before the save is passed
/// over (the digest of the period saved during its hour is still sent).
pub fn sent_through_on_save(
    schedule: &Schedule,
    sent_through: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> Option<NaiveDate> {
    match pending(schedule, sent_through, now) {
        Some(due) if now >= due.send_at + chrono::Duration::hours(1) => Some(due.to_date),
        _ => sent_through,
    }
}

fn from_jiff(at: jiff::Timestamp) -> DateTime<Utc> {
    DateTime::from_timestamp(at.as_second(), 0).expect("a jiff instant is within chrono's range")
}

fn naive(day: jiff::civil::Date) -> NaiveDate {
    NaiveDate::from_ymd_opt(
        i32::from(day.year()),
        u32::from(day.month().unsigned_abs()),
        u32::from(day.day().unsigned_abs()),
    )
    .expect("a civil date is a date")
}

impl DigestSettings {
    /// The settings with their addresses lower-cased and each once, or every refusal naming its
    /// field.
    pub fn checked(mut self) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        if !(0..24).contains(&self.hour) {
            errors.push(FieldError::new("hour", "must be 0 to 23"));
        }
        if range::zone(&self.time_zone).is_none() {
            errors.push(FieldError::new("time_zone", "must be an IANA time zone, such as Europe/Paris"));
        }
        if self.recipients.len() > RECIPIENTS_MAX {
            errors.push(FieldError::new("recipients", format!("at most {RECIPIENTS_MAX} addresses")));
        }
        let mut recipients: Vec<String> = Vec::with_capacity(self.recipients.len());
        for (n, address) in self.recipients.iter().enumerate() {
            match base::mail::address(address) {
                None => errors.push(FieldError::new(format!("recipients[{n}]"), "must be an email address")),
                Some(address) if !recipients.contains(&address) => recipients.push(address),
                Some(_) => {}
            }
        }
        if self.frequency != Frequency::Off && recipients.is_empty() && errors.is_empty() {
            errors.push(FieldError::new("recipients", "a digest needs at least one recipient"));
        }
        self.recipients = recipients;
        if errors.is_empty() { Ok(self) } else { Err(errors) }
    }
}

/// The settings row, if an admin saved one.
pub struct Stored {
    pub settings: DigestSettings,
    pub sent_through: Option<NaiveDate>,
}

/// The digest's settings; `lock` takes the row lock (the worker writing a period, a save).
pub async fn read(conn: &mut PgConnection, lock: bool) -> sqlx::Result<Option<Stored>> {
    let row = if lock {
        sqlx::query!(
            r#"SELECT frequency AS "frequency: Frequency", weekday AS "weekday: Day", hour, time_zone, recipients, sent_through
               FROM report_digest FOR UPDATE"#
        )
        .fetch_optional(conn)
        .await?
        .map(|r| (r.frequency, r.weekday, r.hour, r.time_zone, r.recipients, r.sent_through))
    } else {
        sqlx::query!(
            r#"SELECT frequency AS "frequency: Frequency", weekday AS "weekday: Day", hour, time_zone, recipients, sent_through
               FROM report_digest"#
        )
        .fetch_optional(conn)
        .await?
        .map(|r| (r.frequency, r.weekday, r.hour, r.time_zone, r.recipients, r.sent_through))
    };
    Ok(row.map(|(frequency, weekday, hour, time_zone, recipients, sent_through)| Stored {
        settings: DigestSettings { frequency, weekday, hour, time_zone, recipients },
        sent_through,
    }))
}

/// Writes the settings and `sent_through`.
pub async fn write(
    conn: &mut PgConnection,
    settings: &DigestSettings,
    sent_through: Option<NaiveDate>,
) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO report_digest (frequency, weekday, hour, time_zone, recipients, sent_through)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (tenant_id, id) DO UPDATE SET frequency = $1, weekday = $2, hour = $3, time_zone = $4, recipients = $5,
             sent_through = $6, updated_at = now()",
        settings.frequency.as_str(),
        settings.weekday.as_str(),
        settings.hour,
        settings.time_zone,
        &settings.recipients,
        sent_through,
    )
    .execute(conn)
    .await
    .map(drop)
}

/// Saves `settings` (checked) for `admin` at `now`, with its audit entry, in one transaction: a
/// period whose hour passed before the save is passed over. The digest as `GET` then shows it.
pub async fn save(
    conn: &mut PgConnection,
    admin: UserId,
    settings: DigestSettings,
    now: DateTime<Utc>,
) -> sqlx::Result<Digest> {
    let schedule = Schedule::of(&settings).expect("checked settings");
    let mut tx = conn.begin().await?;
    let before = read(&mut tx, true).await?.and_then(|stored| stored.sent_through);
    let sent_through = sent_through_on_save(&schedule, before, now);
    write(&mut tx, &settings, sent_through).await?;
    let details = serde_json::json!({
        "frequency": settings.frequency,
        "weekday": settings.weekday,
        "hour": settings.hour,
        "time_zone": settings.time_zone,
        "recipients": settings.recipients.len(),
    });
    users::audit_setting(&mut tx, admin, "report_digest_changed", details).await?;
    tx.commit().await?;
    Ok(Stored { settings, sent_through }.view(now))
}

/// Takes `address` (lower-case) off the digest's recipients (an erasure).
pub async fn forget(conn: &mut PgConnection, address: &str) -> sqlx::Result<()> {
    sqlx::query!("UPDATE report_digest SET recipients = array_remove(recipients, $1)", address)
        .execute(conn)
        .await
        .map(drop)
}

/// Records the period ending `to_date` as mailed.
pub async fn mark_sent(conn: &mut PgConnection, to_date: NaiveDate) -> sqlx::Result<()> {
    sqlx::query!("UPDATE report_digest SET sent_through = $1", to_date).execute(conn).await.map(drop)
}

/// The language each of `addresses` that is a member's reads mail in (lower-cased addresses).
pub async fn languages(conn: &mut PgConnection, addresses: &[String]) -> sqlx::Result<Vec<(String, Option<String>)>> {
    let rows = sqlx::query!(
        r#"SELECT lower(u.email) AS "address!", l.language FROM users u
           LEFT JOIN notification_languages l ON l.user_id = u.id
           WHERE lower(u.email) = ANY($1)"#,
        addresses,
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|r| (r.address, r.language)).collect())
}

impl Stored {
    /// The answer of `GET /v1/reports/digest` at `now`.
    pub fn view(&self, now: DateTime<Utc>) -> Digest {
        let schedule = Schedule::of(&self.settings);
        let next_send_at = schedule.as_ref().and_then(|schedule| match pending(schedule, self.sent_through, now) {
            Some(due) => Some(due.send_at.max(now)),
            None => schedule.next_after(now),
        });
        let settings = self.settings.clone();
        Digest {
            frequency: settings.frequency,
            weekday: settings.weekday,
            hour: settings.hour,
            time_zone: settings.time_zone,
            recipients: settings.recipients,
            last_sent_period_end: self.sent_through,
            next_send_at,
        }
    }

    /// What `GET` answers before any save.
    pub fn unset() -> Self {
        Self {
            settings: DigestSettings {
                frequency: Frequency::Off,
                weekday: Day::Mon,
                hour: 8,
                time_zone: "UTC".to_owned(),
                recipients: Vec::new(),
            },
            sent_through: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone as _;

    use super::*;

    fn schedule(frequency: Frequency, weekday: Day, hour: i8, zone: &str) -> Schedule {
        Schedule { frequency, weekday, hour, zone: range::zone(zone).unwrap() }
    }

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_daily_digest_covers_yesterday_on_the_zones_clock() {
        let paris = schedule(Frequency::Daily, Day::Mon, 8, "Europe/Paris");
        // 2026-11-27 07:30 UTC is 08:30 in Paris: today's digest is due.
        let due = paris.latest(at(2026, 11, 27, 7, 30)).unwrap();
        assert_eq!(due.send_at, at(2026, 11, 27, 7, 0));
        assert_eq!((due.from_date, due.to_date), (date(2026, 11, 26), date(2026, 11, 27)));
        assert_eq!((due.from, due.to), (at(2026, 11, 25, 23, 0), at(2026, 11, 26, 23, 0)));
        // 06:59 UTC, 07:59 in Paris: yesterday's is the latest.
        let before = paris.latest(at(2026, 11, 27, 6, 59)).unwrap();
        assert_eq!(before.to_date, date(2026, 11, 26));
        assert_eq!(paris.next_after(at(2026, 11, 27, 6, 59)), Some(at(2026, 11, 27, 7, 0)));
        assert_eq!(paris.next_after(at(2026, 11, 27, 7, 0)), Some(at(2026, 11, 28, 7, 0)));
    }

    #[test]
    fn a_weekly_digest_covers_the_seven_days_before_its_weekday() {
        // 2026-11-27 is a Friday.
        let monday = schedule(Frequency::Weekly, Day::Mon, 9, "UTC");
        let due = monday.latest(at(2026, 11, 27, 12, 0)).unwrap();
        assert_eq!(due.send_at, at(2026, 11, 23, 9, 0));
        assert_eq!((due.from_date, due.to_date), (date(2026, 11, 16), date(2026, 11, 23)));
        assert_eq!(monday.next_after(at(2026, 11, 27, 12, 0)), Some(at(2026, 11, 30, 9, 0)));
        let friday = schedule(Frequency::Weekly, Day::Fri, 9, "UTC");
        assert_eq!(friday.latest(at(2026, 11, 27, 12, 0)).unwrap().send_at, at(2026, 11, 27, 9, 0));
        assert_eq!(friday.latest(at(2026, 11, 27, 8, 0)).unwrap().send_at, at(2026, 11, 20, 9, 0));
    }

    #[test]
    fn days_that_change_the_clock_are_whole_days() {
        // Paris leaves summer time on 2026-10-25: that day lasts 25 hours.
        let paris = schedule(Frequency::Daily, Day::Mon, 0, "Europe/Paris");
        let due = paris.latest(at(2026, 10, 26, 0, 0)).unwrap();
        assert_eq!((due.from, due.to), (at(2026, 10, 24, 22, 0), at(2026, 10, 25, 23, 0)));
        // 02:00 does not exist on 2026-03-29 in Paris: sent at 03:00 summer time.
        let two = schedule(Frequency::Daily, Day::Mon, 2, "Europe/Paris");
        assert_eq!(two.latest(at(2026, 3, 29, 12, 0)).unwrap().send_at, at(2026, 3, 29, 1, 0));
    }

    #[test]
    fn a_period_is_pending_once_and_a_save_after_its_hour_passes_it_over() {
        let daily = schedule(Frequency::Daily, Day::Mon, 8, "UTC");
        let now = at(2026, 11, 27, 8, 20);
        assert_eq!(pending(&daily, None, now).unwrap().to_date, date(2026, 11, 27));
        assert!(pending(&daily, Some(date(2026, 11, 27)), now).is_none());
        // Saved during its hour: sent at once. Saved at 9:00 or later: next time.
        assert_eq!(sent_through_on_save(&daily, None, now), None);
        assert_eq!(sent_through_on_save(&daily, None, at(2026, 11, 27, 9, 0)), Some(date(2026, 11, 27)));
        assert_eq!(sent_through_on_save(&daily, Some(date(2026, 11, 27)), now), Some(date(2026, 11, 27)));
        let off = schedule(Frequency::Off, Day::Mon, 8, "UTC");
        assert!(off.latest(now).is_none() && off.next_after(now).is_none());
    }

    #[test]
    fn settings_are_checked_whole() {
        let settings = DigestSettings {
            frequency: Frequency::Weekly,
            weekday: Day::Tue,
            hour: 24,
            time_zone: "Nowhere/Town".into(),
            recipients: vec!["ok@example.com".into(), "not an address".into(), "OK@example.com".into()],
        };
        let fields: Vec<String> = settings.checked().unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["hour", "time_zone", "recipients[1]"]);
        let many = DigestSettings {
            frequency: Frequency::Daily,
            weekday: Day::Mon,
            hour: 8,
            time_zone: "UTC".into(),
            recipients: (0..21).map(|n| format!("p{n}@example.com")).collect(),
        };
        assert_eq!(many.checked().unwrap_err()[0].field, "recipients");
        let good = DigestSettings {
            frequency: Frequency::Daily,
            weekday: Day::Mon,
            hour: 8,
            time_zone: "UTC".into(),
            recipients: vec![" Lead@Example.com ".into(), "lead@example.com".into()],
        };
        assert_eq!(good.checked().unwrap().recipients, ["lead@example.com"]);
    }
}
