"""Writes monitoring/grafana/dashboards/*.json, the operators' dashboards, from the lists below.

    python3 scripts/grafana-dashboards.py           # rewrite the JSON files
    python3 scripts/grafana-dashboards.py --check   # fail when the files differ from this script

Every query uses the datasource by uid (monitoring/grafana/provisioning/datasources) and only
metrics the services export; systests/test_monitoring.py evaluates every one against live data.
Labels are bounded (route templates, status classes, fixed outcomes): no tenant appears in any
series. Which tenants are busiest is the control plane's to say (GET /v1/tenants, the platform
operators' API), not a label.
"""

import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "monitoring", "grafana", "dashboards")
DATASOURCE = {"type": "prometheus", "uid": "helpdeskly-prometheus"}
RI = "$__rate_interval"
NOT_PROBES = 'route!~"/health|/ready|/metrics"'


def ts(title, exprs, unit="short", legend=None, stack=False):
    """A time series panel; exprs: [(expr, legend)]."""
    return {"type": "timeseries", "title": title, "unit": unit, "targets": exprs, "stack": stack}


def stat(title, expr, legend="", unit="short"):
    return {"type": "stat", "title": title, "unit": unit, "targets": [(expr, legend)]}


def row(title):
    return {"type": "row", "title": title}


def text(title, content):
    return {"type": "text", "title": title, "content": content}


