"""The deployment run in containers (scripts/container-check.sh; systests/containers.py says how the
images are made and how the compose file's settings become podman's).

1. The images: the stand-ins of the backing services and of nginx, then the project's two images
   from the Dockerfile's `runtime` and `web` stages; each one's size.
2. docker-compose.prod.yml's services in deploy order, each started with its own settings and
   waited for by its own health check (the time to healthy noted): PostgreSQL, PgBouncer, Redis,
   RabbitMQ and the object store, then the `migrate` run, then control-api, its worker, app-api,
   app-api's worker and nginx. The mail server runs on this machine at the `mail` network's
   gateway, as SMTP_URL's server does outside the compose file.
3. The first organisation, through nginx's HTTPS port only (on `edge`): sign-up on the control host
   and its provisioning, the owner's sign-in, a customer's registration and the mail that verifies
   it, a ticket, the owner's reply, the reply's mail in the customer's mailbox and the reply on the
   customer's live stream.
4. Each project container runs as its image's non-root user and can write nothing but its tmpfs;
   nothing under their roots changed.
5. The k8s migration Job's and backup CronJob's commands, run as their manifests run them
   (uid 10001, read-only root, /tmp and /backups volumes): exit 0, and the backup's manifest names
   the control database and the organisation's, whose archives are there with their sizes.
6. The web image as k8s/base/web.yaml runs it (uid 101, read-only root, /tmp only): index.html.
7. SIGTERM (podman stop, the compose file's grace period): each service drains and exits 0 in time,
   app-api with a live stream open; nginx on its image's SIGQUIT within the default 10 s.

The image sizes and times to healthy are printed and written to artifacts/containers.json.
"""

import hashlib
import json
import os
import re
import secrets
import socket
import ssl
import subprocess
import threading
import time
import http.client
import urllib.parse

import pytest
import yaml

from systests import containers as ct
from systests.live_platform import ROOT, Failure, MailDevel, check, request, say, shut, sse_frames, wait_for

DOMAIN = "helpdeskly.test"
PROFILE = os.environ.get("CONTAINER_PROFILE", "debug")
PASSWORD = "a long passphrase"
# The platform's services, in the order scripts/deploy.sh brings them up.
STORES = ["postgres", "pgbouncer", "redis", "rabbitmq", "clamd"]
# What podman itself writes into a container's root: the mount points of the files it manages.
PODMAN_OWN = {"/etc", "/etc/hosts", "/etc/hostname", "/etc/resolv.conf", "/run", "/run/.containerenv", "/tmp"}
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
SERVICES = ["control-api", "control-api-worker", "app-api", "app-api-worker"]


@pytest.fixture
def work(tmp_path):
    ct.remove_leftovers()
    yield str(tmp_path)
    if not os.environ.get("KEEP_CONTAINERS"):
        ct.remove_leftovers()


def env_file(work, smtp_url):
    """This run's secrets and settings, as an operator's .env.prod holds them."""
    key = subprocess.run(["openssl", "genpkey", "-algorithm", "ed25519"], capture_output=True, text=True,
                         check=True).stdout
    values = {
        "POSTGRES_PASSWORD": secrets.token_hex(16), "REDIS_PASSWORD": secrets.token_hex(16),
        "RABBITMQ_PASSWORD": secrets.token_hex(16), "MINIO_ROOT_PASSWORD": secrets.token_hex(16),
        "GRAFANA_ADMIN_PASSWORD": secrets.token_hex(16),
        "DB_ENCRYPTION_KEY": __import__("base64").b64encode(os.urandom(32)).decode(),
        "JWT_PRIVATE_KEY": key.strip().replace("\n", "\\n"),
        "APP_BASE_DOMAIN": DOMAIN, "AWS_ACCESS_KEY_ID": "helpdeskly-app",
        "AWS_SECRET_ACCESS_KEY": secrets.token_hex(16), "HELPDESKLY_TAG": "check",
        "TLS_DIR": f"{work}/tls", "SMTP_URL": smtp_url, "MAIL_FROM": f"support@{DOMAIN}",
    }
    # APP_PLANE_KEY, as the README has the operator make it: from the master key.
    values["APP_PLANE_KEY"] = ct.podman("run", "--rm", *ct.LIMITS, "-e", f"DB_ENCRYPTION_KEY={values['DB_ENCRYPTION_KEY']}",
                                        "helpdeskly:check", "control-api", "app-plane-key")
    path = f"{work}/.env.prod"
    with open(path, "w") as f:
        os.fchmod(f.fileno(), 0o600)
        f.writelines(f"{k}={v}\n" for k, v in values.items())
    return path, values


