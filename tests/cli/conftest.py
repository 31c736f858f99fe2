"""Fixtures for the CLI, examples and tour tests.

Environment:
  SAMSA_BIN             the samsa binary (required)
  SAMSA_TEST_BOOTSTRAP  use this broker instead of starting `samsa serve` (any Kafka broker)
  SAMSA_EXAMPLES_DIR    directory holding example_admin/example_producer/example_consumer
  SAMSA_SOURCE_DIR      source tree (for examples/nodejs)
  KAFKAJS_DIR           a node_modules directory containing kafkajs 2.2.4
"""

import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid

import pytest


def samsa_bin():
    path = os.environ.get("SAMSA_BIN")
    if not path:
        pytest.fail("SAMSA_BIN is not set: run through ctest or export the samsa binary's path")
    return path


class Cli:
    """Runs `samsa ...` against one bootstrap address."""

    def __init__(self, bootstrap):
        self.bootstrap = bootstrap

    def run(self, *args, input=None, timeout=120, check=True, bootstrap=True, env=None):
        cmd = [samsa_bin()] + list(args)
        if bootstrap:
            cmd += ["--bootstrap", self.bootstrap]
        full_env = dict(os.environ, NO_COLOR="1")
        full_env.pop("SAMSA_BOOTSTRAP_SERVERS", None)
        if env:
            full_env.update(env)
        p = subprocess.run(cmd, input=input, capture_output=True, text=True, timeout=timeout, env=full_env)
        if check and p.returncode != 0:
            raise AssertionError(f"{' '.join(cmd)} exited {p.returncode}\nstdout:\n{p.stdout}\nstderr:\n{p.stderr}")
        return p


def _start_broker(work, extra=()):
    data = os.path.join(work, "data")
    os.makedirs(data)
    port_file = os.path.join(work, "port")
    log = open(os.path.join(work, "broker.log"), "wb")
    proc = subprocess.Popen([samsa_bin(), "serve", "--set", "listeners=PLAINTEXT://127.0.0.1:0",
                             "--set", f"log.dirs={data}", "--port-file", port_file,
                             "--set", "http.listeners=none",  # leave port 8080 alone
                             "--set", "schema.registry.listeners=none",  # and 8081
                             "--set", "http.proxy.listeners=none",  # and 8082
                             *extra],
                            stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError("samsa serve exited early:\n" + open(os.path.join(work, "broker.log")).read())
        try:
            port = int(open(port_file).read().strip())
            if port > 0:
                return proc, f"127.0.0.1:{port}"
        except (OSError, ValueError):
            pass
        time.sleep(0.05)
    proc.kill()
    raise AssertionError("samsa serve did not write its port within 20s")


@pytest.fixture(scope="session")
def bootstrap():
    external = os.environ.get("SAMSA_TEST_BOOTSTRAP")
    if external:
        yield external
        return
    work = tempfile.mkdtemp(prefix="samsa-cli-test-")
    proc, address = _start_broker(work)
    try:
        yield address
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(work, ignore_errors=True)


@pytest.fixture
def cli(bootstrap):
    return Cli(bootstrap)


@pytest.fixture
def name():
    """A fresh topic/group name per test, so tests never see each other's data."""
    return lambda prefix: f"{prefix}-{uuid.uuid4().hex[:8]}"
