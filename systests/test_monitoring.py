"""The monitoring proof: the dashboards and alerts of monitoring/ evaluated against live data.
Run by scripts/monitoring-proof.sh.

0. promtool checks the Prometheus configuration and the alert rules, and runs their unit tests.

1. Every dashboard JSON loads as Grafana's file provisioning expects: a unique uid and a title,
   panels with ids and positions, every query naming the datasource by the uid provisioned in
   monitoring/grafana/provisioning/datasources, and the files match scripts/grafana-dashboards.py.
2. control-api and app-api run (scripts/dev.sh's environment, fresh databases, the local Redis
   and RabbitMQ with an exchange and a notification queue of the run's own, a mail-devel of its
   own) with Debian's Prometheus scraping them every second under the repository's
   alert rules, while fixtures make the series exist: a sign-up (and a request to it while it
   is provisioning: a 503), logins right and wrong, a refresh, a 2FA setup and a bad second
   step, a customer's registration, tickets, messages, status changes, the reports (the
   performance report, the CSV, a digest mailed at once), an SLA policy of one
   minute so that a breach and an auto-close really happen (the longest wait, about 70 s), and
   attachments (on the local disk, without clamd): a file stored, the same content again in the
   same ticket (deduplicated), a program refused, a download link, a deletion that removes its
   object, notification mail (a verified customer's ticket and the owner's answer), read
   back over IMAP, and integrations: an API key used within its scope, outside it, and a key
   that is none (accepted, out_of_scope, refused), and two webhook endpoints on a receiver of
   the proof's own (WEBHOOK_ALLOW_PRIVATE_TARGETS), one answering 200 (delivered), one 410
   (gone: the endpoint disabled).
3. Every query of every panel is evaluated ($__rate_interval as 5m, which covers the whole run)
   and fails when it errors, returns nothing, or returns only NaN.
4. Every alert expression is evaluated (it must not error), and, since a threshold makes a
   healthy platform's expression empty, its underlying series are checked instead: every
   vector selector in it (metric name and label matchers as written, e.g.
   http_requests_total{status_class="5xx"}) must match at least one live series. A renamed
   metric, a mistyped label value or a job name that no target has fails the proof.
5. The mail alerts fire on real conditions and resolve, in copies of their rules whose waits,
   windows and thresholds SHORTENED rewrites (loaded as group PROOF_GROUP beside the real file):
   the mail server killed while mail is due (HelpdesklyMailStuck, HelpdesklyMailFailing) and
   started again; the notification and webhook queues taken over by queues of the same names
   and other arguments while the relay holds the broker
   (HelpdesklyNotificationConsumerDisconnected, HelpdesklyWebhookConsumerDown), and given back;
   the 410 endpoint disabled (HelpdesklyWebhookEndpointsDisabled, against 20 s earlier instead
   of an hour); and HelpdesklyLiveFanoutStalled: a live stream open on app-api (and a change
   made: its frame is the live panels' data), the link between app-api and the broker (app-api
   reaches RabbitMQ through a link of the proof's) cut, then mended: the stream is told to
   resynchronise and frames come again. They run during the SLA wait, so the proof takes no
   longer.
"""

import http.client
import json
import math
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request

import pytest

from systests.live_platform import (ADMIN_URL, ROOT, Failure, Link, check, free_port, psql, request, say, stop_process,
                                   wait_for)

MON = os.path.join(ROOT, "monitoring")
RATE_INTERVAL = "5m"


# ---- 1. dashboards as Grafana provisioning reads them -----------------------------------------

def check_dashboards():
    done = subprocess.run([sys.executable, f"{ROOT}/scripts/grafana-dashboards.py", "--check"], capture_output=True,
                          text=True)
    check(done.returncode == 0, done.stderr.strip() or done.stdout.strip())
    # (No YAML parser needed: these two files are flat enough to read by line.)
    sources = open(f"{MON}/grafana/provisioning/datasources/prometheus.yml").read()
    uids = set(re.findall(r"^\s+uid:\s*(\S+)\s*$", sources, re.M))
    check(uids, "no datasource uid in monitoring/grafana/provisioning/datasources/prometheus.yml")
    providers = open(f"{MON}/grafana/provisioning/dashboards/helpdeskly.yml").read()
    check(re.search(r"^\s+type:\s*file\s*$", providers, re.M) and re.search(r"^\s+path:\s*/\S+", providers, re.M),
          "the dashboard provider is not a file provider with a path")
    queries, seen_uids = [], set()
    folder = f"{MON}/grafana/dashboards"
    for name in sorted(os.listdir(folder)):
        board = json.load(open(f"{folder}/{name}"))
        uid, title = board.get("uid"), board.get("title")
        check(uid and re.fullmatch(r"[A-Za-z0-9_-]{1,40}", uid) and uid not in seen_uids, f"{name}: uid {uid!r}")
        check(title, f"{name}: no title")
        check("id" not in board or board["id"] is None, f"{name}: a fixed numeric id breaks provisioning")
        seen_uids.add(uid)
        ids = set()
        for panel in board["panels"]:
            check(panel.get("id") not in ids and isinstance(panel.get("id"), int), f"{name}: panel id {panel.get('id')}")
            ids.add(panel["id"])
            check({"h", "w", "x", "y"} <= set(panel.get("gridPos", {})), f"{name}: {panel['title']} has no gridPos")
            if panel["type"] in ("row", "text"):
                continue
            check(panel.get("datasource", {}).get("uid") in uids, f"{name}: {panel['title']}: datasource {panel.get('datasource')}")
            check(panel.get("targets"), f"{name}: {panel['title']} has no query")
            for t in panel["targets"]:
                check(t.get("datasource", {}).get("uid") in uids and t.get("expr") and t.get("refId"),
                      f"{name}: {panel['title']}: target {t}")
                queries.append((f"{title} / {panel['title']} / {t['refId']}", t["expr"]))
    check(len(seen_uids) >= 5, f"only {len(seen_uids)} dashboards")
    return queries


