"""The fixtures the system tests share, one of each: a work directory, the platform launcher
(both services through scripts/dev.sh on free ports, their databases dropped at the end), the
services' debug build (for the suites that run the binaries themselves), the nginx launcher, a
private mail server and a webhook receiver. What a fixture starts is stopped when its test ends,
passed or failed."""

import os
import shutil
import subprocess
import sys
import tempfile
import time

import pytest

from systests.live_platform import ROOT, HookReceiver, MailDevel, Platform, say
from systests.nginx import Nginx
from systests.servers import TARGET


def pytest_addoption(parser):
    parser.addoption("--playwright", action="append", default=[], metavar="ARG",
                     help="an argument for `playwright test` (test_web_e2e.py); repeated for several")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keeps each phase's report on the test, so that a fixture knows at teardown whether it failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def failed(request):
    return any(getattr(request.node, f"report_{when}", None) is not None
               and getattr(request.node, f"report_{when}").failed for when in ("setup", "call"))


@pytest.fixture
def test_failed(request):
    """`test_failed()`, at teardown: whether the test's setup or body failed."""
    return lambda: failed(request)


# Where a failed run's logs are kept (in the checkout, beside what CI keeps of the run).
FAILED_RUNS = os.path.join(ROOT, "artifacts", "systests")
# Of each log, the end at most (a service's log over a full chaos run stays well under it).
KEPT_BYTES = 20 * 1024 * 1024


def keep_logs(name, path):
    """Copies the logs and reports under `path` (*.log, *.txt, *.json; never a database's files)
    to a folder of their own under FAILED_RUNS; answers it."""
    kept = os.path.join(FAILED_RUNS, f"{name}-{time.strftime('%Y%m%dT%H%M%S')}")
    for folder, _, files in os.walk(path):
        for file in files:
            if not file.endswith((".log", ".txt", ".json")):
                continue
            source = os.path.join(folder, file)
            keep_file(source, os.path.join(kept, os.path.relpath(source, path)))
    return kept


def keep_file(source, target):
    """Copies the end of `source` (KEPT_BYTES at most) to `target`."""
    os.makedirs(os.path.dirname(target), exist_ok=True)
    try:
        with open(source, "rb") as src, open(target, "wb") as out:
            src.seek(max(0, os.fstat(src.fileno()).st_size - KEPT_BYTES))
            shutil.copyfileobj(src, out)
    except OSError as e:
        say(f"keeping {source}: {e}")


@pytest.fixture
def work(request):
    """A directory of the test's own, removed at the end (kept with KEEP_LOGS). nginx's workers
    (nobody, when run as root) and the postgres user read and write in it. When the test fails,
    its logs and reports are kept under artifacts/systests/ first."""
    path = tempfile.mkdtemp(prefix=f"hd-{request.node.name.removeprefix('test_')}-")
    os.chmod(path, 0o755)
    yield path
    if failed(request):
        say(f"the failed run's logs are kept in {keep_logs(request.node.name, path)}")
    if os.environ.get("KEEP_LOGS"):
        say(f"logs kept in {path}")
    else:
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def launch_platform(request):
    """`launch_platform(name, extra_env)`: a Platform, not yet started (its ports are chosen, so a
    caller can name them to what it starts beside it); stopped at the end, its databases, roles
    and files removed; when the test failed its log's last lines are printed and the log is kept
    under FAILED_RUNS."""
    made = []

    def launch(name, extra_env=None):
        made.append(Platform(name, extra_env))
        return made[-1]

    yield launch
    for platform in reversed(made):
        if failed(request) and platform.proc is not None:
            print(f"--- the services' last lines ({platform.name})\n{platform.tail(20)}", file=sys.stderr)
            stamp = time.strftime("%Y%m%dT%H%M%S")
            kept = os.path.join(FAILED_RUNS, f"{request.node.name}-{stamp}-{platform.name}.log")
            keep_file(platform.log_path, kept)
            say(f"its log is kept in {kept}")
        platform.stop()


@pytest.fixture(scope="session")
def service_binaries():
    """control-api and app-api built (debug) into CARGO_TARGET_DIR: the folder they run from."""
    say("building control-api and app-api")
    subprocess.run(["cargo", "build", "--quiet", "--locked", "-p", "control-api", "-p", "app-api"], cwd=ROOT,
                   check=True)
    return f"{TARGET}/debug"


@pytest.fixture
def launch_nginx(work):
    """`launch_nginx(control_upstream, app_upstreams, s3_upstream=None, client=...)`: nginx with
    the edge's configuration in WORK (or another `kind` of Nginx, given its arguments), not yet
    started; stopped at the end."""
    made = []

    def launch(*args, kind=Nginx, **kw):
        made.append(kind(work, *args, **kw))
        return made[-1]

    yield launch
    for nginx in made:
        nginx.stop()


@pytest.fixture
def mail_server(work):
    """A mail-devel of the test's own on free ports, started; a test may kill and start it again."""
    mail = MailDevel(work).start()
    yield mail
    mail.stop()


@pytest.fixture
def webhook_receiver():
    """`webhook_receiver(status_of=..., hold=...)`: a webhook receiver on a free port; stopped at
    the end."""
    made = []

    def start(**kw):
        made.append(HookReceiver(**kw))
        return made[-1]

    yield start
    for hooks in made:
        hooks.stop()
