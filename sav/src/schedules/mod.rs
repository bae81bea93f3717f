//! Business hours: a tenant's schedules (a time zone, each weekday's working intervals,
//! holidays), kept by admins (`create`, `change`, `remove`, `import_holidays`: each one
//! transaction with its audit entry) and read by staff. `business` counts working time under
//! one; SLA policies name the schedule their targets count in.

pub mod business;
pub mod calendar;

use std::collections::BTreeMap;

use base::FieldError;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sqlx::types::Json;
use sqlx::{Connection as _, PgConnection};
use utoipa::ToSchema;
use uuid::Uuid;

use self::business::{DAY_MINUTES, Schedule, ScheduleError};
use super::users;
use crate::ids::{ScheduleId, UserId};

/// A tenant holds at most this many schedules.
pub const MAX_PER_TENANT: i64 = 20;
pub const NAME_MAX_CHARS: usize = 100;
/// The most intervals of one schedule (a week of days cut in eight, and some).
pub const INTERVALS_MAX: usize = 70;
/// The most holidays of one schedule (three years of a generous calendar).
pub const HOLIDAYS_MAX: usize = 500;
pub const HOLIDAY_NAME_MAX_CHARS: usize = 100;

/// A day of the week.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Day {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

base::text_column!(Day, parse);

impl Day {
    pub const ALL: [Self; 7] = [Self::Mon, Self::Tue, Self::Wed, Self::Thu, Self::Fri, Self::Sat, Self::Sun];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Mon => "mon",
            Self::Tue => "tue",
            Self::Wed => "wed",
            Self::Thu => "thu",
            Self::Fri => "fri",
            Self::Sat => "sat",
            Self::Sun => "sun",
        }
    }

    fn parse(word: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.as_str() == word)
    }

    /// Monday 0 to Sunday 6.
    fn index(self) -> usize {
        self as usize
    }

    pub fn to_jiff(self) -> jiff::civil::Weekday {
        match self {
            Self::Mon => jiff::civil::Weekday::Monday,
            Self::Tue => jiff::civil::Weekday::Tuesday,
            Self::Wed => jiff::civil::Weekday::Wednesday,
            Self::Thu => jiff::civil::Weekday::Thursday,
            Self::Fri => jiff::civil::Weekday::Friday,
            Self::Sat => jiff::civil::Weekday::Saturday,
            Self::Sun => jiff::civil::Weekday::Sunday,
        }
    }
}

/// A working interval of a weekday, on the schedule's clock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Interval {
    pub day: Day,
    /// `HH:MM`, from 00:00.
    #[schema(example = "09:00")]
    pub start: String,
    /// `HH:MM`, after `start`, up to `24:00` (the end of the day).
    #[schema(example = "17:00")]
    pub end: String,
}

/// A closed day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Holiday {
    pub date: NaiveDate,
    /// 1 to 100 characters.
    pub name: String,
}

/// A schedule.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ScheduleView {
    #[schema(value_type = Uuid)]
    pub id: ScheduleId,
    pub name: String,
    /// An IANA time zone, such as `Europe/Paris`.
    pub time_zone: String,
    /// By day, then start.
    pub intervals: Vec<Interval>,
    /// By date.
    pub holidays: Vec<Holiday>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A schedule's fields, as given.
#[derive(Debug, Clone)]
pub struct Fields {
    pub name: String,
    pub time_zone: String,
    pub intervals: Vec<Interval>,
    pub holidays: Vec<Holiday>,
}

/// What to change of a schedule; `None` keeps a field (intervals and holidays are replaced whole).
#[derive(Debug, Default)]
pub struct Patch {
    pub name: Option<String>,
    pub time_zone: Option<String>,
    pub intervals: Option<Vec<Interval>>,
    pub holidays: Option<Vec<Holiday>>,
}

/// Minutes from midnight of `HH:MM` (00:00 to 24:00).
fn minutes_of(clock: &str) -> Option<u16> {
    let (hours, minutes) = clock.split_once(':')?;
    if hours.len() != 2 || minutes.len() != 2 {
        return None;
    }
    let (hours, minutes): (u16, u16) = (hours.parse().ok()?, minutes.parse().ok()?);
    let total = hours.checked_mul(60)?.checked_add(minutes)?;
    (minutes < 60 && total <= DAY_MINUTES).then_some(total)
}

