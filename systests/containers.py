"""The deployment in containers (scripts/container-check.sh, systests/test_containers.py): the
project's images built from the Dockerfile's own stages, and docker-compose.prod.yml's services
run with podman, each with the settings the compose file gives it.

No image registry is reachable where this runs, so the images the compose file names come from
here: the Debian base made by debootstrap (scripts/lib.sh's ensure_container_base), and stand-ins
for the official images of the backing services and of nginx built on it from Debian's packages
(systests/containers/*.Containerfile, each honouring the settings the compose file gives its
service). The project's images take the binaries and the web build made on this machine (the
Dockerfile's `prebuilt` stage); the `runtime` and `web` stages they are built with are the ones an
operator's build runs.

`Compose` reads the file as `docker-compose config` renders it with an env file of this run's
secrets, and turns a service into `podman run`: its image, command and entrypoint, environment
(written to a file, never on a command line), user, read-only root and tmpfs, volumes, health
check, stop grace period, security options, resource limits and networks (the compose file's
`backend` subnet and nginx's fixed address on it, the other services at fixed addresses too, and
every service's name in each container's /etc/hosts: podman's CNI networks have no DNS here).
Health checks are run by the caller (`healthy`), as podman's timers need systemd.
"""

import hashlib
import ipaddress
import json
import os
import shutil
import subprocess
import time

import yaml

from systests.live_platform import ROOT, Failure, check, say, wait_for

STORE = os.environ.get("CONTAINER_STORE", os.path.expanduser("~/.cache/helpdeskly/containers/storage"))
RUNROOT = os.environ.get("CONTAINER_RUNROOT", "/run/helpdeskly-containers")
PODMAN = ["podman", "--root", STORE, "--runroot", RUNROOT, "--storage-driver", "vfs", "--runtime", "runc"]
# What the sandbox lets a container set (podman's defaults are higher).
LIMITS = ["--ulimit", "nofile=1024:1024", "--ulimit", "nproc=4096:4096"]
# Every container, volume and network of a run is named with this prefix.
PREFIX = "hdcheck-"
STAND_INS = f"{ROOT}/systests/containers"

# The networks with a way out, on subnets of their own: the mail server listens at `mail`'s gateway.
OUTER_SUBNETS = {"edge": "172.31.251.0/24", "mail": "172.31.250.0/24"}
MAIL_GATEWAY = "172.31.250.1"

# The official images of the compose file and the stand-in built here for each.
STAND_IN_OF = {
    "postgres": "postgres",
    "edoburu/pgbouncer": "pgbouncer",
    "redis": "redis",
    "rabbitmq": "rabbitmq",
    "nginx": "nginx",
    "clamav/clamav": "clamd",
}


def podman(*args, timeout=900, ok=(0,)):
    """podman's output; Failure (with its error output) on an exit code not in `ok`."""
    done = subprocess.run([*PODMAN, *args], capture_output=True, text=True, timeout=timeout)
    if done.returncode not in ok:
        raise Failure(f"podman {' '.join(args[:3])}...: exit {done.returncode}: {done.stderr.strip()[-2000:]}")
    return done.stdout.strip()


def exists(kind, name):
    return subprocess.run([*PODMAN, kind, "exists", name], capture_output=True).returncode == 0


def remove_leftovers():
    """What an earlier run left (killed before its cleanup): containers, volumes, networks."""
    for name in podman("ps", "-a", "--format", "{{.Names}}", "--filter", f"name=^{PREFIX}").split():
        podman("rm", "-f", "-t", "0", name, ok=(0, 1))
    for name in podman("volume", "ls", "--format", "{{.Name}}").split():
        if name.startswith(PREFIX):
            podman("volume", "rm", "-f", name, ok=(0, 1))
    for name in podman("network", "ls", "--format", "{{.Name}}").split():
        if name.startswith(PREFIX):
            podman("network", "rm", "-f", name, ok=(0, 1))


def image_size(tag):
    return int(podman("image", "inspect", "--format", "{{.Size}}", tag))


def build(tag, containerfile, context, build_args=(), target=None):
    """`podman build`, in seconds."""
    started = time.monotonic()
    # Nothing is pulled: every base is in the store (no registry is reachable).
    args = ["build", *LIMITS, "--pull=never", "--layers", "-f", containerfile, "-t", tag]
    for arg in build_args:
        args += ["--build-arg", arg]
    if target:
        args += ["--target", target]
    podman(*args, context, timeout=1800)
    return time.monotonic() - started