DASHBOARDS = {
    "helpdeskly-overview": ("Helpdeskly / Platform overview", ["helpdeskly"], [
        row("Traffic"),
        stat("Services up", 'sum by (job) (up{job=~"control-api|app-api|app-api-worker"})', "{{job}}"),
        ts("Requests per second by service", [(f"sum by (job) (rate(http_requests_total[{RI}]))", "{{job}}")], "reqps"),
        ts("Requests per second by status class",
           [(f"sum by (job, status_class) (rate(http_requests_total[{RI}]))", "{{job}} {{status_class}}")], "reqps"),
        ts("Busiest routes", [(f"topk(10, sum by (job, method, route) (rate(http_requests_total{{{NOT_PROBES}}}[{RI}])))",
                               "{{job}} {{method}} {{route}}")], "reqps"),
        ts("Requests in flight", [("sum by (job) (http_requests_in_flight)", "{{job}}")]),
        ts("Requests refused by rate limits (429), by budget",
           [(f"sum by (job, limit) (rate(http_rate_limited_total[{RI}]))", "{{job}} {{limit}}")], "reqps"),
        row("Errors and latency"),
        ts("5xx ratio by service", [(
            f'(sum by (job) (rate(http_requests_total{{status_class="5xx"}}[{RI}])) or sum by (job) (rate(http_requests_total[{RI}])) * 0)'
            f" / sum by (job) (rate(http_requests_total[{RI}]))", "{{job}}")], "percentunit"),
        ts("4xx by route", [(f'sum by (job, route) (rate(http_requests_total{{status_class="4xx"}}[{RI}]))',
                             "{{job}} {{route}}")], "reqps"),
        ts("p99 latency by route", [(
            f"histogram_quantile(0.99, sum by (job, route, le) (rate(http_request_duration_seconds_bucket{{{NOT_PROBES}}}[{RI}])))",
            "{{job}} {{route}}")], "s"),
        ts("p50 latency by service", [(
            f"histogram_quantile(0.5, sum by (job, le) (rate(http_request_duration_seconds_bucket{{{NOT_PROBES}}}[{RI}])))",
            "{{job}}")], "s"),
        row("Tenants"),
        ts("Sign-ups accepted", [(
            f'sum(rate(http_requests_total{{job="control-api",route="/v1/tenants/signup",status_class="2xx"}}[{RI}]))',
            "sign-ups")], "reqps"),
        ts("Provisioning jobs by kind and result",
           [(f"sum by (kind, result) (rate(provisioning_jobs_total[{RI}]))", "{{kind}} {{result}}")], "ops"),
        ts("Sign-up to active (p50, p90)", [
            (f"histogram_quantile(0.5, sum by (le) (rate(tenant_signup_to_active_seconds_bucket[{RI}])))", "p50"),
            (f"histogram_quantile(0.9, sum by (le) (rate(tenant_signup_to_active_seconds_bucket[{RI}])))", "p90")], "s"),
        text("Tenants by status", "Tenants by status are not a metric (a label per tenant would be unbounded): "
             "ask the control plane, `GET /v1/tenants?status=active|provisioning|failed|suspended` with a "
             "platform operator's token. Failed provisioning shows in the panel beside, and alerts."),
        row("Processes"),
        ts("Resident memory", [("sum by (job, instance) (process_resident_memory_bytes)", "{{job}} {{instance}}")], "bytes"),
        ts("CPU", [(f"sum by (job, instance) (rate(process_cpu_seconds_total[{RI}]))", "{{job}} {{instance}}")], "percentunit"),
        ts("Open file descriptors", [("sum by (job, instance) (process_open_fds)", "{{job}} {{instance}}")]),
    ]),
    "helpdeskly-tenants": ("Helpdeskly / Tenants and pools", ["helpdeskly"], [
        row("Connection budget (per app-api, fitted to the clusters at start)"),
        ts("Tenant connections open and idle", [
            ("sum by (instance) (tenant_connections_open)", "open {{instance}}"),
            ("sum by (instance) (tenant_connections_idle)", "idle {{instance}}")]),
        ts("Budget used", [(
            "max by (instance) (tenant_connections_open) / max by (instance) (tenant_connections_budget)", "{{instance}}")],
           "percentunit"),
        ts("Budget (each process's, after fitting)", [("max by (instance) (tenant_connections_budget)", "{{instance}}")]),
        ts("Tenants with a pool", [("sum by (instance) (tenant_pools_open)", "{{instance}}")]),
        row("Pool churn"),
        ts("Pools opened, connections evicted and retired", [
            (f"sum(rate(tenant_pool_creations_total[{RI}]))", "pools opened"),
            (f"sum(rate(tenant_pool_evictions_total[{RI}]))", "evictions"),
            (f"sum(rate(tenant_connections_retired_total[{RI}]))", "retired for age")], "ops"),
        ts("Connection waits (p50, p99)", [
            (f"histogram_quantile(0.5, sum by (le) (rate(tenant_pool_acquire_wait_seconds_bucket[{RI}])))", "p50"),
            (f"histogram_quantile(0.99, sum by (le) (rate(tenant_pool_acquire_wait_seconds_bucket[{RI}])))", "p99")], "s"),
        ts("Refused for lack of a connection (503)", [(f"sum(rate(tenant_pool_acquire_timeouts_total[{RI}]))", "timeouts")],
           "ops"),
        row("Tenant resolution and Redis"),
        ts("Tenant resolution: requests resolved per second", [(
            f'sum by (status_class) (rate(http_requests_total{{job=~"app-api.*",route=~"/v1/.*"}}[{RI}]))',
            "{{status_class}}")], "reqps"),
        stat("Redis breaker open", "max by (job) (redis_breaker_open)", "{{job}}"),
        text("Resolution cache", "app-api resolves a tenant from its process cache, then Redis (HMAC-checked), then "
             "the control database; it exports no hit counter yet. Redis fallbacks (`redis_fallbacks_total{use}`) "
             "appear once Redis fails, and the breaker panel beside says when."),
        row("Placement"),
        ts("Tenants by placement (not deleted)", [("max by (placement) (tenants)", "{{placement}}")]),
        ts("Tenants in each pool database", [
            ("max by (cluster, database) (pool_database_tenants)", "{{cluster}} {{database}}")]),
        ts("Tenant moves by outcome", [
            (f"sum by (outcome) (increase(tenant_moves_total[{RI}]))", "{{outcome}}")]),
        ts("Writes held by moves' switches (seconds, and switches)", [
            (f"sum(increase(tenant_move_switch_seconds_sum[{RI}]))", "seconds held"),
            (f"sum(increase(tenant_move_switch_seconds_count[{RI}]))", "switches")]),
    ]),
    "helpdeskly-sav": ("Helpdeskly / SAV and SLA", ["helpdeskly"], [
        row("Tickets"),
        ts("Tickets created, messages posted, status changes", [
            (f'sum(rate(http_requests_total{{job="app-api",method="POST",route="/v1/tickets",status_class="2xx"}}[{RI}]))',
             "tickets created"),
            (f'sum(rate(http_requests_total{{job="app-api",method="POST",route="/v1/tickets/{{id}}/messages",status_class="2xx"}}[{RI}]))',
             "messages posted"),
            (f'sum(rate(http_requests_total{{job="app-api",route=~"/v1/tickets/{{id}}/status|/v1/tickets/bulk/status",status_class="2xx"}}[{RI}]))',
             "status changes")], "ops"),
        ts("Ticket reads and searches", [(
            f'sum by (route) (rate(http_requests_total{{job="app-api",method="GET",route=~"/v1/tickets.*"}}[{RI}]))',
            "{{route}}")], "reqps"),
        text("Tickets by status and priority", "Counts by status and priority live in each tenant's database: "
             "`GET /v1/sla/summary` (open tickets by status and priority, breaches, tickets at risk) answers for "
             "one tenant, and `GET /v1/agents/workload` per agent. Platform-wide, the panels here show the flows: "
             "tickets created, first replies (messages), status changes, breaches and auto-closes."),
        row("SLA"),
        ts("SLA breaches by priority and target", [(
            f"sum by (priority, sla_type) (increase(sla_breaches_total[{RI}]))", "{{priority}} {{sla_type}}")]),
        ts("Tickets closed by the system, by status left", [(
            f"sum by (from) (increase(tickets_auto_closed_total[{RI}]))", "from {{from}}")]),
        ts("SLA check duration (p99)", [(
            f"histogram_quantile(0.99, sum by (le) (rate(sav_job_check_seconds_bucket[{RI}])))", "p99")], "s"),
        ts("Tenants visited by the SAV jobs", [(
            f"sum by (reason, outcome) (rate(sav_job_visits_total[{RI}]))", "{{reason}} {{outcome}}")], "ops"),
        ts("Due tickets the jobs could not act on", [(f"sum(increase(sav_job_failures_total[{RI}]))", "failures")]),
        row("Teams and routing"),
        ts("Routing decisions by mode and result", [(
            f"sum by (mode, result) (rate(routing_decisions_total[{RI}]))", "{{mode}} {{result}}")], "ops"),
        ts("Tickets waiting in routed teams' queues", [("max(routing_waiting_tickets)", "waiting")]),
        ts("Oldest wait in a routed team's queue", [
            ("max(routing_oldest_wait_seconds)", "any team"),
            ("max(routing_unstaffed_wait_seconds)", "a team nobody staffs")], "s"),
        text("Reading the routing panels", "`assigned`: a member took the ticket in the write's transaction or "
             "when the jobs handed a queue out; `waiting`: nobody was available below the cap, the ticket waits "
             "in its team's queue; `kept`: a reopened ticket stayed with its assignee. The waits are read by the "
             "jobs' sweep (every `SLA_SWEEP_SECONDS`) over every tenant; which team waits is the tenant's own "
             "answer (`GET /v1/tickets?team_id=...&status=open`, `GET /v1/agents/workload`). "
             "`HelpdesklyTeamQueueUnstaffed` fires after a ticket waited 30 minutes where nobody is available."),
        row("Rules"),
        ts("Rule runs by trigger and outcome", [(
            f"sum by (trigger, outcome) (rate(rule_runs_total[{RI}]))", "{{trigger}} {{outcome}}")], "ops"),
        ts("Refused rule runs", [(f"sum by (trigger) (increase(rule_runs_total{{outcome=\"refused\"}}[{RI}]))",
                                  "{{trigger}}")]),
        text("Reading the rules panels", "A run is counted when a rule's conditions held: `applied` (its changes "
             "were written with the change that triggered it), `refused` (one of its actions was refused, for "
             "instance a team deleted since the rule was saved: nothing of that run was kept, the person's change "
             "was). Each rule runs at most once for one person's change, whatever the depth. Which rule and why "
             "is the tenant's own answer: `GET /v1/rules/{id}/runs`."),
        row("Reports"),
        ts("Report requests: 90th percentile until the answer starts", [(
            "histogram_quantile(0.9, sum by (le, route) "
            f"(rate(http_request_duration_seconds_bucket{{route=~\"/v1/reports/.*\"}}[{RI}])))", "{{route}}")], "s"),
        ts("Report digests: mail written, and tenants due", [
            (f"sum by (outcome) (rate(notification_deliveries_total{{kind=\"report_digest\"}}[{RI}]))", "mail {{outcome}}"),
            ('max(work_queue_depth{queue="report_digests"})', "tenants due")]),
        text("Reading the reports panels", "The CSV download (`/v1/reports/tickets.csv`) answers as soon as its "
             "header row is written and then streams: its time here is the time to the first byte, not to the "
             "last. A digest is due once per period for each tenant that has one: `tenants due` above zero for "
             "more than a minute means the worker cannot write them (its log says why: `report digest failed; "
             "tried again later`); the mail then goes through the notification mail queue like every other "
             "mail."),
        row("Help center"),
        ts("Help center searches by outcome", [(
            f"sum by (outcome) (rate(help_center_searches_total[{RI}]))", "{{outcome}}")], "ops"),
        ts("Help center articles read, by where readers came from", [(
            f"sum by (source) (rate(help_center_article_views_total[{RI}]))", "{{source}}")], "ops"),
        ts("Help center votes", [(f"sum by (vote) (increase(help_center_votes_total[{RI}]))", "{{vote}}")]),
        text("Reading the help center panels", "Searches and reads by customers and visitors (staff are not "
             "counted). `empty` searches found no article: a rising share means readers ask what the articles do "
             "not say; the tenant's own list of those searches, and each article's views, votes, suggested views "
             "and deflections (a suggestion opened by a customer who then wrote no ticket within 30 minutes), is "
             "`GET /v1/reports/help-center`. `repeat` votes were not counted: the same person or address had "
             "voted on that article that day."),
    ]),
    "helpdeskly-events": ("Helpdeskly / Events and jobs", ["helpdeskly"], [
        row("Outbox"),
        ts("Backlog: unpublished rows", [("max by (job) (outbox_backlog_rows)", "{{job}}")]),
        ts("Backlog: oldest unpublished event", [("max by (job) (outbox_backlog_oldest_seconds)", "{{job}}")], "s"),
        stat("Relay connected to the broker", "min by (job) (outbox_relay_connected)", "{{job}}"),
        row("Publishing"),
        ts("Events published by routing key", [(
            f"sum by (routing_key) (rate(outbox_events_published_total[{RI}]))", "{{routing_key}}")], "ops"),
        ts("Relay visits by outcome", [(f"sum by (outcome) (rate(outbox_relay_visits_total[{RI}]))", "{{outcome}}")], "ops"),
        ts("Relay cycle and sweep (p99)", [
            (f"histogram_quantile(0.99, sum by (le) (rate(outbox_relay_cycle_seconds_bucket[{RI}])))", "cycle"),
            (f"histogram_quantile(0.99, sum by (le) (rate(outbox_relay_sweep_seconds_bucket[{RI}])))", "sweep")], "s"),
        ts("Published rows pruned", [(f"sum(rate(outbox_pruned_total[{RI}]))", "pruned")], "ops"),
        text("Failures", "Events the broker did not confirm count in `outbox_events_failed_total{routing_key}` and "
             "stay in the outbox; that series appears with the first failure, and the backlog panels above rise."),
        row("Attachments"),
        ts("Uploads by outcome", [(f"sum by (outcome) (rate(attachment_uploads_total[{RI}]))", "{{outcome}}")], "ops",
           stack=True),
        ts("Uploaded bytes (new objects only)", [(f"sum(rate(attachment_uploaded_bytes_total[{RI}]))", "stored")],
           "Bps"),
        ts("Download links handed out", [(f"sum(rate(attachment_links_total[{RI}]))", "links")], "ops"),
        ts("Upload latency (p95, first byte to answer)", [(
            f"histogram_quantile(0.95, sum by (le) (rate(attachment_upload_seconds_bucket[{RI}])))", "p95")], "s"),
        ts("File store errors by operation", [(
            f"sum by (operation) (rate(blob_store_errors_total[{RI}]))", "{{operation}}")], "ops"),
        ts("Objects deleted from the file store", [(f"sum(rate(blob_objects_deleted_total[{RI}]))", "deleted")], "ops"),
        ts("Orphans found by the cleanup (per day)", [(
            "sum by (kind) (increase(attachment_orphans_total[1d]))", "{{kind}}")]),
        text("Virus scan", "With `CLAMAV_ADDR` set, every upload is scanned first and the time clamd takes is "
             "`attachment_scan_seconds` (a histogram, not charted here: the platform's checks run without clamd). "
             "Infected files count as `infected` in the outcomes above; clamd down makes uploads `failed` (503) "
             "and `/ready` names `clamav`."),
        row("Work queues"),
        ts("Items waiting, by queue", [("max by (queue) (work_queue_depth)", "{{queue}}")]),
        ts("Oldest item waiting, by queue", [("max by (queue) (work_queue_oldest_seconds)", "{{queue}}")], "s"),
        ts("Items worked, by queue and outcome", [(
            f"sum by (queue, outcome) (rate(work_queue_attempts_total[{RI}]))", "{{queue}} {{outcome}}")], "ops"),
        text("Reading the work queue panels", "Every durable queue (provisioning, account mail, notification "
             "mail, webhook deliveries, blob deletions, the SAV jobs' and mailbox fetches' schedules, stranded "
             "mail) reports here; a scheduled queue's depth is its tenants due now. `retry` is a refusal for now, tried again on its schedule; "
             "`refused` and `failed` are final (a permanent refusal, retries run out); `away` is a dependency "
             "that could not be reached (the item waits, no attempt counted)."),
        row("Notifications and mail"),
        ts("Deliveries by kind, channel and outcome", [(
            f"sum by (channel, kind, outcome) (rate(notification_deliveries_total[{RI}]))",
            "{{channel}} {{kind}} {{outcome}}")], "ops"),
        stat("Notification consumer holds its queue", "min by (job, instance) (notification_consumer_connected)",
             "{{job}} {{instance}}"),
        ts("Mail waiting to be sent", [
            ('max by (job, queue) (work_queue_depth{queue=~"notification_mail|account_mail"})', "{{queue}} {{job}}")]),
        ts("Oldest mail waiting", [
            ('max by (job, queue) (work_queue_oldest_seconds{queue=~"notification_mail|account_mail"})',
             "{{queue}} {{job}}")], "s"),
        ts("Event commit to SMTP acceptance (p50, p95, p99)", [
            (f"histogram_quantile({q}, sum by (le) (rate(notification_mail_latency_seconds_bucket[{RI}])))", f"p{n}")
            for q, n in ((0.5, 50), (0.95, 95), (0.99, 99))], "s"),
        ts("SMTP answers by outcome", [(
            f"sum by (job, outcome) (rate(mail_smtp_seconds_count[{RI}]))", "{{job}} {{outcome}}")], "ops"),
        ts("SMTP answer time by outcome (p95)", [(
            f"histogram_quantile(0.95, sum by (job, outcome, le) (rate(mail_smtp_seconds_bucket[{RI}])))",
            "{{job}} {{outcome}}")], "s"),
        ts("Account mail (control-api) by kind and outcome", [(
            f"sum by (kind, outcome) (rate(account_mail_total[{RI}]))", "{{kind}} {{outcome}}")], "ops"),
        row("Live updates"),
        ts("Open streams per replica", [('sum by (job, instance) (live_streams_open{job="app-api"})', "{{instance}}")]),
        ts("Frames sent by event", [(f"sum by (event) (rate(live_frames_total[{RI}]))", "{{event}}")], "ops",
           stack=True),
        ts("Resyncs (streams told to refetch)", [(
            f'sum by (instance) (rate(live_resyncs_total{{job="app-api"}}[{RI}]))', "{{instance}}")], "ops"),
        ts("Fan-out: event commit to hand-over to the streams (p50, p99)", [
            (f'histogram_quantile({q}, sum by (le) (rate(live_fanout_seconds_bucket{{job="app-api"}}[{RI}])))', f"p{n}")
            for q, n in ((0.5, 50), (0.99, 99))], "s"),
        stat("Fan-out holds its events queue", 'min by (instance) (live_fanout_connected{job="app-api"})',
             "{{instance}}"),
        row("Email in"),
        ts("Mail received by source and outcome", [(
            f"sum by (source, outcome) (rate(inbound_emails_total[{RI}]))", "{{source}} {{outcome}}")], "ops",
           stack=True),
        ts("Mail in: arrival to outcome recorded (p50, p99; target 3 s)", [
            (f"histogram_quantile({q}, sum by (le) (rate(inbound_email_seconds_bucket[{RI}])))", f"p{n}")
            for q, n in ((0.5, 50), (0.99, 99))], "s"),
        ts("Mailbox fetches by result", [(f"sum by (result) (rate(mailbox_fetches_total[{RI}]))", "{{result}}")],
           "ops"),
        text("Reading the email-in panels", "`created` and `appended` became tickets and messages; `duplicate` "
             "was received before; `quarantined` waits for staff (`GET /v1/inbound/emails?state=quarantined`); "
             "`ignored` covers automatic replies, bounces and our own mail. A failed fetch is usually one "
             "tenant's mailbox settings (its error is in `GET /v1/channels/email`), not the platform."),
        row("Webhooks and API keys"),
        ts("Webhook attempts by outcome", [(
            f"sum by (outcome) (rate(webhook_attempts_total[{RI}]))", "{{outcome}}")], "ops", stack=True),
        ts("Event commit to first webhook attempt (p50, p99; target 2 s)", [
            (f"histogram_quantile({q}, sum by (le) (rate(webhook_first_attempt_latency_seconds_bucket[{RI}])))",
             f"p{n}") for q, n in ((0.5, 50), (0.99, 99))], "s"),
        ts("Webhook deliveries waiting", [('max by (job) (work_queue_depth{queue="webhook_deliveries"})', "{{job}}")]),
        ts("Oldest webhook delivery waiting", [
            ('max by (job) (work_queue_oldest_seconds{queue="webhook_deliveries"})', "{{job}}")], "s"),
        stat("Webhook endpoints disabled", "max(webhook_endpoints_disabled)", "disabled"),
        stat("Webhook consumer holds its queue", "min by (job, instance) (webhook_consumer_connected)",
             "{{job}} {{instance}}"),
        ts("API key requests by result", [(
            f"sum by (result) (rate(api_key_requests_total[{RI}]))", "{{result}}")], "reqps", stack=True),
        ts("Events read by the webhook worker, by result", [(
            f"sum by (result) (rate(webhook_events_total[{RI}]))", "{{result}}")], "ops"),
        ts("Webhook attempt duration (p50, p99)", [
            (f"histogram_quantile({q}, sum by (le) (rate(webhook_attempt_duration_seconds_bucket[{RI}])))", f"p{n}")
            for q, n in ((0.5, 50), (0.99, 99))], "s"),
        text("Reading the webhook panels", "Waiting deliveries and the oldest one's age are as of the workers' "
             "last sweep (every `OUTBOX_SWEEP_SECONDS`), across tenants; a failing endpoint's deliveries wait "
             "hours on the retry schedule (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h), so a high age "
             "alone is a tenant's receiver, not the platform. `retry` attempts will be tried again, `failed` had "
             "no retry left, `gone` answered 410 and disabled its endpoint (endpoints are also disabled after "
             "three days of failures, or by an admin). Which tenant's endpoint fails is in its deliveries "
             "(`GET /v1/webhooks/{id}/deliveries`), never a label."),
    ]),
    "helpdeskly-auth": ("Helpdeskly / Auth", ["helpdeskly"], [
        row("Logins"),
        ts("Logins by answer", [(
            f'sum by (status_class) (rate(http_requests_total{{job="control-api",route="/v1/auth/login"}}[{RI}]))',
            "{{status_class}}")], "reqps"),
        ts("Failed logins (401 wrong credentials, 429 locked)", [(
            f'sum(rate(http_requests_total{{job="control-api",route=~"/v1/auth/(login|mfa/verify)",status_class="4xx"}}[{RI}]))',
            "failed")], "reqps"),
        ts("Token refreshes and logouts", [(
            f'sum by (route) (rate(http_requests_total{{job="control-api",route=~"/v1/auth/(refresh|logout|logout-all)"}}[{RI}]))',
            "{{route}}")], "reqps"),
        row("Second factor and accounts"),
        ts("2FA: second steps, setups, enables, disables", [(
            f'sum by (route, status_class) (rate(http_requests_total{{job="control-api",route=~"/v1/auth/(mfa/verify|2fa/.*)"}}[{RI}]))',
            "{{route}} {{status_class}}")], "reqps"),
        ts("Registrations and password changes", [(
            f'sum by (route, status_class) (rate(http_requests_total{{job="control-api",route=~"/v1/auth/(register|password)"}}[{RI}]))',
            "{{route}} {{status_class}}")], "reqps"),
        ts("Login latency (p99; argon2 and its queue)", [(
            f'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{{job="control-api",route="/v1/auth/login"}}[{RI}])))',
            "p99")], "s"),
        row("Single sign-on"),
        ts("Single sign-on callbacks by outcome", [(
            f'sum by (outcome) (rate(sso_sign_ins_total{{job="control-api"}}[{RI}]))',
            "{{outcome}}")], "reqps"),
        ts("Back-channel logouts from providers", [(
            f'sum by (outcome) (rate(sso_backchannel_logouts_total{{job="control-api"}}[{RI}]))',
            "{{outcome}}")], "reqps"),
        text("Reading single sign-on", "`signed_in` and `second_factor` are people through; `trial` is an owner's "
             "test sign-in; every other outcome is a refusal's code (API.md, the callback): many "
             "`sso_state_invalid` are browsers that took too long (10 minutes) or replays, "
             "`sso_token_invalid` or `sso_provider_unreachable` a provider that changed its keys, address or "
             "certificate. Which organisation's provider fails is in control-api's log (`single sign-on "
             "refused`), never a label."),
        text("Lockouts", "A locked account or address answers 429 `rate_limited`; the services count answers by "
             "status class, so lockouts show inside the 4xx of the failed-logins panel, and in control-api's log "
             "(`code: rate_limited`)."),
    ]),
}


