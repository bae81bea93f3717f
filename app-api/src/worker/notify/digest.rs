//! The reports' digest as timed work of the tenants' schedule (`Work::Digest`): every second
//! the tenants whose digest is due are claimed (leased, so a replica that dies mid-way leaves
//! the tenant to another when the lease ends); for each, under the settings' row lock, the period
//! just ended is measured (`sav::reports::performance`), one mail per recipient is written to
//! the deliveries, and the period is recorded sent, in one transaction: a period is mailed once
//! whatever restarts or replicas do. The tenant's next due time is then written, and the sender
//! is told there is mail.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use control_schema::directory::TenantRow;
use control_schema::schedule::{self, Work};
use sav::reports::digest::{self, Due, Schedule};
use sav::reports::performance;
use sav::reports::range::{Grouping, Range};
use shared::work_queue::Lanes;
use uuid::Uuid;

use super::Notifier;
use crate::notifications::metrics::Outcome;
use crate::notifications::store::{self, NewMail};
use crate::notifications::{Channel, Kind, Language, digest as words};
use crate::tenancy::resolve::Tenant;
use crate::worker::pacing::{RetriedVisit, Visits};

/// The digests' queue in the work queues' metrics.
pub const QUEUE: &str = "report_digests";
/// Tenants claimed per turn, and worked at once.
const LANES: Lanes = Lanes { batch: 10, concurrency: 2, claims: 1 };

/// Runs the digests until `stop`.
pub async fn run(notifier: Notifier, stop: impl Future<Output = ()> + Send + 'static) {
    let state = Arc::new(notifier.state.clone());
    let notifier = Arc::new(notifier);
    crate::worker::pacing::drain_schedule(
        state,
        Work::Digest,
        move |_| Visits(Digests(Arc::clone(&notifier))),
        LANES,
        stop,
    )
    .await;
}

/// The digest part of the tenants' schedule.
struct Digests(Arc<Notifier>);

impl RetriedVisit for Digests {
    const QUEUE: &'static str = QUEUE;
    const WORK: Work = Work::Digest;
    const RETRY: Duration = Duration::from_secs(60);
    const FAILED: &'static str = "report digest failed";

    fn control_db(&self) -> &sqlx::PgPool {
        &self.0.state.tenancy.control_db
    }

    async fn visit(&self, tenant: TenantRow) -> Result<(), String> {
        visit(&self.0, tenant, Utc::now()).await
    }
}

/// Writes the tenant's pending digest, if any, and its next due time.
pub async fn visit(notifier: &Notifier, row: TenantRow, now: DateTime<Utc>) -> Result<(), String> {
    let tenant = Arc::new(Tenant::from_row(row).map_err(|e| e.to_string())?);
    let next = write_pending(notifier, &tenant, now).await?;
    schedule::set_due(&notifier.state.tenancy.control_db, Work::Digest, tenant.id, next)
        .await
        .map_err(|e| format!("its next due time: {e}"))
}

/// In one transaction: the pending period's mail written and the period recorded sent. Returns
/// when the digest is next due (`None`: off, or no settings).
async fn write_pending(
    notifier: &Notifier,
    tenant: &Arc<Tenant>,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, String> {
    let state = &notifier.state;
    let mut conn = state.tenancy.pools.acquire(tenant).await.map_err(|e| e.to_string())?;
    let mut tx = conn.begin_report_writer().await.map_err(|e| e.to_string())?;
    let Some(stored) = digest::read(&mut tx, true).await.map_err(|e| e.to_string())? else {
        return Ok(None);
    };
    let Some(schedule) = Schedule::of(&stored.settings) else { return Ok(None) };
    let Some(due) = digest::pending(&schedule, stored.sent_through, now) else {
        return Ok(schedule.next_after(now));
    };
    let written = write_mail(notifier, tenant, &mut tx, &stored.settings.recipients, &due, schedule.zone.clone(), now)
        .await
        .map_err(|e| format!("its mail: {e}"))?;
    digest::mark_sent(&mut tx, due.to_date).await.map_err(|e| e.to_string())?;
    tx.commit().await.map_err(|e| e.to_string())?;
    if written > 0 {
        notifier.mail_queue.push(&tenant.slug, Some(Arc::clone(tenant)));
    }
    tracing::info!(tenant = %tenant.id, period_end = %due.to_date, mail = written, "report digest written");
    Ok(schedule.next_after(now))
}

/// One mail per recipient about `due`, each in the language of the member with that address
/// (English for the others); never to an address that bounced for good or auto-replied. How
/// many were written.
async fn write_mail(
    notifier: &Notifier,
    tenant: &Tenant,
    tx: &mut sqlx::PgConnection,
    recipients: &[String],
    due: &Due,
    zone: jiff::tz::TimeZone,
    now: DateTime<Utc>,
) -> Result<usize, shared::ApiError> {
    let time_zone = zone.iana_name().unwrap_or("UTC").to_owned();
    let range = Range { from: due.from, to: due.to, time_zone, zone };
    let report = performance::report(tx, &range, Grouping::Team, None, now).await?;
    let (total, rows) = report.map(|r| (r.total, r.rows)).unwrap_or_default();
    let total = figures(&total);
    let teams: Vec<(Option<String>, words::Figures)> =
        rows.iter().map(|row| (row.key.as_ref().and(row.label.clone()), figures(&row.measures))).collect();
    let languages = digest::languages(tx, recipients).await?;
    let unmailable = store::unmailable(tx, recipients).await?;
    let organisation = notifier.organisation_name(tenant).await;
    let reports_url = format!("{}/admin/reports", notifier.app_url(&tenant.slug));
    let domain = &notifier.state.config.notifications.mail.reply_domain;
    let event_id = Uuid::new_v4();
    let last_day = due.to_date.pred_opt().unwrap_or(due.to_date);
    let facts = words::Facts {
        organisation: &organisation,
        first_day: due.from_date,
        last_day,
        total: &total,
        teams: &teams,
        reports_url: &reports_url,
    };
    let mut written = 0;
    for (index, address) in recipients.iter().enumerate() {
        if unmailable.iter().any(|refused| refused.eq_ignore_ascii_case(address)) {
            notifier.metrics().delivery(Kind::ReportDigest, Channel::Email, Outcome::Suppressed);
            continue;
        }
        let language = languages
            .iter()
            .find(|(known, _)| known == address)
            .and_then(|(_, language)| language.as_deref().and_then(Language::parse))
            .unwrap_or_default();
        let rendered = words::render(language, &facts);
        let message_id = format!("{}.digest{index}@{domain}", event_id.simple());
        let mail = NewMail::standalone(event_id, Kind::ReportDigest, address, language, &message_id, &rendered, now);
        if store::insert_mail(tx, &mail).await? {
            written += 1;
            notifier.metrics().delivery(Kind::ReportDigest, Channel::Email, Outcome::Queued);
        }
    }
    Ok(written)
}

/// The report's measures as the digest's words take them.
fn figures(m: &performance::Measures) -> words::Figures {
    words::Figures {
        created: m.created,
        resolved: m.resolved,
        reopened: m.reopened,
        first_response_median: m.first_response_minutes.median,
        first_response_p90: m.first_response_minutes.p90,
        resolution_median: m.resolution_minutes.median,
        resolution_p90: m.resolution_minutes.p90,
        sla_met_ratio: m.sla_met_ratio,
        csat_average: m.csat_average,
    }
}