def build_images(work, facts):
    sizes = facts["images"] = {}
    images = {}
    for official, name in ct.STAND_IN_OF.items():
        images[official] = ct.stand_in(name)
    # The web stage's base is nginx:1.28-bookworm: the stand-in, under that name in this store.
    ct.podman("tag", images["nginx"], "localhost/nginx:1.28-bookworm")
    ctx = ct.staged_context(work, PROFILE)
    args = ["BINARIES=prebuilt", "WEB_FILES=prebuilt", "GIT_COMMIT=check"]
    for tag, target in (("localhost/helpdeskly:check", "runtime"), ("localhost/helpdeskly-web:check", "web")):
        seconds = ct.build(tag, f"{ROOT}/Dockerfile", ctx, args, target=target)
        sizes[target] = {"bytes": ct.image_size(tag), "build_seconds": round(seconds, 1)}
        say(f"{target} image: {sizes[target]['bytes'] / 1e6:.0f} MB, built in {seconds:.0f} s")
    images["helpdeskly"] = "localhost/helpdeskly:check"
    images["helpdeskly-web"] = "localhost/helpdeskly-web:check"
    return images


def object_store(compose, values):
    """MinIO's place, at its address: s3s-fs (this machine's, which the tests use too) with app-api's
    key, its bucket a folder of its volume."""
    binary = subprocess.run(["sh", "-c", "command -v s3s-fs"], capture_output=True, text=True).stdout.strip()
    check(binary, "s3s-fs is not installed (scripts/container-check.sh installs it)")
    script = ("mkdir -p /data/sav && exec s3s-fs --host 0.0.0.0 --port 9000 --access-key \"$AWS_ACCESS_KEY_ID\" "
              "--secret-key \"$AWS_SECRET_ACCESS_KEY\" /data")
    ct.podman("run", "-d", "--name", f"{ct.PREFIX}minio", *ct.LIMITS,
              "--network", f"{compose.network('backend')}:ip={compose.addresses['minio']}",
              "-e", f"AWS_ACCESS_KEY_ID={values['AWS_ACCESS_KEY_ID']}",
              "-e", f"AWS_SECRET_ACCESS_KEY={values['AWS_SECRET_ACCESS_KEY']}",
              "-v", f"{binary}:/usr/local/bin/s3s-fs:ro", "-v", f"{compose.volume('minio-data')}:/data",
              "--health-cmd", "bash -c 'exec 3<>/dev/tcp/127.0.0.1/9000'", "--health-interval", "disable",
              "debian:trixie-slim", "sh", "-c", script)
    return ct.healthy(f"{ct.PREFIX}minio", 30)


class Stream:
    """A live stream read through nginx on a thread: each frame's event and data."""

    def __init__(self, address, port, host, token, cafile):
        self.frames, self.sock = [], None
        ctx = ssl.create_default_context(cafile=cafile)
        sock = socket.create_connection((address, port), timeout=60)
        self.sock = ctx.wrap_socket(sock, server_hostname=host)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.sock = self.sock
        conn.request("GET", "/v1/stream", headers={"Host": host, "Authorization": f"Bearer {token}",
                                                   "Accept": "text/event-stream"})
        self.response = conn.getresponse()
        if self.response.status != 200:
            raise Failure(f"the stream: {self.response.status} {self.response.read()[:300]}")
        self.ended = threading.Event()
        self.thread = threading.Thread(target=self.read, daemon=True)
        self.thread.start()

    def read(self):
        try:
            for frame in sse_frames(self.response):
                if "event" in frame:
                    self.frames.append(frame)
        except (OSError, http.client.HTTPException, ValueError, AttributeError):
            pass
        finally:
            self.ended.set()

    def close(self):
        if self.sock is not None:
            shut(self.sock)