def build(uid, title, tags, items):
    panels, y, x, pid = [], 0, 0, 1
    for item in items:
        if item["type"] == "row":
            if x:
                y, x = y + 8, 0
            panels.append({"id": pid, "type": "row", "title": item["title"], "collapsed": False,
                           "gridPos": {"h": 1, "w": 24, "x": 0, "y": y}, "panels": []})
            y += 1
        else:
            w = 12 if item["type"] != "stat" else 6
            if x + w > 24:
                y, x = y + 8, 0
            panel = {"id": pid, "type": item["type"], "title": item["title"], "datasource": DATASOURCE,
                     "gridPos": {"h": 8, "w": w, "x": x, "y": y}}
            if item["type"] == "text":
                panel.pop("datasource")
                panel["options"] = {"mode": "markdown", "content": item["content"]}
            else:
                panel["targets"] = [{"refId": chr(ord("A") + i), "datasource": DATASOURCE, "expr": expr,
                                     "legendFormat": legend, "range": True}
                                    for i, (expr, legend) in enumerate(item["targets"])]
                panel["fieldConfig"] = {"defaults": {"unit": item["unit"]}, "overrides": []}
                if item["type"] == "timeseries":
                    panel["fieldConfig"]["defaults"]["custom"] = {"stacking": {"mode": "normal" if item["stack"] else "none"}}
                    panel["options"] = {"legend": {"displayMode": "list", "placement": "bottom"},
                                        "tooltip": {"mode": "multi"}}
            panels.append(panel)
            x += w
        pid += 1
    return {"uid": uid, "title": title, "tags": tags, "schemaVersion": 39, "version": 1, "editable": False,
            "timezone": "utc", "refresh": "30s", "time": {"from": "now-6h", "to": "now"},
            "templating": {"list": []}, "annotations": {"list": []}, "panels": panels}


def main():
    check_only = "--check" in sys.argv[1:]
    os.makedirs(OUT, exist_ok=True)
    stale = []
    for uid, (title, tags, items) in DASHBOARDS.items():
        text_ = json.dumps(build(uid, title, tags, items), indent=2) + "\n"
        path = os.path.join(OUT, f"{uid.removeprefix('helpdeskly-')}.json")
        current = open(path).read() if os.path.exists(path) else None
        if current != text_:
            stale.append(path)
            if not check_only:
                with open(path, "w") as f:
                    f.write(text_)
    if check_only and stale:
        sys.exit(f"stale dashboards (run python3 scripts/grafana-dashboards.py): {stale}")


if __name__ == "__main__":
    main()
