"""The first hour on a running `scripts/dev.sh` platform, with nothing configured: what a new
team meets after its quick start, each within 10 seconds of its cause.

- An order event published on the broker dev.sh started reaches the priority rules: the
  customer's ticket about that order (over 500 EUR) opens with priority `high`.
- An agent assigned a ticket is told in the app and by mail (at the mail catcher, over IMAP).
- A staff reply reaches the customer's mailbox and the customer's open live stream
  (`message.added`), and a webhook to a local address is delivered.
- `GET /ready` reports the broker (`amqp`) up.

Run by `scripts/dev.sh --check` with the organisation its quick start signed up; prints what it
measured, and exits non-zero naming the first thing that did not arrive.
"""

import argparse
import email
import email.policy
import http.client
import http.server
import imaplib
import json
import queue
import re
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

import pika

WITHIN = 10.0
PASSWORD = "a long passphrase"


class Failed(Exception):
    pass


def call(base, method, path, *, token=None, slug=None, body=None, expect=200):
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    if slug:
        headers["x-tenant-slug"] = slug
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status, text = response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        status, text = error.code, error.read().decode()
    if status != expect:
        raise Failed(f"{method} {path}: {status} (expected {expect}): {text[:300]}")
    return json.loads(text) if text else None


def eventually(what, probe, within=WITHIN, every=0.1):
    """Calls `probe` until it answers something other than None; its answer and the seconds taken."""
    started = time.monotonic()
    while True:
        answer = probe()
        if answer is not None:
            return answer, time.monotonic() - started
        if time.monotonic() - started > within:
            raise Failed(f"{what}: nothing within {within:.0f} s")
        time.sleep(every)


class Platform:
    def __init__(self, args):
        self.control, self.app, self.slug = args.control, args.app, args.slug

    def login(self, email_address):
        answer = call(self.control, "POST", "/v1/auth/login", body={"tenant": self.slug, "email": email_address, "password": PASSWORD})
        return answer["access_token"]

    def on_app(self, method, path, token, body=None, expect=200):
        return call(self.app, method, path, token=token, slug=self.slug, body=body, expect=expect)

    def member(self, email_address):
        """Signs `email_address` in and waits until the app plane knows them: (token, id)."""
        token = self.login(email_address)

        def me():
            try:
                return self.on_app("GET", "/v1/me", token)["id"]
            except Failed:
                return None

        person, _ = eventually(f"{email_address} known to the app plane", me)
        return token, person


class Mailboxes:
    """The mail catcher's IMAP side: each recipient address is a mailbox of its own."""

    def __init__(self, port, password):
        self.port, self.password = port, password

    def find(self, address, needle):
        imap = imaplib.IMAP4("127.0.0.1", self.port)
        try:
            imap.login(address, self.password)
            imap.select("INBOX", readonly=True)
            _, found = imap.search(None, "ALL")
            for number in found[0].split():
                _, parts = imap.fetch(number, "(RFC822)")
                message = email.message_from_bytes(parts[0][1], policy=email.policy.default)
                text = " ".join(
                    part.get_content() for part in message.walk() if part.get_content_type() in ("text/plain", "text/html")
                )
                if needle in text or needle in str(message["subject"]):
                    return message
            return None
        finally:
            imap.logout()


class Hooks(http.server.ThreadingHTTPServer):
    """A webhook target on 127.0.0.1: every delivery's event type, in order of arrival."""

    def __init__(self):
        self.received = queue.Queue()
        hooks = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("content-length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}")
                hooks.received.put(body)
                self.send_response(204)
                self.end_headers()

            def log_message(self, *_):
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server_address[1]}/hooks"


class Stream:
    """A person's open `GET /v1/stream`, read in a thread: each frame as (event, data)."""

    def __init__(self, platform, token):
        self.frames = queue.Queue()
        url = urllib.parse.urlsplit(platform.app)
        self.connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
        self.connection.request("GET", "/v1/stream", headers={"authorization": f"Bearer {token}", "x-tenant-slug": platform.slug})
        response = self.connection.getresponse()
        if response.status != 200:
            raise Failed(f"GET /v1/stream: {response.status}: {response.read()[:300]!r}")
        threading.Thread(target=self.read, args=(response,), daemon=True).start()

    def read(self, response):
        event, data = None, []
        try:
            for raw in response:
                line = raw.decode().rstrip("\r\n")
                if line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:"):
                    data.append(line[5:].strip())
                elif not line and event:
                    self.frames.put((event, json.loads("\n".join(data)) if data else None))
                    event, data = None, []
        except OSError:
            pass

    def until(self, event, ticket_id):
        deadline = time.monotonic() + WITHIN
        while time.monotonic() < deadline:
            try:
                name, data = self.frames.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                break
            if name == event and data and data.get("ticket_id") == ticket_id:
                return data
        raise Failed(f"the customer's stream: no {event} frame for ticket {ticket_id} within {WITHIN:.0f} s")


def publish_order(amqp_url, slug, customer, order_id):
    connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
    try:
        channel = connection.channel()
        channel.confirm_delivery()
        body = {"event": "order.created", "tenant": {"slug": slug},
                "data": {"order_id": order_id, "user_id": customer, "total": 612.5, "currency": "EUR", "status": "paid"}}
        channel.basic_publish("orders_exchange", "order.created", json.dumps(body).encode(),
                              pika.BasicProperties(content_type="application/json", delivery_mode=2), mandatory=True)
    finally:
        connection.close()


