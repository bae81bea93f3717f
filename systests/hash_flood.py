"""control-api's memory under a password flood: its resident memory at rest, at its peak while
SIGNUPS sign-ups and as many wrong-password logins arrive at once (each from its own loopback
address, so no per-address limit stops them before their argon2 run), and ten seconds after the
flood. Run by scripts/bench.sh hash-flood (see BENCHMARKS.md).

control-api runs from CARGO_TARGET_DIR's debug build (another build's folder measures another
commit), on a PostgreSQL cluster and a Redis server of the run's own, removed at the end.
"""

import base64
import collections
import os
import shutil
import subprocess
import tempfile
import threading
import time

from systests.live_platform import check, free_port, request, say, wait_for
from systests.servers import TARGET, Postgres, Redis, Service

SIGNUPS = int(os.environ.get("FLOOD_SIGNUPS", "200"))
LOGINS = int(os.environ.get("FLOOD_LOGINS", "200"))
PASSWORD = "a long passphrase"


def rss_mib(pid, field="VmRSS"):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"{field} not in /proc/{pid}/status")


def source(n):
    return f"127.0.{1 + n // 250}.{1 + n % 250}"


def main():
    work = tempfile.mkdtemp(prefix="hd-flood-")
    os.chmod(work, 0o755)
    pg, redis = Postgres(work), Redis(work)
    service = None
    try:
        pg.start()
        redis.start()
        subprocess.run(["openssl", "genpkey", "-algorithm", "ed25519", "-out", f"{work}/jwt.pem"], check=True)
        port = free_port()
        env = dict(os.environ, CONTROL_DATABASE_URL=pg.url("helpdeskly_control"), TENANT_DATABASE_URL=pg.url("postgres"),
                   REDIS_URL=f"redis://127.0.0.1:{redis.port}", DB_ENCRYPTION_KEY=base64.b64encode(os.urandom(32)).decode(),
                   JWT_PRIVATE_KEY=open(f"{work}/jwt.pem").read(), BIND_ADDR="127.0.0.1", CONTROL_PORT=str(port),
                   LOG_LEVEL="warn", LOG_FORMAT="json")
        for var in ("AMQP_URL", "WEB_DIR", "TRUSTED_PROXIES"):
            env.pop(var, None)
        service = Service("control-api", [f"{TARGET}/debug/control-api", "serve"], env, port, work)
        service.start()
        pid = service.proc.pid
        slug = f"flood{os.getpid()}"
        r = request("POST", port, "/v1/tenants/signup", body={
            "organization_name": "Flood", "slug": slug,
            "admin": {"email": f"owner@{slug}.example", "password": PASSWORD, "firstname": "A", "lastname": "L"}})
        check(r.status == 202, f"signup: {r}")
        wait_for("the first tenant", lambda: request("GET", port, f"/v1/tenants/{slug}/status").json()["status"]
                 == "active", timeout=60)
        time.sleep(2)
        idle = rss_mib(pid)

        answers = collections.Counter()
        lock = threading.Lock()
        go = threading.Event()

        def signup(n):
            go.wait()
            s = f"{slug}-{n}"
            r = request("POST", port, "/v1/tenants/signup", source=source(n), timeout=120, body={
                "organization_name": "Flood", "slug": s,
                "admin": {"email": f"owner@{s}.example", "password": PASSWORD, "firstname": "A", "lastname": "L"}})
            with lock:
                answers[f"sign-up {r.status}"] += 1

        def login(n):
            go.wait()
            r = request("POST", port, "/v1/auth/login", source=source(SIGNUPS + n), timeout=120, body={
                "tenant": slug, "email": f"nobody{n}@{slug}.example", "password": "not the passphrase"})
            with lock:
                answers[f"login {r.status}"] += 1

        threads = [threading.Thread(target=signup, args=(n,)) for n in range(SIGNUPS)]
        threads += [threading.Thread(target=login, args=(n,)) for n in range(LOGINS)]
        for t in threads:
            t.start()
        peak = idle
        started = time.monotonic()
        go.set()
        while any(t.is_alive() for t in threads):
            peak = max(peak, rss_mib(pid))
            time.sleep(0.02)  # sampling, not synchronisation
        flood_s = time.monotonic() - started
        peak = max(peak, rss_mib(pid, "VmHWM"))
        time.sleep(10)
        settled = rss_mib(pid)
        say(f"answers: {dict(sorted(answers.items()))}")
        print(f"control-api RSS: idle {idle:.0f} MiB, peak {peak:.0f} MiB during {SIGNUPS} sign-ups and {LOGINS} "
              f"wrong logins at once ({flood_s:.1f} s), settled {settled:.0f} MiB ten seconds later")
    finally:
        if service:
            service.stop()
        redis.stop()
        pg.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
