"""Accessibility of the console page: axe-core (npm) finds no violation on
any view (topics, a topic with its forms and search results, a partition's
messages, groups, a group), in Debian's chromium through playwright-core, at
1920 and 375 px (tests/console/a11y_check.js)."""

import os
import shutil
import subprocess
import time

import pytest

import clients
from console_client import Console


def node_modules():
    d = os.environ.get("KAFKAJS_DIR") or ""
    return d if os.path.isdir(os.path.join(d, "playwright-core")) else None


def axe_core_js(modules):
    """axe-core from the test dependencies (scripts/install-deps.sh --test), or AXE_CORE_DIR."""
    for d in (os.environ.get("AXE_CORE_DIR"), os.path.join(modules, "axe-core") if modules else None):
        if d and os.path.exists(os.path.join(d, "axe.min.js")):
            return os.path.join(d, "axe.min.js")
    return None


@pytest.mark.skipif(not shutil.which("node"), reason="needs node (scripts/install-deps.sh --test)")
def test_no_axe_violations(broker_factory, name):
    modules = node_modules()
    axe = axe_core_js(modules)
    if not modules or not axe or not os.path.exists("/usr/bin/chromium"):
        pytest.fail("playwright-core, axe-core or chromium missing: run scripts/install-deps.sh --test")
    from confluent_kafka import Consumer, Producer
    b = broker_factory({"http.listeners": "http://127.0.0.1:0", "http.write.enabled": "true",
                        "http.lag.sample.ms": "100", "group.initial.rebalance.delay.ms": "0"})
    c = Console(b)
    t, g = name("a11y"), name("grp")
    clients.create_topic(b.bootstrap, t, 2)
    p = Producer({"bootstrap.servers": b.bootstrap, "acks": "all"})
    for i in range(6):
        p.produce(t, key=f"k{i}".encode(), value=f'{{"n": {i}}}'.encode(), headers=[("h", b"v")], partition=i % 2)
    assert p.flush(30) == 0
    consumer = Consumer({"bootstrap.servers": b.bootstrap, "group.id": g, "auto.offset.reset": "earliest"})
    consumer.subscribe([t])
    deadline = time.monotonic() + 30
    while len(consumer.assignment()) < 2 and time.monotonic() < deadline:
        consumer.poll(0.1)
    assert len(consumer.assignment()) == 2
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "a11y_check.js")
    env = dict(os.environ, NODE_MODULES=modules, AXE_CORE_JS=axe, CONSOLE_URL=f"http://127.0.0.1:{c.port}",
               TOPIC=t, GROUP=g)
    try:
        run = subprocess.run(["node", script], env=env, capture_output=True, text=True, timeout=150)
    finally:
        consumer.close()
    print(run.stdout)
    assert run.returncode == 0, f"{run.stdout}\n{run.stderr}"
