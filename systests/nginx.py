"""nginx with the edge's configuration (nginx/, rendered by scripts/nginx-render.sh) in front of
upstreams the caller names, on free ports: the one launcher of the system tests.

A port found free can be taken by another socket before nginx binds it (an outgoing connection's
local port): nginx then exits, and is started again on other ports. Its certificate (for DOMAIN
and its subdomains) is made under WORK/tls and its web root is WORK/web, unless the caller made
them first.
"""

import json
import os
import signal
import subprocess

from systests.live_platform import ROOT, Failure, free_port, port_open, request, stop_process, wait_for

DOMAIN = "helpdeskly.test"
ATTEMPTS = 3


class Nginx:
    def __init__(self, work, control_upstream, app_upstreams, s3_upstream=None, client="127.0.0.1"):
        """`app_upstreams`: one host:port or several (app-api's replicas); `client`: the address
        requests through `get` come from."""
        self.work, self.client = work, client
        self.out = os.path.join(work, f"nginx-{control_upstream.rsplit(':', 1)[1]}")
        self.cert = f"{work}/tls/cert.pem"
        self.upstreams = {"CONTROL_UPSTREAM": control_upstream, "APP_UPSTREAM": ",".join(
            [app_upstreams] if isinstance(app_upstreams, str) else app_upstreams)}
        if s3_upstream:
            self.upstreams["S3_UPSTREAM"] = s3_upstream
        if not os.path.exists(self.cert):
            subprocess.run([f"{ROOT}/scripts/make-dev-cert.sh", f"{work}/tls", DOMAIN], check=True,
                           stdout=subprocess.DEVNULL)
        if not os.path.exists(f"{work}/web"):
            os.makedirs(f"{work}/web")
            with open(f"{work}/web/index.html", "w") as f:
                f.write("<!doctype html><title>Helpdeskly</title>\n")
        self.proc = None
        self.render()

    def render(self):
        """The configuration, on ports free now."""
        self.http_port, self.https_port = free_port(), free_port()
        # The files host as browsers name it: the port is part of the Host they send.
        self.files_host = f"files.{DOMAIN}:{self.https_port}"
        self.files_origin = f"https://{self.files_host}"
        env = dict(os.environ, **self.upstreams, APP_BASE_DOMAIN=DOMAIN, HTTP_PORT=str(self.http_port),
                   HTTPS_PORT=str(self.https_port), TLS_CERT=self.cert, TLS_KEY=f"{self.work}/tls/key.pem",
                   WEB_ROOT=f"{self.work}/web")
        subprocess.run([f"{ROOT}/scripts/nginx-render.sh", self.out], env=env, check=True, stdout=subprocess.DEVNULL)

    def listening(self):
        """The ports it listens on once started."""
        return (self.http_port, self.https_port)

    def start(self):
        """Started, and listening on both ports; on other ports when one was taken first."""
        for attempt in range(ATTEMPTS):
            if attempt:
                self.render()
            # -e: the error log from the first line on (the compiled-in default is /var/log/nginx).
            self.proc = subprocess.Popen(["nginx", "-p", self.out, "-c", f"{self.out}/nginx.conf", "-e",
                                          f"{self.out}/logs/error.log", "-g", "daemon off;"],
                                         stderr=subprocess.PIPE, text=True)
            wait_for("nginx to listen or exit",
                     lambda: self.proc.poll() is not None or all(port_open(p) for p in self.listening()),
                     timeout=15, every=0.05)
            if self.proc.poll() is None:
                return self
        raise Failure(f"nginx could not bind its ports ({ATTEMPTS} tries): {self.proc.stderr.read()}")

    def stop(self):
        stop_process(self.proc, signal.SIGQUIT)  # graceful: finish what is in flight

    def logged(self, request_id):
        """nginx's access log entry for a request (written just after the answer: awaited)."""
        def entry():
            with open(f"{self.out}/logs/access.log") as f:
                return [json.loads(line) for line in f if request_id in line]
        return wait_for(f"{request_id} in nginx's access log", entry, timeout=5, every=0.05)

    def get(self, host, path, source=None, **kw):
        """A request over HTTPS naming `host`, from `source` (the client's address by default)."""
        return request(kw.pop("method", "GET"), self.https_port, path, host=host, tls=self.cert,
                       source=source or self.client, **kw)

    def get_file(self, path, method="GET", host=None, **kw):
        """A request to the files host (TLS for its name; the Host as a browser sends it)."""
        headers = dict(kw.pop("headers", None) or {}, Host=host or self.files_host)
        return self.get(f"files.{DOMAIN}", path, method=method, headers=headers, **kw)