# ---- 2. Prometheus and the platform -----------------------------------------------------------

# Alerts proven to fire on a real condition and to resolve, in copies of their rules (group
# PROOF_GROUP, loaded beside the real file) whose waits, windows and thresholds are shortened by
# these replacements of the rule's own text; each must still match, or the proof fails.
PROOF_GROUP = "proof-shortened"
SHORTENED = {
    "HelpdesklyMailFailing": [("[10m]", "[20s]"), ("for: 10m", "for: 2s")],
    "HelpdesklyMailStuck": [("> 900", "> 5"), ("for: 2m", "for: 2s")],
    "HelpdesklyNotificationConsumerDisconnected": [("for: 5m", "for: 2s")],
    "HelpdesklyWebhookConsumerDown": [("for: 5m", "for: 2s")],
    "HelpdesklyWebhookEndpointsDisabled": [("offset 1h", "offset 20s"), ("for: 5m", "for: 2s")],
    # Of its two rules only the queue's (for: 2m) is copied and proven: the slow one's p99 over
    # 5 minutes may stay above its threshold after a cut (frames held back, then handed over).
    "HelpdesklyLiveFanoutStalled": [("for: 2m", "for: 2s")],
}


def shortened_rules(path):
    """The rules of SHORTENED, out of monitoring/rules, with their replacements made (an alert
    with several rules: those its replacements match are copied)."""
    lines = open(f"{MON}/rules/helpdeskly.rules.yml").read().splitlines()
    out = ["groups:", f"  - name: {PROOF_GROUP}", "    rules:"]
    for name, replacements in SHORTENED.items():
        starts = [n for n, line in enumerate(lines) if line.strip() == f"- alert: {name}"]
        check(starts, f"alert {name} is not in the rules")
        blocks = []
        for start in starts:
            end = next((n for n in range(start + 1, len(lines))
                        if lines[n].lstrip().startswith(("- alert:", "- name:", "#"))), len(lines))
            blocks.append("\n".join(lines[start:end]))
        for old, _ in replacements:
            check(any(old in block for block in blocks),
                  f"alert {name}: the proof shortens {old!r}, which its rule no longer has")
        blocks = [block for block in blocks if any(old in block for old, _ in replacements)]
        for old, new in replacements:
            blocks = [block.replace(old, new) for block in blocks]
        out += blocks
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")
    return path


class Prometheus:
    def __init__(self, work, targets):
        self.port = free_port()
        self.work = work
        config = {
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
            "rule_files": [f"{MON}/rules/helpdeskly.rules.yml", shortened_rules(f"{work}/shortened.rules.yml")],
            "scrape_configs": [{"job_name": job, "static_configs": [{"targets": [target]}]}
                               for job, target in targets.items()],
        }
        self.config = f"{work}/prometheus.yml"
        with open(self.config, "w") as f:
            json.dump(config, f)  # JSON is YAML
        self.proc = None

    def start(self):
        self.log = open(f"{self.work}/prometheus.log", "w")
        self.proc = subprocess.Popen(["prometheus", f"--config.file={self.config}",
                                      f"--storage.tsdb.path={self.work}/data",
                                      f"--web.listen-address=127.0.0.1:{self.port}"],
                                     stdout=self.log, stderr=subprocess.STDOUT)

        def ready():
            if self.proc.poll() is not None:
                raise Failure(f"prometheus exited: {open(f'{self.work}/prometheus.log').read()[-2000:]}")
            return request("GET", self.port, "/-/ready", timeout=2).status == 200

        wait_for("Prometheus to be ready", ready, timeout=60)
        return self

    def stop(self):
        stop_process(self.proc, timeout=20)

    def query(self, expr):
        url = f"http://127.0.0.1:{self.port}/api/v1/query?" + urllib.parse.urlencode({"query": expr})
        try:
            with urllib.request.urlopen(url, timeout=30) as r:
                body = json.load(r)
        except urllib.error.HTTPError as e:
            raise Failure(f"query error for {expr}: {e.read().decode()[:500]}")
        check(body.get("status") == "success", f"query error for {expr}: {body}")
        return body["data"]["result"]

    def has(self, expr):
        return bool(self.query(expr))

    def groups(self):
        url = f"http://127.0.0.1:{self.port}/api/v1/rules"
        with urllib.request.urlopen(url, timeout=30) as r:
            return json.load(r)["data"]["groups"]

    def state(self, alert):
        """The state of the shortened copy of `alert` (of its rules, the most advanced): inactive,
        pending or firing."""
        states = [rule["state"] for group in self.groups() if group["name"] == PROOF_GROUP
                  for rule in group["rules"] if rule["name"] == alert]
        check(states, f"no shortened rule {alert} loaded")
        return max(states, key=["inactive", "pending", "firing"].index)


