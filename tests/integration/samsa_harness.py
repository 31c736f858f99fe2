"""Starts and stops a real `samsa serve` process for one test, or points at an
existing cluster when SAMSA_TEST_BOOTSTRAP is set (e.g. an Apache Kafka broker)."""

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import pytest

START_TIMEOUT_S = 20.0
STOP_TIMEOUT_S = 15.0


def external_bootstrap():
    return os.environ.get("SAMSA_TEST_BOOTSTRAP") or None


def samsa_bin():
    path = os.environ.get("SAMSA_BIN")
    if not path:
        raise RuntimeError("SAMSA_BIN is not set: run the tests through ctest, or export the path of the samsa binary")
    return path


class Broker:
    """One broker process owning one data directory. The same object can be
    SIGKILLed and restarted; a restart binds the port the first start got, so
    running clients reconnect to it."""

    def __init__(self, settings=None, data_dir=None):
        self.settings = dict(settings or {})
        self.external = external_bootstrap()
        self.proc = None
        self.port = None
        self.starts = 0
        self._own_dir = data_dir is None
        self.work_dir = tempfile.mkdtemp(prefix="samsa-it-")
        self.data_dir = data_dir or os.path.join(self.work_dir, "data")
        os.makedirs(self.data_dir, exist_ok=True)
        self.log_path = os.path.join(self.work_dir, "broker.log")

    # -- lifecycle -------------------------------------------------------
    def start(self):
        if self.external:
            return self
        port_file = os.path.join(self.work_dir, "port")
        if os.path.exists(port_file):
            os.unlink(port_file)
        listen_port = self.port if self.port is not None else 0
        args = [samsa_bin(), "serve",
                "--set", f"listeners=PLAINTEXT://127.0.0.1:{listen_port}",
                "--set", f"log.dirs={self.data_dir}",
                "--port-file", port_file]
        settings = dict(self.settings)
        # Test brokers leave the console off (and port 8080 free) unless a test wants it.
        settings.setdefault("http.listeners", "none")
        # ... and the Schema Registry off (port 8081 free) unless a test wants it.
        settings.setdefault("schema.registry.listeners", "none")
        # ... and the REST proxy off (port 8082 free) unless a test wants it.
        settings.setdefault("http.proxy.listeners", "none")
        for key, value in settings.items():
            args += ["--set", f"{key}={value}"]
        log = open(self.log_path, "ab")
        log.write(f"\n=== start #{self.starts + 1}: {' '.join(args)}\n".encode())
        log.flush()
        # The broker reads SAMSA_* variables as settings; the test's own ones are not for it.
        env = {k: v for k, v in os.environ.items() if not k.startswith("SAMSA_")}
        self.proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
        log.close()
        self.starts += 1
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"samsa exited with {self.proc.returncode} during start\n{self.log_tail()}")
            try:
                with open(port_file) as f:
                    text = f.read().strip()
                if text:
                    self.port = int(text)
                    break
            except (FileNotFoundError, ValueError):
                pass
            time.sleep(0.02)
        else:
            self.kill()
            raise RuntimeError(f"samsa did not write its port file within {START_TIMEOUT_S}s\n{self.log_tail()}")
        # The port file is written after bind; make sure connections are accepted.
        wait_for_port("127.0.0.1", self.port, 10.0)
        return self

    def require_process(self):
        if self.external:
            pytest.skip("needs a broker process started by the test (SAMSA_TEST_BOOTSTRAP is set)")

    def kill(self):
        """SIGKILL, as a crash or power cut would."""
        self.require_process()
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=STOP_TIMEOUT_S)

    def stop(self):
        """SIGTERM; returns the exit code."""
        self.require_process()
        if not self.proc:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError(f"samsa did not exit within {STOP_TIMEOUT_S}s of SIGTERM\n{self.log_tail()}")
        return self.proc.returncode

    def restart(self, kill=True):
        self.require_process()
        if kill:
            self.kill()
        else:
            self.stop()
        # The restart binds the port of the first start, which another process
        # may grab in between (the broker sets SO_REUSEADDR, so TIME_WAIT alone
        # does not block it): only a failed bind is retried. Any other failed
        # start, such as a crash while recovering after SIGKILL, fails the test.
        for attempt in range(10):
            try:
                return self.start()
            except RuntimeError as e:
                if "cannot listen on" not in str(e) or attempt == 9:
                    raise
                time.sleep(0.5)

    def close(self):
        if self.external:
            return
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=STOP_TIMEOUT_S)
        if self._own_dir and not os.environ.get("SAMSA_TEST_KEEP"):
            shutil.rmtree(self.work_dir, ignore_errors=True)

    # -- facts -----------------------------------------------------------
    @property
    def bootstrap(self):
        if self.external:
            return self.external
        return f"127.0.0.1:{self.port}"

    @property
    def host_port(self):
        host, _, port = self.bootstrap.split(",")[0].rpartition(":")
        return host, int(port)

    @property
    def pid(self):
        self.require_process()
        return self.proc.pid

    def alive(self):
        return self.external is not None or (self.proc is not None and self.proc.poll() is None)

    def rss_kb(self):
        self.require_process()
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        raise RuntimeError("no VmRSS line")

    def log_tail(self, lines=40):
        try:
            with open(self.log_path, "rb") as f:
                data = f.read().decode(errors="replace").splitlines()
            return "--- broker log (tail) ---\n" + "\n".join(data[-lines:])
        except FileNotFoundError:
            return "(no broker log)"


def wait_for_port(host, port, timeout):
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection((host, port), timeout=1.0):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