def check(args):
    platform, mail = Platform(args), Mailboxes(args.imap_port, args.mail_password)
    seen = {}
    ready = call(platform.app, "GET", "/ready")
    amqp = ready["dependencies"].get("amqp", {}).get("status")
    if amqp != "up":
        raise Failed(f"GET /ready: the broker (amqp) is {amqp!r}, not up")

    owner = platform.login(args.owner_email)
    hooks = Hooks()
    platform.on_app("POST", "/v1/webhooks", owner, {"url": hooks.url, "events": ["message.added"]}, expect=201)

    run = uuid.uuid4().hex[:8]
    agent_email, customer_email = f"agent-{run}@acme.example", f"customer-{run}@acme.example"
    invitation = call(platform.control, "POST", f"/v1/tenants/{platform.slug}/invitations", token=owner,
                      body={"email": agent_email, "role": "agent"}, expect=201)
    call(platform.control, "POST", f"/v1/invitations/{invitation['token']}/accept",
         body={"password": PASSWORD, "firstname": "Inès", "lastname": "Moreau"})
    call(platform.control, "POST", "/v1/auth/register", expect=201,
         body={"tenant": platform.slug, "email": customer_email, "password": PASSWORD, "firstname": "Léa", "lastname": "Martin"})
    # The customer proves their address with the link mailed to them (mail about tickets goes to
    # verified addresses only): the first thing done, so the app plane knows it well before the
    # reply below.
    verification, seen["verification mail"] = eventually(
        "the customer's verification mail", lambda: mail.find(customer_email, "verify-email?token="), every=0.25)
    token = re.search(r"verify-email\?token=([A-Za-z0-9_-]+)", verification.get_body(("plain",)).get_content()).group(1)
    call(platform.control, "POST", "/v1/auth/email/verify", body={"token": token}, expect=204)
    agent, agent_id = platform.member(agent_email)
    customer, customer_id = platform.member(customer_email)

    # An order event on the broker, then the customer's ticket about that order.
    first = platform.on_app("POST", "/v1/tickets", customer, {"subject": "Question", "description": "Before I order."}, expect=201)
    order_id = int(time.time() * 1000) % 1_000_000_000
    publish_order(args.amqp, platform.slug, customer_id, order_id)

    def order_known():
        panel = platform.on_app("GET", f"/v1/tickets/{first['id']}/customer", owner)
        return True if any(o.get("order_id") == order_id for o in panel.get("orders", [])) else None

    _, seen["order event to the priority rules"] = eventually("the order event reaching the tenant", order_known)
    ticket = platform.on_app("POST", "/v1/tickets", customer, expect=201,
                             body={"subject": "Parcel not received", "description": "Ordered on the 3rd.", "order_id": order_id})
    if ticket["priority"] != "high":
        raise Failed(f"a ticket about an order of 612.50 EUR opened with priority {ticket['priority']!r}, not high")

    # Assigned: the agent is told in the app and by mail.
    started = time.monotonic()
    platform.on_app("POST", f"/v1/tickets/{ticket['id']}/assign", owner, {"assigned_to": agent_id})

    def told_in_app():
        listed = platform.on_app("GET", "/v1/notifications", agent)["data"]
        return True if any(n["kind"] == "ticket_assigned" and n["ticket_id"] == ticket["id"] for n in listed) else None

    eventually("the assignee's in-app notification", told_in_app)
    seen["assignee told in the app"] = time.monotonic() - started
    eventually("the assignee's mail", lambda: mail.find(agent_email, ticket["ticket_number"]), every=0.25)
    seen["assignee told by mail"] = time.monotonic() - started

    # A staff reply: the customer's mailbox, the customer's stream, the webhook.
    stream = Stream(platform, customer)
    reply = f"Your parcel left the depot this morning ({run})."
    started = time.monotonic()
    message = platform.on_app("POST", f"/v1/tickets/{ticket['id']}/messages", owner, {"message": reply}, expect=201)
    frame = stream.until("message.added", ticket["id"])
    if frame.get("message_id") != message["id"]:
        raise Failed(f"the stream's message.added names message {frame.get('message_id')}, not {message['id']}")
    seen["reply on the customer's stream"] = time.monotonic() - started

    def hooked():
        try:
            delivery = hooks.received.get(timeout=0.2)
        except queue.Empty:
            return None
        return delivery if delivery.get("type") == "message.added" else None

    eventually("the webhook delivery of message.added", hooked)
    seen["webhook delivered"] = time.monotonic() - started
    eventually("the reply in the customer's mailbox", lambda: mail.find(customer_email, run), every=0.25)
    seen["reply in the customer's mailbox"] = time.monotonic() - started
    hooks.shutdown()
    for what, seconds in seen.items():
        print(f"  {what}: {seconds:.2f} s")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for name in ("control", "app", "slug", "owner-email", "amqp", "mail-password"):
        parser.add_argument(f"--{name}", required=True)
    parser.add_argument("--imap-port", type=int, required=True)
    try:
        check(parser.parse_args())
    except Failed as failure:
        print(f"error: {failure}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
