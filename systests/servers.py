"""What the chaos suite and the password-flood benchmark run the platform on and as, each of
their own: a PostgreSQL cluster that can be restarted, a Redis server that can be paused and
killed, and control-api or app-api processes from CARGO_TARGET_DIR's debug build."""

import glob
import os
import shutil
import signal
import subprocess
import time

from systests.live_platform import ROOT, Failure, check, free_port, port_open, request, stop_process, wait_for

TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))


def as_postgres(argv):
    """PostgreSQL refuses to run as root: its cluster belongs to the postgres user then."""
    return ["runuser", "-u", "postgres", "--", *argv] if os.getuid() == 0 else argv


# ---- what the platform stands on ---------------------------------------------------------------

class Postgres:
    """A cluster of the run's own, restartable."""

    def __init__(self, work):
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4]))
        check(found, "PostgreSQL's server programs are not installed (apt-get install postgresql)")
        self.bin = os.path.dirname(found[-1])
        self.dir = f"{work}/pg"
        self.sockets = f"{work}/pg-run"
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

    def start(self):
        log = open(f"{self.work}/redis.log", "a")
        self.proc = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                      "--appendonly", "no", "--dir", self.work], stdout=log, stderr=subprocess.STDOUT)
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
