"""Runs the web app's end-to-end tests (e2e/) against a fresh platform (arguments for
`playwright test` given as --playwright=ARG; SCREENSHOTS set: copied to docs/screenshots/): both services through
scripts/dev.sh (which builds the web app and serves it), on free ports, every database removed
at the end. The tests reach the sign-up page at http://localhost:{control port}/ and each
organisation at http://{slug}.localhost:{app port}/ (Chromium resolves *.localhost itself), sign
in as the platform operator made for the run (E2E_OPERATOR_EMAIL, E2E_OPERATOR_PASSWORD), and
arrange what the browser does not do (an agent's reply, a second customer) through the API.
Both services send their mail to the test mail server (TEST_SMTP_URL, started by
scripts/web-e2e.sh), where the tests read it over IMAP (TEST_IMAP_ADDR, TEST_MAIL_PASSWORD).
app-api publishes its events to the test broker (TEST_AMQP_URL) on an exchange and a
notifications queue of this run's own, so that its notification worker (in `serve`) reads this
platform's events only; the queue is deleted at the end when rabbitmqctl can.
"""

import json
import os
import re
import shutil
import subprocess
import sys

import pytest

from systests.live_platform import ROOT, check, say


def delete_queue(queue):
    """Best effort: the run's queue, through rabbitmqctl when it is here and usable (the exchange,
    bound to nothing then, stays)."""
    if shutil.which("rabbitmqctl"):
        subprocess.run(["rabbitmqctl", "-q", "delete_queue", queue], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=False, timeout=60)


@pytest.fixture
def services_env():
    """What the services are started with; the run's queues deleted at the end."""
    run_id = f"hd-web-e2e-{os.getpid()}"
    env = {
        # Every test signs an organisation up from this one address.
        "SIGNUPS_PER_IP_PER_HOUR": "0",
        "SIGNUPS_PER_HOUR": "0",
        "REGISTRATIONS_PER_IP_PER_HOUR": "0",
        # Requests without a sign-in all come from this address; a signed-in person keeps the
        # default budget, which the rate-limits spec proves the console's own use stays inside.
        "RATE_LIMIT_IP_PER_MINUTE": "0",
        # A short access token, so that the silent refresh happens within a test.
        "JWT_EXPIRES_IN_SECONDS": os.environ.get("E2E_ACCESS_TOKEN_SECONDS", "45"),
        # Mail is sent, and read back by the tests (password reset, confirmation, invitations).
        "SMTP_URL": os.environ.get("TEST_SMTP_URL", "smtp://127.0.0.1:2525"),
        # Events reach the notification worker (the bell, notification mail) through the broker.
        "AMQP_URL": os.environ.get("TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/%2f"),
        "EVENTS_EXCHANGE": f"{run_id}.events",
        "NOTIFICATIONS_QUEUE": f"{run_id}.notifications",
        "WEBHOOKS_QUEUE": f"{run_id}.webhooks",
        # The integrations test points a webhook at 127.0.0.1 (where nothing listens).
        "WEBHOOK_ALLOW_PRIVATE_TARGETS": "true",
        # The single sign-on test's OpenID Provider runs on http://127.0.0.1 (sso.spec.ts).
        "SSO_ALLOW_INSECURE_ISSUERS": "true",
    }
    yield env
    delete_queue(env["NOTIFICATIONS_QUEUE"])
    delete_queue(env["WEBHOOKS_QUEUE"])


def failures(report_path, most=5):
    """The failed tests of a Playwright JSON report, each with the start of its first error, so
    that a failed run says which test failed and why where only its last lines are kept."""
    try:
        with open(report_path, encoding="utf-8") as report:
            root = json.load(report)
    except (OSError, ValueError) as error:
        return [f"(no report: {error})"]
    found = []

    def walk(suite, where):
        for spec in suite.get("specs", []):
            for test in spec.get("tests", []):
                if test.get("status") in ("expected", "skipped"):
                    continue
                errors = [error for result in test.get("results", []) for error in result.get("errors", [])]
                message = errors[0].get("message", "") if errors else test.get("status", "")
                message = re.sub(r"\x1b\[[0-9;]*m", "", message).strip()
                found.append(f"{where or spec.get('file', '')} › {spec.get('title')}: {message[:600]}")
        for inner in suite.get("suites", []):
            walk(inner, inner.get("file") or where)

    for suite in root.get("suites", []):
        walk(suite, suite.get("file", ""))
    return found[:most] or ["(the report names no failed test)"]


def test_web_e2e(services_env, launch_platform, pytestconfig):
    platform = launch_platform("web", services_env)
    # Each organisation's address as the browser reaches it: where single sign-on's provider
    # sends people back (its redirect URI), and where the links in mail point.
    platform.extra_env["APP_PUBLIC_URL"] = f"http://{{slug}}.localhost:{platform.app_port}"
    platform.start()
    say(f"platform up: control-api :{platform.control_port}, app-api :{platform.app_port}")
    # The platform operator the operators' pages sign in as (operators.spec.ts).
    operator = {"email": f"operator-{os.getpid()}@example.org", "password": "a long passphrase for operators"}
    platform.create_platform_admin(operator["email"], operator["password"])
    run = os.path.join(ROOT, "e2e", "test-results", f"run-{os.getpid()}")
    shots = os.path.join(run, "screenshots")
    shutil.rmtree(run, ignore_errors=True)
    env = dict(os.environ)
    env.update({
        "E2E_CONTROL_PORT": str(platform.control_port),
        "E2E_APP_PORT": str(platform.app_port),
        "E2E_OUTPUT_DIR": os.path.join(run, "artifacts"),
        "E2E_REPORT": os.path.join(run, "report.json"),
        "E2E_ACCESS_TOKEN_SECONDS": services_env["JWT_EXPIRES_IN_SECONDS"],
        "E2E_OPERATOR_EMAIL": operator["email"],
        "E2E_OPERATOR_PASSWORD": operator["password"],
        "CHROMIUM_PATH": os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium-headless-shell"),
        "PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD": "1",
    })
    # The manual's screenshots are taken only when asked for: 39 full pages drawn for nothing
    # otherwise.
    if os.environ.get("SCREENSHOTS"):
        env["E2E_SCREENSHOTS"] = shots
    done = subprocess.run(["npx", "playwright", "test", *pytestconfig.getoption("playwright")],
                          cwd=os.path.join(ROOT, "e2e"), env=env)
    if done.returncode != 0:
        say(f"the end-to-end tests failed (traces and screenshots in {os.path.relpath(run, ROOT)}); "
            "the services' last lines:")
        print(platform.tail(60), file=sys.stderr)
        failed = "\n".join(failures(os.path.join(run, "report.json")))
        check(False, f"playwright test exited {done.returncode}; failed:\n{failed}")
    if os.environ.get("SCREENSHOTS"):
        target = os.path.join(ROOT, "docs", "screenshots")
        os.makedirs(target, exist_ok=True)
        for name in sorted(os.listdir(shots)):
            shutil.copy(os.path.join(shots, name), os.path.join(target, name))
        say("screenshots copied to docs/screenshots/")
    shutil.rmtree(run, ignore_errors=True)