def first_organisation(address, port, cafile, mail):
    """Sign-up to the reply's mail and frame, through nginx alone (its HTTPS port at `address`)."""
    def call(method, host, path, body=None, token=None, content_type=None):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        if content_type:
            headers["Content-Type"] = content_type
        return request(method, port, path, host=host, body=body, headers=headers, tls=cafile, source=None,
                       address=address)

    slug, owner = "first", f"owner@first.{DOMAIN}"
    r = call("POST", DOMAIN, "/v1/tenants/signup", {
        "organization_name": "First", "slug": slug,
        "admin": {"email": owner, "password": PASSWORD, "firstname": "Ada", "lastname": "L"}})
    check(r.status == 202, f"sign-up through nginx: {r}")
    started = time.monotonic()
    wait_for("the organisation to be provisioned",
             lambda: call("GET", DOMAIN, f"/v1/tenants/{slug}/status").json().get("status") == "active",
             timeout=120, every=0.3)
    provisioned = time.monotonic() - started
    say(f"provisioned in {provisioned:.1f} s")
    r = call("POST", DOMAIN, "/v1/auth/login", {"tenant": slug, "email": owner, "password": PASSWORD})
    check(r.status == 200, f"the owner's sign-in: {r}")
    owner_token = r.json()["access_token"]
    host = f"{slug}.{DOMAIN}"

    customer = f"customer@first.{DOMAIN}"
    r = call("POST", host, "/v1/auth/register", {"tenant": slug, "email": customer, "password": PASSWORD,
                                                  "firstname": "C", "lastname": "Ustomer"})
    check(r.status == 201, f"a customer's registration on the organisation's host: {r}")

    def verification_token():
        for message in mail.messages(customer):
            text = message.get_body(preferencelist=("plain",)).get_content()
            found = re.search(r"token=([A-Za-z0-9_\-.%]+)", text)
            if found:
                return found.group(1)
        return None

    token = wait_for("the verification mail", verification_token, timeout=60, every=0.5)
    r = call("POST", host, "/v1/auth/email/verify", {"token": token})
    check(r.status == 204, f"the emailed link: {r}")
    r = call("POST", host, "/v1/auth/login", {"tenant": slug, "email": customer, "password": PASSWORD})
    check(r.status == 200, f"the customer's sign-in: {r}")
    customer_token = r.json()["access_token"]

    stream = Stream(address, port, host, customer_token, cafile)
    r = call("POST", host, "/v1/tickets", {"subject": "My parcel", "description": "It has not come.",
                                           "category": "shipping"}, customer_token)
    check(r.status == 201, f"the customer's ticket: {r}")
    ticket = r.json()["id"]
    r = call("POST", host, f"/v1/tickets/{ticket}/messages", {"message": "It leaves today."}, owner_token)
    check(r.status == 201, f"the owner's reply: {r}")
    message_id = r.json()["id"]

    def reply_mailed():
        return any("It leaves today." in m.get_body(preferencelist=("plain",)).get_content()
                   for m in mail.messages(customer))

    wait_for("the reply's mail in the customer's mailbox", reply_mailed, timeout=60, every=0.5)

    def reply_streamed():
        return any(f["event"] == "message.added" and json.loads(f["data"]).get("message_id") == message_id
                   for f in stream.frames)

    wait_for("the reply on the customer's live stream", reply_streamed, timeout=30, every=0.2)
    r = call("GET", host, f"/v1/tickets/{ticket}/messages", token=customer_token)
    check(r.status == 200 and any(m["id"] == message_id for m in r.json()["data"]),
          f"the customer reads the reply: {r}")
    attachments(call, host, ticket, customer_token)
    say("the first organisation: signed up, provisioned, a customer verified by mail, a ticket, the reply "
        "mailed and streamed, a file stored and downloaded, a virus refused")
    return {"slug": slug, "stream": stream, "provisioned_seconds": round(provisioned, 1)}