def reports(prom, app, slug, tenant, mail):
    """The reports' series: the performance report and the CSV asked for (again once Prometheus
    has seen them, so that their rates are not zero), and a digest saved during its hour (so
    mailed at once) read back over IMAP."""
    today = time.strftime("%Y-%m-%d", time.gmtime())
    tomorrow = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 86400))
    paths = (f"/v1/reports/performance?from={today}&to={tomorrow}&group_by=team",
             f"/v1/reports/tickets.csv?from={today}&to={tomorrow}")
    for again in (False, True):
        if again:
            wait_for("the report requests scraped", lambda: all(
                prom.has(f'http_request_duration_seconds_count{{route="{path.split("?")[0]}"}}') for path in paths),
                timeout=20)
        for path in paths:
            r = request("GET", app, path, headers=tenant)
            check(r.status == 200, f"{path}: {r}")
    address = f"digest@{slug}.example"
    for _ in range(2):
        hour = time.gmtime().tm_hour
        r = request("PUT", app, "/v1/reports/digest", headers=tenant,
                    body={"frequency": "daily", "hour": hour, "time_zone": "UTC", "recipients": [address]})
        check(r.status == 200, f"digest: {r}")
        if r.json()["last_sent_period_end"] is None:
            break
    wait_for("the report digest over IMAP", lambda: len(mail.mailbox(address)) >= 1, timeout=30)


def fixtures(platform, prom, mail, hooks):
    """Traffic that makes the series exist, and the mail alerts' conditions; returns once the slow
    ones (breach, auto-close) have."""
    control, app = platform.control_port, platform.app_port
    pid = os.getpid()

    # A request to an organisation still being set up is a 503: the 5xx series, honestly.
    got_503 = False
    for attempt in range(3):
        slug = f"mon-{pid}-{attempt}"
        r = request("POST", control, "/v1/tenants/signup", body={
            "organization_name": "Mon", "slug": slug,
            "admin": {"email": f"owner@{slug}.example", "password": "a long passphrase", "firstname": "A", "lastname": "L"}})
        check(r.status == 202, f"signup: {r}")
        r = request("GET", app, "/v1/me", headers={"X-Tenant-Slug": slug})
        if r.status == 503:
            got_503 = True
            break
    check(got_503, "no request met a provisioning tenant (3 tries): no 5xx series")
    email = f"owner@{slug}.example"
    wait_for(f"{slug} active", lambda: request("GET", control, f"/v1/tenants/{slug}/status").json()["status"] == "active",
             timeout=60, every=0.2)

    tenant, _ = traffic(platform, slug, email)
    me_id, tenant = tenant["_me"], without_me(tenant)
    customer_email, customer = mail_customer(platform, slug)
    send_mail(app, customer, tenant)
    wait_for("the first notification mail over IMAP", lambda: len(mail.mailbox(customer_email)) >= 2, timeout=30)
    one = {"response_minutes": 1, "resolution_minutes": 1}
    r = request("PUT", app, "/v1/sla/policy", headers=tenant, body={
        "targets": {p: one for p in ("low", "medium", "high", "urgent")},
        "auto_close": {"waiting_customer_minutes": 1, "resolved_minutes": 1}})
    check(r.status == 200, f"SLA policy: {r}")
    ids = [new_ticket(app, tenant, n) for n in range(2)]
    attachments(app, tenant, ids[0])
    r = request("POST", app, f"/v1/tickets/{ids[1]}/assign", headers=tenant, body={"assigned_to": me_id})
    check(r.status == 200, f"assign: {r}")
    # (Assignment starts the ticket: in_progress.)
    r = request("POST", app, f"/v1/tickets/{ids[1]}/status", headers=tenant, body={"status": "resolved"})
    check(r.status == 200, f"resolve: {r}")
    reports(prom, app, slug, tenant, mail)

    # While the one-minute SLA targets run: API keys and webhooks, and the alerts on real
    # conditions.
    disabled_fired = integrations(prom, app, slug, tenant, hooks)
    email_in(prom, app, slug, tenant, mail)
    prove_mail_alerts(prom, mail, app, customer_email, customer, tenant)
    # Meanwhile the disabled endpoint's alert, against 20 s earlier, has seen it 20 s ago too.
    alert_states(prom, [DISABLED_ALERT], "inactive", 60)
    say(f"{DISABLED_ALERT} resolved {time.monotonic() - disabled_fired:.0f} s after it fired (20 s later at least)")
    prove_consumer_alerts(prom)
    prove_live_alert(prom, platform.broker_link, app, tenant)
    # One-minute targets: ticket 0 breaches, ticket 1 (resolved) closes. The jobs check every 2 s.
    say("waiting for a real SLA breach and auto-close (one-minute policy)")
    wait_for("an SLA breach and an auto-close in Prometheus",
             lambda: prom.has("sla_breaches_total") and prom.has("tickets_auto_closed_total")
             and prom.has('outbox_events_published_total{routing_key="sav.ticket.sla_breach"}'),
             timeout=150, every=1)
    wait_for("every upload outcome of the fixtures, the link and the deletion in Prometheus",
             lambda: all(prom.has(f"{series} > 0") for series in (
                 'attachment_uploads_total{outcome="stored"}', 'attachment_uploads_total{outcome="deduplicated"}',
                 'attachment_uploads_total{outcome="refused"}', "attachment_links_total",
                 "blob_objects_deleted_total")), timeout=20)
    # A rate needs a series to grow after Prometheus first saw it: the same traffic again.
    traffic(platform, slug, email)