def stand_in(name):
    """The stand-in image `name`, built unless this version of its files was built before."""
    files = sorted(f for f in os.listdir(STAND_INS) if f.split(".")[0].split("-")[0] == name)
    digest = hashlib.sha256()
    for f in files:
        digest.update(f.encode() + b"\0" + open(f"{STAND_INS}/{f}", "rb").read())
    tag = f"localhost/helpdeskly-check/{name}:{digest.hexdigest()[:12]}"
    if not exists("image", tag):
        say(f"building the {name} stand-in")
        build(tag, f"{STAND_INS}/{name}.Containerfile", STAND_INS)
    return tag


class Compose:
    """docker-compose.prod.yml as `docker-compose config` renders it with `env_file`."""

    def __init__(self, env_file, work, images, files=()):
        self.work, self.images = work, images
        args = ["docker-compose", "--env-file", env_file, "-f", f"{ROOT}/docker-compose.prod.yml"]
        for f in files:
            args += ["-f", f]
        done = subprocess.run([*args, "config"], capture_output=True, text=True, cwd=ROOT,
                              env=dict(os.environ, COMPOSE_PROFILES="tools"))
        check(done.returncode == 0, f"docker-compose config: {done.stderr}")
        self.config = yaml.safe_load(done.stdout)
        self.services = self.config["services"]
        self.subnet = ipaddress.ip_network(
            self.config["networks"]["backend"]["ipam"]["config"][0]["subnet"])
        # A fixed address on `backend` for every service: nginx's as the compose file sets it.
        fixed = {name: (s.get("networks") or {}).get("backend", {}) or {} for name, s in self.services.items()}
        taken = {f["ipv4_address"] for f in fixed.values() if f.get("ipv4_address")}
        free = (str(a) for a in self.subnet.hosts() if int(a) - int(self.subnet.network_address) >= 20
                and str(a) not in taken)
        self.addresses = {name: f.get("ipv4_address") or next(free) for name, f in sorted(fixed.items())}

    def network(self, name):
        return f"{PREFIX}{name}"

    def create_networks(self):
        """The compose file's networks this run uses: `backend` (internal, its subnet), `edge`
        (nginx's published ports) and `mail` (the way out to the mail server, which runs on this
        machine at its gateway)."""
        backend = self.config["networks"]["backend"]
        args = ["network", "create", "--subnet", str(self.subnet)]
        if backend.get("internal"):
            args.append("--internal")
        podman(*args, self.network("backend"))
        for name, subnet in OUTER_SUBNETS.items():
            podman("network", "create", "--subnet", subnet, self.network(name))

    def volume(self, name):
        return f"{PREFIX}{name}"

    def image(self, service):
        image = self.services[service]["image"]
        repo = image.rsplit(":", 1)[0]
        return self.images.get(repo) or self.images.get(image) or image

    def run_args(self, service, name=None, command=None, extra=(), settings=True):
        """`podman run` for `service` as the compose file sets it up (detached). Without
        `settings`, only its environment and networks: the caller gives the rest (`extra`)."""
        s = unescaped(self.services[service])
        name = name or f"{PREFIX}{service}"
        args = ["run", "-d", "--name", name, *LIMITS]
        env_path = f"{self.work}/{name}.env"
        with open(env_path, "w") as f:
            os.fchmod(f.fileno(), 0o600)
            for key, value in (s.get("environment") or {}).items():
                check("\n" not in str(value), f"{service}: {key} holds a newline")
                f.write(f"{key}={'' if value is None else value}\n")
        args += ["--env-file", env_path]
        nets = s.get("networks") or {"default": None}
        for net in nets:
            if net == "backend":
                args += ["--network", f"{self.network('backend')}:ip={self.addresses[service]}"]
            elif net in OUTER_SUBNETS:
                args += ["--network", self.network(net)]
        for other, address in self.addresses.items():
            args += ["--add-host", f"{other}:{address}"]
        if settings:
            args += self.settings(s)
        args += list(extra)
        args.append(self.image(service))
        args += list(command if command is not None else s.get("command") or [])
        return args

    def settings(self, s):
        """The service's own settings, as podman's options."""
        args = []
        if s.get("hostname"):
            args += ["--hostname", s["hostname"]]
        if s.get("user"):
            args += ["--user", str(s["user"])]
        if s.get("read_only"):
            # podman's --read-only would also mount tmpfs on /tmp, /run and /var/tmp by itself:
            # only what the compose file declares is writable, as under Docker.
            args += ["--read-only", "--read-only-tmpfs=false"]
        for tmpfs in s.get("tmpfs") or []:
            args += ["--tmpfs", tmpfs]
        for opt in s.get("security_opt") or []:
            args += ["--security-opt", opt.replace(":true", "")]
        if s.get("shm_size"):
            args += ["--shm-size", str(s["shm_size"])]
        if s.get("stop_grace_period"):
            args += ["--stop-timeout", str(round(seconds(s["stop_grace_period"])))]
        limits = ((s.get("deploy") or {}).get("resources") or {}).get("limits") or {}
        if limits.get("memory"):
            args += ["--memory", str(limits["memory"])]
        if limits.get("cpus"):
            args += ["--cpus", str(limits["cpus"])]
        for v in s.get("volumes") or []:
            # "SOURCE:TARGET[:MODE]": a path is a bind mount, a name one of the file's volumes.
            source, rest = v.split(":", 1)
            args += ["-v", f"{source if source.startswith('/') else self.volume(source)}:{rest}"]
        hc = s.get("healthcheck") or {}
        if hc.get("disable") or hc.get("test") == ["NONE"]:
            args.append("--no-healthcheck")
        elif hc.get("test"):
            test = hc["test"]
            cmd = json.dumps(test[1:]) if test[0] == "CMD" else test[1]
            # Run by the caller (`healthy`): without systemd, podman's own timers do not run.
            args += ["--health-cmd", cmd, "--health-interval", "disable",
                     "--health-timeout", hc.get("timeout", "30s"), "--health-retries", str(hc.get("retries", 3))]
        if s.get("entrypoint"):
            args += ["--entrypoint", json.dumps(s["entrypoint"])]
        return args

    def start(self, service, **kw):
        podman(*self.run_args(service, **kw))
        return f"{PREFIX}{service}"

    def health(self, service):
        """The longest the service's compose health check may take to pass (its start period and
        retries)."""
        hc = self.services[service].get("healthcheck") or {}
        return (seconds(hc.get("start_period", "0s")) + seconds(hc.get("interval", "30s"))
                * (hc.get("retries", 3) + 1))


