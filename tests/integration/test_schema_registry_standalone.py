"""`samsa registry --bootstrap`: the Schema Registry as a separate process
keeping `_schemas` on a cluster through the client kit (here a Samsa broker
started as another process), replaying it after a SIGKILL of the registry."""

import json
import os
import signal
import subprocess
import uuid

from confluent_kafka import Consumer
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from confluent_kafka.schema_registry.error import SchemaRegistryError
import pytest

from registry_util import read_port_file
from samsa_harness import samsa_bin


class RegistryProcess:
    def __init__(self, bootstrap, work_dir):
        self.bootstrap = bootstrap
        self.work_dir = work_dir
        self.proc = None
        self.log_path = os.path.join(work_dir, "registry.log")

    def start(self):
        port_file = os.path.join(self.work_dir, "registry.port")
        if os.path.exists(port_file):
            os.unlink(port_file)
        env = {k: v for k, v in os.environ.items() if not k.startswith("SAMSA_")}
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([samsa_bin(), "registry", "--bootstrap", self.bootstrap,
                                      "--listeners", "http://127.0.0.1:0", "--port-file", port_file],
                                     stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
        log.close()
        port = read_port_file(port_file, self.proc, self.log_tail)
        return f"http://127.0.0.1:{port}"

    def log_tail(self):
        try:
            with open(self.log_path, "rb") as f:
                return "--- registry log ---\n" + f.read().decode(errors="replace")[-4000:]
        except FileNotFoundError:
            return "(no registry log)"

    def stop(self, sig):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            return self.proc.wait(timeout=20)
        return None


@pytest.fixture
def registry_process(broker):
    r = RegistryProcess(broker.bootstrap, broker.work_dir)
    yield r
    if r.proc and r.proc.poll() is None:
        r.proc.kill()
        r.proc.wait()


def test_standalone_registry_keeps_schemas_on_the_cluster(broker, registry_process):
    url = registry_process.start()
    client = SchemaRegistryClient({"url": url})
    v1 = json.dumps({"type": "record", "name": "Order", "fields": [{"name": "id", "type": "long"}]})
    v2 = json.dumps({"type": "record", "name": "Order", "fields": [{"name": "id", "type": "long"},
                                                                   {"name": "note", "type": "string", "default": ""}]})
    id1 = client.register_schema("orders-value", Schema(v1, "AVRO"))
    id2 = client.register_schema("orders-value", Schema(v2, "AVRO"))
    assert id2 == id1 + 1
    with pytest.raises(SchemaRegistryError) as e:
        client.register_schema("orders-value", Schema(v2.replace('"default": ""', '"default": ""}, {"name": "x", "type": "int"'), "AVRO"))
    assert e.value.http_status_code == 409
    js = client.register_schema("j", Schema('{"type":"object"}', "JSON"))

    # The records are on the broker, in its `_schemas` topic.
    c = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": f"g-{uuid.uuid4().hex[:8]}",
                  "auto.offset.reset": "earliest"})
    c.subscribe(["_schemas"])
    keys = []
    import time
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and sum(1 for k in keys if b'"SCHEMA"' in k) < 3:
        m = c.poll(0.5)
        if m is not None and not m.error():
            keys.append(m.key())
    c.close()
    assert sum(1 for k in keys if b'"SCHEMA"' in k) == 3, keys

    # A crash of the registry loses nothing: the next one replays the topic.
    registry_process.stop(signal.SIGKILL)
    url = registry_process.start()
    client = SchemaRegistryClient({"url": url})
    assert client.get_versions("orders-value") == [1, 2]
    assert client.get_latest_version("orders-value").schema_id == id2
    assert client.get_schema(js).schema_type == "JSON"
    assert client.register_schema("fresh", Schema('"int"', "AVRO")) == js + 1
    assert registry_process.stop(signal.SIGTERM) == 0


def test_standalone_registry_refuses_an_unreachable_cluster(tmp_path):
    out = subprocess.run([samsa_bin(), "registry", "--bootstrap", "127.0.0.1:1", "--listeners", "http://127.0.0.1:0"],
                         capture_output=True, text=True, timeout=60,
                         env={k: v for k, v in os.environ.items() if not k.startswith("SAMSA_")})
    assert out.returncode == 3, out
    assert "error" in out.stderr