AMQP_URL = os.environ.get("TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/%2f")
RUN = f"hdmon{os.getpid()}"
EVENTS_EXCHANGE, NOTIFICATIONS_QUEUE = f"{RUN}.sav", f"{RUN}.notifications"
WEBHOOKS_QUEUE = f"{RUN}.webhooks"


def mail_customer(platform, slug):
    """A customer whose address is verified (registration leaves it unverified: no mail)."""
    control, email = platform.control_port, f"mail{time.monotonic_ns()}@{slug}.example"
    r = request("POST", control, "/v1/auth/register", body={"tenant": slug, "email": email, "firstname": "M",
                                                             "lastname": "C", "password": "a customer's passphrase"})
    check(r.status == 201, f"a customer's registration: {r}")
    server = ADMIN_URL.rsplit("/", 1)[0]
    db = psql(f"SELECT database_name FROM tenants WHERE slug = '{slug}'", f"{server}/{platform.control_db}")
    psql(f"UPDATE users SET email_verified = true WHERE email = '{email}'", f"{server}/{db}")
    token = platform.login(slug, email, "a customer's passphrase")
    return email, {"Authorization": f"Bearer {token}", "X-Tenant-Slug": slug}


def send_mail(app, customer, owner):
    """A ticket of the customer's (their confirmation) and the owner's public answer: two mails."""
    ticket = new_ticket(app, customer, 9)
    r = request("POST", app, f"/v1/tickets/{ticket}/messages", headers=owner, body={"message": "It left today."})
    check(r.status == 201, f"the owner's answer: {r}")


def alert_states(prom, names, state, timeout):
    try:
        wait_for(f"{' and '.join(names)} {state} (shortened copies)",
                 lambda: all(prom.state(name) == state for name in names), timeout=timeout, every=0.5)
    except Failure as e:
        rules = [(r["name"], r.get("health"), r.get("lastError"), r.get("query")) for g in prom.groups()
                 if g["name"] == PROOF_GROUP for r in g["rules"] if r["name"] in names]
        values = [(q, prom.query(q)) for _, _, _, q in rules if q]
        raise Failure(f"{e}; the rules: {rules}; their values now: {values}") from None


def prove_mail_alerts(prom, mail, app, customer_email, customer, owner):
    """The mail server killed while mail is due: the sweep's oldest pending age passes the
    threshold and every try is `unreachable`; both alerts fire, and resolve once it is back and
    the mail has gone."""
    names = ["HelpdesklyMailStuck", "HelpdesklyMailFailing"]
    alert_states(prom, names, "inactive", 10)
    began = time.monotonic()
    say("mail server killed, mail due: HelpdesklyMailStuck and HelpdesklyMailFailing must fire")
    mail.kill()
    send_mail(app, customer, owner)
    alert_states(prom, names, "firing", 60)
    fired = time.monotonic()
    mail.start()
    wait_for("the mail held back over IMAP", lambda: len(mail.mailbox(customer_email)) >= 2, timeout=30)
    alert_states(prom, names, "inactive", 60)
    say(f"mail alerts fired after {fired - began:.0f} s and resolved {time.monotonic() - fired:.0f} s after the "
        "server was back")


# The SAV-events queues whose consumer alerts the proof fires: alert, queue.
CONSUMER_QUEUES = [("HelpdesklyNotificationConsumerDisconnected", NOTIFICATIONS_QUEUE),
                   ("HelpdesklyWebhookConsumerDown", WEBHOOKS_QUEUE)]


def prove_consumer_alerts(prom):
    """The notification and webhook queues taken over by another connection's exclusive queues of
    the same names (a misconfiguration the broker locks the workers out of): each worker's
    consumer is cancelled and cannot declare its queue again, while the relay holds the broker;
    both alerts fire, and resolve once the queues are the workers' again."""
    import pika  # scripts/monitoring-proof.sh installs it

    names = [name for name, _ in CONSUMER_QUEUES]
    alert_states(prom, names, "inactive", 10)
    began = time.monotonic()
    conn = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
    try:
        for _, queue in CONSUMER_QUEUES:
            for _ in range(5):
                channel = conn.channel()
                try:
                    channel.queue_delete(queue)
                    channel.queue_declare(queue, exclusive=True)
                    break
                except pika.exceptions.ChannelClosedByBroker:
                    continue  # the worker declared it again in between
            else:
                raise Failure(f"could not take the queue {queue} over")
        alert_states(prom, names, "firing", 60)
        fired = time.monotonic()
        channel = conn.channel()
        for _, queue in CONSUMER_QUEUES:
            channel.queue_delete(queue)
    finally:
        conn.close()
    alert_states(prom, names, "inactive", 60)
    say(f"{' and '.join(names)} fired after {fired - began:.0f} s and resolved {time.monotonic() - fired:.0f} s after")