fn clock_of(minutes: u16) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// `fields` checked and put in order (intervals by day then start, as `HH:MM`; holidays by
/// date, names trimmed), with the schedule they make, or the errors of each field.
pub fn checked(mut fields: Fields) -> Result<(Fields, Schedule), Vec<FieldError>> {
    let mut errors = Vec::new();
    let name = fields.name.trim().to_owned();
    fields.name = name;
    let chars = fields.name.chars().count();
    if chars == 0 || chars > NAME_MAX_CHARS || fields.name.chars().any(char::is_control) {
        errors.push(FieldError::new("name", "must be 1 to 100 characters, without control characters"));
    }
    if fields.intervals.len() > INTERVALS_MAX {
        errors.push(FieldError::new("intervals", "must hold at most 70 intervals"));
    }
    let mut week: [Vec<(u16, u16)>; 7] = Default::default();
    for (index, interval) in fields.intervals.iter().enumerate().take(INTERVALS_MAX) {
        match (minutes_of(&interval.start), minutes_of(&interval.end)) {
            (Some(start), Some(end)) if start < end && start < DAY_MINUTES => {
                week[interval.day.index()].push((start, end));
            }
            (Some(_), Some(_)) => {
                errors.push(FieldError::new(format!("intervals[{index}].end"), "must be after start"));
            }
            (start, _) => {
                let field = if start.is_none() { "start" } else { "end" };
                errors.push(FieldError::new(
                    format!("intervals[{index}].{field}"),
                    "must be a time of day as HH:MM, from 00:00 to 24:00",
                ));
            }
        }
    }
    if fields.holidays.len() > HOLIDAYS_MAX {
        errors.push(FieldError::new("holidays", "must hold at most 500 holidays"));
    }
    let mut dates = BTreeMap::new();
    for (index, holiday) in fields.holidays.iter_mut().enumerate() {
        let name = holiday.name.trim().to_owned();
        holiday.name = name;
        let chars = holiday.name.chars().count();
        if chars == 0 || chars > HOLIDAY_NAME_MAX_CHARS || holiday.name.chars().any(char::is_control) {
            errors.push(FieldError::new(format!("holidays[{index}].name"), "must be 1 to 100 characters"));
        }
        if dates.insert(holiday.date, index).is_some() {
            errors.push(FieldError::new(format!("holidays[{index}].date"), "another holiday has this date"));
        }
    }
    let zone = fields.time_zone.trim().to_owned();
    fields.time_zone = zone;
    let holidays = fields.holidays.iter().map(|h| h.date);
    let schedule = match Schedule::new(&fields.time_zone, week, holidays) {
        Ok(schedule) => Some(schedule),
        Err(ScheduleError::UnknownZone(_)) => {
            errors.push(FieldError::new("time_zone", "must be a time zone of the IANA database, such as Europe/Paris"));
            None
        }
        Err(ScheduleError::Overlap) => {
            errors.push(FieldError::new("intervals", "the intervals of a day may not overlap"));
            None
        }
        // Each interval was checked above.
        Err(ScheduleError::BadInterval) => None,
    };
    match schedule {
        Some(schedule) if errors.is_empty() => {
            fields.intervals = ordered(&schedule);
            fields.holidays.sort_by_key(|h| h.date);
            Ok((fields, schedule))
        }
        _ => Err(errors),
    }
}

/// The schedule a stored one makes: its zone, its intervals (as written, checked then) and its
/// holidays' dates.
pub fn working(
    time_zone: &str,
    intervals: &[Interval],
    holidays: impl IntoIterator<Item = NaiveDate>,
) -> Result<Schedule, ScheduleError> {
    let mut week: [Vec<(u16, u16)>; 7] = Default::default();
    for interval in intervals {
        let (Some(start), Some(end)) = (minutes_of(&interval.start), minutes_of(&interval.end)) else {
            return Err(ScheduleError::BadInterval);
        };
        week[interval.day.index()].push((start, end));
    }
    Schedule::new(time_zone, week, holidays)
}

/// The intervals of `schedule` by day, then start.
fn ordered(schedule: &Schedule) -> Vec<Interval> {
    Day::ALL
        .into_iter()
        .zip(schedule.week())
        .flat_map(|(day, intervals)| {
            intervals.iter().map(move |&(start, end)| Interval { day, start: clock_of(start), end: clock_of(end) })
        })
        .collect()
}

