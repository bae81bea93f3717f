"""The edge test: Debian's nginx with the configuration of nginx/ (rendered by
scripts/nginx-render.sh on free ports), checked from outside. Run by scripts/edge-test.sh.

1. In front of a recording upstream (a Python server that answers with what it received): what
   nginx sends on, exactly: the slug from the Host, client-sent X-Tenant-Slug, X-Forwarded-*,
   X-Real-IP and Forwarded replaced, its request id; on a tenant host, sign-in, invitations and
   the organisation's routes sent to control-api, the rest to app-api; reserved, malformed and
   unknown hosts, /metrics and oversized bodies answered by nginx and never forwarded; the auth
   rate limit on every host; plain HTTP redirected; TLS; the security headers; the web app's
   pages and content-hashed assets, with their policy (images from the files host too) and
   caching; the files host: S3 behind it with the client's Host (port included: SigV4 signs it)
   and query, no cookies, its own headers, and nothing but GET and HEAD; HTTP/2 negotiated on
   every TLS host; the live stream (/v1/stream) passed on frame by frame while the upstream holds
   it open, over HTTP/1.1 and HTTP/2, never compressed; 110 streams open from one address leave
   its other calls answered (streams are not counted among its 100 requests in progress).
2. nginx/web/nginx.conf, the web app alone (Kubernetes' web Deployment): the same answers, with
   the files origin its pod writes at start.
3. In front of the real control-api and app-api (scripts/dev.sh's environment, fresh databases,
   TRUSTED_PROXIES=127.0.0.1): two tenants on their subdomains, each answering for itself
   whatever X-Tenant-Slug the client sends; the client's real address (127.0.0.2) recorded by
   control-api through nginx's X-Forwarded-For, a spoofed one ignored; signing in and refreshing
   on a tenant's own host; one request id in nginx's log, the service's log and the response;
   an attachment stored by app-api on an S3 server that checks signatures (s3s-fs, started here)
   downloaded through the files host with the link app-api signed for it (S3_PUBLIC_ENDPOINT), a
   link whose host or signature differs refused by S3, and any other method refused by nginx;
   app-api's live stream through nginx, over HTTP/1.1 and HTTP/2: its first lines at once while
   it stays open, and 401 without a token.

app-api runs without the edge's APP_BASE_DOMAIN, so it learns the tenant from nginx's
X-Tenant-Slug alone: if nginx passed the client's header on, the spoofing checks would fail.
"""

import http.client
import json
import os
import re
import shutil
import socket
import ssl
import struct
import subprocess
import threading
import time
import urllib.parse
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from systests.live_platform import ROOT, Failure, check, free_port, request, say, stop_process, wait_for
from systests.nginx import DOMAIN, Nginx

CLIENT = "127.0.0.2"  # the client's own address, so it differs from the proxy's (127.0.0.1)
SPOOFED = "203.0.113.7"
SPOOF_HEADERS = {
    "X-Tenant-Slug": "victim",
    "X-Forwarded-For": SPOOFED,
    "X-Real-IP": SPOOFED,
    "X-Forwarded-Host": "evil.example",
    "X-Forwarded-Proto": "http",
    "X-Forwarded-Port": "1",
    "X-Forwarded-Prefix": "/evil",
    "Forwarded": f"for={SPOOFED};host=evil.example",
    "X-Request-Id": "client-chosen-id",
}