DISABLED_ALERT = "HelpdesklyWebhookEndpointsDisabled"


def email_in(prom, app, slug, owner, mail):
    """Mail in both ways: one posted with an `inbound:email` key (a new ticket), and a mailbox on
    the proof's mail server fetched by app-api (its serve replica fetches mailboxes too)."""
    import uuid

    r = request("POST", app, "/v1/api-keys", headers=owner,
                body={"name": "monitoring proof: mail relay", "scopes": ["inbound:email"]})
    check(r.status == 201, f"an inbound:email key: {r}")
    relay = {"Authorization": f"Bearer {r.json()['key']}", "X-Tenant-Slug": slug, "Content-Type": "message/rfc822"}
    token = uuid.uuid4().hex
    raw = (f"From: Proof <proof-{token}@example.com>\r\nTo: support@example.com\r\nSubject: By mail\r\n"
           f"Message-ID: <{token}@example.com>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHello by mail.\r\n")
    r = request("POST", app, "/v1/inbound/email", headers=relay, body=raw.encode())
    check(r.status == 202 and r.json().get("outcome") == "created", f"a mail posted in: {r}")
    r = request("PUT", app, "/v1/channels/email", headers=owner, body={
        "imap_url": f"imap://127.0.0.1:{mail.imap_port}", "username": f"support-{token}@helpdeskly.test",
        "password": mail.PASSWORD})
    check(r.status == 200, f"the mailbox: {r}")
    wait_for("the mailbox fetched", lambda: request("GET", app, "/v1/channels/email", headers=owner).json()
             .get("last_fetch_at") is not None, timeout=30)
    wait_for("email in's series in Prometheus", lambda: all(prom.has(series) for series in (
        'inbound_emails_total{source="api",outcome="created"} > 0', "inbound_email_seconds_count > 0",
        'mailbox_fetches_total{result="ok"} > 0')), timeout=30)


def integrations(prom, app, slug, owner, hooks):
    """An API key used within its scope (accepted), outside it (out_of_scope), and a key that is
    none (refused); two webhook endpoints for new tickets, one answered 200 (delivered), one 410
    (gone: disabled, which fires HelpdesklyWebhookEndpointsDisabled's shortened copy, against
    20 s earlier; it resolves 20 s later, which the caller checks after the mail alerts). Returns
    when that alert fired."""
    import secrets
    import uuid

    r = request("POST", app, "/v1/api-keys", headers=owner,
                body={"name": "monitoring proof", "scopes": ["tickets:read"]})
    check(r.status == 201 and r.json().get("key", "").startswith("hdk_"), f"an API key: {r}")
    key = {"Authorization": f"Bearer {r.json()['key']}", "X-Tenant-Slug": slug}
    r = request("GET", app, "/v1/tickets", headers=key)
    check(r.status == 200, f"tickets read with an API key: {r}")
    r = request("GET", app, "/v1/me", headers=key)
    check(r.status == 403, f"an API key outside its scope: {r}")
    none = {"Authorization": f"Bearer hdk_{uuid.uuid4().hex}{secrets.token_hex(24)}", "X-Tenant-Slug": slug}
    r = request("GET", app, "/v1/tickets", headers=none)
    check(r.status == 401, f"a key that is none: {r}")

    alert_states(prom, [DISABLED_ALERT], "inactive", 10)
    # The shortened copy compares with 20 s earlier: Prometheus must hold the gauge from then.
    wait_for("20 s of webhook_endpoints_disabled in Prometheus",
             lambda: prom.has("count_over_time(webhook_endpoints_disabled[30s]) >= 22"), timeout=40, every=0.5)
    for path in ("ok", "gone"):
        r = request("POST", app, "/v1/webhooks", headers=owner, body={
            "url": f"http://127.0.0.1:{hooks.port}/{path}", "events": ["ticket.created"],
            "description": f"monitoring proof: {path}"})
        check(r.status == 201, f"a webhook endpoint ({path}): {r}")
    began = time.monotonic()
    new_ticket(app, owner, 13)
    wait_for("both webhooks at the receiver", lambda: {"/ok", "/gone"} <= set(hooks.paths()), timeout=30)
    wait_for("the attempts (delivered, gone), a first attempt and the disabled endpoint in Prometheus",
             lambda: all(prom.has(series) for series in (
                 'webhook_attempts_total{outcome="delivered"} > 0', 'webhook_attempts_total{outcome="gone"} > 0',
                 "webhook_first_attempt_latency_seconds_count > 0", "webhook_endpoints_disabled > 0",
                 'api_key_requests_total{result="accepted"} > 0', 'api_key_requests_total{result="refused"} > 0',
                 'api_key_requests_total{result="out_of_scope"} > 0')), timeout=30)
    # It fires for 20 s only (then 20 s earlier holds the endpoint disabled too), which the waits
    # above may outlast: Prometheus's own record of alerts (ALERTS) tells whether it fired.
    fired_series = f'max_over_time(ALERTS{{alertname="{DISABLED_ALERT}",alertstate="firing"}}[5m]) > 0'
    try:
        wait_for(f"{DISABLED_ALERT} fired (shortened copy)", lambda: prom.has(fired_series), timeout=30, every=0.5)
    except Failure as e:
        samples = prom.query("webhook_endpoints_disabled[90s]")
        alerts = prom.query('ALERTS{alertname="' + DISABLED_ALERT + '"}[90s]')
        raise Failure(f"{e}; webhook_endpoints_disabled over 90 s: {samples}; ALERTS: {alerts}") from None
    say(f"{DISABLED_ALERT} fired within {time.monotonic() - began:.0f} s of the ticket whose webhook was answered 410")
    return time.monotonic()