def upload(call, host, ticket, token, name, content):
    boundary = secrets.token_hex(8)
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            f"Content-Type: application/octet-stream\r\n\r\n").encode() + content + f"\r\n--{boundary}--\r\n".encode()
    return call("POST", host, f"/v1/tickets/{ticket}/attachments", body, token,
                content_type=f"multipart/form-data; boundary={boundary}")


def attachments(call, host, ticket, token):
    """A file scanned by clamd, stored in the object store and downloaded through nginx's files
    host by the link app-api signs; a virus refused."""
    content = b"The parcel's label, as text.\n" * 100
    r = upload(call, host, ticket, token, "label.txt", content)
    check(r.status == 201, f"an attachment through nginx: {r}")
    link = urllib.parse.urlsplit(r.json()["url"])
    check(link.netloc == f"files.{DOMAIN}", f"the download link names {link.netloc}, not the files host")
    r = call("GET", link.netloc, f"{link.path}?{link.query}")
    check(r.status == 200 and r.body_bytes == content, f"the download through the files host: {r}")
    r = upload(call, host, ticket, token, "eicar.txt", EICAR)
    check(r.status == 422 and r.json().get("code") == "file_infected",
          f"a virus through nginx: {r}")


def check_confinement(name, uid):
    """Runs as `uid`; its root is read-only, /tmp (a tmpfs) writable; nothing under its root changed."""
    got = ct.podman("exec", name, "id", "-u")
    check(got == str(uid), f"{name} runs as uid {got}, not {uid}")
    done = subprocess.run([*ct.PODMAN, "exec", name, "sh", "-c", "touch /usr/local/bin/x"], capture_output=True,
                          text=True)
    check(done.returncode != 0 and "Read-only file system" in done.stderr,
          f"{name}: the root is writable ({done.returncode} {done.stderr})")
    ct.podman("exec", name, "sh", "-c", "touch /tmp/x && rm /tmp/x")
    changed = [line for line in ct.podman("diff", name).splitlines() if line.split()[-1] not in PODMAN_OWN]
    check(not changed, f"{name}: its root changed: {changed}")


def k8s_container(path, kind):
    docs = [d for d in yaml.safe_load_all(open(f"{ROOT}/{path}")) if d and d["kind"] == kind]
    spec = docs[0]["spec"]
    if kind == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    pod = spec["template"]["spec"]
    return pod, pod["containers"][0]


def k8s_run(compose, name, path, kind, volumes=()):
    """The manifest's container, run as the manifest runs it, with the control env of the compose
    file (its ConfigMap's and Secret's values here); its exit code and output."""
    pod, c = k8s_container(path, kind)
    user = f"{pod['securityContext']['runAsUser']}:{pod['securityContext']['runAsGroup']}"
    check(c["securityContext"]["readOnlyRootFilesystem"], f"{path}: the root is not read-only")
    mounts = {m["name"]: m["mountPath"] for m in c.get("volumeMounts", [])}
    extra = ["--user", user, "--read-only", "--read-only-tmpfs=false", "--security-opt", "no-new-privileges",
             "--tmpfs", f"{mounts['tmp']}:size=256m", "--no-healthcheck"]
    for volume, source in volumes:
        extra += ["-v", f"{source}:{mounts[volume]}"]
    # As in a pod: `command` replaces the image's entrypoint, `args` its command.
    if c.get("command"):
        extra += ["--entrypoint", json.dumps(c["command"])]
    args = compose.run_args("migrate", name=f"{ct.PREFIX}{name}", command=list(c.get("args") or []), extra=extra,
                            settings=False)
    ct.podman(*args)
    code = ct.wait_exit(f"{ct.PREFIX}{name}", 600)
    return code, ct.logs(f"{ct.PREFIX}{name}", 200)