def web_csp(files_origin):
    """The web app's policy, on every host: its own origin only, for scripts, styles and API calls;
    images from the files host too (attachments' previews)."""
    return ("default-src 'self'; script-src 'self'; style-src 'self'; "
            f"img-src 'self' data: blob: {files_origin}; font-src 'self'; "
            "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


# What the files host adds to what S3 answers: user content never runs as a page.
FILES_CSP = "default-src 'none'; sandbox; frame-ancestors 'none'"
S3_ACCESS_KEY, S3_SECRET_KEY = "helpdeskly-edge", "helpdeskly-edge-secret"
# A content-hashed file of the fake web app (main() writes it), above gzip's 1 KiB minimum.
ASSET = "/assets/index-4f2a9c1e.js"
ASSET_BODY = "export const helpdeskly = " + repr("x" * 2000) + ";\n"


# ---- 1. a recording upstream ------------------------------------------------------------------

# The recording upstream's live stream: frames written STREAM_GAP apart, then the stream closed.
STREAM_GAP = 1.5
STREAM_FRAMES = [
    "retry: 3000\n\nid: 1\nevent: ticket.created\ndata: {\"ticket_id\": 12}\n\n",
    ": keep-alive\n\n",
    "id: 2\nevent: message.added\ndata: {\"ticket_id\": 12, \"message_id\": 34, \"pad\": \"" + "x" * 2000 + "\"}\n\n",
]


class Recorder:
    """Three upstreams (control, app, s3) answering 200 with what they received, as JSON; app's
    /v1/stream answers with server-sent events written one by one (STREAM_FRAMES), noting when
    each was written (`stream_writes`, time.monotonic())."""

    def __init__(self):
        self.seen = []
        self.stream_writes = []
        # /v1/stream?hold: a stream that stays open, silent, until this is set.
        self.release = threading.Event()
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                remaining = length
                while remaining:
                    chunk = self.rfile.read(min(remaining, 1 << 20))
                    if not chunk:
                        break
                    remaining -= len(chunk)
                seen = {"upstream": self.server.name, "method": self.command, "path": self.path,
                        "body_length": length, "headers": {k.lower(): v for k, v in self.headers.items()},
                        "header_counts": {}}
                for k in self.headers.keys():
                    seen["header_counts"][k.lower()] = seen["header_counts"].get(k.lower(), 0) + 1
                recorder.seen.append(seen)
                if self.server.name == "app" and self.path.startswith("/v1/stream"):
                    return self.stream()
                body = json.dumps(seen).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def stream(self):
                # No length: the body ends when the connection closes, as a stream does.
                self.close_connection = True
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-cache")
                self.send_header("Connection", "close")
                self.end_headers()
                if self.path.endswith("?hold"):
                    self.wfile.write(b"retry: 3000\n\n")
                    self.wfile.flush()
                    recorder.release.wait(60)
                    return
                writes = []
                recorder.stream_writes.append(writes)
                for n, frame in enumerate(STREAM_FRAMES):
                    if n:
                        time.sleep(STREAM_GAP)
                    self.wfile.write(frame.encode())
                    self.wfile.flush()
                    writes.append(time.monotonic())
                time.sleep(STREAM_GAP)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = answer

        self.servers = []
        for name in ("control", "app", "s3"):
            server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
            server.name = name
            threading.Thread(target=server.serve_forever, daemon=True).start()
            self.servers.append(server)

    def upstream(self, name):
        server = next(s for s in self.servers if s.name == name)
        return f"127.0.0.1:{server.server_address[1]}"

    def stop(self):
        for s in self.servers:
            s.shutdown()
            s.server_close()


def is_edge(response, status):
    """nginx itself answered `status` (its problem+json says so); no service did."""
    if response.status != status:
        return False
    try:
        return response.json().get("edge") is True
    except Failure:
        return False


def expect_edge(response, status, what):
    check(is_edge(response, status), f"{what}: expected nginx's own {status}, got {response}")
    check(response.header("x-request-id"), f"{what}: nginx's answer has no X-Request-Id")


def reserved_slugs():
    src = open(f"{ROOT}/shared/src/tenant.rs").read()
    block = re.search(r"RESERVED_SLUGS: &\[&str\] = &\[(.*?)\];", src, re.S)
    check(block, "RESERVED_SLUGS not found in shared/src/tenant.rs")
    rust = re.findall(r'"([^"]+)"', block.group(1))
    mapped = re.findall(r"^([a-z0-9-]+) 1;$", open(f"{ROOT}/nginx/snippets/reserved-slugs.map").read(), re.M)
    check(sorted(rust) == sorted(mapped),
          f"nginx/snippets/reserved-slugs.map differs from shared::tenant::RESERVED_SLUGS: "
          f"missing {sorted(set(rust) - set(mapped))}, extra {sorted(set(mapped) - set(rust))}")
    return rust


def check_auth_limit(nginx, targets, source):
    """20 credential requests at once from `source`, taking turns at `targets` (host, path): 5 a
    second with a burst of 10 for all of them together, then nginx's 429. A target outside the
    limit, or with a budget of its own, lets 20 through. The bucket refills at 5 a second while
    the 20 go out: on a busy machine more pass, so the bound grows with the time they took (never
    past what the rate allows)."""
    started = time.monotonic()
    answers = [nginx.get(*targets[i % len(targets)], method="POST", body=b"{}", source=source) for i in range(20)]
    took = time.monotonic() - started
    passed = sum(1 for a in answers if a.status == 200)
    limited = [a for a in answers if is_edge(a, 429)]
    most = 11 + int(took * 5) + 1
    check(11 <= passed <= min(most, 19) and len(limited) == 20 - passed,
          f"auth rate limit on {targets}: {passed} passed (at most {most} in {took:.2f} s), {len(limited)} "
          f"limited of 20: {[a.status for a in answers]}")
    check(limited[0].header("retry-after") == "1", "nginx's 429 has no Retry-After")


def read_stream_http1(nginx, host):
    """GET /v1/stream over HTTP/1.1 through nginx: the headers, and each piece of the body with
    the time it arrived, until the upstream closes it."""
    sock = socket.create_connection(("127.0.0.1", nginx.https_port), timeout=30, source_address=(CLIENT, 0))
    sock = ssl.create_default_context(cafile=f"{nginx.work}/tls/cert.pem").wrap_socket(sock, server_hostname=host)
    conn = http.client.HTTPConnection("127.0.0.1", nginx.https_port, timeout=30)
    conn.sock = sock
    try:
        conn.request("GET", "/v1/stream", headers={"Host": host, "Accept": "text/event-stream",
                                                   "Accept-Encoding": "gzip", "Last-Event-ID": "41",
                                                   "Authorization": "Bearer a-token"})
        r = conn.getresponse()
        pieces = []
        while True:
            piece = r.read1(65536)
            if not piece:
                break
            pieces.append((time.monotonic(), piece.decode()))
        return r.status, {k.lower(): v for k, v in r.getheaders()}, pieces
    finally:
        conn.close()


def read_stream_http2(nginx, host):
    """The same with curl over HTTP/2: the HTTP version, the headers and the timed pieces."""
    proc = subprocess.Popen(["curl", "--http2", "-sS", "-N", "-D", "-", "--cacert", f"{nginx.work}/tls/cert.pem",
                             "--interface", CLIENT, "--resolve", f"{host}:{nginx.https_port}:127.0.0.1",
                             "-H", "Accept: text/event-stream", "-H", "Accept-Encoding: gzip",
                             f"https://{host}:{nginx.https_port}/v1/stream"], stdout=subprocess.PIPE, text=True)
    lines = []
    try:
        for line in proc.stdout:
            lines.append((time.monotonic(), line))
    finally:
        proc.wait(timeout=30)
    check(proc.returncode == 0, f"curl --http2 of the stream exited {proc.returncode}")
    blank = next(i for i, (_, line) in enumerate(lines) if line.strip() == "")
    status_line = lines[0][1].split()
    headers = {}
    for _, line in lines[1:blank]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return status_line[0], int(status_line[1]), headers, lines[blank + 1:]


def check_stream_arrivals(what, pieces, writes):
    """Every frame reached the client before the upstream wrote the next one (nothing held back
    until the stream's end), and all of them arrived, unchanged."""
    body = "".join(text for _, text in pieces)
    check(body == "".join(STREAM_FRAMES), f"{what}: the stream arrived as {body[:200]!r}...")
    for n, frame in enumerate(STREAM_FRAMES):
        end = len("".join(STREAM_FRAMES[:n + 1]))
        got = 0
        arrived = None
        for at, text in pieces:
            got += len(text)
            if got >= end:
                arrived = at
                break
        deadline = writes[n + 1] if n + 1 < len(writes) else writes[n] + STREAM_GAP
        check(arrived is not None and arrived < deadline,
              f"{what}: frame {n + 1} arrived {arrived - writes[n] if arrived else None:.2f} s after the upstream "
              f"wrote it, not before the next write ({STREAM_GAP} s): nginx buffers the stream")


def check_stream(nginx, recorder):
    """The live stream goes through unbuffered and uncompressed, over HTTP/1.1 and HTTP/2, to
    app-api with the tenant's slug and the client's Last-Event-ID and Authorization; open streams
    do not use up an address's requests in progress; HTTP/2 is negotiated on every TLS host."""
    host = f"acme.{DOMAIN}"
    status, headers, pieces = read_stream_http1(nginx, host)
    check(status == 200 and headers.get("content-type") == "text/event-stream", f"the stream: {status} {headers}")
    check("content-encoding" not in headers, f"the stream was compressed: {headers.get('content-encoding')}")
    check_stream_arrivals("the stream over HTTP/1.1", pieces, recorder.stream_writes[-1])
    seen = recorder.seen[-1]
    check(seen["path"] == "/v1/stream" and seen["headers"].get("x-tenant-slug") == "acme"
          and seen["headers"].get("last-event-id") == "41" and seen["headers"].get("authorization") == "Bearer a-token",
          f"the stream's request upstream: {seen}")

    version, status, headers, lines = read_stream_http2(nginx, host)
    check(version == "HTTP/2" and status == 200, f"the stream over HTTP/2: {version} {status}")
    check("content-encoding" not in headers, f"the stream over HTTP/2 was compressed: {headers}")
    check_stream_arrivals("the stream over HTTP/2", lines, recorder.stream_writes[-1])

    # An office behind one address: its open streams do not count against the address's limit of
    # 100 requests in progress, which would lock its people out of everything else.
    office = "127.0.0.50"
    held = []
    try:
        for n in range(110):
            sock = socket.create_connection(("127.0.0.1", nginx.https_port), timeout=10, source_address=(office, 0))
            sock = ssl.create_default_context(cafile=f"{nginx.work}/tls/cert.pem").wrap_socket(sock, server_hostname=host)
            conn = http.client.HTTPConnection("127.0.0.1", nginx.https_port, timeout=10)
            conn.sock = sock
            held.append(conn)
            conn.request("GET", "/v1/stream?hold", headers={"Host": host, "Accept": "text/event-stream"})
            r = conn.getresponse()
            if r.status != 200:
                raise Failure(f"stream {n + 1} from one address: {r.status} {r.read()[:200]!r}")
            time.sleep(0.03)  # within the per-address request rate (30 a second, a burst of 60)
        r = nginx.get(host, "/v1/me", source=office)
        check(r.status == 200, f"a call beside 110 open streams from one address: {r}")
    finally:
        recorder.release.set()
        for conn in held:
            conn.close()

    for h in (DOMAIN, host, f"files.{DOMAIN}"):
        out = subprocess.run(["curl", "--http2", "-sS", "-o", "/dev/null", "-w", "%{http_version}", "--cacert",
                              f"{nginx.work}/tls/cert.pem", "--resolve", f"{h}:{nginx.https_port}:127.0.0.1",
                              f"https://{h}:{nginx.https_port}/"], capture_output=True, text=True)
        check(out.returncode == 0 and out.stdout == "2", f"HTTP/2 on {h}: {out.stdout!r} {out.stderr!r}")
    out = subprocess.run(["curl", "--http1.1", "-sS", "-o", "/dev/null", "-w", "%{http_version}", "--cacert",
                          f"{nginx.work}/tls/cert.pem", "--resolve", f"{host}:{nginx.https_port}:127.0.0.1",
                          f"https://{host}:{nginx.https_port}/"], capture_output=True, text=True)
    check(out.stdout == "1.1", f"HTTP/1.1 still answered on {host}: {out.stdout!r} {out.stderr!r}")


def first_lines_of_live_stream(nginx, host, token, wait=3.0):
    """app-api's stream through nginx over HTTP/1.1: the status, headers, what arrived within
    `wait` seconds, and whether the stream was still open then."""
    sock = socket.create_connection(("127.0.0.1", nginx.https_port), timeout=wait, source_address=(CLIENT, 0))
    sock = ssl.create_default_context(cafile=f"{nginx.work}/tls/cert.pem").wrap_socket(sock, server_hostname=host)
    conn = http.client.HTTPConnection("127.0.0.1", nginx.https_port, timeout=wait)
    conn.sock = sock
    try:
        conn.request("GET", "/v1/stream", headers={"Host": host, "Accept": "text/event-stream",
                                                   "Accept-Encoding": "gzip", "Authorization": f"Bearer {token}"})
        r = conn.getresponse()
        headers = {k.lower(): v for k, v in r.getheaders()}
        if r.status != 200:
            return r.status, headers, r.read().decode(errors="replace"), False
        text, deadline = "", time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                piece = r.read1(65536)
            except (TimeoutError, socket.timeout):
                return r.status, headers, text, True
            if not piece:
                return r.status, headers, text, False
            text += piece.decode()
        return r.status, headers, text, True
    finally:
        conn.close()


def check_live_stream(nginx, host, token):
    """app-api's own stream passes through nginx unbuffered: its `retry` line (written when the
    stream opens) arrives at once while the stream stays open, over HTTP/1.1 and HTTP/2."""
    status, headers, text, still_open = first_lines_of_live_stream(nginx, host, token)
    check(status == 200 and headers.get("content-type", "").startswith("text/event-stream"),
          f"app-api's stream through nginx: {status} {headers} {text[:300]!r}")
    check("content-encoding" not in headers, f"app-api's stream was compressed: {headers}")
    check(still_open and re.search(r"^retry: \d+$", text, re.M),
          f"app-api's stream through nginx: {text!r} within 3 s (open: {still_open}): held back by nginx?")
    out = subprocess.run(["curl", "--http2", "-sS", "-N", "--max-time", "3", "-o", "-", "-w", "\n%{http_version} %{http_code}",
                          "--cacert", f"{nginx.work}/tls/cert.pem", "--resolve", f"{host}:{nginx.https_port}:127.0.0.1",
                          "-H", f"Authorization: Bearer {token}", f"https://{host}:{nginx.https_port}/v1/stream"],
                         capture_output=True, text=True)
    check(out.returncode == 28 and re.search(r"^retry: \d+$", out.stdout, re.M) and out.stdout.endswith("\n2 200"),
          f"app-api's stream over HTTP/2 (still open after 3 s, curl's 28): {out.returncode} {out.stdout!r} {out.stderr!r}")
    status, _, text, _ = first_lines_of_live_stream(nginx, host, "not-a-token")
    check(status == 401, f"app-api's stream with a bad token: {status} {text[:200]!r}")


@pytest.fixture
def site(work):
    """WORK with the web app's files nginx serves: its page and one content-hashed asset."""
    os.makedirs(f"{work}/web/assets")
    with open(f"{work}/web/index.html", "w") as f:
        f.write(f'<!doctype html><title>Helpdeskly web</title><script type="module" src="{ASSET}"></script>\n')
    with open(f"{work}/web{ASSET}", "w") as f:
        f.write(ASSET_BODY)
    return work


def test_headers_and_routing(site, launch_nginx):
    recorder = Recorder()
    nginx = launch_nginx(recorder.upstream("control"), recorder.upstream("app"), recorder.upstream("s3"),
                         client=CLIENT).start()
    web_csp_here = web_csp(nginx.files_origin)
    try:
        check_stream(nginx, recorder)
        # A tenant's subdomain reaches app-api with its slug; the client's own headers replaced.
        r = nginx.get(f"acme.{DOMAIN}", "/v1/me", headers=SPOOF_HEADERS)
        check(r.status == 200, f"acme's /v1/me through nginx: {r}")
        seen = r.json()
        h = seen["headers"]
        check(seen["upstream"] == "app", f"a tenant host went to {seen['upstream']}")
        check(h.get("x-tenant-slug") == "acme", f"X-Tenant-Slug upstream: {h.get('x-tenant-slug')!r}")
        check(h.get("x-forwarded-for") == CLIENT, f"X-Forwarded-For upstream: {h.get('x-forwarded-for')!r}")
        check(h.get("x-real-ip") == CLIENT, f"X-Real-IP upstream: {h.get('x-real-ip')!r}")
        check(h.get("x-forwarded-proto") == "https", f"X-Forwarded-Proto upstream: {h.get('x-forwarded-proto')!r}")
        check(h.get("x-forwarded-host") == f"acme.{DOMAIN}", f"X-Forwarded-Host upstream: {h.get('x-forwarded-host')!r}")
        check(h.get("x-forwarded-port") == str(nginx.https_port), f"X-Forwarded-Port: {h.get('x-forwarded-port')!r}")
        for gone in ("x-forwarded-prefix", "forwarded"):
            check(gone not in h, f"the client's {gone} reached the upstream: {h.get(gone)!r}")
        for one in ("x-tenant-slug", "x-forwarded-for", "x-real-ip", "x-request-id", "host"):
            check(seen["header_counts"].get(one) == 1, f"{one} sent upstream {seen['header_counts'].get(one)} times")
        check(h.get("host") == f"acme.{DOMAIN}", f"Host upstream: {h.get('host')!r}")
        rid = h.get("x-request-id", "")
        check(re.fullmatch(r"[0-9a-f]{32}", rid), f"X-Request-Id upstream is not nginx's $request_id: {rid!r}")
        logged = [e for e in nginx.logged(rid) if e["request_id"] == rid]
        check(len(logged) == 1 and logged[0]["tenant"] == "acme" and logged[0]["status"] == 200
              and logged[0]["remote_addr"] == CLIENT, f"access log line for {rid}: {logged}")

        # The uppercase spelling is the same tenant; the apex is the control plane.
        r = nginx.get(f"ACME.{DOMAIN}", "/v1/tickets")
        check(r.status == 200 and r.json()["headers"].get("x-tenant-slug") == "acme", f"ACME host: {r}")
        r = nginx.get(DOMAIN, "/v1/auth/me", headers=SPOOF_HEADERS)
        check(r.status == 200, f"the control host's /v1/auth/me: {r}")
        seen = r.json()
        check(seen["upstream"] == "control", f"the apex went to {seen['upstream']}")
        check("x-tenant-slug" not in seen["headers"], "a client's X-Tenant-Slug reached control-api")
        check(seen["headers"].get("x-forwarded-for") == CLIENT, f"control X-Forwarded-For: {seen['headers']}")
        r = nginx.get(DOMAIN, "/.well-known/jwks.json")
        check(r.status == 200 and r.json()["upstream"] == "control", f"JWKS on the apex: {r}")

        # On a tenant host, sign-in, invitations and the organisation's routes go to control-api,
        # with what it gets on the apex and no tenant header; the rest of /v1/ stays on app-api.
        for method, path in (("POST", "/v1/auth/login"), ("POST", "/v1/auth/refresh"), ("GET", "/v1/auth/me"),
                             ("POST", "/v1/invitations/x/accept"), ("GET", "/v1/invitations/x"),
                             ("GET", "/v1/tenants/acme/members"), ("GET", "/v1/tenants")):
            r = nginx.get(f"acme.{DOMAIN}", path, method=method, headers=SPOOF_HEADERS,
                          body=b"{}" if method == "POST" else None)
            check(r.status == 200, f"{method} {path} on a tenant host: {r}")
            seen = r.json()
            h = seen["headers"]
            check(seen["upstream"] == "control" and seen["path"] == path,
                  f"{method} {path} on a tenant host reached {seen['upstream']} as {seen['path']}")
            check("x-tenant-slug" not in h, f"{path} on a tenant host: X-Tenant-Slug {h.get('x-tenant-slug')!r} "
                                            "reached control-api")
            for name, value in (("host", f"acme.{DOMAIN}"), ("x-forwarded-host", f"acme.{DOMAIN}"),
                                ("x-forwarded-for", CLIENT), ("x-real-ip", CLIENT), ("x-forwarded-proto", "https")):
                check(h.get(name) == value, f"{path} on a tenant host: {name} upstream {h.get(name)!r}, not {value!r}")
            check(re.fullmatch(r"[0-9a-f]{32}", h.get("x-request-id", "")), f"{path}: X-Request-Id {h}")
            check("forwarded" not in h, f"{path} on a tenant host: the client's Forwarded reached control-api")
            check(r.header("content-security-policy") == "default-src 'none'; frame-ancestors 'none'",
                  f"{path} on a tenant host: CSP {r.header('content-security-policy')!r}")
        for path in ("/v1/tickets", "/v1/me", "/v1/authors", "/v1/tenantsx", "/v1/tickets/auth/x"):
            r = nginx.get(f"acme.{DOMAIN}", path, headers=SPOOF_HEADERS)
            seen = r.json()
            check(r.status == 200 and seen["upstream"] == "app" and seen["headers"].get("x-tenant-slug") == "acme",
                  f"{path} on a tenant host reached {seen['upstream']} with {seen['headers'].get('x-tenant-slug')!r}")

        # Refused by nginx itself: reserved names, malformed and unknown hosts, internal paths.
        before = len(recorder.seen)
        reserved = reserved_slugs()
        check("files" in reserved, "the files host's name is not a reserved slug")
        for slug in reserved:
            if slug != "files":  # a server of its own, below
                expect_edge(nginx.get(f"{slug}.{DOMAIN}", "/v1/me"), 404, f"reserved host {slug}.{DOMAIN}")
        for host in (f"a.b.{DOMAIN}", f"ab.{DOMAIN}", f"-acme.{DOMAIN}", f"acme-.{DOMAIN}", f"ac_me.{DOMAIN}",
                     f"{'a' * 64}.{DOMAIN}", f"acme.{DOMAIN}.evil.example", "evil.example", "127.0.0.1",
                     f"acme{DOMAIN}"):
            # A name the certificate covers for TLS; the Host header is what nginx routes by.
            r = nginx.get(DOMAIN, "/v1/me", headers={"Host": host})
            check(r.status in (400, 404) and (r.status == 400 or is_edge(r, 404)), f"malformed host {host}: {r}")
        for host in (f"acme.{DOMAIN}", DOMAIN):
            for path in ("/metrics", "//metrics", "/%6Detrics", "/metrics?x=1", "/ready"):
                expect_edge(nginx.get(host, path), 404, f"{path} on {host}")
        check(len(recorder.seen) == before, f"refused requests reached an upstream: {recorder.seen[before:]}")

        # Bodies: 1 MiB for JSON, 20 MB (and multipart framing) for attachments.
        big = b"x" * (2 << 20)
        expect_edge(nginx.get(f"acme.{DOMAIN}", "/v1/tickets", method="POST", body=big), 413, "2 MiB ticket body")
        expect_edge(nginx.get(DOMAIN, "/v1/tenants/signup", method="POST", body=big), 413, "2 MiB signup body")
        r = nginx.get(f"acme.{DOMAIN}", "/v1/tickets/abc/attachments", method="POST", body=b"x" * (20 * 1000 * 1000))
        check(r.status == 200 and r.json()["body_length"] == 20 * 1000 * 1000, f"a 20 MB attachment: {r}")
        expect_edge(nginx.get(f"acme.{DOMAIN}", "/v1/tickets/abc/attachments", method="POST",
                              body=b"x" * (22 << 20)), 413, "a 22 MiB attachment")
        check(len(recorder.seen) == before + 1, "an oversized body reached an upstream")

        # The web app on every host, from nginx alone: index.html for every page, with its policy,
        # revalidated on each load; content-hashed assets cached for good; a missing one a 404.
        before = len(recorder.seen)
        for host in (DOMAIN, f"acme.{DOMAIN}"):
            for path in ("/", "/some/client/route", "/tickets/42?tab=messages", "/index.html"):
                r = nginx.get(host, path)
                check(r.status == 200 and "Helpdeskly web" in r.body, f"{path} on {host}: {r}")
                check((r.header("content-type") or "").startswith("text/html"), f"{path} on {host}: {r.headers}")
                check(r.header("content-security-policy") == web_csp_here,
                      f"{path} on {host}: CSP {r.header('content-security-policy')!r}, not {web_csp_here!r}")
                check(r.header("cache-control") == "no-cache" and r.header("expires") is None,
                      f"{path} on {host}: Cache-Control {r.header('cache-control')!r}, Expires {r.header('expires')!r}")
            etag = r.header("etag")
            r = nginx.get(host, "/some/client/route", headers={"If-None-Match": etag or "none"})
            check(etag and r.status == 304, f"index.html revalidated with its ETag on {host}: {r.status}")
            r = nginx.get(host, ASSET)
            check(r.status == 200 and r.body == ASSET_BODY, f"{ASSET} on {host}: {r}")
            check((r.header("content-type") or "").startswith("application/javascript"), f"{ASSET}: {r.headers}")
            check(r.header("cache-control") == "public, max-age=31536000, immutable",
                  f"{ASSET} on {host}: Cache-Control {r.header('cache-control')!r}")
            check(r.header("content-security-policy") == web_csp_here and r.header("x-content-type-options") == "nosniff",
                  f"{ASSET} on {host}: {r.headers}")
            r = nginx.get(host, ASSET, headers={"Accept-Encoding": "gzip"})
            check(r.header("content-encoding") == "gzip", f"{ASSET} on {host} was not gzipped: {r.headers}")
            for path in ("/assets/missing.js", "/assets/", "/assets/sub/missing.css"):
                r = nginx.get(host, path)
                expect_edge(r, 404, f"{path} on {host}")
                check("immutable" not in (r.header("cache-control") or ""), f"{path} on {host}: cached for good")
        check(len(recorder.seen) == before, f"the web app's files reached an upstream: {recorder.seen[before:]}")

        # The files host: S3, reached with the Host the client sent (port included, as SigV4
        # signed it) and the query (the signature) untouched; none of the platform's cookies.
        link = "/sav/tenants/t1/tickets/7/ab12.png?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=0f%2B1&x-id=GetObject"
        r = nginx.get_file(link, headers={"Cookie": "helpdeskly_refresh=secret"})
        check(r.status == 200, f"a download link through the files host: {r}")
        seen = r.json()
        check(seen["upstream"] == "s3" and seen["path"] == link, f"the files host sent {seen['path']} to {seen['upstream']}")
        check(seen["headers"].get("host") == nginx.files_host and seen["header_counts"].get("host") == 1,
              f"Host at S3: {seen['headers'].get('host')!r}, not {nginx.files_host!r}")
        check("cookie" not in seen["headers"], f"a cookie reached S3: {seen['headers'].get('cookie')!r}")
        check(r.header("content-security-policy") == FILES_CSP and r.header("x-content-type-options") == "nosniff"
              and "max-age=63072000" in (r.header("strict-transport-security") or ""),
              f"the files host's headers: {r.headers}")
        # Reading only: every other method is nginx's 405, never forwarded.
        before = len(recorder.seen)
        for method in ("POST", "PUT", "DELETE", "PATCH", "OPTIONS"):
            r = nginx.get_file(link, method=method, body=b"x" if method in ("POST", "PUT", "PATCH") else None)
            expect_edge(r, 405, f"{method} on the files host")
            check(r.header("allow") == "GET, HEAD", f"{method} on the files host: Allow {r.header('allow')!r}")
        check(len(recorder.seen) == before, f"a write reached S3: {recorder.seen[before:]}")
        # A download link's path on a tenant's host is a page of the web app: S3 is the files host's alone.
        r = nginx.get(f"acme.{DOMAIN}", link)
        check(r.status == 200 and "Helpdeskly web" in r.body and len(recorder.seen) == before,
              f"a download path on a tenant host: {r}")

        # Every answer has the common headers; API answers their own policy.
        r = nginx.get(f"acme.{DOMAIN}", "/tickets/42")
        for resp, what in ((r, "web app"), (nginx.get(f"acme.{DOMAIN}", "/v1/me"), "API"),
                           (nginx.get(DOMAIN, "/", headers={"Host": "nope.example"}), "nginx's 404")):
            check("max-age=63072000" in (resp.header("strict-transport-security") or ""), f"{what}: no HSTS")
            check(resp.header("x-content-type-options") == "nosniff", f"{what}: no nosniff")
            check(resp.header("x-frame-options") == "DENY", f"{what}: X-Frame-Options {resp.header('x-frame-options')}")
        check("default-src 'none'" in (nginx.get(DOMAIN, "/v1/auth/me").header("content-security-policy") or ""),
              "API answers lack their CSP")
        check(nginx.get(f"acme.{DOMAIN}", "/v1/me").header("server") == "nginx", "server_tokens leak the version")

        # gzip for JSON above 1 KiB; never on credential answers (BREACH).
        r = nginx.get(f"acme.{DOMAIN}", "/v1/tickets?" + "q=" + "x" * 2000, headers={"Accept-Encoding": "gzip"})
        check(r.header("content-encoding") == "gzip", f"a 2 KiB JSON answer was not gzipped: {r.headers}")
        for host in (DOMAIN, f"acme.{DOMAIN}"):
            r = nginx.get(host, "/v1/auth/login?" + "q=" + "x" * 2000, headers={"Accept-Encoding": "gzip"})
            check(r.status == 200 and r.header("content-encoding") is None, f"a credential answer on {host} was gzipped")

        # TLS: verified against the wildcard certificate for every name; TLS 1.2 and 1.3 only.
        r = nginx.get(f"acme.{DOMAIN}", "/v1/me")
        check(r.tls_version == "TLSv1.3", f"negotiated {r.tls_version}")
        r = nginx.get(f"acme.{DOMAIN}", "/v1/me", tls_version=ssl.TLSVersion.TLSv1_2)
        check(r.status == 200 and r.tls_version == "TLSv1.2", f"TLS 1.2: {r}")
        try:
            request("GET", nginx.https_port, "/v1/me", host="acme.other.example", tls=nginx.cert)
            raise Failure("a certificate for acme.other.example was accepted")
        except ssl.SSLCertVerificationError:
            pass

        # Plain HTTP: a redirect to the same host and path over HTTPS, nothing forwarded.
        r = request("GET", nginx.http_port, "/v1/me?x=1", host=f"acme.{DOMAIN}", source=CLIENT)
        check(r.status == 301 and r.header("location") == f"https://acme.{DOMAIN}:{nginx.https_port}/v1/me?x=1",
              f"HTTP redirect: {r.status} {r.header('location')}")

        # Credentials: 5 a second with a burst of 10 per client address, then nginx's 429, on the
        # apex and on tenant hosts alike: each credential path alone, then taking turns with
        # another host's sign-in, which shares its budget. Each from an address of its own, so
        # that no other request counts.
        for n, (host, path) in enumerate(((DOMAIN, "/v1/auth/login"), (DOMAIN, "/v1/tenants/signup"),
                                          (f"acme.{DOMAIN}", "/v1/auth/login"), (f"acme.{DOMAIN}", "/v1/auth/refresh"),
                                          (f"acme.{DOMAIN}", "/v1/invitations/x/accept"),
                                          (f"acme.{DOMAIN}", "/v1/tenants/signup"))):
            fresh, shared = f"127.0.0.{10 + n}", f"127.0.0.{20 + n}"
            check_auth_limit(nginx, [(host, path)], fresh)
            elsewhere = f"beta.{DOMAIN}" if host == DOMAIN else DOMAIN
            check_auth_limit(nginx, [(host, path), (elsewhere, "/v1/auth/login")], shared)
            for other_host, other_path in ((f"acme.{DOMAIN}", "/v1/me"), (f"acme.{DOMAIN}", "/v1/tickets"),
                                           (f"acme.{DOMAIN}", "/v1/tenants/acme/members"),
                                           (f"acme.{DOMAIN}", "/v1/invitations/x"), (DOMAIN, "/v1/tenants/acme")):
                r = nginx.get(other_host, other_path, source=fresh)
                check(r.status == 200, f"the auth limit spilled over to {other_host}{other_path}: {r}")
        other = nginx.get(DOMAIN, "/v1/auth/login", method="POST", body=b"{}", source="127.0.0.3")
        check(other.status == 200, f"the auth limit is not per client address: {other}")
        say("edge, recorded: routing (control-api's routes on tenant hosts too), replaced headers, refusals, "
            "bodies, the web app and its caching, headers, gzip, TLS, redirect, auth limit on every host, "
            "the files host (S3 with the client's Host, reading only), HTTP/2, the live stream unbuffered")
    finally:
        recorder.stop()


# ---- 2. the web app alone ---------------------------------------------------------------------

class WebAlone(Nginx):
    """nginx/web/nginx.conf, the web image's server where an ingress controller is the edge, laid
    out as the Dockerfile lays it out, with its port and folders moved into WORK/web-alone."""

    def __init__(self, work):
        self.work, self.proc = work, None
        self.out = f"{work}/web-alone"
        os.makedirs(f"{self.out}/snippets")
        os.makedirs(f"{self.out}/logs")
        for name in ("mime.conf", "headers-common.conf", "edge-errors.conf", "web-app.conf"):
            shutil.copy(f"{ROOT}/nginx/snippets/{name}", f"{self.out}/snippets/")
        shutil.copy(f"{ROOT}/nginx/templates/snippets/headers-web.conf.template", f"{self.out}/snippets/headers-web.conf")
        # What k8s/base/web.yaml's command writes from S3_PUBLIC_ENDPOINT before nginx starts.
        self.files_origin = f"https://files.{DOMAIN}"
        with open(f"{self.out}/files-origin.conf", "w") as f:
            f.write('map $host $files_origin { default "%s"; }\n' % self.files_origin)
        self.render()

    def render(self):
        self.http_port = free_port()
        conf = open(f"{ROOT}/nginx/web/nginx.conf").read()
        for fixed, here in (("/tmp/", f"{self.out}/"), ("listen 8080 ", f"listen 127.0.0.1:{self.http_port} "),
                            ("/srv/web;", f"{self.work}/web;")):
            check(fixed in conf, f"nginx/web/nginx.conf no longer says {fixed!r}: update this test")
            conf = conf.replace(fixed, here)
        with open(f"{self.out}/nginx.conf", "w") as f:
            f.write(conf)

    def listening(self):
        return (self.http_port,)


def test_web_alone(site, launch_nginx):
    """The web app alone: the same pages, assets, policy, caching and 404s as the edge's."""
    check("/tmp/files-origin.conf" in open(f"{ROOT}/nginx/web/nginx.conf").read()
          and "/tmp/files-origin.conf" in open(f"{ROOT}/k8s/base/web.yaml").read(),
          "nginx/web/nginx.conf and k8s/base/web.yaml no longer share /tmp/files-origin.conf: update this test")
    nginx = launch_nginx(kind=WebAlone).start()
    csp = web_csp(nginx.files_origin)

    def get(path, **kw):
        if nginx.proc.poll() is not None:
            raise Failure(f"nginx (web alone) exited ({nginx.proc.returncode}): {nginx.proc.stderr.read()}")
        return request("GET", nginx.http_port, path, host=f"acme.{DOMAIN}", **kw)

    wait_for("nginx (web alone) to answer", lambda: get("/index.html", timeout=2).status == 200, timeout=15)
    for path in ("/", "/some/client/route", "/index.html"):
        r = get(path)
        check(r.status == 200 and "Helpdeskly web" in r.body, f"{path}, web alone: {r}")
        check(r.header("content-security-policy") == csp and r.header("cache-control") == "no-cache",
              f"{path}, web alone: {r.headers}")
        check("max-age=63072000" in (r.header("strict-transport-security") or "")
              and r.header("x-content-type-options") == "nosniff", f"{path}, web alone: {r.headers}")
    r = get(ASSET, headers={"Accept-Encoding": "gzip"})
    check(r.status == 200 and r.header("cache-control") == "public, max-age=31536000, immutable"
          and r.header("content-encoding") == "gzip" and r.header("content-security-policy") == csp,
          f"{ASSET}, web alone: {r.headers}")
    for path in ("/assets/missing.js", "/assets/"):
        expect_edge(get(path), 404, f"{path}, web alone")
    say("web alone (nginx/web/nginx.conf): pages, assets, policy, caching, 404s as at the edge")


# ---- 3. the real services ---------------------------------------------------------------------

class S3Server:
    """s3s-fs on a free port, its objects in a folder of the work directory: an S3 server that
    checks every request's signature (scripts/edge-test.sh installs it)."""

    def __init__(self, work):
        binary = shutil.which("s3s-fs")
        check(binary, "s3s-fs is not installed: run scripts/edge-test.sh, which installs it")
        self.port = free_port()
        root = f"{work}/s3"
        os.makedirs(root)
        self.log = open(f"{work}/s3s-fs.log", "w")
        # Run from the work directory: s3s-fs resolves paths against its own.
        self.proc = subprocess.Popen([binary, "--host", "127.0.0.1", "--port", str(self.port), "--access-key",
                                      S3_ACCESS_KEY, "--secret-key", S3_SECRET_KEY, root], cwd=work,
                                     stdout=self.log, stderr=subprocess.STDOUT)

        def listening():
            if self.proc.poll() is not None:
                raise Failure(f"s3s-fs exited ({self.proc.returncode}): {open(f'{work}/s3s-fs.log').read()}")
            with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return True

        try:
            wait_for("s3s-fs to listen", listening, timeout=15)
        except Failure:
            self.stop()
            raise

    def stop(self):
        stop_process(self.proc)
        self.log.close()


# A 1x1 PNG: an image app-api takes by its content.
def png_pixel():
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x80\x00\xff")) + chunk(b"IEND", b""))


def check_files(nginx, host, token):
    """An attachment uploaded through the edge is stored on S3 by app-api, whose link, signed for
    the files host, downloads it through nginx; S3 refuses the link on another host or with
    another signature; nginx refuses to write with it."""
    auth = {"Authorization": f"Bearer {token}"}
    r = nginx.get(host, "/v1/tickets", method="POST", headers=auth,
                  body={"subject": "Broken on arrival", "description": "Photo attached.", "category": "shipping"})
    check(r.status == 201, f"a ticket for the attachment: {r}")
    ticket = r.json()["id"]
    pixel = png_pixel()
    boundary = f"edge{os.getpid()}"
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="photo.png"\r\n'
            f"Content-Type: image/png\r\n\r\n").encode() + pixel + f"\r\n--{boundary}--\r\n".encode()
    r = nginx.get(host, f"/v1/tickets/{ticket}/attachments", method="POST", body=body,
                  headers=dict(auth, **{"Content-Type": f"multipart/form-data; boundary={boundary}"}))
    check(r.status == 201, f"an attachment through nginx: {r}")
    url = urllib.parse.urlsplit(r.json()["url"])
    check(f"{url.scheme}://{url.netloc}" == nginx.files_origin, f"the link names {url.netloc}, not the files host")
    link = f"{url.path}?{url.query}"
    check("X-Amz-Signature=" in url.query, f"the link is not a presigned S3 link: {r.json()['url']}")

    r = nginx.get_file(link)
    check(r.status == 200 and r.body_bytes == pixel, f"the download through the files host: {r}")
    check((r.header("content-type") or "").startswith("image/png"), f"the download's type: {r.header('content-type')}")
    check(r.header("content-security-policy") == FILES_CSP and r.header("x-content-type-options") == "nosniff",
          f"the download's headers: {r.headers}")
    # SigV4 signed the host: without the port, or under another name, S3 refuses the same link.
    for other in (f"files.{DOMAIN}", f"files.{DOMAIN}:{nginx.https_port + 1}"):
        r = nginx.get_file(link, host=other)
        check(r.status == 403 and not is_edge(r, 403), f"the link with Host {other!r}: {r}")
    signature = re.search(r"X-Amz-Signature=([0-9a-f]+)", link).group(1)
    forged = link.replace(signature, ("0" if signature[0] != "0" else "1") + signature[1:])
    r = nginx.get_file(forged)
    check(r.status == 403 and not is_edge(r, 403), f"a forged signature: {r}")
    # Writing with the link: nginx's 405, and the file is still there.
    for method in ("PUT", "DELETE", "POST"):
        r = nginx.get_file(link, method=method, body=b"overwritten" if method != "DELETE" else None)
        expect_edge(r, 405, f"{method} with a download link")
    r = nginx.get_file(link)
    check(r.status == 200 and r.body_bytes == pixel, f"the file after the refused writes: {r}")


