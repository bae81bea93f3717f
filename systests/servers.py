"""What the chaos suite and the password-flood benchmark run the platform on and as, each of
their own: a PostgreSQL cluster that can be restarted, a Redis server that can be paused and
killed, and control-api or app-api processes from CARGO_TARGET_DIR's debug build; and for the
chaos suite's high-availability run, each store as a cluster: a primary with a synchronous
standby, Redis with a replica and three sentinels, three RabbitMQ nodes."""

import glob
import json
import os
import shutil
import signal
import subprocess
import time

from systests.live_platform import TARGET, Failure, check, free_port, port_open, request, stop_process, wait_for


def as_postgres(argv):
    """PostgreSQL refuses to run as root: its cluster belongs to the postgres user then."""
    return ["runuser", "-u", "postgres", "--", *argv] if os.getuid() == 0 else argv


# ---- what the platform stands on ---------------------------------------------------------------

class Postgres:
    """A cluster of the run's own, restartable."""

    def __init__(self, work, name="pg"):
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4]))
        check(found, "PostgreSQL's server programs are not installed (apt-get install postgresql)")
        self.bin = os.path.dirname(found[-1])
        self.dir = f"{work}/{name}"
        self.sockets = f"{work}/{name}-run"
        self.port = free_port()

    def url(self, db):
        return f"postgres://postgres@127.0.0.1:{self.port}/{db}"

    def start(self):
        os.makedirs(self.sockets)
        if os.getuid() == 0:
            shutil.chown(self.sockets, "postgres")
            os.makedirs(self.dir, mode=0o700)
            shutil.chown(self.dir, "postgres")
        subprocess.run(as_postgres([f"{self.bin}/initdb", "-D", self.dir, "-U", "postgres", "--auth=trust",
                                    "--encoding=UTF8", "--locale=C.UTF-8"]), check=True, stdout=subprocess.DEVNULL)
        self.options = (f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.sockets} -c max_connections=300 "
                        "-c fsync=off")
        self.ctl("start", "-o", self.options)
        subprocess.run(["psql", self.url("postgres"), "-qc", "CREATE DATABASE helpdeskly_control"], check=True)

    def ctl(self, *args):
        subprocess.run(as_postgres([f"{self.bin}/pg_ctl", "-D", self.dir, "-l", f"{self.sockets}/pg.log", "-w",
                                    "-t", "60", *args]), check=True, stdout=subprocess.DEVNULL)

    def restart(self, mode, down_for=0.0):
        """Stops the server (`fast`: sessions terminated; `immediate`: a crash, recovered at the
        next start), leaves it down for `down_for` seconds, and starts it again."""
        self.ctl("stop", "-m", mode)
        if down_for:
            time.sleep(down_for)
        self.ctl("start", "-o", self.options)

    def stop(self):
        if os.path.exists(f"{self.dir}/postmaster.pid"):
            self.ctl("stop", "-m", "immediate")


class Redis:
    """A server of the run's own, keeping nothing on disk."""

    def __init__(self, work):
        self.work = work
        self.port = free_port()
        self.proc = None

    def start(self, extra=()):
        log = open(f"{self.work}/redis-{self.port}.log", "a")
        self.proc = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                      "--appendonly", "no", "--dir", self.work, "--dbfilename", f"{self.port}.rdb",
                                      *extra], stdout=log, stderr=subprocess.STDOUT)
        log.close()
        wait_for("Redis to listen", lambda: port_open(self.port), timeout=10, every=0.05)

    def pause(self):
        self.proc.send_signal(signal.SIGSTOP)

    def resume(self):
        self.proc.send_signal(signal.SIGCONT)

    def kill(self):
        self.proc.kill()
        self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.resume()
            self.kill()


# ---- the platform ------------------------------------------------------------------------------

