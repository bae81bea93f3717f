"""The chaos suite: steady traffic through nginx to two app-api replicas while what they stand on
fails, one fault after another, each measured. Run by scripts/chaos.sh.

Everything is the run's own and removed at the end: a PostgreSQL cluster (so that it can be
restarted), a Redis server (to pause and kill), a TCP link to the local RabbitMQ that can be cut,
an exchange and queues named for the run, nginx on free ports, control-api, two app-api
replicas serving without background work, one app-api worker (the outbox relay, the jobs, the
notification worker and the webhook worker), a webhook receiver of the suite's (every
`sav.ticket.created` is subscribed to), and a mail-devel (scripts/lib.sh) on free ports, reached through a TCP
link of the suite's (which it cuts, and through which it sees the server accept a mail).

The traffic: CLIENTS clients, each from its own loopback address (nginx limits each address),
sending RATE requests a second through nginx over HTTPS on kept-alive connections: the ticket
list, one ticket, and, one request in four, a new ticket, whose `sav.ticket.created` event is
what the loss count follows. Every answer is recorded with its start and end. Beside it, the
mail traffic (MAIL_RATE a second, from an address of its own): one of two verified customers
opens a ticket (their confirmation mail) and the owner answers it publicly (a mail to them);
each answered 201 is a mail expected, per event and recipient.

The faults, in turn, each after a calm spell:
  postgres-restart-fast       pg_ctl stop -m fast (sessions terminated), started again at once
  postgres-restart-immediate  the same with -m immediate (a crash: recovery at start)
  postgres-down-fast          stopped -m fast, OUTAGE seconds down, started again
  postgres-down-immediate     the same with -m immediate
  redis-pause         SIGSTOP for OUTAGE seconds, then SIGCONT
  redis-kill          SIGKILL, a new empty server on the same port OUTAGE seconds later
  rabbitmq-cut        every broker connection cut, new ones refused, for OUTAGE seconds
  rolling-restart     each replica in turn: SIGTERM, its exit awaited, started, /health awaited,
                      then nginx's fail_timeout (5 s: it leaves out a replica that refused a
                      connection) before the next
  replica-kill        the replica holding the most live streams SIGKILLed, started again after 1 s
  worker-kill         the relay and jobs' process SIGKILLed while it publishes, started again
  mail-worker-kill    the worker SIGKILLed KILLS times, each the moment the mail server's answer
                      accepting a mail has passed to it (before it can mark the mail sent), and
                      started again after 1 s
  mail-down           the mail server killed (the link cut first, its mailboxes read: mail-devel
                      keeps mail in memory) and a new one started OUTAGE seconds later
  webhook-worker-kill the worker SIGKILLed KILLS times, each while a webhook it sent is in the
                      receiver's hands (before the answer), and started again after 1 s

The clusters' run (test_chaos_of_clusters): the same traffic, streams, mail and webhooks, the
platform standing on a PostgreSQL primary with a synchronous standby (both database URLs naming
the two), Redis with a replica and three sentinels (REDIS_SENTINELS), and three RabbitMQ nodes
(AMQP_URL naming the three, every durable queue a quorum queue); a node of each dies for good:
  rabbitmq-leader-kill  the node leading the worker's queues (notifications, webhooks, orders:
                        declared through the first node of AMQP_URL) SIGKILLed
  redis-master-kill     the master SIGKILLed; the sentinels promote the replica (down after 1 s);
                        the seconds until they did, and until the services' scripts ran on it
  postgres-failover     the primary stopped as a crash stops it, the standby promoted 1 s later
Bounds besides the ones below: no request failed while Redis's master changed, and the services
used the new one within 10 s of the kill; none failed from 10 s after the promotion.

Beside the traffic, live streams (`GET /v1/stream`) held through nginx, whose /v1/stream location
is unbuffered: the owner's twice and each customer's, each from an address of its own. A stream
that ends (its replica shut down or killed) reconnects at once with `Last-Event-ID`. Each frame's
id (its outbox row's `relay_seq`, the order the relay published it in) is counted per stream;
what each should have received is read from the tenant's
outbox at the end (the rows after the newest one when every stream was open, filtered as the
stream filters: the owner every ticket event, a customer their own tickets' events but no
internal note, a notification its person alone), each in the phase its transaction began in.
Per phase: frames expected, received, lost, received twice, received though not the client's
to see, reconnects and the longest (from the replica's SIGTERM or SIGKILL, when one came, to
the stream open again), and resyncs.

For each: requests sent, failed (5xx, 4xx, a connection error, no answer within 30 s), failed
GETs, seconds from the fault's end to the end of the last failed request, and, for the tickets
created during it (answered 201), events lost (no `sav.ticket.created` reached the run's own
queue on the exchange), duplicated (two different events for one ticket) and redelivered (one
message_id delivered twice: the relay publishes again when a confirm is lost; consumers drop it
by its id); and for the mail expected in its phase, read from the customers' mailboxes over IMAP
and matched by Message-ID to the tenant's mail_deliveries (one row per event and recipient):
received, lost, duplicated (the same mail twice), and after mail-down the seconds until every
mail waiting had arrived. Bounds, asserted at the end: after PostgreSQL is back, no failed
request that started 3 s later or more; no failed GET during the rolling restart; no event lost
or duplicated; no mail lost; no more mail duplicated than the fault can catch accepted but not
yet marked sent (mail_duplicates_bound: one per worker killed, one per sender when PostgreSQL
goes away); after mail-down, every mail within 30 s; no stream frame to a client not allowed to see it; and
where streams are cut (rolling-restart, replica-kill) none lost, none duplicated, no resync, at
least one stream cut, and each open again within 5 s of its replica's signal (the other replica
answers throughout); and every `sav.ticket.created` event of the run received by the webhook
receiver (by its `webhook-id`), whatever the faults, the ones sent again reported.

  CHAOS_FORM=short (CI: 4 clients, 3 s outages, a mail pair a second, 2 kills) or full (8
  clients, 10 s outages, two mail pairs a second, 5 kills)
  CHAOS_REPORT=path: the results as JSON too
"""

import base64
import collections
import http.client
import json
import os
import socket
import ssl
import subprocess
import threading
import time

