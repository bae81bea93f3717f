"""A webhook endpoint for the tests: receives the platform's webhook deliveries over real HTTP,
checks their signatures with an implementation of Standard Webhooks that is not the platform's
own (standardwebhooks from PyPI, pinned in systests/requirements.txt), keeps what
arrived in memory, and answers each delivery as the test scripted it (a status, a delay, a
Retry-After, a Location), so that retries, back-off, time-outs and redirects can be tested.

    python webhook_receiver.py --host 127.0.0.1 --port 0

prints one line, `listening on <port>`, once it listens, then serves:

    POST /hooks/<name>     a delivery: recorded, then answered by <name>'s script
    PUT  /_control/<name>  {"secrets"?: [...], "responses"?: [...], "default"?: {...}}: replaces
                           those parts of <name>'s configuration (204)
    GET  /_control/<name>  {"requests": [...]}: what <name> received, in order of arrival

A response is {"status": int, "delay_ms": int, "retry_after": str|null, "location": str|null,
"body": str}; <name>'s "responses" are used once each, in order, then "default" (status 200)
for every delivery after them. A recorded request is {"at": unix time of arrival, "headers":
{lower-case name: value}, "body": str, "signatures_valid": [indexes of <name>'s secrets whose
check passed], "error": the check's error with the first secret when none passed, else null}.
testkit's webhooks module (testkit/src/webhooks.rs) starts it and reads it.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from standardwebhooks.webhooks import Webhook

NAME = r"[A-Za-z0-9_-]{1,64}"
HOOK_PATH = re.compile(rf"/hooks/({NAME})")
CONTROL_PATH = re.compile(rf"/_control/({NAME})")
RESPONSE_FIELDS = {"status", "delay_ms", "retry_after", "location", "body"}


class BadRequest(Exception):
    """A control request this receiver cannot take (answered with 400 and this message)."""


def check_response(value: object) -> dict:
    """A scripted response, checked, with its defaults filled in."""
    if not isinstance(value, dict):
        raise BadRequest(f"a response is an object, not {value!r}")
    unknown = set(value) - RESPONSE_FIELDS
    if unknown:
        raise BadRequest(f"unknown response fields: {sorted(unknown)}")
    status = value.get("status")
    if not isinstance(status, int) or isinstance(status, bool) or not 100 <= status <= 599:
        raise BadRequest(f"a response's status is an HTTP status code, not {status!r}")
    delay = value.get("delay_ms", 0)
    if not isinstance(delay, int) or isinstance(delay, bool) or delay < 0:
        raise BadRequest(f"delay_ms is a whole number of milliseconds, not {delay!r}")
    for field in ("retry_after", "location"):
        if value.get(field) is not None and not isinstance(value[field], str):
            raise BadRequest(f"{field} is a string or null, not {value[field]!r}")
    body = value.get("body", "")
    if not isinstance(body, str):
        raise BadRequest(f"body is a string, not {body!r}")
    return {
        "status": status,
        "delay_ms": delay,
        "retry_after": value.get("retry_after"),
        "location": value.get("location"),
        "body": body,
    }


class Endpoint:
    """One name's configuration and what it received."""

    def __init__(self) -> None:
        self.secrets: list[str] = []
        self.responses: list[dict] = []
        self.default: dict = check_response({"status": 200})
        self.requests: list[dict] = []


class State:
    """Every endpoint, behind one lock (the server answers each request on a thread of its own)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.endpoints: dict[str, Endpoint] = {}

    def endpoint(self, name: str) -> Endpoint:
        """`name`'s endpoint, made on first use; the caller holds the lock."""
        return self.endpoints.setdefault(name, Endpoint())

    def configure(self, name: str, config: object) -> None:
        if not isinstance(config, dict):
            raise BadRequest("the configuration is a JSON object")
        unknown = set(config) - {"secrets", "responses", "default"}
        if unknown:
            raise BadRequest(f"unknown configuration fields: {sorted(unknown)}")
        secrets = config.get("secrets")
        if secrets is not None and not (isinstance(secrets, list) and all(isinstance(s, str) for s in secrets)):
            raise BadRequest("secrets is a list of strings")
        responses = config.get("responses")
        if responses is not None:
            if not isinstance(responses, list):
                raise BadRequest("responses is a list")
            responses = [check_response(r) for r in responses]
        default = check_response(config["default"]) if "default" in config else None
        with self.lock:
            endpoint = self.endpoint(name)
            if secrets is not None:
                endpoint.secrets = list(secrets)
            if responses is not None:
                endpoint.responses = responses
            if default is not None:
                endpoint.default = default

    def receive(self, name: str, at: float, headers: dict[str, str], body: bytes) -> dict:
        """Records a delivery and returns the response scripted for it."""
        with self.lock:
            endpoint = self.endpoint(name)
            secrets = list(endpoint.secrets)
        valid, error = verify(secrets, headers, body)
        with self.lock:
            endpoint.requests.append(
                {
                    "at": at,
                    "headers": headers,
                    "body": body.decode("utf-8", errors="replace"),
                    "signatures_valid": valid,
                    "error": error,
                }
            )
            return endpoint.responses.pop(0) if endpoint.responses else endpoint.default

    def received(self, name: str) -> list[dict]:
        with self.lock:
            return list(self.endpoints[name].requests) if name in self.endpoints else []