class Service:
    """One process of control-api or app-api, its output in a log file of the run."""

    def __init__(self, name, argv, env, port, work):
        self.name, self.argv, self.env, self.port = name, argv, env, port
        self.log_path = f"{work}/{name}.log"
        self.proc = None

    def start(self):
        log = open(self.log_path, "a")
        self.proc = subprocess.Popen(self.argv, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        log.close()

        def healthy():
            if self.proc.poll() is not None:
                raise Failure(f"{self.name} exited ({self.proc.returncode}):\n{self.tail()}")
            try:
                return request("GET", self.port, "/health", timeout=2).status == 200
            except (OSError, Failure):
                return False

        wait_for(f"{self.name} to answer /health", healthy, timeout=60, every=0.05)

    def terminate(self):
        """SIGTERM, and its exit awaited: in-flight requests drain first."""
        self.proc.terminate()
        self.proc.wait(timeout=40)

    def kill(self):
        self.proc.kill()
        self.proc.wait()

    def stop(self):
        stop_process(self.proc, timeout=40)

    def tail(self, lines=30):
        with open(self.log_path, errors="replace") as f:
            return "".join(f.readlines()[-lines:])


# ---- the same, as clusters (the chaos suite's high-availability run) ---------------------------

class PostgresPair:
    """A primary and a synchronous standby of the run's own: the standby made by pg_basebackup
    streams from the primary, which waits for it at each commit (no acknowledged write is lost
    with the primary). `fail_over` crashes the primary and promotes the standby."""

    def __init__(self, work):
        self.primary = Postgres(work)
        self.standby = Postgres(work, "pg-standby")

    def url(self, db):
        hosts = f"127.0.0.1:{self.primary.port},127.0.0.1:{self.standby.port}"
        return f"postgres://postgres@{hosts}/{db}?target_session_attrs=read-write"

    def start(self):
        self.primary.start()
        os.makedirs(self.standby.sockets)
        os.makedirs(self.standby.dir, mode=0o700)
        if os.getuid() == 0:
            shutil.chown(self.standby.sockets, "postgres")
            shutil.chown(self.standby.dir, "postgres")
        subprocess.run(as_postgres([f"{self.primary.bin}/pg_basebackup", "-h", "127.0.0.1", "-p",
                                    str(self.primary.port), "-U", "postgres", "-D", self.standby.dir, "-R", "-X",
                                    "stream"]), check=True, stdout=subprocess.DEVNULL)
        # Once promoted, the standby waits for no one (a command-line setting outranks the files).
        self.standby.options = (f"-p {self.standby.port} -c listen_addresses=127.0.0.1 -k {self.standby.sockets} "
                                "-c max_connections=300 -c fsync=off -c synchronous_standby_names=")
        self.standby.ctl("start", "-o", self.standby.options)
        # Synchronous from now on; set after the copy, so the standby's files do not carry it.
        primary = self.primary.url("postgres")
        subprocess.run(["psql", primary, "-qc", "ALTER SYSTEM SET synchronous_standby_names = '*'"], check=True)
        subprocess.run(["psql", primary, "-qc", "SELECT pg_reload_conf()"], check=True, stdout=subprocess.DEVNULL)

    def fail_over(self, after=1.0):
        """The primary stopped as a crash stops it; the standby promoted `after` seconds later."""
        self.primary.ctl("stop", "-m", "immediate")
        time.sleep(after)
        subprocess.run(as_postgres([f"{self.standby.bin}/pg_ctl", "-D", self.standby.dir, "promote", "-w"]),
                       check=True, stdout=subprocess.DEVNULL)

    def stop(self):
        self.standby.stop()
        self.primary.stop()


class SentinelRedis:
    """A master, its replica and three sentinels of the run's own (quorum 2, the master taken
    for down after 1 s). `kill_master` kills it; the sentinels promote the replica."""

    MASTER = "chaos"

    def __init__(self, work):
        self.work = work
        self.master, self.replica = Redis(work), Redis(work)
        self.sentinel_ports = [free_port() for _ in range(3)]
        self.sentinels = []

    def addresses(self):
        return ",".join(f"127.0.0.1:{port}" for port in self.sentinel_ports)

    def start(self):
        self.master.start()
        self.replica.start(["--replicaof", "127.0.0.1", str(self.master.port)])
        for n, port in enumerate(self.sentinel_ports):
            conf = f"{self.work}/sentinel-{n}.conf"
            with open(conf, "w") as f:
                f.write(f"port {port}\nbind 127.0.0.1\ndir {self.work}\n"
                        f"sentinel monitor {self.MASTER} 127.0.0.1 {self.master.port} 2\n"
                        f"sentinel down-after-milliseconds {self.MASTER} 1000\n"
                        f"sentinel failover-timeout {self.MASTER} 10000\n")
            log = open(f"{self.work}/sentinel-{n}.log", "a")
            self.sentinels.append(subprocess.Popen(["redis-server", conf, "--sentinel"], stdout=log,
                                                   stderr=subprocess.STDOUT))
            log.close()
            wait_for("a sentinel to listen", lambda p=port: port_open(p), timeout=10, every=0.05)

    def master_port(self):
        """The master's port as the first sentinel answering names it, or None."""
        for port in self.sentinel_ports:
            out = subprocess.run(["redis-cli", "-p", str(port), "sentinel", "get-master-addr-by-name", self.MASTER],
                                 capture_output=True, text=True, timeout=5)
            lines = out.stdout.split()
            if out.returncode == 0 and len(lines) == 2:
                return int(lines[1])
        return None

    def scripts_run(self, port):
        """How many scripts clients ran on the server at `port` (EVALSHA calls)."""
        out = subprocess.run(["redis-cli", "-p", str(port), "info", "commandstats"], capture_output=True, text=True,
                             timeout=5).stdout
        for line in out.splitlines():
            if line.startswith("cmdstat_evalsha:calls="):
                return int(line.split("=", 1)[1].split(",", 1)[0])
        return 0

    def kill_master(self):
        self.master.kill()

    def stop(self):
        for proc in self.sentinels:
            proc.kill()
            proc.wait()
        self.replica.stop()
        self.master.stop()


class RabbitCluster:
    """Three RabbitMQ nodes of the run's own forming one cluster (the second and third join the
    first by classic peer discovery), no plugin, their cookie in the run's folder."""

    def __init__(self, work):
        self.dir = f"{work}/rabbit"
        run = os.urandom(6).hex()
        self.names = [f"chaos-{run}-{n}@localhost" for n in (1, 2, 3)]
        self.ports = [free_port() for _ in self.names]
        self.procs = [None, None, None]

    def url(self, node):
        return f"amqp://guest:guest@127.0.0.1:{self.ports[node]}/%2f"

    def env(self):
        return dict(os.environ, HOME=self.dir, RABBITMQ_CONF_ENV_FILE=f"{self.dir}/rabbitmq-env.conf")

    def start(self):
        os.makedirs(self.dir)
        cookie = f"{self.dir}/.erlang.cookie"
        with open(cookie, "w") as f:
            f.write(os.urandom(16).hex())
        os.chmod(cookie, 0o400)
        with open(f"{self.dir}/enabled_plugins", "w") as f:
            f.write("[].\n")
        open(f"{self.dir}/rabbitmq-env.conf", "w").close()
        self.start_node(0)
        for node in (1, 2):
            self.start_node(node, join=self.names[0])
        for node in (1, 2):
            self.wait(node)

        def clustered():
            out = self.ctl(0, "cluster_status", "--formatter", "json")
            return out is not None and len(json.loads(out)["running_nodes"]) == 3

        wait_for("three RabbitMQ nodes in one cluster", clustered, timeout=60, every=0.5)

    def start_node(self, node, join=None):
        short = self.names[node].split("@")[0]
        conf = f"{self.dir}/{short}.conf"
        with open(conf, "w") as f:
            f.write("loopback_users = none\n")
            if join:
                f.write(f"cluster_formation.peer_discovery_backend = classic_config\n"
                        f"cluster_formation.classic_config.nodes.1 = {join}\n")
        env = dict(self.env(), RABBITMQ_NODENAME=self.names[node], RABBITMQ_NODE_IP_ADDRESS="127.0.0.1",
                   RABBITMQ_NODE_PORT=str(self.ports[node]), RABBITMQ_DIST_PORT=str(free_port()),
                   RABBITMQ_CONFIG_FILE=conf, RABBITMQ_ENABLED_PLUGINS_FILE=f"{self.dir}/enabled_plugins",
                   RABBITMQ_MNESIA_BASE=f"{self.dir}/mnesia", RABBITMQ_LOG_BASE=f"{self.dir}/log-{short}",
                   RABBITMQ_PID_FILE=f"{self.dir}/{short}.pid",
                   RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}",
                   # The server replaces the script, so killing the process kills the node.
                   RUNNING_UNDER_SYSTEMD="true")
        log = open(f"{self.dir}/{short}.out", "a")
        self.procs[node] = subprocess.Popen(["/usr/lib/rabbitmq/bin/rabbitmq-server"], env=env, stdout=log,
                                            stderr=subprocess.STDOUT)
        log.close()
        if not join:
            self.wait(node)

    def wait(self, node):
        wait_for(f"RabbitMQ node {node + 1} to listen", lambda: port_open(self.ports[node]), timeout=90, every=0.2)

    def ctl(self, node, *args):
        """rabbitmqctl's output against `node` (the program itself, which reads the cookie in
        $HOME, not the wrapper that runs it as the rabbitmq user), or None when it fails."""
        out = subprocess.run(["/usr/lib/rabbitmq/bin/rabbitmqctl", "-n", self.names[node], *args], env=self.env(),
                             capture_output=True, text=True, timeout=60)
        return out.stdout if out.returncode == 0 else None

    def leader(self, queue, asked):
        """The index of the node leading `queue`, as `asked` sees it, or None."""
        out = self.ctl(asked, "list_queues", "name", "leader", "--formatter", "json", "-q")
        for q in json.loads(out or "[]"):
            if q.get("name") == queue and q.get("leader") in self.names:
                return self.names.index(q["leader"])
        return None

    def kill(self, node):
        self.procs[node].kill()
        self.procs[node].wait()

    def stop(self):
        for proc in self.procs:
            if proc and proc.poll() is None:
                proc.kill()
                proc.wait()
