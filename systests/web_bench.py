"""The web app's benchmark (scripts/web-bench.sh): a fresh platform through scripts/dev.sh, one
organisation whose database is filled with the tickets benchmark's data, then e2e/bench/ in
Chromium: every load in a new browser context (an empty cache), each signed-in one with a
session cookie of its own, as a returning user's browser opening the app.
"""

import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile
import urllib.request

from systests.live_platform import ADMIN_URL, ROOT, Failure, Platform, check, psql, request, say

PASSWORD = "a long passphrase for benchmarks"


def bundle_sizes():
    """Bytes and gzip bytes of what a first visit downloads: index.html and web/dist/assets."""
    dist = os.path.join(ROOT, "web", "dist")
    rows = []
    for folder, _, files in os.walk(dist):
        for name in sorted(files):
            path = os.path.join(folder, name)
            data = open(path, "rb").read()
            rows.append((os.path.relpath(path, dist), len(data), len(gzip.compress(data, 9))))
    return rows


def post(port, path, body, token=None):
    headers = {"authorization": f"Bearer {token}"} if token else None
    return request("POST", port, path, body=body, headers=headers)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    limits = {"SIGNUPS_PER_IP_PER_HOUR": "0", "REGISTRATIONS_PER_IP_PER_HOUR": "0", "RATE_LIMIT_IP_PER_MINUTE": "0",
              "RATE_LIMIT_USER_PER_MINUTE": "0", "LOCKOUT_IP_ATTEMPTS": "100000"}
    with Platform("webbench", limits) as platform:
        slug, owner = "bench", "owner@bench.example.org"
        platform.signup(slug, owner, PASSWORD)
        customer = "customer@bench.example.org"
        r = post(platform.control_port, "/v1/auth/register",
                 {"tenant": slug, "email": customer, "password": PASSWORD, "firstname": "Léa", "lastname": "Martin"})
        check(r.status == 201, f"register: {r}")
        token = platform.login(slug, customer, PASSWORD)
        check(request("GET", platform.app_port, "/v1/me", headers={"authorization": f"Bearer {token}",
                      "x-tenant-slug": slug}).status == 200, "the customer reaches the tenant plane")
        database = psql(f"SELECT datname FROM pg_database WHERE datname LIKE '{platform.prefix.replace('_', chr(92) + '_')}%'")
        check(database and "\n" not in database, f"one tenant database, found {database!r}")
        say(f"seeding {args.tickets} tickets into {database}")
        seeded = subprocess.run([os.path.join(ROOT, "target", "debug", "helpdeskly-bench"), "seed-tickets",
                                 "--database-url", f"{ADMIN_URL.rsplit('/', 1)[0]}/{database}", "--tickets", str(args.tickets)],
                                check=True, capture_output=True, text=True)
        landmarks = json.loads(seeded.stdout.strip().splitlines()[-1])
        # The seed gave the customer a share of its tickets too; these are their newest.
        for n in range(30):
            r = request("POST", platform.app_port, "/v1/tickets", headers={"authorization": f"Bearer {token}",
                        "x-tenant-slug": slug}, body={"subject": f"Commande {n} incomplète", "description": "Il manque un article."})
            check(r.status == 201, f"a customer's ticket: {r}")
        customer_tickets = int(psql(f"SELECT count(*) FROM support_tickets t JOIN users u ON u.id = t.user_id "
                                    f"WHERE u.email = '{customer}'", f"{ADMIN_URL.rsplit('/', 1)[0]}/{database}"))
        fd, results = tempfile.mkstemp(prefix="web-bench-", suffix=".json")
        os.close(fd)
        env = dict(os.environ)
        env.update({
            "BENCH_CONTROL_PORT": str(platform.control_port), "BENCH_APP_PORT": str(platform.app_port),
            "BENCH_SLUG": slug, "BENCH_OWNER": owner, "BENCH_CUSTOMER": customer, "BENCH_PASSWORD": PASSWORD,
            "BENCH_RUNS": str(args.runs), "BENCH_RESULTS": results,
            "CHROMIUM_PATH": os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
        })
        done = subprocess.run(["npx", "playwright", "test", "--config", "bench/bench.config.ts"],
                              cwd=os.path.join(ROOT, "e2e"), env=env)
        if done.returncode != 0:
            print(platform.tail(40), file=sys.stderr)
            return done.returncode
        measured = json.load(open(results))
        os.unlink(results)

    print(f"\nbundle (web/dist), {sum(r[1] for r in bundle_sizes())} bytes, "
          f"{sum(r[2] for r in bundle_sizes())} gzip:")
    for name, size, gz in bundle_sizes():
        print(f"  {name:40} {size:>9} B  {gz:>8} B gzip")
    print(f"\ntenant: {landmarks['tickets']} tickets, {landmarks['messages']} messages, "
          f"{landmarks['database_bytes'] / 1e6:.0f} MB; the portal's customer has {customer_tickets} tickets; "
          f"{args.runs} cold loads each (ms, from navigation start):")
    print(f"  {'':44} {'median':>8} {'p90':>8} {'max':>8}")
    for name, values in measured.items():
        values = sorted(values)
        p90 = values[min(len(values) - 1, int(len(values) * 0.9))]
        print(f"  {name:44} {values[len(values) // 2]:8.0f} {p90:8.0f} {values[-1]:8.0f}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Failure as e:
        say(f"FAILED: {e}")
        sys.exit(1)
