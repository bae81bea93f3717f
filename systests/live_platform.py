"""The running platform for the system tests (and the web benchmark): both services started through
scripts/dev.sh (its environment, keys and build) on free ports, against a fresh control database
on the test PostgreSQL server, attachments on the local disk in a temporary directory (no S3, no
clamd), no mail server (SMTP_URL empty: mail waits in its table; a caller may pass one), and
everything removed again at the end: the services, the control database, the tenant
databases and roles (a prefix of their own), the template database and the stored files.

Also: free ports, bounded polling, a small HTTP client that can connect to one address while
naming another host (TLS SNI and Host), from a chosen source address, and a private mail server
(MailDevel) that can be killed and started again, its mailboxes read over IMAP, and a TCP link to
a local server that can be cut (Link).
"""

import collections
import email.parser
import email.policy
import http.client
import imaplib
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
ADMIN_URL = os.environ.get("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")


class Failure(Exception):
    """A check that did not hold."""


def check(condition, message):
    if not condition:
        raise Failure(message)


def say(message):
    print(f"\033[1m==>\033[0m {message}", file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return True
    except OSError:
        return False


def stop_process(proc, sig=signal.SIGTERM, timeout=10):
    """Sends `sig` to a running process and awaits its exit; SIGKILL after `timeout` seconds."""
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(sig)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def shut(sock):
    """A socket shut both ways, then closed (one already shut by the other side is no error)."""
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()


def wait_for(what, probe, timeout=30.0, every=0.1):
    """Polls `probe` until it returns something truthy; fails naming `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            value = probe()
            if value:
                return value
        except Failure:
            raise  # the probe knows it cannot succeed any more
        except Exception as e:  # a probe may fail while the thing starts
            last = e
        time.sleep(every)
    raise Failure(f"timed out after {timeout:.0f} s waiting for {what}" + (f" (last error: {last})" if last else ""))


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def header(self, name):
        return self.headers.get(name.lower())

    def json(self):
        try:
            return json.loads(self.body)
        except ValueError:
            raise Failure(f"not JSON ({self.status}): {self.body[:300]!r}")

    def __repr__(self):
        return f"{self.status} {self.body[:300]!r}"


def request(method, port, path, host=None, body=None, headers=None, tls=None, source="127.0.0.1",
            tls_version=None, timeout=30, address="127.0.0.1"):
    """One HTTP/1.1 request to address:port from `source`, naming `host` (Host and SNI).

    `tls` is None for plain HTTP, else the CA file to verify the server with.
    """
    sock = socket.create_connection((address, port), timeout=timeout,
                                    source_address=(source, 0) if source else None)
    if tls is not None:
        ctx = ssl.create_default_context(cafile=tls)
        if tls_version:
            ctx.minimum_version = ctx.maximum_version = tls_version
        sock = ctx.wrap_socket(sock, server_hostname=host)
    tls_version = sock.version() if tls is not None else None
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    conn.sock = sock
    all_headers = {"Host": f"{host}" if host else f"127.0.0.1:{port}", "Connection": "close"}
    if isinstance(body, (dict, list)):
        body = json.dumps(body).encode()
        all_headers["Content-Type"] = "application/json"
    all_headers.update(headers or {})
    try:
        conn.request(method, path, body=body, headers=all_headers)
        r = conn.getresponse()
        data = r.read()
    except (ConnectionResetError, BrokenPipeError) as e:
        raise Failure(f"{method} {host}{path}: connection closed ({e})")
    finally:
        conn.close()
    hdrs = {}
    for k, v in r.getheaders():
        k = k.lower()
        hdrs[k] = f"{hdrs[k]}, {v}" if k in hdrs else v
    out = Response(r.status, hdrs, data.decode("utf-8", "replace"))
    out.body_bytes = data
    out.tls_version = tls_version
    return out


def sse_frames(response, stopping=None):
    """The frames of a server-sent event stream as they arrive, each a dict of its fields (`id`,
    `event`, `data`; a blank line ends one, comments are skipped), until the stream ends or
    `stopping` (a threading.Event) is set."""
    frame = {}
    while stopping is None or not stopping.is_set():
        line = response.readline()
        if not line:
            return
        line = line.decode().rstrip("\r\n")
        if line:
            if not line.startswith(":") and ":" in line:
                field, value = line.split(":", 1)
                frame[field] = value.removeprefix(" ")
            continue
        if frame:
            yield frame
        frame = {}


def psql(sql, url=ADMIN_URL):
    done = subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-Atqc", sql], capture_output=True, text=True)
    if done.returncode != 0:
        raise Failure(f"psql: {done.stderr.strip()}")
    return done.stdout.strip()


class Platform:
    """control-api and app-api through `scripts/dev.sh`, in a fresh control database."""

    def __init__(self, name, extra_env=None):
        self.name = f"{name}{os.getpid()}"
        self.extra_env = extra_env or {}
        self.proc = None
        self.log_path = None
        self.control_port = free_port()
        self.app_port = free_port()
        self.control_db = f"hd_{self.name}_control"
        self.prefix = f"hd{self.name}_"
        self.template = f"hd_{self.name}_template"
        self.blob_dir = None
        self.env = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def start(self):
        psql(f'CREATE DATABASE "{self.control_db}"')
        self.blob_dir = tempfile.mkdtemp(prefix=f"hd-{self.name}-blobs-")
        base = ADMIN_URL.rsplit("/", 1)[0]
        env = dict(os.environ)
        env.update({
            "CONTROL_DATABASE_URL": f"{base}/{self.control_db}",
            "TENANT_DATABASE_URL": ADMIN_URL,
            "TENANT_DB_PREFIX": self.prefix,
            "TENANT_TEMPLATE_DATABASE": self.template,
            "CONTROL_PORT": str(self.control_port),
            "APP_PORT": str(self.app_port),
            "BIND_ADDR": "127.0.0.1",
            "LOG_FORMAT": "json",
            "LOG_LEVEL": "info",
            # Not the edge's domain: app-api learns the tenant from nginx's X-Tenant-Slug alone.
            "APP_BASE_DOMAIN": "localhost",
            "ORDERS_CONSUMER_IN_SERVE": "false",
            "BLOB_DIR": self.blob_dir,
            # Set and empty: scripts/dev.sh starts no mail server of its own.
            "SMTP_URL": "",
        })
        for var in ("REDIS_URL", "AMQP_URL", "TRUSTED_PROXIES", "S3_ENDPOINT", "S3_BUCKET", "S3_PUBLIC_ENDPOINT",
                    "CLAMAV_ADDR", "UPLOAD_SPOOL_DIR", "MAIL_FROM", "MAIL_REPLY_DOMAIN"):
            env.pop(var, None)
        env.update(self.extra_env)
        self.env = env
        fd, self.log_path = tempfile.mkstemp(prefix=f"hd-{self.name}-", suffix=".log")
        log = os.fdopen(fd, "w")
        # Its own process group: stopping it stops dev.sh, its services and their log tees.
        self.proc = subprocess.Popen([f"{ROOT}/scripts/dev.sh"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        log.close()

        def healthy():
            if self.proc.poll() is not None:
                raise Failure(f"scripts/dev.sh exited ({self.proc.returncode}):\n{self.tail()}")
            for port in (self.control_port, self.app_port):
                if request("GET", port, "/health", timeout=2).status != 200:
                    return False
            return True

        try:
            wait_for("both services to answer /health (build included)", healthy, timeout=600, every=0.3)
        except Exception:
            self.stop()
            raise
        return self

    def tail(self, lines=40):
        with open(self.log_path, errors="replace") as f:
            return "".join(f.readlines()[-lines:])

    def log_lines(self):
        with open(self.log_path, errors="replace") as f:
            return f.readlines()

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.proc = None
        like = self.prefix.replace("_", r"\_")
        try:
            dbs = psql(f"SELECT datname FROM pg_database WHERE datname LIKE '{like}%' "
                       f"OR datname IN ('{self.control_db}', '{self.template}')").splitlines()
            roles = psql(f"SELECT rolname FROM pg_roles WHERE rolname LIKE '{like}%'").splitlines()
        except Failure as e:
            say(f"cleanup: cannot list the test databases: {e}")
            dbs, roles = [], []
        for db in dbs:
            try:
                # control-api marks its template database as one, which DROP refuses.
                psql(f'ALTER DATABASE "{db}" WITH IS_TEMPLATE false')
                psql(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
            except Failure as e:
                say(f"cleanup: database {db}: {e}")
        for role in roles:
            try:
                psql(f'DROP ROLE IF EXISTS "{role}"')
            except Failure as e:
                say(f"cleanup: role {role}: {e}")
        if self.blob_dir:
            shutil.rmtree(self.blob_dir, ignore_errors=True)
        if self.log_path and os.path.exists(self.log_path) and not os.environ.get("KEEP_LOGS"):
            os.unlink(self.log_path)

    # ---- fixtures through the control plane (direct, not through any edge) ----

    def signup(self, slug, email, password="a long passphrase"):
        r = request("POST", self.control_port, "/v1/tenants/signup", body={
            "organization_name": slug.title(), "slug": slug,
            "admin": {"email": email, "password": password, "firstname": "Ada", "lastname": "L"}})
        check(r.status == 202, f"signup of {slug}: {r}")

        def active():
            s = request("GET", self.control_port, f"/v1/tenants/{slug}/status")
            check(s.status == 200, f"status of {slug}: {s}")
            return s.json().get("status") == "active"

        wait_for(f"tenant {slug} to become active", active, timeout=60, every=0.2)

    def create_platform_admin(self, email, password):
        """A platform operator of this platform (a running one), made by control-api's own command
        with the service's environment: this platform's databases, and the keys scripts/dev.sh
        keeps in .data/ (never .data/control.env, which the platforms started beside this one
        write too). Answers the operator's user id."""
        env = dict(self.env)
        for var, name in (("DB_ENCRYPTION_KEY", "encryption.key"), ("JWT_PRIVATE_KEY", "jwt-private.pem")):
            if not env.get(var):
                with open(os.path.join(ROOT, ".data", name), encoding="utf-8") as f:
                    env[var] = f.read().strip()
        done = subprocess.run([f"{TARGET}/debug/control-api", "create-platform-admin", "--email", email,
                               "--password-stdin"], cwd=ROOT, env=env, input=f"{password}\n", capture_output=True,
                              text=True, timeout=120)
        check(done.returncode == 0, f"create-platform-admin {email}: {done.stderr.strip()[-1500:]}")
        return done.stdout.strip().splitlines()[-1]

    def login(self, slug, email, password="a long passphrase", port=None):
        r = request("POST", port or self.control_port, "/v1/auth/login",
                    body={"tenant": slug, "email": email, "password": password})
        check(r.status == 200 and "access_token" in r.json(), f"login to {slug} as {email}: {r}")
        return r.json()["access_token"]


def quote(s):
    return urllib.parse.quote(s, safe="")


class MailDevel:
    """A mail-devel of the caller's own on free ports (systests/requirements.txt: it runs with the
    tests' own Python): multi-user, every recipient address a mailbox read over IMAP
    with PASSWORD. `kill` is SIGKILL: mail-devel keeps its mail in memory, so what it held goes
    with it; `harvest` first keeps what each mailbox holds (each incarnation's UIDs apart), and
    `start` again uses the same ports."""

    PASSWORD = "helpdeskly-private"

    def __init__(self, work, host="127.0.0.1"):
        """`host`: the address it listens on (loopback, or a container network's gateway)."""
        self.host = host
        self.python = sys.executable
        self.smtp_port, self.imap_port, self.http_port = free_port(), free_port(), free_port()
        self.log_path = f"{work}/mail-devel.log"
        self.proc = None
        self.incarnation = 0
        self.seen = {}  # (incarnation, address, uid) -> Message-ID

    @property
    def smtp_url(self):
        return f"smtp://{self.host}:{self.smtp_port}"

    def start(self):
        log = open(self.log_path, "a")
        self.proc = subprocess.Popen(
            [self.python, "-m", "mail_devel", "--host", self.host, "--multi-user", "--smtp-port", str(self.smtp_port),
             "--imap-port", str(self.imap_port), "--http-port", str(self.http_port)],
            env=dict(os.environ, MAIL_PASSWORD=self.PASSWORD), stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)
        log.close()
        self.incarnation += 1

        def listening():
            if self.proc.poll() is not None:
                raise Failure(f"mail-devel exited ({self.proc.returncode}): {open(self.log_path).read()[-1500:]}")
            for port in (self.smtp_port, self.imap_port):
                socket.create_connection((self.host, port), timeout=1).close()
            self.mailbox("probe@helpdeskly.test")
            return True

        wait_for("the private mail-devel to listen", listening, timeout=30, every=0.1)
        return self

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    stop = kill

    def fetch(self, address, items):
        """IMAP FETCH of `items` for every mail in `address`'s inbox: the server's answer."""
        imap = imaplib.IMAP4(self.host, self.imap_port, timeout=10)
        try:
            imap.login(address, self.PASSWORD)
            imap.select("INBOX", readonly=True)
            status, data = imap.uid("FETCH", "1:*", items)
            check(status == "OK", f"IMAP FETCH for {address}: {status} {data}")
            return data
        finally:
            try:
                imap.logout()
            except (OSError, imaplib.IMAP4.error):
                pass

    def messages(self, address):
        """Every mail in `address`'s inbox, parsed (email.message.EmailMessage)."""
        return [email.message_from_bytes(item[1], policy=email.policy.default)
                for item in self.fetch(address, "(BODY.PEEK[])") if isinstance(item, tuple)]

    def mailbox(self, address):
        """(uid, Message-ID) of every mail in `address`'s inbox."""
        data = self.fetch(address, "(UID BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
        out = []
        for n, item in enumerate(data):
            if not isinstance(item, tuple):
                continue
            # The UID before the literal or after it, as the server puts it.
            after = data[n + 1] if n + 1 < len(data) and isinstance(data[n + 1], bytes) else b""
            uid = re.search(rb"UID (\d+)", item[0] + b" " + after)
            headers = email.parser.BytesHeaderParser().parsebytes(item[1])
            if uid and headers.get("Message-ID"):
                out.append((int(uid.group(1)), headers["Message-ID"].strip()))
        return out

    def harvest(self, addresses):
        """Reads every mailbox of `addresses` into what was received (a running server only)."""
        for address in addresses:
            for uid, message_id in self.mailbox(address):
                self.seen[(self.incarnation, address, uid)] = message_id

    def received(self):
        """(address, Message-ID) -> how many times it arrived, over every incarnation."""
        return collections.Counter((address, mid) for (_, address, _), mid in self.seen.items())


class Link:
    """A TCP link to a local server (RabbitMQ, the mail server) that can be cut: every connection
    through it closed, and new ones closed as soon as they arrive, until it is mended. For SMTP it
    also tells (`accepted`, an event set while `armed`) when the server's answer to the end of a
    mail's DATA has just been passed to the client: the sender holds an accepted mail it has not
    yet marked sent."""

    def __init__(self, upstream_port):
        self.upstream = upstream_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.open = set()
        self.lock = threading.Lock()
        self.cut_off = False
        self.closing = False
        self.armed = False
        self.accepted = threading.Event()
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while not self.closing:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.cut_off:
                client.close()
                continue
            try:
                server = socket.create_connection(("127.0.0.1", self.upstream), timeout=5)
            except OSError:
                client.close()
                continue
            server.settimeout(None)
            with self.lock:
                self.open.update((client, server))
            state = {"data_ended": False}
            threading.Thread(target=self.pump, args=(client, server, state, True), daemon=True).start()
            threading.Thread(target=self.pump, args=(server, client, state, False), daemon=True).start()

    def pump(self, src, dst, state, upstream):
        try:
            while data := src.recv(65536):
                if upstream and data.endswith(b"\r\n.\r\n"):
                    state["data_ended"] = True
                dst.sendall(data)
                if not upstream and state["data_ended"] and data.startswith(b"250"):
                    state["data_ended"] = False
                    if self.armed:
                        self.accepted.set()
        except OSError:
            pass
        for s in (src, dst):
            self.drop(s)

    def drop(self, s):
        with self.lock:
            self.open.discard(s)
        shut(s)

    def cut(self):
        self.cut_off = True
        with self.lock:
            sockets = list(self.open)
        for s in sockets:
            self.drop(s)

    def mend(self):
        self.cut_off = False

    def close(self):
        self.closing = True
        self.cut()
        self.listener.close()


class HookReceiver:
    """A webhook receiver on a free loopback port, answering from a thread of its own: records
    each delivery's path and `webhook-id`, and answers `status_of(path)` (200 unless told
    otherwise). Armed (`arm`), it holds the next delivery's answer for `hold` seconds and sets
    `hit` once it has that delivery in hand, so that a sender can be stopped mid-delivery."""

    def __init__(self, status_of=lambda path: 200, hold=5.0):
        import http.server

        self.received = []  # (path, webhook-id)
        self.lock = threading.Lock()
        self.armed = False
        self.hit = threading.Event()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802  the standard library's name
                self.rfile.read(int(self.headers.get("content-length", 0)))
                with receiver.lock:
                    receiver.received.append((self.path, self.headers.get("webhook-id", "")))
                    held, receiver.armed = receiver.armed, False
                if held:
                    receiver.hit.set()
                    time.sleep(hold)
                self.send_response(status_of(self.path))
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *_):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def arm(self):
        """Holds the next delivery's answer; `hit` is set when it comes."""
        self.hit.clear()
        with self.lock:
            self.armed = True

    def disarm(self):
        with self.lock:
            self.armed = False

    def paths(self):
        with self.lock:
            return [path for path, _ in self.received]

    def ids(self):
        """webhook-id -> how many times it came."""
        with self.lock:
            return collections.Counter(webhook_id for _, webhook_id in self.received)

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