def stop_in_time(name, grace):
    started = time.monotonic()
    ct.podman("stop", "-t", str(int(grace)), name, timeout=grace + 30)
    took = time.monotonic() - started
    code = ct.exit_code(name)
    check(code == 0, f"{name} exited {code} on SIGTERM: {ct.logs(name)}")
    check(took < grace, f"{name} took {took:.1f} s to stop (grace {grace} s)")
    return round(took, 2)


def test_the_deployment_in_containers(work):
    facts = {"profile": PROFILE}
    # Every image is built on the base: a root only root may enter leaves the images' own users
    # (10001, 101) unable to start anything ("permission denied" on /usr/bin/tini).
    mode = ct.podman("run", "--rm", *ct.LIMITS, "--network", "none", "debian:trixie-slim", "stat", "-c", "%a", "/")
    check(mode == "755", f"the base image's root is {mode}, not 755 (scripts/lib.sh prepare_containers makes it)")
    ct.podman("run", "--rm", *ct.LIMITS, "--network", "none", "--user", "10001:10001", "debian:trixie-slim", "/bin/true")
    images = build_images(work, facts)
    subprocess.run([f"{ROOT}/scripts/make-dev-cert.sh", f"{work}/tls", DOMAIN], check=True, stdout=subprocess.DEVNULL)
    os.rename(f"{work}/tls/cert.pem", f"{work}/tls/fullchain.pem")
    os.rename(f"{work}/tls/key.pem", f"{work}/tls/privkey.pem")
    cafile = f"{work}/tls/fullchain.pem"

    # The mail network's gateway is where the mail server listens; its port is chosen now.
    mail = MailDevel(work, host=ct.MAIL_GATEWAY)
    env_path, values = env_file(work, mail.smtp_url)
    compose = ct.Compose(env_path, work, images)
    compose.create_networks()
    healthy = facts["healthy_seconds"] = {}
    try:
        for service in STORES:
            compose.start(service)
            healthy[service] = round(ct.healthy(f"{ct.PREFIX}{service}", compose.health(service)), 1)
        healthy["minio"] = round(object_store(compose, values), 1)
        say(f"the stores are healthy: {healthy}")

        # scripts/deploy.sh's migration run before any service.
        compose.start("migrate")
        code = ct.wait_exit(f"{ct.PREFIX}migrate", 300)
        check(code == 0, f"the migrate run exited {code}: {ct.logs(f'{ct.PREFIX}migrate')}")

        for service in SERVICES:
            compose.start(service)
            if service == "control-api":
                # Its bridge on the mail network now exists: the mail server can listen there.
                mail.start()
            healthy[service] = round(ct.healthy(f"{ct.PREFIX}{service}", compose.health(service)), 1)
        # Reached at its address on `edge`, the network its ports are published from: podman here
        # forwards a published port to a container's first network, which for nginx is the
        # internal `backend`, and this machine has no route into an internal network.
        compose.start("nginx")
        healthy["nginx"] = round(ct.healthy(f"{ct.PREFIX}nginx", compose.health("nginx")), 1)
        say(f"healthy after (s): {healthy}")

        edge = ct.address_on(f"{ct.PREFIX}nginx", compose.network("edge"))
        org = first_organisation(edge, 8443, cafile, mail)
        facts["provisioned_seconds"] = org["provisioned_seconds"]

        for service in SERVICES:
            check_confinement(f"{ct.PREFIX}{service}", 10001)
        say("the services run as uid 10001 with a read-only root, nothing changed under it")

        code, out = k8s_run(compose, "migrate-job", "k8s/base/migrate/job.yaml", "Job")
        check(code == 0, f"the migration Job's command exited {code}: {out}")
        backups = f"{work}/backups"
        os.makedirs(backups)
        os.chown(backups, 10001, 10001)
        code, out = k8s_run(compose, "backup-cronjob", "k8s/base/backup-cronjob.yaml", "CronJob",
                            volumes=[("backups", backups)])
        check(code == 0, f"the backup CronJob's command exited {code}: {out}")
        [folder] = os.listdir(backups)
        manifest = json.load(open(f"{backups}/{folder}/manifest.json"))
        check([t["slug"] for t in manifest["tenants"]] == [org["slug"]],
              f"the backup's manifest does not name the organisation alone: {manifest}")
        archives = [manifest["control"], *manifest["tenants"]]
        for archive in archives:
            path = f"{backups}/{folder}/{archive['file']}"
            digest = hashlib.sha256(open(path, "rb").read()).hexdigest()
            check(os.path.getsize(path) == archive["bytes"] and digest == archive["sha256"],
                  f"{path}: not the archive its manifest describes")
        say("the Job migrated; the CronJob backed up the control database and the organisation's")

        check_web_alone(compose)

        grace = ct.seconds(compose.services["app-api"]["stop_grace_period"])
        stopped = facts["stop_seconds"] = {}
        check(not org["stream"].ended.is_set(), "the live stream ended before app-api was stopped")
        stopped["app-api"] = stop_in_time(f"{ct.PREFIX}app-api", grace)
        check(org["stream"].ended.wait(5), "app-api stopped with the live stream still open")
        for service in ["app-api-worker", "control-api-worker", "control-api"]:
            stopped[service] = stop_in_time(f"{ct.PREFIX}{service}", grace)
        # nginx: the image's stop signal (SIGQUIT, a graceful drain) within compose's default 10 s.
        stopped["nginx"] = stop_in_time(f"{ct.PREFIX}nginx", 10)
        say(f"SIGTERM: each stopped and exited 0 within {grace:.0f} s: {stopped}")
    except Failure:
        for name in ["control-api", "control-api-worker", "app-api", "app-api-worker", "nginx"]:
            if ct.exists("container", f"{ct.PREFIX}{name}"):
                say(f"{name}'s last lines:\n{ct.logs(f'{ct.PREFIX}{name}')}")
        raise
    finally:
        mail.stop()
        os.makedirs(f"{ROOT}/artifacts", exist_ok=True)
        with open(f"{ROOT}/artifacts/containers.json", "w") as f:
            json.dump(facts, f, indent=2)
        say(json.dumps(facts))