def via_link(url, port):
    """The broker's `url` reaching it through the link on `port` (the credentials kept)."""
    parts = urllib.parse.urlsplit(url)
    credentials = parts.netloc.rpartition("@")[0]
    return parts._replace(netloc=f"{credentials + '@' if credentials else ''}127.0.0.1:{port}").geturl()


class LiveStream:
    """A live stream (`GET /v1/stream`) held to app-api in a thread of its own; keeps the
    events it received (`ticket.created`, `resync`, ...)."""

    def __init__(self, app, headers):
        self.events = []
        self.conn = http.client.HTTPConnection("127.0.0.1", app, timeout=60)
        self.conn.request("GET", "/v1/stream", headers=dict(headers, Accept="text/event-stream"))
        response = self.conn.getresponse()
        if response.status != 200:
            raise Failure(f"the live stream: {response.status} {response.read()[:300]!r}")
        threading.Thread(target=self.read, args=(response,), daemon=True).start()

    def read(self, response):
        try:
            while line := response.readline():
                line = line.decode().rstrip("\r\n")
                if line.startswith("event:"):
                    self.events.append(line.split(":", 1)[1].strip())
        except (OSError, ValueError, AttributeError, http.client.HTTPException):
            pass  # the stream ended, or was closed

    def close(self):
        try:
            self.conn.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.conn.close()


def prove_live_alert(prom, link, app, tenant):
    """A stream open and a change made (its frame on the stream: the live panels' data), then
    the link between app-api and the broker cut: the replica holds a stream but not its events
    queue, and the alert fires; mended, the fan-out takes a queue again, the stream is told to
    resynchronise, and the alert resolves; a change made then reaches the stream."""
    name = "HelpdesklyLiveFanoutStalled"
    stream = LiveStream(app, tenant)
    try:
        wait_for("the stream counted open and the fan-out holding its queue",
                 lambda: prom.has("live_streams_open > 0") and prom.has("live_fanout_connected == 1"), timeout=20)
        new_ticket(app, tenant, 11)
        wait_for("a ticket's frame on the live stream", lambda: "ticket.created" in stream.events, timeout=20)
        alert_states(prom, [name], "inactive", 10)
        began = time.monotonic()
        say(f"the broker cut from app-api, a stream open: {name} must fire")
        link.cut()
        alert_states(prom, [name], "firing", 60)
        fired = time.monotonic()
        link.mend()
        alert_states(prom, [name], "inactive", 60)
        wait_for("the stream told to resynchronise", lambda: "resync" in stream.events, timeout=30)
        frames = stream.events.count("ticket.created")
        new_ticket(app, tenant, 12)
        wait_for("a frame after the fan-out is back", lambda: stream.events.count("ticket.created") > frames,
                 timeout=30)
        say(f"{name} fired after {fired - began:.0f} s and resolved {time.monotonic() - fired:.0f} s after the link "
            "was mended; the stream resynchronised and has frames again")
    finally:
        stream.close()


def remove_broker_objects():
    try:
        import pika

        conn = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
        channel = conn.channel()
        channel.queue_delete(NOTIFICATIONS_QUEUE)
        channel.queue_delete(WEBHOOKS_QUEUE)
        channel.exchange_delete(EVENTS_EXCHANGE)
        conn.close()
    except Exception as e:  # noqa: BLE001  cleanup goes on
        say(f"cleanup: broker: {e}")


def new_ticket(app, tenant, n):
    r = request("POST", app, "/v1/tickets", headers=tenant, body={
        "subject": f"Parcel {n} not received", "description": "Ordered on the 3rd.", "category": "shipping"})
    check(r.status == 201, f"ticket: {r}")
    return r.json()["id"]


PNG = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89"
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"


def upload(app, tenant, ticket, name, content):
    boundary = f"hdmon{time.monotonic_ns()}"
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            f"Content-Type: application/octet-stream\r\n\r\n").encode() + content + f"\r\n--{boundary}--\r\n".encode()
    headers = dict(tenant, **{"Content-Type": f"multipart/form-data; boundary={boundary}"})
    return request("POST", app, f"/v1/tickets/{ticket}/attachments", body=body, headers=headers)


def attachments(app, tenant, ticket):
    """Every upload outcome the disk store gives without failing: stored, deduplicated, refused;
    a link; a deletion whose object goes with its row."""
    r = upload(app, tenant, ticket, "label.png", PNG)
    check(r.status == 201, f"upload: {r}")
    png = r.json()["id"]
    r = upload(app, tenant, ticket, "label-again.png", PNG)
    check(r.status == 201 and r.json()["id"] != png, f"the same file again (deduplicated): {r}")
    r = upload(app, tenant, ticket, "setup.exe", b"MZ\x90\0\x03\0\0\0")
    check(r.status == 415, f"a program (refused): {r}")
    r = upload(app, tenant, ticket, "invoice.pdf", PDF)
    check(r.status == 201, f"upload: {r}")
    pdf = r.json()["id"]
    r = request("GET", app, f"/v1/attachments/{png}", headers=tenant)
    check(r.status == 200 and r.json().get("url"), f"a download link: {r}")
    r = request("DELETE", app, f"/v1/attachments/{pdf}", headers=tenant)
    check(r.status == 204, f"deleting the only row of an object: {r}")