def verify(secrets: list[str], headers: dict[str, str], body: bytes) -> tuple[list[int], str | None]:
    """The indexes of the secrets the delivery's signature checks out with, and, when none
    does, the error the first secret's check raised. The body is not required to be JSON
    (json_parse=False): this checks signatures only."""
    valid: list[int] = []
    first_error: str | None = None
    for index, secret in enumerate(secrets):
        try:
            Webhook(secret).verify(body, headers, json_parse=False)
        except Exception as error:  # noqa: BLE001 -- any failure is a signature that does not check out
            if index == 0:
                first_error = f"{type(error).__name__}: {error}"
        else:
            valid.append(index)
    return valid, (None if valid else first_error)


class Handler(BaseHTTPRequestHandler):
    # Keep-alive, as the platform's HTTP client may reuse connections: every answer has a length.
    protocol_version = "HTTP/1.1"
    state: State
    verbose: bool

    def version_string(self) -> str:
        return "helpdeskly-webhook-receiver"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 -- the base class's name
        if self.verbose:
            super().log_message(format, *args)

    def read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def answer(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        # 1xx, 204 and 304 have no body, and no length.
        has_body = status >= 200 and status not in (204, 304)
        if has_body:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if has_body and self.command != "HEAD":
            self.wfile.write(body)

    def answer_json(self, status: int, value: object) -> None:
        self.answer(status, json.dumps(value).encode(), {"Content-Type": "application/json"})

    def path_name(self, pattern: re.Pattern[str]) -> str | None:
        match = pattern.fullmatch(urlsplit(self.path).path)
        return match.group(1) if match else None

    def do_POST(self) -> None:  # noqa: N802 -- the base class's name
        at = time.time()
        body = self.read_body()
        name = self.path_name(HOOK_PATH)
        if name is None:
            return self.answer(404)
        headers: dict[str, str] = {}
        for key, value in self.headers.items():
            key = key.lower()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        response = self.state.receive(name, at, headers, body)
        if response["delay_ms"]:
            time.sleep(response["delay_ms"] / 1000)
        extra = {}
        if response["retry_after"] is not None:
            extra["Retry-After"] = response["retry_after"]
        if response["location"] is not None:
            extra["Location"] = response["location"]
        if response["body"]:
            extra["Content-Type"] = "text/plain; charset=utf-8"
        self.answer(response["status"], response["body"].encode(), extra)

    def do_PUT(self) -> None:  # noqa: N802
        body = self.read_body()
        name = self.path_name(CONTROL_PATH)
        if name is None:
            return self.answer(404)
        try:
            self.state.configure(name, json.loads(body or b"{}"))
        except (BadRequest, ValueError) as error:
            return self.answer(400, f"{error}\n".encode(), {"Content-Type": "text/plain; charset=utf-8"})
        self.answer(204)

    def do_GET(self) -> None:  # noqa: N802
        name = self.path_name(CONTROL_PATH)
        if name is None:
            return self.answer(404)
        self.answer_json(200, {"requests": self.state.received(name)})

    def not_found(self) -> None:
        self.read_body()
        self.answer(404)

    do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = not_found

    def handle_one_request(self) -> None:
        # A client that gave up (a time-out shorter than a scripted delay) is no error here.
        try:
            super().handle_one_request()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 for a free port (printed)")
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    args = parser.parse_args()

    handler = type("ReceiverHandler", (Handler,), {"state": State(), "verbose": args.verbose})
    server = ThreadingHTTPServer((args.host, args.port), handler)
    server.daemon_threads = True
    print(f"listening on {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    sys.exit(0)


if __name__ == "__main__":
    main()