def unescaped(value):
    """The rendered file keeps `$$` (a literal `$` for the container): what the container gets."""
    if isinstance(value, str):
        return value.replace("$$", "$")
    if isinstance(value, list):
        return [unescaped(v) for v in value]
    if isinstance(value, dict):
        return {k: unescaped(v) for k, v in value.items()}
    return value


def seconds(text):
    """A compose duration ("1m30s", "40s", "500ms") in seconds."""
    if isinstance(text, (int, float)):
        return float(text)
    total, number = 0.0, ""
    units = {"h": 3600, "m": 60, "s": 1, "ms": 0.001}
    i = 0
    while i < len(text):
        c = text[i]
        if c.isdigit() or c == ".":
            number += c
            i += 1
            continue
        unit = "ms" if text[i:i + 2] == "ms" else c
        total += float(number) * units[unit]
        number, i = "", i + len(unit)
    return total


def healthy(name, within):
    """Seconds until the container's health check passes (run every 0.5 s), or Failure."""
    started = time.monotonic()

    def passes():
        state = podman("inspect", "--format", "{{.State.Status}}", name)
        if state != "running":
            raise Failure(f"{name} is {state}: {logs(name)}")
        return subprocess.run([*PODMAN, "healthcheck", "run", name], capture_output=True).returncode == 0

    wait_for(f"{name} to be healthy", passes, timeout=within, every=0.5)
    return time.monotonic() - started


def address_on(name, network):
    """The container's address on `network` (this machine reaches it there)."""
    return podman("inspect", "--format", f'{{{{(index .NetworkSettings.Networks "{network}").IPAddress}}}}', name)


def logs(name, lines=40):
    done = subprocess.run([*PODMAN, "logs", "--tail", str(lines), name], capture_output=True, text=True)
    return (done.stdout + done.stderr)[-4000:]


def exit_code(name):
    return int(podman("inspect", "--format", "{{.State.ExitCode}}", name))


def wait_exit(name, within):
    def exited():
        return podman("inspect", "--format", "{{.State.Status}}", name) in ("exited", "stopped")
    wait_for(f"{name} to exit", exited, timeout=within, every=0.2)
    return exit_code(name)


def staged_context(work, profile="debug"):
    """The build context of the `prebuilt` stage: the Dockerfile's own inputs (nginx/) and the
    binaries and web build of this machine."""
    ctx = f"{work}/context"
    shutil.copytree(f"{ROOT}/nginx", f"{ctx}/nginx")
    os.makedirs(f"{ctx}/prebuilt")
    for binary in ("control-api", "app-api"):
        path = f"{ROOT}/target/{profile}/{binary}"
        check(os.path.exists(path), f"{path} is missing: scripts/container-check.sh builds it")
        shutil.copy2(path, f"{ctx}/prebuilt/{binary}")
    check(os.path.exists(f"{ROOT}/web/dist/index.html"), "web/dist is missing: scripts/container-check.sh builds it")
    shutil.copytree(f"{ROOT}/web/dist", f"{ctx}/prebuilt/web")
    return ctx