def check_web_alone(compose):
    """The web image as k8s/base/web.yaml runs it: uid 101, a read-only root, /tmp its only volume."""
    pod, c = k8s_container("k8s/base/web.yaml", "Deployment")
    user = f"{pod['securityContext']['runAsUser']}:{pod['securityContext']['runAsGroup']}"
    # Nothing of the build left in /tmp: a runtime that starts /tmp with the image's (podman's
    # tmpfs) would give the unprivileged nginx root's pid file.
    left = ct.podman("run", "--rm", *ct.LIMITS, "--entrypoint", json.dumps(["ls", "-A", "/tmp"]),
                     "localhost/helpdeskly-web:check")
    check(not left, f"the web image's /tmp holds {left.split()}")
    name = f"{ct.PREFIX}web"
    ct.podman("run", "-d", "--name", name, *ct.LIMITS, "--user", user, "--read-only", "--read-only-tmpfs=false",
              "--tmpfs", "/tmp:size=16m", "--cap-drop", "ALL", "--network", compose.network("edge"),
              "--entrypoint", json.dumps(c["command"]), "localhost/helpdeskly-web:check")
    address = ct.address_on(name, compose.network("edge"))

    def index():
        try:
            r = request("GET", 8080, "/index.html", source=None, address=address)
        except (OSError, Failure):
            return False
        return r.status == 200 and "<html" in r.body.lower()

    wait_for("the web image to serve index.html", index, timeout=30, every=0.2)
    got = ct.podman("exec", name, "id", "-u")
    check(got == str(pod["securityContext"]["runAsUser"]), f"the web image runs as {got}")
    say("the web image alone: index.html as uid 101 on a read-only root")
