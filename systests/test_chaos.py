"""The chaos suite (systests/chaos.py): steady traffic through nginx to two app-api replicas
while what they stand on fails, one fault after another, each measured; fails when a bound is
broken; then the same on clusters while a node of each dies. CHAOS_FORM: short (the default,
CI) or full; CHAOS_REPORT: the results as JSON too (the clusters' run beside it, `-clusters`);
CHAOS_VERBOSE: the services' last lines when it fails. A failed run's logs, its report and, when
an event's webhook was lost, where each lost event stopped (webhook-trace.txt) are kept under
artifacts/systests/."""

import json
import os
import sys
import time

import pytest

from systests.chaos import (FORMS, MailTraffic, Run, Traffic, all_delivered, bounds, missing_mail, results,
                            stream_bounds, stream_results, stream_table, streams_caught_up, table, webhook_results,
                            webhook_trace)
from systests.live_platform import Failure, check, psql, say, wait_for


def make_run(ha, work, mail_server, webhook_receiver, launch_nginx, test_failed):
    """Everything of the run's own, stopped and removed at the end; the services' last lines
    printed when it fails and CHAOS_VERBOSE is set."""
    form_name = os.environ.get("CHAOS_FORM", "short")
    check(form_name in FORMS, f"CHAOS_FORM must be one of {', '.join(FORMS)}")
    run = Run(work, FORMS[form_name], mail_server, webhook_receiver(), launch_nginx, ha=ha)
    run.form_name = form_name
    yield run
    if test_failed() and os.environ.get("CHAOS_VERBOSE"):
        for service in run.services.values():
            print(f"--- {service.name}\n{service.tail()}", file=sys.stderr)
    run.stop()


@pytest.fixture
def run(work, mail_server, webhook_receiver, launch_nginx, service_binaries, test_failed):
    yield from make_run(False, work, mail_server, webhook_receiver, launch_nginx, test_failed)


@pytest.fixture
def clustered_run(work, mail_server, webhook_receiver, launch_nginx, service_binaries, test_failed):
    yield from make_run(True, work, mail_server, webhook_receiver, launch_nginx, test_failed)


def test_chaos(run):
    broken = drive(run, run.faults_in_turn)
    if not run.kills["webhook-worker-kill"]:
        broken.append("webhook-worker-kill: no delivery was in hand to kill the worker on")
    check(not broken, "bounds not held:\n  " + "\n  ".join(broken))


def test_chaos_of_clusters(clustered_run):
    """The same traffic on a RabbitMQ cluster, Redis with Sentinel and a PostgreSQL pair, while a
    node of each dies for good: RabbitMQ's holding the queues' leaders, the Redis master, the
    PostgreSQL primary (the synchronous standby promoted)."""
    run = clustered_run
    broken = drive(run, run.faults_of_clusters)
    for fault, figures in run.ha_figures.items():
        print(f"  {fault}: {figures}")
    # Every ticket acknowledged is on the promoted standby (the commits waited for it).
    with run.traffic.lock:
        acknowledged = {a.ticket for a in run.traffic.answers if a.status == 201}
    stored = {int(t) for t in psql("SELECT id FROM support_tickets", run.tenant_db).split()}
    print(f"  tickets acknowledged: {len(acknowledged)}, on the new primary: {len(acknowledged & stored)}")
    if acknowledged - stored:
        broken.append(f"postgres-failover: {len(acknowledged - stored)} acknowledged tickets are not on the new "
                      f"primary: {sorted(acknowledged - stored)[:5]}")
    used = run.ha_figures.get("redis-master-kill", {}).get("used after (s)")
    if used is None or used > 10:
        broken.append(f"redis-master-kill: the services used the new master {used} s after the kill (bound 10 s)")
    check(not broken, "bounds not held:\n  " + "\n  ".join(broken))


def drive(run, faults):
    """Starts the run, puts the traffic through `faults`, waits for what is owed, prints the
    tables and writes the report; the bounds broken."""
    form_name, form = run.form_name, run.form
    started = time.monotonic()
    run.start()
    slug, token, ticket = run.tenant()
    run.traffic = Traffic(run.nginx, slug, token, ticket, form["clients"], form["rate"])
    run.phases.append((time.time(), "calm"))
    run.traffic.start()
    run.open_streams(token)
    run.mail_traffic = MailTraffic(run.traffic, token, run.customers, form["mail_rate"])
    run.mail_traffic.thread.start()
    run.calm("calm")
    faults()
    run.traffic.stop()
    run.mail_traffic.thread.join(timeout=40)
    try:
        wait_for("every created ticket's event", lambda: all_delivered(run), timeout=60, every=0.2)
    except Failure:
        pass  # counted as lost below
    try:
        wait_for("every mail expected", lambda: not missing_mail(run, run.mail_traffic.until()), timeout=60,
                 every=0.5)
    except Failure:
        pass  # counted as lost below
    try:
        # A delivery cut by a kill is sent again when its lease ends (30 s).
        wait_for("every event's webhook", lambda: not webhook_results(run)["lost"], timeout=90, every=0.5)
    except Failure:
        pass  # counted as lost below
    try:
        wait_for("every stream to have its frames", lambda: streams_caught_up(run), timeout=30, every=0.5)
    except Failure:
        pass  # counted as lost below
    rows = results(run)
    streams = stream_results(run)
    print(f"\nchaos ({form_name}: {form['clients']} clients x {form['rate']:g} requests/s, "
          f"outages of {form['outage']:g} s)\n")
    print(table(rows))
    print(f"\nlive streams ({len(run.streams)}: the owner twice and each customer, through nginx)\n")
    print(stream_table(streams))
    hooks = webhook_results(run)
    print(f"\nwebhooks: {hooks['events']} ticket.created events, {hooks['received']} received, "
          f"{len(hooks['lost'])} lost, {hooks['sent_again']} sent again (the same webhook-id; "
          f"{run.kills['webhook-worker-kill']} kills mid-delivery)")
    for name, (replica, held) in run.killed_streams.items():
        print(f"  {name}: {replica} SIGKILLed holding {held} streams")
    for r in rows:
        if r["statuses"]:
            print(f"  {r['fault']}: failed answers by status {r['statuses']}")
        if r["mails_duplicated"]:
            print(f"  {r['fault']}: {r['mails_duplicated']} mails arrived twice (same Message-ID): accepted by the "
                  f"server before their sender could mark them sent ({r['kills']} processes killed; at most "
                  f"{r['mails_duplicated_bound']})")
    # In the run's folder too: kept with its logs when the run fails (systests/conftest.py).
    report = {"form": form_name, **form, "faults": rows, "streams": streams, "webhooks": hooks,
              "clusters": run.ha_figures}
    suffix = "-clusters" if run.ha else ""
    asked = os.environ.get("CHAOS_REPORT")
    asked = asked and asked.removesuffix(".json") + suffix + ".json"
    for path in filter(None, [f"{run.work}/chaos-report{suffix}.json", asked]):
        with open(path, "w") as f:
            json.dump(report, f, indent=2)
    if hooks["lost"]:
        with open(f"{run.work}/webhook-trace.txt", "w") as f:
            f.write(webhook_trace(run, hooks["lost"]))
    broken = bounds(rows) + stream_bounds(streams)
    if hooks["lost"]:
        broken.append(f"webhooks: {len(hooks['lost'])} events never reached the receiver: {hooks['lost'][:5]}")
    say(f"chaos run ended in {time.monotonic() - started:.0f} s")
    return broken