def test_live(site, launch_platform, launch_nginx):
    work = site
    s3 = S3Server(work)
    platform = launch_platform("edge", {"TRUSTED_PROXIES": "127.0.0.1/32", "S3_ENDPOINT": f"http://127.0.0.1:{s3.port}",
                                 "S3_BUCKET": "sav", "S3_REGION": "us-east-1", "S3_FORCE_PATH_STYLE": "true",
                                 "AWS_ACCESS_KEY_ID": S3_ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": S3_SECRET_KEY})
    nginx = launch_nginx(f"127.0.0.1:{platform.control_port}", f"127.0.0.1:{platform.app_port}",
                         f"127.0.0.1:{s3.port}", client=CLIENT)
    try:
        # Started first: download links are signed for the files host as browsers reach it, on
        # the port nginx could bind.
        nginx.start()
        platform.extra_env["S3_PUBLIC_ENDPOINT"] = nginx.files_origin
        platform.start()
        a, b = f"edge-a-{os.getpid()}", f"edge-b-{os.getpid()}"
        a_owner, b_owner = f"owner@{a}.example", f"owner@{b}.example"
        platform.signup(a, a_owner)
        platform.signup(b, b_owner)

        # Log in through the edge from 127.0.0.2, claiming to be 203.0.113.7.
        r = nginx.get(DOMAIN, "/v1/auth/login", method="POST", headers=SPOOF_HEADERS,
                      body={"tenant": a, "email": a_owner, "password": "a long passphrase"})
        check(r.status == 200, f"login through nginx: {r}")
        token_a = r.json()["access_token"]
        rid = r.header("x-request-id")
        check(rid and re.fullmatch(r"[0-9a-f]{32}", rid), f"control-api did not echo nginx's request id: {rid!r}")
        sessions = nginx.get(DOMAIN, "/v1/auth/sessions", headers={"Authorization": f"Bearer {token_a}"})
        check(sessions.status == 200, f"sessions: {sessions}")
        ips = [s.get("ip") for s in sessions.json().get("data", [])]
        check(ips == [CLIENT], f"control-api recorded the session from {ips}, not the client's {CLIENT}")
        token_b = platform.login(b, b_owner)

        # The web app signs in on the tenant's own host: control-api answers there, sees the
        # client's address, and refreshes the session it opened.
        r = nginx.get(f"{a}.{DOMAIN}", "/v1/auth/login", method="POST", headers=SPOOF_HEADERS,
                      body={"tenant": a, "email": a_owner, "password": "a long passphrase"})
        check(r.status == 200 and r.json().get("access_token"), f"login on {a}'s host through nginx: {r}")
        r = nginx.get(f"{a}.{DOMAIN}", "/v1/auth/refresh", method="POST",
                      body={"refresh_token": r.json()["refresh_token"]})
        check(r.status == 200 and r.json().get("access_token"), f"refresh on {a}'s host through nginx: {r}")
        r = nginx.get(f"{a}.{DOMAIN}", "/v1/auth/sessions", headers={"Authorization": f"Bearer {r.json()['access_token']}"})
        ips = [s.get("ip") for s in r.json().get("data", [])] if r.status == 200 else r
        check(ips == [CLIENT, CLIENT], f"sessions seen on {a}'s host: {ips}, not two from {CLIENT}")
        r = nginx.get(f"{a}.{DOMAIN}", f"/v1/tenants/{a}/members", headers={"Authorization": f"Bearer {token_a}"})
        check(r.status == 200 and a_owner in r.body, f"{a}'s members on its own host: {r}")

        # Each subdomain answers as its own tenant; a client's X-Tenant-Slug changes nothing.
        auth_a = {"Authorization": f"Bearer {token_a}"}
        r = nginx.get(f"{a}.{DOMAIN}", "/v1/me", headers=dict(SPOOF_HEADERS, **auth_a, **{"X-Tenant-Slug": b}))
        check(r.status == 200 and r.json().get("email") == a_owner, f"{a}'s /v1/me with X-Tenant-Slug {b}: {r}")
        r = nginx.get(f"{b}.{DOMAIN}", "/v1/me", headers=dict(auth_a, **{"X-Tenant-Slug": a}))
        check(r.status == 403 and "tenant_mismatch" in r.body, f"{a}'s token on {b}'s host (claiming {a}): {r}")
        r = nginx.get(f"{b}.{DOMAIN}", "/v1/me", headers={"Authorization": f"Bearer {token_b}", "X-Tenant-Slug": a})
        check(r.status == 200 and r.json().get("email") == b_owner, f"{b}'s /v1/me: {r}")
        r = nginx.get(f"{b}.{DOMAIN}", "/v1/tickets", method="POST", headers={"Authorization": f"Bearer {token_b}"},
                      body={"subject": "Parcel not received", "description": "Ordered on the 3rd.",
                            "category": "shipping"})
        check(r.status == 201, f"a ticket through nginx: {r}")
        r = nginx.get(f"{a}.{DOMAIN}", "/v1/tickets", headers=auth_a)
        check(r.status == 200 and "Parcel not received" not in r.body, f"{a} sees {b}'s ticket: {r}")
        r = nginx.get(f"unknown-{os.getpid()}.{DOMAIN}", "/v1/me", headers=auth_a)
        check(r.status == 404 and "tenant_not_found" in r.body, f"an unregistered tenant: {r}")

        # One request id: nginx's log, the service's log line, the response.
        r = nginx.get(f"{a}.{DOMAIN}", "/v1/me", headers=auth_a)
        rid = r.header("x-request-id")
        check(r.status == 200 and rid and re.fullmatch(r"[0-9a-f]{32}", rid), f"app-api's request id: {rid!r}")
        logged = nginx.logged(rid)
        check(any(e["request_id"] == rid and e["tenant"] == a and e["status"] == 200 for e in logged),
              f"nginx's access log for {rid}: {logged}")

        def service_logged():
            for line in platform.log_lines():
                if rid in line and "request completed" in line:
                    entry = json.loads(line[line.index("{"):])
                    return json.dumps(entry)
            return None

        line = wait_for(f"app-api's log line for {rid}", service_logged, timeout=10)
        check('"route":"/v1/me"' in line.replace(" ", "") or "/v1/me" in line, f"app-api log line: {line}")
        check_files(nginx, f"{a}.{DOMAIN}", token_a)
        check_live_stream(nginx, f"{a}.{DOMAIN}", token_a)
        say("edge, live: tenants by subdomain, spoofed slug and address ignored, client address recorded, "
            "sign-in, refresh and members on a tenant's host, one request id end to end, an attachment "
            "downloaded from S3 through the files host with app-api's link (reading only), app-api's live "
            "stream unbuffered over HTTP/1.1 and HTTP/2")
    finally:
        s3.stop()
