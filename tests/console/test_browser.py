"""The console page in a real browser (Debian's chromium via playwright-core):
create a topic and produce from the page, see the partition grow live, and the
partitioner's explanation; screenshots at 375 and 1920 px are kept in the
current directory (the build tree under ctest) or SAMSA_ARTIFACTS_DIR."""

import json
import os
import shutil
import subprocess
import time

import pytest

import clients
from console_client import Console
from registry_util import REGISTRY, Registry, registry_url
from test_schema_decoding import PAYMENT, avro_payment, wire


def node_modules():
    d = os.environ.get("KAFKAJS_DIR") or ""
    return d if os.path.isdir(os.path.join(d, "playwright-core")) else None


@pytest.mark.skipif(not shutil.which("node"), reason="needs node (scripts/install-deps.sh --test)")
def test_page_in_chromium(broker_factory, name):
    modules = node_modules()
    if not modules or not os.path.exists("/usr/bin/chromium"):
        pytest.fail("playwright-core or chromium missing: run scripts/install-deps.sh --test")
    from confluent_kafka import Consumer
    b = broker_factory({"http.listeners": "http://127.0.0.1:0", "http.write.enabled": "true",
                        "http.lag.sample.ms": "100", "group.initial.rebalance.delay.ms": "0", **REGISTRY})
    c = Console(b)
    # A record in the Schema Registry's wire format, for the message browser to decode.
    decoded = name("decoded")
    clients.create_topic(b.bootstrap, decoded, 1)
    status, reg = Registry(registry_url(b)).register(f"{decoded}-value", json.dumps(PAYMENT))
    assert status == 200, reg
    from confluent_kafka import Producer
    p = Producer({"bootstrap.servers": b.bootstrap})
    p.produce(decoded, value=wire(reg["id"], avro_payment("p1", 12.5)), partition=0)
    assert p.flush(30) == 0
    # A consumer group with one rebalance behind it, for the timeline.
    group, watched = name("grp"), name("watched")
    clients.create_topic(b.bootstrap, watched, 2)
    consumer = Consumer({"bootstrap.servers": b.bootstrap, "group.id": group, "auto.offset.reset": "earliest"})
    consumer.subscribe([watched])
    deadline = time.monotonic() + 30
    while len(consumer.assignment()) < 2 and time.monotonic() < deadline:
        consumer.poll(0.1)
    assert len(consumer.assignment()) == 2
    # Kept after the test (ctest runs it in the build tree): the artifacts CI keeps.
    shots = os.path.join(os.environ.get("SAMSA_ARTIFACTS_DIR", os.getcwd()), "console-screenshots")
    os.makedirs(shots, exist_ok=True)
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "browser_check.js")
    env = dict(os.environ, NODE_MODULES=modules, CONSOLE_URL=f"http://127.0.0.1:{c.port}", TOPIC=name("page"),
               SCREENSHOT_DIR=shots, GROUP=group, DECODED_TOPIC=decoded)
    try:
        run = subprocess.run(["node", script], env=env, capture_output=True, text=True, timeout=120)
    finally:
        consumer.close()
    assert run.returncode == 0, f"{run.stdout}\n{run.stderr}\nscreenshots in {shots}"
    assert os.path.exists(os.path.join(shots, "topic-375.png"))
    assert os.path.exists(os.path.join(shots, "topic-1920.png"))
