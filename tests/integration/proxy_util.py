"""Helpers for the REST proxy tests: a broker with its proxy (and registry) on
free ports, the ports read from the files the broker writes beside its Kafka
port, and a curl runner."""

import json
import os
import subprocess
import time

from registry_util import read_port_file

BINARY = "application/vnd.kafka.binary.v2+json"
JSON = "application/vnd.kafka.json.v2+json"
AVRO = "application/vnd.kafka.avro.v2+json"
JSONSCHEMA = "application/vnd.kafka.jsonschema.v2+json"
V2 = "application/vnd.kafka.v2+json"

PROXY = {
    "http.proxy.listeners": "http://127.0.0.1:0",
    "schema.registry.listeners": "http://127.0.0.1:0",
    "group.initial.rebalance.delay.ms": "0",
}


def proxy_url(broker):
    port = read_port_file(os.path.join(broker.work_dir, "port.proxy"), log_tail=broker.log_tail)
    return f"http://127.0.0.1:{port}"


def curl(method, url, body=None, content_type=None, headers=(), user=None):
    """curl as a subprocess: (status, parsed JSON or text)."""
    args = ["curl", "-sS", "-X", method, "-o", "-", "-w", "\n%{http_code}", url]
    if content_type:
        args += ["-H", f"Content-Type: {content_type}"]
    for h in headers:
        args += ["-H", h]
    if user:
        args += ["-u", user]
    data = None
    if body is not None:
        data = body if isinstance(body, (bytes, str)) else json.dumps(body)
        if isinstance(data, str):
            data = data.encode()
        args += ["--data-binary", "@-"]
    out = subprocess.run(args, input=data, capture_output=True, timeout=60)
    assert out.returncode == 0, out.stderr
    text, _, status = out.stdout.decode().rpartition("\n")
    try:
        parsed = json.loads(text)
    except ValueError:
        parsed = text
    return int(status), parsed


def wait_until(check, what, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")
