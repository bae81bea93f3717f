"""The fuzz run: Schemathesis against both services' live OpenAPI documents. Run by scripts/fuzz.sh,
which installs Schemathesis and names it in SCHEMATHESIS.

control-api and app-api run through scripts/dev.sh on free ports against fresh databases
(systests/live_platform.py, removed at the end). One tenant is signed up, and four callers are
made: its owner, an agent (invited by the owner, the invitation accepted), a customer (who
registers) and nobody (no token). Each service's document is then fuzzed once per caller, every
operation with generated requests, valid and invalid (`--mode all`: the coverage phase's edge
values, then random ones, then the stateful phase's sequences), and every answer must hold:

- not_a_server_error: no 5xx;
- status_code_conformance: its status is one the operation documents;
- content_type_conformance and response_schema_conformance: its body is what the operation
  documents for that status, by content type and by schema;
- negative_data_rejection: a request the document calls invalid is not answered 2xx;
- ignored_auth: an operation that takes a bearer token refuses a request without one;
- unsupported_method, allow_header_conformance: a method no operation has is a 405 whose Allow
  lists the documented ones;
- problem_json (systests/fuzz_checks.py): an error is application/problem+json with `type`,
  `title`, `code` and the answer's `status`.

The documents declare no OpenAPI links: the stateful phase chains the ones Schemathesis infers
from the schemas (a ticket created, then read, changed, assigned), which costs under a second a
run. Values seen in answers (ids, slugs) are reused in later requests, which is why two
operations wait for the end: `POST /v1/auth/logout-all` ends the caller's every session (and the
token the run goes on with), and `DELETE /v1/tenants/{slug}` with the tenant's own slug, which
the fuzz learns, deletes the tenant. They are left out of the signed-in runs and fuzzed last,
once per caller. The owner's runs come after the others' for the same reason: the owner may
remove the agent or erase the customer.

  FUZZ_EXAMPLES   generated requests per operation and phase (default 10: the test command's bound;
                  FUZZ_EXAMPLES=100 scripts/fuzz.sh is the long run)
  FUZZ_PHASES     Schemathesis' phases (default coverage,fuzzing,stateful)
  FUZZ_SEED       Schemathesis' seed (default: a random one, printed, to replay a failure)
  FUZZ_SHOW       set: print every run's report, not only the failed ones
  FUZZ_WORKERS    concurrent requests per run (default 1: Python 3.11 can fail parsing in two
                  threads at once, "AST constructor recursion depth mismatch")
"""

import concurrent.futures
import os
import random
import re
import subprocess
import sys
import time

from systests.live_platform import ROOT, Failure, check, request, say, wait_for

# Schemathesis of systests/requirements.txt, beside the tests' own Python.
SCHEMATHESIS = os.environ.get("SCHEMATHESIS", os.path.join(os.path.dirname(sys.executable), "schemathesis"))
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))
SEED = int(os.environ.get("FUZZ_SEED") or random.randrange(1 << 32))
WORKERS = os.environ.get("FUZZ_WORKERS", "1")
PHASES = os.environ.get("FUZZ_PHASES", "coverage,fuzzing,stateful")
CHECKS = ("not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,"
          "negative_data_rejection,ignored_auth,unsupported_method,allow_header_conformance,problem_json")
PASSWORD = "a long passphrase"
# What ends the run's own sessions or tenant: fuzzed last (see `test_fuzz`).
ENDINGS = [("POST", "/v1/auth/logout-all"), ("DELETE", "/v1/tenants/{slug}")]
# Answers that never end by design (the live stream): a generated client would wait on each until
# its timeout; their refusals and replays are the services' own tests.
ENDLESS = [("GET", "/v1/stream")]


def callers(platform, slug):
    """The tenant's owner, an agent and a customer, each with an access token, and nobody."""
    control = platform.control_port
    owner_email = f"owner@{slug}.example"
    platform.signup(slug, owner_email, PASSWORD)
    owner = platform.login(slug, owner_email, PASSWORD)

    agent_email = f"agent@{slug}.example"
    r = request("POST", control, f"/v1/tenants/{slug}/invitations", headers={"Authorization": f"Bearer {owner}"},
                body={"email": agent_email, "role": "agent"})
    check(r.status == 201, f"the agent's invitation: {r}")
    r = request("POST", control, f"/v1/invitations/{r.json()['token']}/accept",
                body={"password": PASSWORD, "firstname": "Agent", "lastname": "Smith"})
    check(r.status == 200, f"the agent's acceptance: {r}")
    agent = platform.login(slug, agent_email, PASSWORD)

    customer_email = f"customer@{slug}.example"
    r = request("POST", control, "/v1/auth/register", body={
        "tenant": slug, "email": customer_email, "password": PASSWORD, "firstname": "Cus", "lastname": "Tomer"})
    check(r.status == 201, f"the customer's registration: {r}")
    customer = platform.login(slug, customer_email, PASSWORD)

    tokens = {"owner": owner, "agent": agent, "customer": customer}
    for role, token in tokens.items():
        def known(role=role, token=token):
            me = request("GET", platform.app_port, "/v1/me",
                         headers={"Authorization": f"Bearer {token}", "X-Tenant-Slug": slug})
            return me.status == 200 and me.json().get("role") == role

        wait_for(f"app-api to know the {role}", known, timeout=30, every=0.2)
    return {**tokens, "nobody": None}


