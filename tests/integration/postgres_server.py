"""A throwaway PostgreSQL server for the sink tests: Debian's `postgresql`
binaries, a fresh data directory under /tmp, a free port on 127.0.0.1, trust
authentication, stopped and removed after. initdb refuses to run as root, so
as root the server runs as the `postgres` user (runuser)."""

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile

import pytest


def postgres_bin_dir():
    for d in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if os.path.exists(os.path.join(d, "initdb")) and os.path.exists(os.path.join(d, "pg_ctl")):
            return d
    initdb = shutil.which("initdb")
    return os.path.dirname(initdb) if initdb else None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    def __init__(self, bin_dir):
        self.bin_dir = bin_dir
        self.root = tempfile.mkdtemp(prefix="samsa-pg-", dir="/tmp")
        self.data = os.path.join(self.root, "data")
        self.log = os.path.join(self.root, "postgres.log")
        self.port = free_port()
        self.as_user = []
        if os.geteuid() == 0:
            try:
                pwd.getpwnam("postgres")
            except KeyError:
                pytest.fail("running as root needs the `postgres` user (Debian's postgresql package creates it)")
            shutil.chown(self.root, "postgres", "postgres")
            self.as_user = ["runuser", "-u", "postgres", "--"]
        os.chmod(self.root, 0o755)

    def _run(self, args, **kw):
        return subprocess.run(self.as_user + args, check=True, capture_output=True, text=True, timeout=60, **kw)

    def start(self):
        self._run([os.path.join(self.bin_dir, "initdb"), "-D", self.data, "-U", "postgres", "-A", "trust",
                   "-E", "UTF8", "--no-sync"])
        # fsync off: the tests kill the sink and stop the server process, never
        # the machine, so written WAL survives in the OS cache. (Commits stay
        # synchronous: an asynchronous commit is lost by an immediate stop.)
        opts = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
                f"-c full_page_writes=off")
        self.opts = opts
        try:
            self._run([os.path.join(self.bin_dir, "pg_ctl"), "-D", self.data, "-l", self.log, "-w", "-t", "30",
                       "-o", opts, "start"])
        except subprocess.CalledProcessError as e:
            raise AssertionError(f"pg_ctl start failed: {e.stderr}\n{self.log_tail()}")
        return self

    def restart(self):
        """An immediate stop (as a crash: open connections break) and a start."""
        pg_ctl = os.path.join(self.bin_dir, "pg_ctl")
        self._run([pg_ctl, "-D", self.data, "-m", "immediate", "-w", "stop"])
        self._run([pg_ctl, "-D", self.data, "-l", self.log, "-w", "-t", "30", "-o", self.opts, "start"])

    def pause(self):
        """Stops the server (immediately); resume() starts it again."""
        self._run([os.path.join(self.bin_dir, "pg_ctl"), "-D", self.data, "-m", "immediate", "-w", "stop"])

    def resume(self):
        self._run([os.path.join(self.bin_dir, "pg_ctl"), "-D", self.data, "-l", self.log, "-w", "-t", "30",
                   "-o", self.opts, "start"])

    def stop(self):
        try:
            self._run([os.path.join(self.bin_dir, "pg_ctl"), "-D", self.data, "-m", "immediate", "-w", "stop"])
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
            pass
        shutil.rmtree(self.root, ignore_errors=True)

    def log_tail(self):
        try:
            with open(self.log) as f:
                return "--- postgres log ---\n" + f.read()[-3000:]
        except OSError:
            return "(no postgres log)"

    @property
    def url(self):
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def sql(self, statement):
        """Runs SQL with psql; returns the rows as lists of strings."""
        out = subprocess.run([os.path.join(self.bin_dir, "psql"), "-h", "127.0.0.1", "-p", str(self.port),
                              "-U", "postgres", "-d", "postgres", "-AtqX", "-F", "\t", "-v", "ON_ERROR_STOP=1",
                              "-c", statement], check=True, capture_output=True, text=True, timeout=60)
        return [line.split("\t") for line in out.stdout.splitlines() if line]

    def value(self, statement):
        rows = self.sql(statement)
        return rows[0][0] if rows else None


@pytest.fixture
def postgres():
    bin_dir = postgres_bin_dir()
    if bin_dir is None:
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) are not installed: "
                    "apt-get install postgresql (scripts/install-deps.sh --test does)")
    server = PostgresServer(bin_dir).start()
    yield server
    server.stop()