def without_me(headers):
    return {k: v for k, v in headers.items() if not k.startswith("_")}


def traffic(platform, slug, email):
    """Logins right and wrong, a refresh, 2FA, a registration, tickets, messages, a status change."""
    control, app = platform.control_port, platform.app_port
    n = time.monotonic_ns()
    bad = request("POST", control, "/v1/auth/login", body={"tenant": slug, "email": email, "password": "wrong password!"})
    check(bad.status == 401, f"a wrong password: {bad}")
    r = request("POST", control, "/v1/auth/login", body={"tenant": slug, "email": email, "password": "a long passphrase"})
    check(r.status == 200, f"login: {r}")
    tokens = r.json()
    r = request("POST", control, "/v1/auth/refresh", body={"refresh_token": tokens["refresh_token"]})
    check(r.status == 200, f"refresh: {r}")
    tokens = r.json()
    auth = {"Authorization": f"Bearer {tokens['access_token']}"}
    r = request("POST", control, "/v1/auth/2fa/setup", headers=auth, body={"password": "a long passphrase"})
    check(r.status == 200, f"2FA setup: {r}")
    r = request("POST", control, "/v1/auth/mfa/verify", body={"mfa_token": "not-a-token", "code": "000000"})
    check(400 <= r.status < 500, f"a bad second step: {r}")
    r = request("POST", control, "/v1/auth/register", body={"tenant": slug, "email": f"customer{n}@{slug}.example",
                                                             "password": "another long passphrase",
                                                             "firstname": "C", "lastname": "U"})
    check(r.status == 201, f"a customer's registration: {r}")

    tenant = dict(auth, **{"X-Tenant-Slug": slug})
    me = request("GET", app, "/v1/me", headers=tenant)
    check(me.status == 200, f"me: {me}")
    ids = [new_ticket(app, tenant, i) for i in range(2)]
    r = request("POST", app, f"/v1/tickets/{ids[0]}/messages", headers=tenant, body={"message": "We are on it."})
    check(r.status == 201, f"message: {r}")
    check(request("GET", app, f"/v1/tickets/{ids[0]}/messages", headers=tenant).status == 200, "messages")
    check(request("GET", app, "/v1/tickets?q=parcel", headers=tenant).status == 200, "search")
    check(request("GET", app, f"/v1/tickets/{ids[0]}", headers=tenant).status == 200, "read")
    r = request("POST", app, f"/v1/tickets/{ids[1]}/status", headers=tenant, body={"status": "closed"})
    check(r.status in (200, 409), f"status change: {r}")
    check(request("GET", app, "/v1/sla/summary", headers=tenant).status == 200, "SLA summary")
    r = request("POST", control, "/v1/auth/logout", headers=auth, body={"refresh_token": tokens["refresh_token"]})
    check(r.status == 204, f"logout: {r}")
    # A fresh token for the caller's next requests (the one above is logged out).
    r = request("POST", control, "/v1/auth/login", body={"tenant": slug, "email": email, "password": "a long passphrase"})
    check(r.status == 200, f"login: {r}")
    return dict({"Authorization": f"Bearer {r.json()['access_token']}", "X-Tenant-Slug": slug}, _me=me.json()["id"]), ids


# ---- 3 and 4. queries and alerts --------------------------------------------------------------

KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "offset", "bool",
            "inf", "nan"}


def selectors(expr):
    """The vector selectors of a PromQL expression: metric name with its label matchers."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', lambda m: m.group(0).replace("(", "\x00").replace(")", "\x01"), expr)
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", text)
    text = re.sub(r"\boffset\s+\w+", " ", text)
    text = re.sub(r"\[[^\]]*\]", " ", text)
    found = []
    for m in re.finditer(r"([A-Za-z_:][\w:]*)\s*(\{[^}]*\})?(\s*\()?", text):
        name, matchers, call = m.group(1), m.group(2) or "", m.group(3)
        if call or name.lower() in KEYWORDS or re.fullmatch(r"\d.*", name):
            continue
        found.append((name + matchers).replace("\x00", "(").replace("\x01", ")"))
    return found


def evaluate_panels(prom, queries):
    failures = []
    for where, expr in queries:
        expr = expr.replace("$__rate_interval", RATE_INTERVAL)
        try:
            result = prom.query(expr)
        except Failure as e:
            failures.append(f"{where}: {e}")
            continue
        values = [float(s["value"][1]) for s in result]
        if not values:
            failures.append(f"{where}: no data for {expr}")
        elif all(math.isnan(v) for v in values):
            failures.append(f"{where}: only NaN for {expr}")
    return failures


def evaluate_alerts(prom):
    """The rules as Prometheus loaded them from monitoring/rules (so no YAML parser is needed)."""
    failures = []
    loaded = [rule for g in prom.groups() if g["name"] != PROOF_GROUP for rule in g["rules"]]
    in_file = len(re.findall(r"^\s+- alert:", open(f"{MON}/rules/helpdeskly.rules.yml").read(), re.M))
    if len(loaded) != in_file or not loaded:
        failures.append(f"Prometheus loaded {len(loaded)} rules, the file has {in_file}")
    for rule in loaded:
        name, expr = rule["name"], rule["query"]
        if rule.get("health") not in ("ok", "unknown"):
            failures.append(f"alert {name}: {rule.get('health')} {rule.get('lastError')}")
        try:
            prom.query(expr)
        except Failure as e:
            failures.append(f"alert {name}: {e}")
            continue
        sels = selectors(expr)
        if not sels:
            failures.append(f"alert {name}: no series found in {expr}")
        for sel in sels:
            if not prom.has(sel):
                failures.append(f"alert {name}: no live series for {sel}")
    return failures, len(loaded)


# ---- the proof ---------------------------------------------------------------------------------

def test_promtool():
    """promtool: the configuration, the rules, the rules' unit tests."""
    for args in (["check", "config", "prometheus.yml"], ["check", "rules", "rules/helpdeskly.rules.yml"],
                 ["test", "rules", "rules/helpdeskly.test.yml"]):
        done = subprocess.run(["promtool", *args], cwd=MON, capture_output=True, text=True)
        check(done.returncode == 0, f"promtool {' '.join(args)}:\n{done.stdout}{done.stderr}")