from systests.live_platform import Failure, Link, check, free_port, psql, request, say, shut, sse_frames, wait_for
from systests.nginx import DOMAIN
from systests.servers import TARGET, Postgres, PostgresPair, RabbitCluster, Redis, SentinelRedis, Service

FORMS = {
    "short": {"clients": 4, "rate": 6.0, "calm": 2.0, "outage": 3.0, "after": 6.0, "mail_rate": 1.0, "kills": 2},
    "full": {"clients": 8, "rate": 10.0, "calm": 5.0, "outage": 10.0, "after": 15.0, "mail_rate": 2.0, "kills": 5},
}
MAIL_BOUND = 30.0  # seconds after the mail server is back by which every mail waiting has arrived
MAIL_SENDERS = 4  # MAIL_CONCURRENCY's default: the mails one worker can hold at once


def mail_duplicates_bound(fault, kills):
    """How many mails a fault may deliver twice: the mail a sender holds accepted by the server
    but not yet marked sent, when the mark cannot commit. PostgreSQL going away costs at most
    the mail in hand of each sender (MAIL_SENDERS); killing a worker, the mail each of its
    senders holds at that moment (MAIL_SENDERS a kill: it is killed as one acceptance comes, and
    its other senders may be past theirs too); any other fault none."""
    if fault.startswith("postgres"):
        return MAIL_SENDERS
    return kills * MAIL_SENDERS
RECOVERY_BOUND = 3.0  # seconds after PostgreSQL is back from which no request may fail
FAILOVER_BOUND = 10.0  # seconds after a standby's promotion from which no request may fail
# How long nginx leaves out a replica that refused a connection (scripts/nginx-render.sh's
# fail_timeout, 5 s), with a margin (a GET failed once with 5.5 s, in a run with other work beside it).
NGINX_FAIL_TIMEOUT = 8.0


# ---- the traffic and what it saw ----------------------------------------------------------------

Answer = collections.namedtuple("Answer", "phase method start end status ticket")


class Traffic:
    """CLIENTS threads through nginx; every answer recorded with the phase it started in."""

    def __init__(self, nginx, slug, token, ticket_id, clients, rate):
        self.nginx, self.slug, self.token, self.ticket_id = nginx, slug, token, ticket_id
        self.clients, self.rate = clients, rate
        self.phase = "calm"
        self.answers = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.threads = []
        self.ctx = ssl.create_default_context(cafile=nginx.cert)

    def start(self):
        for n in range(self.clients):
            t = threading.Thread(target=self.client, args=(n,), daemon=True)
            t.start()
            self.threads.append(t)

    def stop(self):
        self.stopping.set()
        for t in self.threads:
            t.join(timeout=40)

    @property
    def host(self):
        return f"{self.slug}.{DOMAIN}"

    def client(self, n):
        source = f"127.0.0.{10 + n}"
        conn = None
        sent = 0
        started = time.monotonic()
        while not self.stopping.is_set():
            sent += 1
            if sent % 4 == 0:
                method, path = "POST", "/v1/tickets"
                body = json.dumps({"subject": f"Chaos {self.phase} {n}-{sent}", "description": "Sent under a fault.",
                                   "category": "shipping"})
            elif sent % 2 == 0:
                method, path, body = "GET", f"/v1/tickets/{self.ticket_id}", None
            else:
                method, path, body = "GET", "/v1/tickets?limit=20", None
            phase = self.phase
            start = time.monotonic()
            status, ticket = None, None
            try:
                if conn is None:
                    conn = HostConnection(self.nginx.https_port, self.host, source, self.ctx)
                r = conn.send(method, path, body, self.token)
                status = r.status
                if status == 201:
                    ticket = json.loads(r.body)["id"]
                if r.closing:
                    conn.close()
                    conn = None
            except (OSError, http.client.HTTPException, ValueError):
                if conn is not None:
                    conn.close()
                conn = None
            with self.lock:
                self.answers.append(Answer(phase, method, start, time.monotonic(), status, ticket))
            # Pacing, not synchronisation: RATE requests a second from this client.
            pause = started + sent / self.rate - time.monotonic()
            if pause > 0:
                self.stopping.wait(pause)
        if conn is not None:
            conn.close()

    def of(self, phase):
        with self.lock:
            return [a for a in self.answers if a.phase == phase]