struct Row {
    id: ScheduleId,
    name: String,
    time_zone: String,
    intervals: Json<Vec<Interval>>,
    holidays: Json<Vec<Holiday>>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<Row> for ScheduleView {
    fn from(row: Row) -> Self {
        Self {
            id: row.id,
            name: row.name,
            time_zone: row.time_zone,
            intervals: row.intervals.0,
            holidays: row.holidays.0,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

/// Every schedule of the tenant, by name.
pub async fn all(conn: &mut PgConnection) -> sqlx::Result<Vec<ScheduleView>> {
    read(conn, None).await
}

/// Schedule `id`.
pub async fn get(conn: &mut PgConnection, id: ScheduleId) -> sqlx::Result<Option<ScheduleView>> {
    Ok(read(conn, Some(id)).await?.pop())
}

async fn read(conn: &mut PgConnection, id: Option<ScheduleId>) -> sqlx::Result<Vec<ScheduleView>> {
    let rows = sqlx::query_as!(
        Row,
        r#"SELECT s.id AS "id: ScheduleId", s.name, s.time_zone, s.intervals AS "intervals!: Json<Vec<Interval>>",
                coalesce((SELECT jsonb_agg(jsonb_build_object('date', h.day, 'name', h.name) ORDER BY h.day)
                          FROM schedule_holidays h WHERE h.schedule_id = s.id), '[]') AS "holidays!: Json<Vec<Holiday>>",
                s.created_at, s.updated_at
           FROM schedules s WHERE $1::uuid IS NULL OR s.id = $1 ORDER BY lower(s.name), s.id LIMIT $2"#,
        id as _,
        MAX_PER_TENANT,
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(ScheduleView::from).collect())
}

/// Schedules are made and renamed one at a time per tenant, so the count and the names hold.
async fn lock_for_change(conn: &mut PgConnection) -> sqlx::Result<()> {
    sqlx::query!("LOCK TABLE schedules IN SHARE ROW EXCLUSIVE MODE").execute(conn).await.map(drop)
}

async fn name_taken(conn: &mut PgConnection, name: &str, except: Option<ScheduleId>) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM schedules WHERE lower(name) = lower($1) AND id IS DISTINCT FROM $2) AS "taken!""#,
        name,
        except as _,
    )
    .fetch_one(conn)
    .await
}

/// Why a schedule is not made, changed or deleted; the HTTP layer gives each its answer
/// (app-api's `refusals`).
#[derive(Debug, thiserror::Error)]
pub enum Refused {
    /// No schedule of this tenant has the id asked for.
    #[error("no such schedule")]
    NotFound,
    /// Another schedule has this name.
    #[error("another schedule has this name")]
    NameTaken,
    /// An SLA policy counts its targets in the schedule: it stays while one does.
    #[error("an SLA policy counts its targets in this schedule: change that policy first")]
    InUse,
    /// The tenant holds `MAX_PER_TENANT` schedules already, or a schedule as many holidays as it
    /// may.
    #[error("{0}")]
    LimitReached(String),
    /// Fields that break the rules, each with why.
    #[error("some fields are invalid")]
    Invalid(Vec<FieldError>),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Schedule `id` becomes `fields` (made, or changed), its holidays replaced.
async fn write(tx: &mut PgConnection, id: ScheduleId, fields: &Fields) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO schedules (id, name, time_zone, intervals) VALUES ($1, $2, $3, $4)
         ON CONFLICT (tenant_id, id) DO UPDATE SET name = EXCLUDED.name, time_zone = EXCLUDED.time_zone,
           intervals = EXCLUDED.intervals, updated_at = now()",
        id as _,
        fields.name,
        fields.time_zone,
        Json(&fields.intervals) as _,
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!("DELETE FROM schedule_holidays WHERE schedule_id = $1", id as _).execute(&mut *tx).await?;
    add_holidays(tx, id, &fields.holidays).await.map(drop)
}

/// Adds `holidays` to schedule `id`, keeping those it has on the same dates: how many were added.
async fn add_holidays(tx: &mut PgConnection, id: ScheduleId, holidays: &[Holiday]) -> sqlx::Result<u64> {
    let dates: Vec<NaiveDate> = holidays.iter().map(|h| h.date).collect();
    let names: Vec<&str> = holidays.iter().map(|h| h.name.as_str()).collect();
    let added = sqlx::query!(
        "INSERT INTO schedule_holidays (schedule_id, day, name)
         SELECT $1, day, name FROM unnest($2::date[], $3::text[]) AS h (day, name)
         ON CONFLICT (tenant_id, schedule_id, day) DO NOTHING",
        id as _,
        &dates,
        &names as &[&str],
    )
    .execute(tx)
    .await?;
    Ok(added.rows_affected())
}

/// Makes a schedule for `admin`, within the tenant's limit, with its audit entry, in one
/// transaction.
pub async fn create(conn: &mut PgConnection, admin: UserId, fields: Fields) -> Result<ScheduleView, Refused> {
    let (fields, _) = checked(fields).map_err(Refused::Invalid)?;
    let mut tx = conn.begin().await?;
    lock_for_change(&mut tx).await?;
    let count = sqlx::query_scalar!(r#"SELECT count(*) AS "count!" FROM schedules"#).fetch_one(&mut *tx).await?;
    if count >= MAX_PER_TENANT {
        return Err(Refused::LimitReached("this organisation holds 20 schedules: delete one first".to_owned()));
    }
    if name_taken(&mut tx, &fields.name, None).await? {
        return Err(Refused::NameTaken);
    }
    let id = ScheduleId(Uuid::now_v7());
    write(&mut tx, id, &fields).await?;
    let details = serde_json::json!({ "schedule_id": id, "name": fields.name });
    users::audit(&mut tx, admin, "schedule_created", id.0, details).await?;
    let created = get(&mut tx, id).await?.ok_or(Refused::NotFound)?;
    tx.commit().await?;
    Ok(created)
}

/// Changes schedule `id` by `patch`, checked as a whole, with its audit entry, in one
/// transaction. Clocks that start or resume afterwards count in the new schedule.
pub async fn change(
    conn: &mut PgConnection,
    admin: UserId,
    id: ScheduleId,
    patch: Patch,
) -> Result<ScheduleView, Refused> {
    let mut tx = conn.begin().await?;
    lock_for_change(&mut tx).await?;
    let current = get(&mut tx, id).await?.ok_or(Refused::NotFound)?;
    let fields = Fields {
        name: patch.name.unwrap_or(current.name),
        time_zone: patch.time_zone.unwrap_or(current.time_zone),
        intervals: patch.intervals.unwrap_or(current.intervals),
        holidays: patch.holidays.unwrap_or(current.holidays),
    };
    let (fields, _) = checked(fields).map_err(Refused::Invalid)?;
    if name_taken(&mut tx, &fields.name, Some(id)).await? {
        return Err(Refused::NameTaken);
    }
    write(&mut tx, id, &fields).await?;
    let details = serde_json::json!({ "schedule_id": id, "name": fields.name });
    users::audit(&mut tx, admin, "schedule_changed", id.0, details).await?;
    let changed = get(&mut tx, id).await?.ok_or(Refused::NotFound)?;
    tx.commit().await?;
    Ok(changed)
}

/// Whether the default SLA policy's current version counts its targets in schedule `id`, asked in
/// the transaction that deletes it: a version adopted meanwhile waits for it, and is refused if
/// it names `id` (it takes the versions, then the schedule).
async fn default_policy_uses(conn: &mut PgConnection, id: ScheduleId) -> sqlx::Result<bool> {
    sqlx::query!("LOCK TABLE sla_policy_versions IN SHARE MODE").execute(&mut *conn).await?;
    let current = sqlx::query_scalar!(
        r#"SELECT schedule_id AS "schedule_id: ScheduleId" FROM sla_policy_versions ORDER BY id DESC LIMIT 1"#
    )
    .fetch_one(conn)
    .await?;
    Ok(current == Some(id))
}

/// Deletes schedule `id` with its audit entry; refused while an SLA policy uses it.
pub async fn remove(conn: &mut PgConnection, admin: UserId, id: ScheduleId) -> Result<(), Refused> {
    let mut tx = conn.begin().await?;
    // The default policy names its schedule without a foreign key (its versions never change);
    // the policies by condition have one (`ON DELETE RESTRICT`).
    if default_policy_uses(&mut tx, id).await? {
        return Err(Refused::InUse);
    }
    let name = sqlx::query_scalar!("DELETE FROM schedules WHERE id = $1 RETURNING name", id as _)
        .fetch_optional(&mut *tx)
        .await
        .map_err(|error| match &error {
            sqlx::Error::Database(db) if db.is_foreign_key_violation() => Refused::InUse,
            _ => Refused::from(error),
        })?
        .ok_or(Refused::NotFound)?;
    let details = serde_json::json!({ "schedule_id": id, "name": name });
    users::audit(&mut tx, admin, "schedule_deleted", id.0, details).await?;
    tx.commit().await?;
    Ok(())
}

/// Adds the holidays of an iCalendar file to schedule `id` (`calendar::holidays`), keeping
/// those it has on the same dates, within its limit: how many were added.
pub async fn import_holidays(
    conn: &mut PgConnection,
    admin: UserId,
    id: ScheduleId,
    holidays: Vec<Holiday>,
) -> Result<u64, Refused> {
    let mut tx = conn.begin().await?;
    lock_for_change(&mut tx).await?;
    let current = get(&mut tx, id).await?.ok_or(Refused::NotFound)?;
    let known: std::collections::BTreeSet<NaiveDate> = current.holidays.iter().map(|h| h.date).collect();
    let new: Vec<Holiday> = holidays.into_iter().filter(|h| !known.contains(&h.date)).collect();
    if known.len() + new.len() > HOLIDAYS_MAX {
        return Err(Refused::LimitReached(format!(
            "a schedule holds at most {HOLIDAYS_MAX} holidays; this one has {} and the calendar adds {}",
            known.len(),
            new.len()
        )));
    }
    let added = add_holidays(&mut tx, id, &new).await?;
    sqlx::query!("UPDATE schedules SET updated_at = now() WHERE id = $1", id as _).execute(&mut *tx).await?;
    let details = serde_json::json!({ "schedule_id": id, "name": current.name, "holidays_added": added });
    users::audit(&mut tx, admin, "schedule_holidays_imported", id.0, details).await?;
    tx.commit().await?;
    Ok(added)
}
