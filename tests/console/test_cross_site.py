"""Cross-site requests from a real browser (Debian's chromium via
playwright-core): a page of another origin sends the console, the Schema
Registry and the REST proxy what any page may send to another site without a
CORS preflight (POSTs whose body has no Content-Type or text/plain, no-cors
GETs; PUT and DELETE need a preflight, which is never granted)
and none of it takes effect; the same requests from a client that is not a
browser still work (a registry client that sends no Content-Type registers)."""

import http.server
import json
import os
import re
import shutil
import subprocess
import threading

import pytest
import requests

import clients
from console_client import Console
from proxy_util import PROXY, proxy_url
from registry_util import registry_url
from test_browser import node_modules


class Recorder(http.server.BaseHTTPRequestHandler):
    """Serves the attacking page, and records the headers of what reaches /record."""
    seen = []

    def do_GET(self):
        if self.path == "/record":
            return self.record()
        body = b"<!doctype html><title>another site</title><p>nothing to see"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.record()

    def record(self):
        Recorder.seen.append({"method": self.command, **{k.lower(): v for k, v in self.headers.items()}})
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.mark.skipif(not shutil.which("node"), reason="needs node (scripts/install-deps.sh --test)")
def test_a_page_of_another_site_cannot_write_through_any_listener(broker_factory, name):
    modules = node_modules()
    if not modules or not os.path.exists("/usr/bin/chromium"):
        pytest.fail("playwright-core or chromium missing: run scripts/install-deps.sh --test")
    from confluent_kafka import Consumer, Producer, TopicPartition
    b = broker_factory({**PROXY, "http.listeners": "http://127.0.0.1:0", "http.write.enabled": "true"})
    console, registry, proxy = Console(b).base, registry_url(b), proxy_url(b)
    topic, group, evil_topic, subject = name("evt"), name("victim"), name("evil"), name("evil") + "-value"
    clients.create_topic(b.bootstrap, topic, 1)
    p = Producer({"bootstrap.servers": b.bootstrap})
    for i in range(6):
        p.produce(topic, value=f"r{i}".encode(), partition=0)
    assert p.flush(30) == 0

    site = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=site.serve_forever, daemon=True).start()
    # localhost and 127.0.0.1 are different sites to the browser.
    page_url = f"http://localhost:{site.server_port}/"
    instance = f"{proxy}/consumers/{group}/instances/x"
    schema = json.dumps({"schema": json.dumps("string")})
    attack = [
        # The same kinds of request to a server that accepts anything: proves what the browser sends.
        {"method": "POST", "url": f"http://127.0.0.1:{site.server_port}/record", "body": schema},
        {"method": "GET", "url": f"http://127.0.0.1:{site.server_port}/record"},
        {"method": "POST", "url": f"{registry}/subjects/{subject}/versions", "body": schema},
        {"method": "POST", "url": f"{registry}/subjects/{subject}/versions", "body": schema, "type": "text/plain"},
        {"method": "POST", "url": f"{proxy}/consumers/{group}",
         "body": json.dumps({"name": "x", "format": "binary", "auto.commit.enable": "true"})},
        {"method": "POST", "url": f"{instance}/subscription", "body": json.dumps({"topics": [topic]})},
        {"method": "GET", "url": f"{instance}/records"},
        {"method": "GET", "url": f"{instance}/records"},
        {"method": "POST", "url": f"{instance}/offsets",
         "body": json.dumps({"offsets": [{"topic": topic, "partition": 0, "offset": 5}]})},
        {"method": "POST", "url": f"{proxy}/topics/{topic}", "body": json.dumps({"records": [{"value": "ZXZpbA=="}]}),
         "type": "text/plain"},
        {"method": "POST", "url": f"{console}/api/v1/topics", "body": json.dumps({"name": evil_topic, "partitions": 1})},
        {"method": "POST", "url": f"{console}/api/v1/topics", "body": json.dumps({"name": evil_topic, "partitions": 1}),
         "type": "text/plain"},
    ]
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cross_site_check.js")
    env = dict(os.environ, NODE_MODULES=modules, ATTACK_URL=page_url, ATTACK_REQUESTS=json.dumps(attack))
    try:
        run = subprocess.run(["node", script], env=env, capture_output=True, text=True, timeout=120)
    finally:
        site.shutdown()
    assert run.returncode == 0, f"{run.stdout}\n{run.stderr}"
    # Every request went out (opaque answers, no network error).
    assert run.stdout.count(": opaque") == len(attack), run.stdout + run.stderr

    # The browser sent the POST's body with no Content-Type and named the
    # page's origin; its no-cors GET named no origin, only Sec-Fetch-Site.
    [post, get] = Recorder.seen
    assert post["method"] == "POST" and "content-type" not in post, post
    assert post["origin"] == page_url.rstrip("/") and post.get("sec-fetch-site") == "cross-site", post
    assert get["method"] == "GET" and "origin" not in get, get
    assert get.get("sec-fetch-site") == "cross-site" and get.get("sec-fetch-mode") == "no-cors", get

    # Nothing took effect.
    assert subject not in requests.get(f"{registry}/subjects", timeout=10).json()
    answer = requests.get(f"{instance}/subscription", headers={"Accept": "application/vnd.kafka.v2+json"}, timeout=10)
    assert answer.status_code == 404, answer.text  # no consumer instance was created
    c = Consumer({"bootstrap.servers": b.bootstrap, "group.id": group})
    try:
        [committed] = c.committed([TopicPartition(topic, 0)], timeout=10)
        assert committed.offset < 0, committed  # nothing committed for the group
        assert c.get_watermark_offsets(TopicPartition(topic, 0), timeout=10) == (0, 6)  # nothing produced
        assert evil_topic not in c.list_topics(timeout=10).topics
    finally:
        c.close()

    # The operator sees why in the broker's log (rate-limited per kind).
    log = open(b.log_path, "rb").read().decode(errors="replace")
    assert "samsa-registry: 127.0.0.1:" in log and "another origin is refused (Origin header)" in log, b.log_tail()
    # A records fetch with those GET headers (an <img> would send the same)
    # on an instance a client made and subscribed: refused before it runs.
    made = requests.post(f"{proxy}/consumers/{group}", data=json.dumps({"name": "y", "format": "binary"}),
                         headers={"Content-Type": "application/vnd.kafka.v2+json"}, timeout=10)
    assert made.status_code == 200, made.text
    legit = f"{proxy}/consumers/{group}/instances/y"
    assert requests.post(f"{legit}/subscription", data=json.dumps({"topics": [topic]}),
                         headers={"Content-Type": "application/vnd.kafka.v2+json"}, timeout=10).status_code == 204
    fetched = requests.get(f"{legit}/records", headers={"Accept": "application/vnd.kafka.binary.v2+json",
                                                        "Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "no-cors"},
                           timeout=10)
    assert fetched.status_code == 403, fetched.text
    fetched = requests.get(f"{legit}/records", headers={"Accept": "application/vnd.kafka.binary.v2+json"}, timeout=10)
    assert fetched.status_code == 200, fetched.text  # the same fetch from a client that is not a browser
    # A refusal says why, to a client that can read it.
    answer = requests.post(f"{registry}/subjects/{subject}/versions", data=schema,
                           headers={"Origin": "http://evil.example"}, timeout=10)
    assert answer.status_code == 403 and "another origin" in answer.json()["message"], answer.text
    # The same body from a client that is not a browser (no Origin, no
    # Content-Type, as Go's lensesio client sends it) registers.
    answer = requests.post(f"{registry}/subjects/{subject}/versions", data=iter([schema.encode()]), timeout=10)
    assert "Content-Type" not in answer.request.headers
    assert answer.status_code == 200 and answer.json()["id"] >= 1, answer.text
    # At shutdown the broker counts every refusal of the kind, logged or not.
    assert b.stop() == 0
    log = open(b.log_path, "rb").read().decode(errors="replace")
    counted = re.search(r"refused since start: (\d+) x cross-origin HTTP request", log)
    assert counted and int(counted.group(1)) >= 10, b.log_tail()