class HostConnection:
    """One kept-alive HTTPS connection to nginx, naming the tenant's host (SNI and Host)."""

    Reply = collections.namedtuple("Reply", "status body closing")

    def __init__(self, port, host, source, ctx):
        self.host = host
        sock = socket.create_connection(("127.0.0.1", port), timeout=30, source_address=(source, 0))
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.conn.sock = ctx.wrap_socket(sock, server_hostname=host)

    def send(self, method, path, body, token):
        headers = {"Host": self.host, "Authorization": f"Bearer {token}"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        self.conn.request(method, path, body=body, headers=headers)
        r = self.conn.getresponse()
        data = r.read()
        return self.Reply(r.status, data, (r.getheader("connection") or "").lower() == "close")

    def close(self):
        self.conn.close()


def failed(a):
    return a.status is None or not 200 <= a.status < 300


class MailTraffic:
    """Mail the platform must send: a customer (verified, one of CUSTOMERS in turn) opens a ticket
    (their confirmation mail) and the owner answers it publicly (a mail to the customer), MAIL_RATE
    times a second, through nginx from an address of its own. Each answered 201 is a mail
    expected: (ticket, kind, address), with the phase it was made in."""

    def __init__(self, traffic, owner_token, customers, rate):
        self.traffic, self.owner_token, self.customers, self.rate = traffic, owner_token, customers, rate
        self.expected = []  # (phase, ticket, kind, address, when)
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def post(self, path, token, body):
        try:
            r = request("POST", self.traffic.nginx.https_port, path, host=self.traffic.host, body=body,
                        headers={"Authorization": f"Bearer {token}"}, tls=self.traffic.nginx.cert,
                        source="127.0.0.9", timeout=30)
        except (OSError, Failure):
            return None
        return r.json().get("id") if r.status == 201 else None

    def run(self):
        started, n = time.monotonic(), 0
        while not self.traffic.stopping.is_set():
            phase = self.traffic.phase
            address, token = self.customers[n % len(self.customers)]
            n += 1
            ticket = self.post("/v1/tickets", token, {"subject": f"Mail {phase} {n}", "description": "Where is it?",
                                                      "category": "shipping"})
            if ticket is not None:
                with self.lock:
                    self.expected.append((phase, ticket, "ticket_created", address, time.monotonic()))
                if self.post(f"/v1/tickets/{ticket}/messages", self.owner_token, {"message": "On its way."}):
                    with self.lock:
                        self.expected.append((phase, ticket, "message_added", address, time.monotonic()))
            pause = started + n / self.rate - time.monotonic()
            if pause > 0:
                self.traffic.stopping.wait(pause)

    def until(self, moment=None):
        with self.lock:
            return [e for e in self.expected if moment is None or e[4] <= moment]


# ---- the live stream -----------------------------------------------------------------------------

# The SAV events a live stream sends (app-api's live::frames), by the outbox payload's `event`.
FRAME_EVENTS = {"TicketCreated": "ticket.created", "TicketAssigned": "ticket.updated",
                "TicketStatusChanged": "ticket.updated", "TicketResolved": "ticket.updated",
                "TicketSLABreach": "ticket.updated", "MessageAdded": "message.added",
                "NotificationCreated": "notification"}
RECONNECT_BOUND = 5.0  # seconds from a replica's SIGTERM or SIGKILL to its streams open on the other
STREAM_FAULTS = ("rolling-restart", "replica-kill")  # the faults that cut streams, where the bounds hold


def visible(payload, user, role):
    """Whether the stream of `user` (`owner` or `customer`) sends the frame of this outbox row: an
    owner every ticket event of the organisation, a customer their own tickets' events but never
    an internal note's; a notification frame its person alone."""
    name = FRAME_EVENTS.get(payload.get("event"))
    data = payload.get("data") or {}
    if name is None or not isinstance(data.get("ticket_id"), int):
        return False
    if name == "notification":
        return data.get("user_id") == user
    if role == "owner":
        return True
    return not data.get("is_internal") and (payload.get("audience") or {}).get("customer") == user


class StreamClient:
    """One live stream (`GET /v1/stream`) held through nginx (whose /v1/stream location is
    unbuffered) from an address of its own. When it ends (a replica shut down or killed) it
    reconnects at once, naming the last frame it saw in `Last-Event-ID`, and again every 0.1 s
    until a stream is open. Records every frame's id, each gap between a stream's end and
    the next one open, and each `resync`."""

    def __init__(self, name, traffic, token, user, role, source):
        self.name, self.traffic, self.token, self.user, self.role = name, traffic, token, user, role
        self.source = source
        self.stopping = threading.Event()
        self.last_id = None
        self.seen = collections.Counter()  # frame id -> frames received
        self.opened = threading.Event()  # the first stream is open
        self.gaps = []  # (phase the stream ended in, when it ended, when the next one was open)
        self.resyncs = []  # phases
        self.refused = collections.Counter()  # statuses of reconnects refused
        self.lock = threading.Lock()
        self.sock = None
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        ended = None  # (phase, when) of the last stream's end
        while not self.stopping.is_set():
            phase = self.traffic.phase
            try:
                response = self.open()
            except (OSError, http.client.HTTPException):
                response = None
            if response is None or response.status != 200:
                if response is not None:
                    self.refused[response.status] += 1
                if ended is None:
                    ended = (phase, time.monotonic())
                self.close()
                self.stopping.wait(0.1)
                continue
            if ended is not None:
                with self.lock:
                    self.gaps.append((ended[0], ended[1], time.monotonic()))
            self.opened.set()
            try:
                self.read(response)
            except (OSError, http.client.HTTPException, ValueError, AttributeError):
                pass  # the stream ended, or was closed
            self.close()
            ended = (self.traffic.phase, time.monotonic())

    def open(self):
        sock = socket.create_connection(("127.0.0.1", self.traffic.nginx.https_port), timeout=40,
                                        source_address=(self.source, 0))
        self.sock = self.traffic.ctx.wrap_socket(sock, server_hostname=self.traffic.host)
        conn = http.client.HTTPConnection("127.0.0.1", self.traffic.nginx.https_port, timeout=40)
        conn.sock = self.sock
        headers = {"Host": self.traffic.host, "Authorization": f"Bearer {self.token}", "Accept": "text/event-stream"}
        if self.last_id is not None:
            headers["Last-Event-ID"] = self.last_id
        conn.request("GET", "/v1/stream", headers=headers)
        return conn.getresponse()

    def read(self, response):
        """Frames until the stream ends: resyncs noted, each event's id counted."""
        for frame in sse_frames(response, self.stopping):
            if frame.get("event") == "resync":
                with self.lock:
                    self.resyncs.append(self.traffic.phase)
            elif "id" in frame and "event" in frame:
                with self.lock:
                    self.seen[int(frame["id"])] += 1
                self.last_id = frame["id"]

    def stop(self):
        self.stopping.set()
        self.close()
        self.thread.join(timeout=5)

    def close(self):
        sock, self.sock = self.sock, None
        if sock is not None:
            shut(sock)


def streams_open(port):
    """live_streams_open on one replica's /metrics (0 when it does not answer)."""
    try:
        r = request("GET", port, "/metrics", timeout=2)
    except (OSError, Failure):
        return 0
    for line in r.body.splitlines():
        if line.startswith("live_streams_open "):
            return int(float(line.split()[1]))
    return 0


class EventTap:
    """A queue of the run's own bound to its exchange: every event the relay publishes."""

    def __init__(self, exchange, port):
        import pika  # scripts/chaos.sh installs it

        self.exchange = exchange
        self.seen = []  # (message_id, routing_key, ticket_id)
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.conn = pika.BlockingConnection(pika.ConnectionParameters("127.0.0.1", port))
        self.channel = self.conn.channel()
        self.channel.exchange_declare(exchange, exchange_type="topic", durable=True)
        queue = self.channel.queue_declare("", exclusive=True).method.queue
        self.channel.queue_bind(queue, exchange, routing_key="#")
        self.channel.basic_consume(queue, self.record, auto_ack=True)
        self.thread = threading.Thread(target=self.run, daemon=True)

    def record(self, _channel, method, properties, body):
        ticket = json.loads(body).get("data", {}).get("ticket_id")
        with self.lock:
            self.seen.append((properties.message_id, method.routing_key, ticket))

    def run(self):
        while not self.stopping.is_set():
            self.conn.process_data_events(time_limit=0.2)

    def created(self):
        """ticket id -> message ids of its sav.ticket.created deliveries."""
        with self.lock:
            out = collections.defaultdict(list)
            for message_id, key, ticket in self.seen:
                if key == "sav.ticket.created":
                    out[ticket].append(message_id)
            return out

    def close(self, delete_exchanges, delete_queues):
        self.stopping.set()
        self.thread.join(timeout=5)
        for q in delete_queues:
            self.channel.queue_delete(q)
        for e in delete_exchanges:
            self.channel.exchange_delete(e)
        self.conn.close()


# ---- the run -----------------------------------------------------------------------------------

class Run:
    """`mail`: the run's mail server, started; `hooks`: its webhook receiver; `launch_nginx`: the
    nginx launcher (systests/conftest.py). Those three are stopped by their fixtures."""

    def __init__(self, work, form, mail, hooks, launch_nginx, ha=False):
        self.work, self.form, self.launch_nginx, self.ha = work, form, launch_nginx, ha
        self.name = f"chaos{os.getpid()}"
        self.exchange, self.orders_exchange = f"{self.name}.sav", f"{self.name}.orders"
        self.orders_queue = f"{self.name}.orders"
        self.notifications_queue = f"{self.name}.notifications"
        self.webhooks_queue = f"{self.name}.webhooks"
        self.hooks = hooks
        # The high-availability run stands on clusters: no link to cut, nodes to kill.
        self.pg = PostgresPair(work) if ha else Postgres(work)
        self.redis = SentinelRedis(work) if ha else Redis(work)
        self.rabbit = RabbitCluster(work) if ha else None
        self.link = None if ha else Link(5672)
        self.ha_figures = {}  # fault -> what it measured besides the table (seconds, nodes)
        self.mail = mail
        self.smtp_link = Link(self.mail.smtp_port)
        self.tenant_db = None
        self.first_ticket = None  # created before the webhook endpoint
        self.customers = []  # (address, token)
        self.mail_traffic = None
        self.kills = collections.Counter()  # fault -> processes it killed (the worker, the mail server)
        self.mail_back = {}  # fault -> seconds from the mail server's return to the last mail waiting
        self.services = {}
        self.nginx = None
        self.tap = None
        self.traffic = None
        self.faults = []  # (name, when the fault began, when the part was back)
        self.phases = []  # (wall clock time, phase) as the traffic enters each phase
        self.streams = []  # StreamClient
        self.stream_baseline = None  # the newest outbox id once every stream was open
        self.killed_streams = {}  # fault -> (replica, streams open on it when it was killed)
        self.cuts = []  # (phase, replica, when it was sent SIGTERM or SIGKILL)

    def env(self):
        key = base64.b64encode(os.urandom(32)).decode()
        subprocess.run(["openssl", "genpkey", "-algorithm", "ed25519", "-out", f"{self.work}/jwt.pem"], check=True)
        public = subprocess.run(["openssl", "pkey", "-in", f"{self.work}/jwt.pem", "-pubout"], check=True,
                                capture_output=True, text=True).stdout
        base = {k: v for k, v in os.environ.items()
                if not k.startswith(("S3_", "AWS_", "CLAMAV", "WEB_DIR", "SMTP_", "MAIL_", "NOTIFICATIONS_", "WEBHOOK"))}
        base.update({
            "CONTROL_DATABASE_URL": self.pg.url("helpdeskly_control"),
            "TENANT_DATABASE_URL": self.pg.url("postgres"),
            "REDIS_URL": "" if self.ha else f"redis://127.0.0.1:{self.redis.port}",
            "AMQP_URL": (",".join(self.rabbit.url(n) for n in range(3)) if self.ha
                         else f"amqp://guest:guest@127.0.0.1:{self.link.port}/%2f"),
            "EVENTS_EXCHANGE": self.exchange, "ORDERS_EXCHANGE": self.orders_exchange,
            "ORDERS_QUEUE": self.orders_queue,
            "BIND_ADDR": "127.0.0.1", "LOG_FORMAT": "json", "LOG_LEVEL": "info",
            "TRUSTED_PROXIES": "127.0.0.1", "BLOB_DIR": f"{self.work}/blobs",
            "RATE_LIMIT_USER_PER_MINUTE": "1000000", "RATE_LIMIT_IP_PER_MINUTE": "1000000",
            "JWT_EXPIRES_IN_SECONDS": "3600", "OUTBOX_SWEEP_SECONDS": "5", "SHUTDOWN_GRACE_SECONDS": "20",
        })
        if self.ha:
            base.update({"REDIS_SENTINELS": self.redis.addresses(), "REDIS_SENTINEL_MASTER": self.redis.MASTER})
        # control-api's account mail (the customers' verification) waits in its table: no server.
        control = dict(base, DB_ENCRYPTION_KEY=key, JWT_PRIVATE_KEY=open(f"{self.work}/jwt.pem").read(), SMTP_URL="")
        plane_key = subprocess.run([f"{TARGET}/debug/control-api", "app-plane-key"], env=control, check=True,
                                   capture_output=True, text=True).stdout.strip()
        # Mail from the worker alone, through a link to the run's mail server.
        app = dict(base, APP_PLANE_KEY=plane_key, JWT_PUBLIC_KEYS=public, RELAY_IN_SERVE="false",
                   JOBS_IN_SERVE="false", ORDERS_CONSUMER_IN_SERVE="false", NOTIFICATIONS_IN_SERVE="false",
                   WEBHOOKS_IN_SERVE="false", WEBHOOKS_QUEUE=self.webhooks_queue, WEBHOOK_ALLOW_PRIVATE_TARGETS="true",
                   NOTIFICATIONS_QUEUE=self.notifications_queue, SMTP_URL=f"smtp://127.0.0.1:{self.smtp_link.port}",
                   MAIL_FROM=f"helpdeskly@{DOMAIN}", MAIL_REPLY_DOMAIN=DOMAIN)
        return control, app

    def start(self):
        self.pg.start()
        self.redis.start()
        if self.rabbit:
            self.rabbit.start()
        control_env, app_env = self.env()
        control_port = free_port()
        self.services["control"] = Service("control-api", [f"{TARGET}/debug/control-api", "serve"],
                                           dict(control_env, CONTROL_PORT=str(control_port)), control_port, self.work)
        self.services["control"].start()
        app_env["CONTROL_API_URL"] = f"http://127.0.0.1:{control_port}"
        for name, command in (("app-a", "serve"), ("app-b", "serve"), ("worker", "worker")):
            port = free_port()
            self.services[name] = Service(name, [f"{TARGET}/debug/app-api", command],
                                          dict(app_env, APP_PORT=str(port)), port, self.work)
            self.services[name].start()
        self.nginx = self.launch_nginx(f"127.0.0.1:{control_port}",
                                       [f"127.0.0.1:{self.services[name].port}" for name in ("app-a", "app-b")])
        self.nginx.start()
        # In the high-availability run, through the third node: the first is killed.
        self.tap = EventTap(self.exchange, self.rabbit.ports[2] if self.rabbit else 5672)
        self.tap.thread.start()

    def tenant(self):
        control = self.services["control"].port
        slug, email = f"chaos{os.getpid()}", f"owner@chaos{os.getpid()}.example"
        r = request("POST", control, "/v1/tenants/signup", body={
            "organization_name": "Chaos", "slug": slug,
            "admin": {"email": email, "password": "a long passphrase", "firstname": "Ada", "lastname": "L"}})
        check(r.status == 202, f"signup: {r}")
        wait_for("the tenant to become active",
                 lambda: request("GET", control, f"/v1/tenants/{slug}/status").json()["status"] == "active",
                 timeout=60, every=0.1)
        r = request("POST", control, "/v1/auth/login", body={"tenant": slug, "email": email,
                                                             "password": "a long passphrase"})
        check(r.status == 200, f"login: {r}")
        token = r.json()["access_token"]
        r = request("POST", self.services["app-a"].port, "/v1/tickets", headers={
            "X-Tenant-Slug": slug, "Authorization": f"Bearer {token}"},
            body={"subject": "The ticket everyone reads", "description": "Read under every fault.",
                  "category": "shipping"})
        check(r.status == 201, f"first ticket: {r}")
        first = self.first_ticket = r.json()["id"]
        r = request("POST", self.services["app-a"].port, "/v1/webhooks", headers={
            "X-Tenant-Slug": slug, "Authorization": f"Bearer {token}"},
            body={"url": f"http://127.0.0.1:{self.hooks.port}/hook", "events": ["ticket.created"]})
        check(r.status == 201, f"the webhook endpoint: {r}")
        for n in range(2):
            address = f"customer{n}@{slug}.example"
            r = request("POST", control, "/v1/auth/register", body={
                "tenant": slug, "email": address, "password": "a customer's passphrase", "firstname": "C",
                "lastname": str(n)})
            check(r.status == 201, f"a customer's registration: {r}")
            r = request("POST", control, "/v1/auth/login", body={"tenant": slug, "email": address,
                                                                 "password": "a customer's passphrase"})
            check(r.status == 200, f"a customer's login: {r}")
            self.customers.append((address, r.json()["access_token"]))
        # The customers' addresses verified (registration leaves them unverified: no mail); the
        # owner's left as they are but told of nothing: the steady traffic's tickets are the
        # owner's own, and their confirmations are not what the suite counts.
        db = psql(f"SELECT database_name FROM tenants WHERE slug = '{slug}'", self.pg.url("helpdeskly_control"))
        check(db, f"no tenant database for {slug}")
        self.tenant_db = self.pg.url(db)
        psql("UPDATE users SET email_verified = (role = 'customer')", self.tenant_db)
        return slug, token, first

    def calm(self, name):
        self.traffic.phase = name
        self.phases.append((time.time(), name))
        time.sleep(self.form["calm"])

    def fault(self, name, act, then=None):
        """Runs `act` under traffic; `act` returns once the part is back. Then the traffic goes
        on for AFTER seconds in the same phase (`then(back)` runs in them)."""
        say(f"fault: {name}")
        self.calm(name)
        began = time.monotonic()
        act()
        back = time.monotonic()
        self.faults.append((name, began, back))
        if then:
            then(name, back)
        time.sleep(max(0.0, back + self.form["after"] - time.monotonic()))

    def faults_in_turn(self):
        outage = self.form["outage"]
        for mode in ("fast", "immediate"):
            self.fault(f"postgres-restart-{mode}", lambda: self.pg.restart(mode))
        for mode in ("fast", "immediate"):
            self.fault(f"postgres-down-{mode}", lambda: self.pg.restart(mode, outage))

        def redis_pause():
            self.redis.pause()
            time.sleep(outage)
            self.redis.resume()

        def redis_kill():
            self.redis.kill()
            time.sleep(outage)
            self.redis.start()

        def rabbitmq_cut():
            self.link.cut()
            time.sleep(outage)
            self.link.mend()

        def rolling_restart():
            for name in ("app-a", "app-b"):
                self.cuts.append(("rolling-restart", name, time.monotonic()))
                self.services[name].terminate()
                self.services[name].start()
                # Each nginx worker leaves a replica that refused it a connection out for
                # fail_timeout (the streams, reconnecting at once, make sure one did): as a
                # rolling deploy waits for the edge, the next replica stops once that has passed.
                time.sleep(NGINX_FAIL_TIMEOUT)

        def replica_kill():
            # The replica holding the most streams (after the rolling restart, all of them).
            name = max(("app-a", "app-b"), key=lambda n: streams_open(self.services[n].port))
            self.killed_streams["replica-kill"] = (name, streams_open(self.services[name].port))
            self.cuts.append(("replica-kill", name, time.monotonic()))
            self.services[name].kill()
            time.sleep(1)
            self.services[name].start()

        def worker_kill():
            self.services["worker"].kill()
            self.kills["worker-kill"] += 1
            time.sleep(1)
            self.services["worker"].start()

        def mail_worker_kill():
            # Each kill the moment the mail server's 250 to a mail's end has passed the link: the
            # sender holds an accepted mail it has not marked sent yet (at most 10 s awaited).
            for _ in range(self.form["kills"]):
                self.smtp_link.accepted.clear()
                self.smtp_link.armed = True
                self.smtp_link.accepted.wait(10)
                self.services["worker"].kill()
                self.smtp_link.armed = False
                self.kills["mail-worker-kill"] += 1
                time.sleep(1)
                self.services["worker"].start()

        def mail_down():
            # The link cut first, so that no mail is accepted between the last read of the
            # mailboxes and the kill (mail-devel keeps mail in memory: a real server keeps what it
            # accepted, so what it held is read before it goes).
            self.smtp_link.cut()
            self.mail.harvest([a for a, _ in self.customers])
            self.mail.kill()
            self.kills["mail-down"] += 1
            time.sleep(outage)
            self.mail.start()
            self.smtp_link.mend()

        def webhook_worker_kill():
            # Each kill while the receiver holds a delivery's answer (at most 10 s awaited): the
            # attempt in hand never records its result and is sent again when its lease ends.
            for _ in range(self.form["kills"]):
                self.hooks.arm()
                self.hooks.hit.wait(10)
                self.services["worker"].kill()
                self.hooks.disarm()
                self.kills["webhook-worker-kill"] += 1
                time.sleep(1)
                self.services["worker"].start()

        def all_mail_back(name, back):
            """Seconds from the server's return until every mail expected by then has arrived."""
            try:
                wait_for("the mail waiting to arrive", lambda: not missing_mail(self, self.mail_traffic.until(back)),
                         timeout=MAIL_BOUND + 30, every=0.5)
                self.mail_back[name] = round(time.monotonic() - back, 1)
            except Failure:
                self.mail_back[name] = None

        self.fault("redis-pause", redis_pause)
        self.fault("redis-kill", redis_kill)
        self.fault("rabbitmq-cut", rabbitmq_cut)
        self.fault("rolling-restart", rolling_restart)
        self.fault("replica-kill", replica_kill)
        self.fault("worker-kill", worker_kill)
        self.fault("mail-worker-kill", mail_worker_kill)
        self.fault("mail-down", mail_down, then=all_mail_back)
        self.fault("webhook-worker-kill", webhook_worker_kill)
        self.traffic.phase = "end"
        self.phases.append((time.time(), "end"))

    def faults_of_clusters(self):
        """The high-availability run's faults: a node of each cluster dies and does not come back."""

        def rabbitmq_leader_kill():
            # The worker declared its queues through the first node of AMQP_URL: they lead there.
            queues = (self.notifications_queue, self.webhooks_queue, self.orders_queue)
            leaders = {q: self.rabbit.leader(q, asked=2) for q in queues}
            node = leaders[self.notifications_queue]
            check(node is not None and node != 2, f"the queues' leaders: {leaders}")
            self.ha_figures["rabbitmq-leader-kill"] = {
                "node killed": node + 1, "leading": sorted(q for q, n in leaders.items() if n == node)}
            self.rabbit.kill(node)

        def redis_master_kill():
            old, replica = self.redis.master.port, self.redis.replica.port
            scripts_before = self.redis.scripts_run(replica)
            killed = time.monotonic()
            self.redis.kill_master()
            wait_for("the sentinels to promote the replica", lambda: self.redis.master_port() == replica,
                     timeout=30, every=0.1)
            promoted = time.monotonic()
            # Used once the services' rate-limit scripts run on it.
            wait_for("the services to use the new master", lambda: self.redis.scripts_run(replica) > scripts_before,
                     timeout=30, every=0.1)
            self.ha_figures["redis-master-kill"] = {
                "old master": old, "promoted after (s)": round(promoted - killed, 1),
                "used after (s)": round(time.monotonic() - killed, 1)}

        def postgres_failover():
            self.pg.fail_over(after=1.0)

        self.fault("rabbitmq-leader-kill", rabbitmq_leader_kill)
        self.fault("redis-master-kill", redis_master_kill)
        self.fault("postgres-failover", postgres_failover)
        self.traffic.phase = "end"
        self.phases.append((time.time(), "end"))

    def open_streams(self, token):
        """The owner's two streams and one of each customer's, held through nginx; once all are
        open, the newest outbox id is the baseline: every visible row after it is expected."""
        users = dict(line.split("|") for line in psql("SELECT email, id FROM users", self.tenant_db).splitlines())
        owner = users[f"owner@{self.name}.example"]
        holders = [("owner-1", token, owner, "owner"), ("owner-2", token, owner, "owner")]
        holders += [(f"customer-{n}", t, users[a], "customer") for n, (a, t) in enumerate(self.customers)]
        for n, (name, t, user, role) in enumerate(holders):
            client = StreamClient(name, self.traffic, t, user, role, f"127.0.0.{30 + n}")
            client.thread.start()
            self.streams.append(client)
        for client in self.streams:
            check(client.opened.wait(20), f"the stream of {client.name} did not open: {dict(client.refused)}")
        self.stream_baseline = int(psql("SELECT coalesce(max(id), 0) FROM outbox", self.tenant_db))

    def stop(self):
        for client in self.streams:
            client.stop()
        if self.traffic:
            self.traffic.stop()
        if self.tap:
            try:
                self.tap.close([self.exchange, self.orders_exchange],
                               [self.orders_queue, f"{self.orders_queue}.dead", self.notifications_queue,
                                self.webhooks_queue])
            except Exception as e:  # noqa: BLE001  the broker's errors: cleanup goes on
                say(f"cleanup: broker: {e}")
        if self.nginx:
            self.nginx.stop()
        for service in self.services.values():
            service.stop()
        if self.link:
            self.link.close()
        self.smtp_link.close()
        if self.rabbit:
            self.rabbit.stop()
        self.redis.stop()
        self.pg.stop()


def delivered_mail(run):
    """(ticket, kind, address) -> how many times its mail arrived: the customers' mailboxes read
    over IMAP, each Message-ID found in the tenant's mail_deliveries (one row per event and
    recipient; a mail sent again keeps its Message-ID)."""
    run.mail.harvest([a for a, _ in run.customers])
    by_id = {}
    for line in psql("SELECT message_id, ticket_id, kind, address FROM mail_deliveries", run.tenant_db).splitlines():
        mid, ticket, kind, address = line.split("|")
        by_id[(address, mid.strip("<>"))] = (int(ticket), kind, address)
    out = collections.Counter()
    for (address, mid), count in run.mail.received().items():
        key = by_id.get((address, mid.strip("<>")))
        if key:
            out[key] += count
    return out


def missing_mail(run, expected):
    got = delivered_mail(run)
    return [e for e in expected if not got.get((e[1], e[2], e[3]))]


def results(run):
    created = run.tap.created()
    mail = delivered_mail(run)
    rows = []
    for name, began, back in run.faults:
        answers = run.traffic.of(name)
        bad = [a for a in answers if failed(a)]
        tickets = [a.ticket for a in answers if a.status == 201]
        rows.append({
            "fault": name,
            "down_s": round(back - began, 1),
            "requests": len(answers),
            "failed": len(bad),
            "failed_gets": sum(1 for a in bad if a.method == "GET"),
            "failed_from_3s": sum(1 for a in bad if a.start >= back + RECOVERY_BOUND),
            "failed_from_10s": sum(1 for a in bad if a.start >= back + FAILOVER_BOUND),
            "recovery_s": round(max([a.end - back for a in bad] + [0.0]), 1),
            "statuses": dict(collections.Counter(str(a.status) for a in bad)),
            "tickets": len(tickets),
            "lost": sum(1 for t in tickets if not created.get(t)),
            "duplicated": sum(1 for t in tickets if len(set(created.get(t, []))) > 1),
            "redelivered": sum(len(created.get(t, [])) - len(set(created.get(t, []))) for t in tickets),
        })
        expected = [(t, kind, address) for phase, t, kind, address, _ in run.mail_traffic.until() if phase == name]
        rows[-1].update({
            "mails": len(expected),
            "mails_received": sum(1 for e in expected if mail.get(e)),
            "mails_lost": sum(1 for e in expected if not mail.get(e)),
            "mails_duplicated": sum(mail.get(e, 0) - 1 for e in expected if mail.get(e, 0) > 1),
            "kills": run.kills.get(name, 0),
            "mails_duplicated_bound": mail_duplicates_bound(name, run.kills.get(name, 0)),
            "mail_back_s": run.mail_back.get(name, "") if name in run.mail_back else "",
        })
    return rows


def expected_frames(run):
    """stream client -> {frame id: phase} of the rows after the baseline that its stream sends,
    each in the phase its transaction began in. A frame's id is its row's `relay_seq`; a row not
    published yet has none, and stands for a frame no stream can have received (minus its id)."""
    rows = psql("SELECT coalesce(relay_seq, -id), extract(epoch FROM created_at), payload FROM outbox WHERE id > "
                f"{run.stream_baseline} ORDER BY id", run.tenant_db)
    starts = sorted(run.phases)
    out = {client.name: {} for client in run.streams}
    for line in rows.splitlines():
        oid, at, payload = line.split("|", 2)
        at, payload = float(at), json.loads(payload)
        phase = next((name for when, name in reversed(starts) if when <= at), starts[0][1])
        for client in run.streams:
            if visible(payload, client.user, client.role):
                out[client.name][int(oid)] = phase
    return out


def streams_caught_up(run):
    expected = expected_frames(run)
    return all(all(client.seen.get(oid) for oid in expected[client.name]) for client in run.streams)


def stream_results(run):
    """Per phase, over every stream: frames expected, received, lost, received twice, received
    though not the client's to see; the reconnects, the longest, and the resyncs."""
    expected = expected_frames(run)
    # Frame ids are relay numbers, the baseline an outbox id: a row written before the baseline
    # but published after a later one carries a relay number above it, and is no stray.
    published_before = {int(seq) for seq in psql(
        f"SELECT relay_seq FROM outbox WHERE id <= {run.stream_baseline} AND relay_seq IS NOT NULL",
        run.tenant_db).split()}
    order = list(dict.fromkeys(name for _, name in sorted(run.phases)))
    rows = {name: collections.Counter() for name in order}
    longest = collections.defaultdict(float)
    for client in run.streams:
        mine = expected[client.name]
        with client.lock:
            seen, gaps, resyncs = dict(client.seen), list(client.gaps), list(client.resyncs)
        for oid, phase in mine.items():
            got = seen.get(oid, 0)
            rows[phase]["expected"] += 1
            rows[phase]["received"] += got > 0
            rows[phase]["lost"] += got == 0
            rows[phase]["duplicated"] += got > 1
        strays = [oid for oid in seen if oid > run.stream_baseline and oid not in mine and oid not in published_before]
        rows[order[-1]]["unexpected"] += len(strays)
        for phase, ended, reopened in gaps:
            # From the signal to its replica when one came before (the other replica answers at
            # once: a stream should be open again within RECONNECT_BOUND of it), else from the end.
            cut = max((when for p, _, when in run.cuts if p == phase and when <= ended), default=ended)
            rows[phase]["reconnects"] += 1
            longest[phase] = max(longest[phase], reopened - cut)
        for phase in resyncs:
            rows[phase]["resyncs"] += 1
    return [{"phase": name, "streams": len(run.streams), **{k: rows[name][k] for k in (
        "expected", "received", "lost", "duplicated", "unexpected", "reconnects", "resyncs")},
        "longest_reconnect_s": round(longest[name], 2),
        "killed_replica_streams": run.killed_streams.get(name, ("", ""))[1]} for name in order]


STREAM_COLUMNS = [("phase", "phase"), ("streams", "streams"), ("frames expected", "expected"),
                  ("received", "received"), ("lost", "lost"), ("duplicated", "duplicated"),
                  ("not theirs", "unexpected"), ("reconnects", "reconnects"),
                  ("longest to reconnect (s)", "longest_reconnect_s"), ("resyncs", "resyncs")]


def markdown(columns, rows):
    """A Markdown table of `rows` by `columns` (title, key): the first left-aligned, the others right."""
    lines = ["| " + " | ".join(title for title, _ in columns) + " |", "|---|" + "---:|" * (len(columns) - 1)]
    lines += ["| " + " | ".join(f"{r[key]}" for _, key in columns) + " |" for r in rows]
    return "\n".join(lines)


def stream_table(rows):
    return markdown(STREAM_COLUMNS, rows)


def stream_bounds(rows):
    """Where streams are cut (the rolling restart, a replica killed): every frame once, no
    resync, each stream open again within RECONNECT_BOUND, and at least one stream was cut. No
    frame anywhere that was not the client's to see."""
    broken = []
    for r in rows:
        if r["unexpected"]:
            broken.append(f"streams: {r['unexpected']} frames reached a client not allowed to see them")
        if r["phase"] not in STREAM_FAULTS:
            continue
        if r["lost"] or r["duplicated"] or r["resyncs"]:
            broken.append(f"{r['phase']}: stream frames {r['lost']} lost, {r['duplicated']} duplicated, "
                          f"{r['resyncs']} resyncs")
        if not r["reconnects"]:
            broken.append(f"{r['phase']}: no stream was cut (nothing proven)")
        if r["longest_reconnect_s"] > RECONNECT_BOUND:
            broken.append(f"{r['phase']}: a stream was open again {r['longest_reconnect_s']} s after its replica's "
                          f"signal (bound {RECONNECT_BOUND:g} s)")
    return broken


def all_delivered(run):
    """Every ticket answered 201 has its event, or the wait gives up and counts the rest lost."""
    created = run.tap.created()
    with run.traffic.lock:
        tickets = [a.ticket for a in run.traffic.answers if a.status == 201]
    return all(created.get(t) for t in tickets)


def webhook_results(run):
    """Every `sav.ticket.created` the relay published, by its id, against what the receiver got;
    but the first ticket's, created before the webhook endpoint was (nothing is owed for it,
    though a slow worker may find the endpoint there and send it)."""
    published = {m for ticket, ids in run.tap.created().items() if ticket != run.first_ticket for m in ids}
    received = run.hooks.ids()
    return {
        "events": len(published),
        "received": sum(1 for m in published if received.get(m)),
        "lost": sorted(m for m in published if not received.get(m)),
        "sent_again": sum(received[m] - 1 for m in published if received.get(m, 0) > 1),
    }


def webhook_trace(run, message_ids):
    """Where each of `message_ids` stopped on its way to the receiver, from the tenant's database:
    its outbox row (written, numbered, published), its delivery (state, attempts, next attempt)
    and every attempt (status, error), with the phase each moment fell in. For the run's kept
    logs when an event was lost."""
    if not message_ids:
        return ""
    ids = ", ".join(f"'{m}'" for m in message_ids)
    sections = {
        "outbox": f"SELECT message_id, id, relay_seq, created_at, published_at, attempts, last_error FROM outbox "
                  f"WHERE message_id IN ({ids}) ORDER BY id",
        "deliveries": f"SELECT event_id, id, state, attempts, created_at, updated_at, next_attempt_at "
                      f"FROM webhook_deliveries WHERE event_id IN ({ids}) ORDER BY created_at",
        "attempts": f"SELECT d.event_id, a.attempt, a.status_code, a.duration_ms, a.error, a.created_at, "
                    f"a.next_attempt_at FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id "
                    f"WHERE d.event_id IN ({ids}) ORDER BY a.id",
    }
    out = [f"phases (start time, name): {run.phases}", f"the receiver holds {len(run.hooks.ids())} webhook-ids"]
    for name, sql in sections.items():
        try:
            out.append(f"--- {name}\n{psql(sql, run.tenant_db) or '(no row)'}")
        except Failure as e:
            out.append(f"--- {name}: cannot read: {e}")
    return "\n".join(out) + "\n"


FAULT_COLUMNS = [("fault", "fault"), ("down (s)", "down_s"), ("requests", "requests"), ("failed", "failed"),
                 ("failed GETs", "failed_gets"), ("recovery (s)", "recovery_s"), ("tickets", "tickets"),
                 ("lost", "lost"), ("duplicated", "duplicated"), ("redelivered", "redelivered"), ("kills", "kills"),
                 ("mails expected", "mails"), ("received", "mails_received"), ("lost", "mails_lost"),
                 ("duplicated", "mails_duplicated"), ("all mail back (s)", "mail_back_s")]


def table(rows):
    return markdown(FAULT_COLUMNS, rows)


def bounds(rows):
    broken = []
    for r in rows:
        if r["fault"] == "postgres-failover":
            if r["failed_from_10s"]:
                broken.append(f"postgres-failover: {r['failed_from_10s']} requests failed 10 s or more after the "
                              "standby's promotion")
        elif r["fault"].startswith("postgres") and r["failed_from_3s"]:
            broken.append(f"{r['fault']}: {r['failed_from_3s']} requests failed 3 s or more after PostgreSQL was back")
        if r["fault"] == "redis-master-kill" and r["failed"]:
            broken.append(f"redis-master-kill: {r['failed']} requests failed (Redis is optional)")
        if r["fault"] == "rolling-restart" and r["failed_gets"]:
            broken.append(f"rolling-restart: {r['failed_gets']} GETs failed")
        if r["lost"] or r["duplicated"]:
            broken.append(f"{r['fault']}: {r['lost']} events lost, {r['duplicated']} duplicated")
        if r["mails_lost"]:
            broken.append(f"{r['fault']}: {r['mails_lost']} of {r['mails']} mails never arrived")
        if r["mails_duplicated"] > r["mails_duplicated_bound"]:
            broken.append(f"{r['fault']}: {r['mails_duplicated']} mails arrived twice, more than its bound of "
                          f"{r['mails_duplicated_bound']} ({r['kills']} processes killed)")
        if r["fault"] == "mail-down" and (r["mail_back_s"] is None or r["mail_back_s"] > MAIL_BOUND):
            broken.append(f"mail-down: the mail waiting had not all arrived {MAIL_BOUND:g} s after the server was back "
                          f"({r['mail_back_s']})")
    return broken