def test_dashboards():
    queries = check_dashboards()
    say(f"dashboards: {len(queries)} queries, provisioning shape and datasource uids checked")


def test_every_alert_is_in_the_manual():
    """The manual's "Operating" table (docs/operating.md) names every alert of the rules, and no other."""
    rules = set(re.findall(r"^\s*- alert:\s*(\w+)\s*$", open(f"{MON}/rules/helpdeskly.rules.yml").read(), re.M))
    manual = open(os.path.join(ROOT, "docs", "operating.md")).read()
    table = set(re.findall(r"^\| `(Helpdeskly\w+)`", manual, re.M))
    check(rules, "no alert read from the rules")
    check(rules <= table, f"alerts the manual's table leaves out: {sorted(rules - table)}")
    check(table <= rules, f"alerts in the manual's table that the rules do not have: {sorted(table - rules)}")


@pytest.fixture
def broker_objects():
    """The run's exchange and queues, removed from the broker at the end, and its Redis keys."""
    yield
    remove_broker_objects()
    subprocess.run(["sh", "-c", f"command -v redis-cli >/dev/null && redis-cli --scan --pattern '{RUN}:*' "
                                f"| xargs -r redis-cli del >/dev/null"], check=False)


@pytest.fixture
def broker_link():
    """app-api reaches the broker through a link the proof cuts (HelpdesklyLiveFanoutStalled)."""
    link = Link(urllib.parse.urlsplit(AMQP_URL).port or 5672)
    yield link
    link.close()


def test_panels_and_alerts(work, mail_server, webhook_receiver, broker_objects, broker_link, launch_platform):
    started = time.monotonic()
    queries = check_dashboards()
    mail, link = mail_server, broker_link
    # /ok is answered 200, /gone 410 (the platform disables that endpoint).
    hooks = webhook_receiver(status_of=lambda path: 410 if path == "/gone" else 200)
    prom = None
    try:
        platform = launch_platform("mon", {
            "REDIS_URL": os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379"),
            "REDIS_KEY_PREFIX": f"{RUN}:",
            "AMQP_URL": via_link(AMQP_URL, link.port),
            "OUTBOX_SWEEP_SECONDS": "2",
            "SLA_SWEEP_SECONDS": "5",
            "SIGNUPS_PER_IP_PER_HOUR": "0",
            "SMTP_URL": mail.smtp_url,
            "MAIL_FROM": "helpdeskly@helpdeskly.test",
            "EVENTS_EXCHANGE": EVENTS_EXCHANGE,
            "NOTIFICATIONS_QUEUE": NOTIFICATIONS_QUEUE,
            "WEBHOOKS_QUEUE": WEBHOOKS_QUEUE,
            # The proof's webhook receiver listens on 127.0.0.1.
            "WEBHOOK_ALLOW_PRIVATE_TARGETS": "true",
        }).start()
        platform.broker_link = link
        prom = Prometheus(work, {"control-api": f"127.0.0.1:{platform.control_port}",
                                 "app-api": f"127.0.0.1:{platform.app_port}"}).start()
        wait_for("both services scraped", lambda: len([s for s in prom.query("up == 1")]) == 2, timeout=30)
        fixtures(platform, prom, mail, hooks)
        mark = time.time()
        wait_for("a scrape after the fixtures",
                 lambda: all(float(s["value"][0]) > mark + 1 for s in prom.query("timestamp(up)")), timeout=20)
        failures = evaluate_panels(prom, queries)
        alert_failures, alerts = evaluate_alerts(prom)
        failures += alert_failures
        if failures:
            raise Failure("\n  " + "\n  ".join(failures))
        say(f"monitoring proof: {len(queries)} panel queries returned data, {alerts} alert expressions evaluated "
            f"with live underlying series, {len(SHORTENED)} alerts fired on real conditions and resolved")
    finally:
        if prom:
            prom.stop()
    say(f"monitoring proof passed in {time.monotonic() - started:.1f} s")