def served_requests(platform):
    """How many requests both services have answered, by their own /metrics."""
    total = 0
    for port in (platform.control_port, platform.app_port):
        text = request("GET", port, "/metrics").body
        total += sum(float(v) for v in re.findall(r"^http_requests_total\{[^}]*\} (\S+)$", text, re.M))
    return int(total)


def fuzz(service, port, caller, token, slug, work, endings=False):
    """One Schemathesis run of `service`'s live document as `caller`, of the operations that end
    sessions or the tenant (`endings`) or of every other one; returns its failures' text."""
    args = [SCHEMATHESIS, "run", f"http://127.0.0.1:{port}/openapi.json", "--url", f"http://127.0.0.1:{port}",
            "--checks", CHECKS, "--mode", "all", "--phases", PHASES, "--max-examples", str(EXAMPLES),
            "--seed", str(SEED), "--workers", WORKERS, "--no-shrink", "--request-timeout", "20",
            "--suppress-health-check", "all", "--warnings", "off", "--output-truncate", "true",
            "--continue-on-failure", "-H", f"X-Tenant-Slug: {slug}"]
    if token:
        args += ["-H", f"Authorization: Bearer {token}"]
    if endings:
        args += [arg for method, path in ENDINGS for arg in ("--include-name", f"{method} {path}")]
    elif token:  # without a token they are refused (401) and end nothing
        args += [arg for method, path in ENDINGS for arg in ("--exclude-name", f"{method} {path}")]
    if token:  # without a token the stream is refused at once (401), as the fuzz checks
        args += [arg for method, path in ENDLESS for arg in ("--exclude-name", f"{method} {path}")]
    env = dict(os.environ, SCHEMATHESIS_HOOKS=os.path.join(ROOT, "systests", "fuzz_checks.py"),
               NO_COLOR="1", COLUMNS="120", PYTHONDONTWRITEBYTECODE="1")
    started = time.monotonic()
    done = subprocess.run(args, cwd=work, env=env, capture_output=True, text=True)
    took = time.monotonic() - started
    output = done.stdout + done.stderr
    summary = re.findall(r"^(?:Test cases|API Operations|Test Phases):.*$|^\s+\S+\s+\d+ (?:passed|failed).*$",
                         output, re.M)
    say(f"{service} as {caller}{' (what ends sessions)' if endings else ''}: exit {done.returncode} in {took:.1f} s"
        + (f"; {'; '.join(s.strip() for s in summary[:2])}" if summary else ""))
    if os.environ.get("FUZZ_SHOW"):
        print(output, file=sys.stderr)
    return None if done.returncode == 0 else output


def test_fuzz(work, launch_platform):
    started = time.monotonic()
    slug = f"fuzz{os.getpid()}"
    # Rate limits would answer 429 (documented) to most of the fuzz's requests, which would
    # then reach no handler.
    platform = launch_platform("fuzz", {"SIGNUPS_PER_IP_PER_HOUR": "0", "REGISTRATIONS_PER_IP_PER_HOUR": "0",
                                        "RATE_LIMIT_USER_PER_MINUTE": "1000000",
                                        "RATE_LIMIT_IP_PER_MINUTE": "1000000"}).start()
    people = callers(platform, slug)
    say(f"fuzzing with {EXAMPLES} examples per operation and phase, seed {SEED}")
    before = served_requests(platform)
    fuzz_started = time.monotonic()
    services = [("app-api", platform.app_port), ("control-api", platform.control_port)]
    # The owner last: what it may do to the others (remove the agent, erase the customer) ends
    # their runs' reach, and its own endings (its sessions, the tenant) come after everything.
    # The other callers go two at a time (Schemathesis' generation is most of a run's time, on
    # one core each), each caller's runs one after the other: a caller's control-api run may end
    # the caller's own session (it lists its sessions and deletes one it learnt), which must not
    # happen during its app-api run. Then the owner's, then the endings, one after the other.
    def run(service, port, caller, endings):
        failed = fuzz(service, port, caller, people[caller], slug, work, endings)
        return (f"{service} as {caller}{' (endings)' if endings else ''}", failed)

    def runs_of(caller):
        return [run(service, port, caller, False) for service, port in services]

    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = [outcome for runs in pool.map(runs_of, ("nobody", "customer", "agent")) for outcome in runs]
    outcomes += runs_of("owner")
    outcomes += [run("control-api", platform.control_port, caller, True)
                 for caller in ("nobody", "customer", "agent", "owner") if people[caller]]
    failures = [(name, failed) for name, failed in outcomes if failed]
    fuzz_took = time.monotonic() - fuzz_started
    sent = served_requests(platform) - before
    say(f"fuzz: {sent} requests answered in {fuzz_took:.1f} s (both services' /metrics)")
    if failures:
        for name, output in failures:
            print(f"\n==== {name} ====\n{output}", file=sys.stderr)
        raise Failure(f"{len(failures)} run(s) found failures: {', '.join(name for name, _ in failures)} "
                      f"(replay with FUZZ_SEED={SEED})")
    say(f"fuzz passed in {time.monotonic() - started:.1f} s")
