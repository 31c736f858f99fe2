"""The console's HTTP side under an authorizer (issue 14): an https listener
with the Kafka listeners' ssl.* settings and certificates from `samsa certs
create`; every request authenticates (HTTP Basic against the metadata log's
SCRAM users or the JAAS PLAIN users, or the client certificate's principal)
and is checked against the same ACLs as that principal; listings are
filtered; a route without a permission entry is refused. Without an
authorizer the console stays open, as before."""

import base64
import http.client
import json
import os
import socket
import ssl
import subprocess
import time

import pytest
from confluent_kafka import Consumer, Producer, TopicPartition

from samsa_harness import Broker, samsa_bin

AUTHORIZER = "org.apache.kafka.metadata.authorizer.StandardAuthorizer"
RULES = "RULE:^CN=([^,]*),O=Samsa clients$/$1/"
TOPIC_AUTHORIZATION_FAILED = 29
GROUP_AUTHORIZATION_FAILED = 30
CLUSTER_AUTHORIZATION_FAILED = 31


def samsa(broker, *args, stdin=None):
    out = subprocess.run([samsa_bin(), *args, "--bootstrap", broker.bootstrap], input=stdin, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, (args, out.stdout, out.stderr)
    return out.stdout


def http_port(broker):
    with open(os.path.join(broker.work_dir, "port.http")) as f:
        return int(f.read().strip())


def log_text(broker):
    with open(broker.log_path, "rb") as f:
        return f.read().decode(errors="replace")


class Console:
    """HTTPS to the console, optionally with a client certificate."""

    def __init__(self, broker, certs, client_cert=None):
        self.port = http_port(broker)
        self.context = ssl.create_default_context(cafile=os.path.join(certs, "ca.pem"))
        if client_cert:
            self.context.load_cert_chain(os.path.join(certs, f"{client_cert}.pem"),
                                         os.path.join(certs, f"{client_cert}-key.pem"))

    def call(self, method, path, user=None, password=None, body=None, authorization=None):
        conn = http.client.HTTPSConnection("localhost", self.port, context=self.context, timeout=30)
        headers = {}
        if user is not None:
            token = base64.b64encode(f"{user}:{password}".encode()).decode()
            headers["Authorization"] = f"Basic {token}"
        if authorization is not None:
            headers["Authorization"] = authorization
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        conn.request(method, path, body=data, headers=headers)
        res = conn.getresponse()
        raw = res.read()
        conn.close()
        try:
            parsed = json.loads(raw)
        except ValueError:
            parsed = None
        return res.status, parsed, dict(res.getheaders()), raw


def alice(console, method, path, body=None):
    return console.call(method, path, "alice", "alice-secret", body)


def bob(console, method, path, body=None):
    return console.call(method, path, "bob", "bob-secret", body)


def error_code(parsed):
    return parsed["error"]["code"]


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    d = str(tmp_path_factory.mktemp("certs"))
    out = subprocess.run([samsa_bin(), "certs", "create", "--dir", d, "--client", "alice", "--client", "bob"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return d


@pytest.fixture(scope="module")
def secured(certs):
    broker = Broker({
        # An mTLS Kafka listener too: alice's certificate makes her User:alice there.
        "listeners": "PLAINTEXT://127.0.0.1:0,MTLS://127.0.0.1:0",
        "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,MTLS:SSL",
        "inter.broker.listener.name": "PLAINTEXT",
        "listener.name.mtls.ssl.client.auth": "required",
        "listener.name.mtls.ssl.principal.mapping.rules": RULES,
        "authorizer.class.name": AUTHORIZER,
        # The command-line tools below speak PLAINTEXT (User:ANONYMOUS): they set the stage.
        "super.users": "User:ANONYMOUS",
        "http.listeners": "https://127.0.0.1:0",
        "http.write.enabled": "true",
        "ssl.handshake.timeout.ms": "1000",
        "ssl.keystore.type": "PEM",
        "ssl.keystore.location": os.path.join(certs, "broker.pem"),
        "ssl.truststore.location": os.path.join(certs, "ca.pem"),
        "listener.name.http.ssl.client.auth": "requested",
        "listener.name.http.ssl.principal.mapping.rules": RULES,
        "listener.name.http.plain.sasl.jaas.config":
            'org.apache.kafka.common.security.plain.PlainLoginModule required user_carol="carol-secret";',
    }).start()
    for user in ("alice", "bob"):
        samsa(broker, "user", "create", user, "--password-stdin", stdin=f"{user}-secret\n")
    for topic in ("pub", "secret", "doomed"):
        samsa(broker, "topic", "create", topic, "-p", "1")
    acl = ["acl", "create"]
    samsa(broker, *acl, "--allow-principal", "User:alice", "--operation", "Read", "--operation", "Write",
          "--topic", "pub")
    samsa(broker, *acl, "--allow-principal", "User:alice", "--operation", "Delete", "--topic", "doomed")
    samsa(broker, *acl, "--allow-principal", "User:alice", "--operation", "Describe", "--group", "g-alice")
    samsa(broker, *acl, "--allow-principal", "User:bob", "--operation", "Describe", "--cluster")
    samsa(broker, *acl, "--allow-principal", "User:carol", "--operation", "Describe", "--topic", "pub")
    # Two groups with committed offsets (as the super user).
    for group in ("g-alice", "g-other"):
        c = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": group, "enable.auto.commit": False})
        c.commit(offsets=[TopicPartition("pub", 0, 0), TopicPartition("secret", 0, 0)], asynchronous=False)
        c.close()
    yield broker
    broker.close()


def test_https_with_samsa_certs(secured, certs):
    console = Console(secured, certs)
    status, body, _, _ = alice(console, "GET", "/api/v1/topics/pub")
    assert status == 200, body
    assert body["name"] == "pub"
    # A client that does not trust the local CA cannot talk to it.
    conn = http.client.HTTPSConnection("localhost", console.port, context=ssl.create_default_context(), timeout=10)
    with pytest.raises(ssl.SSLError):
        conn.request("GET", "/")
    # Plain HTTP to the https port gets no HTTP answer.
    plain = http.client.HTTPConnection("localhost", console.port, timeout=10)
    with pytest.raises((http.client.HTTPException, ConnectionError, OSError)):
        plain.request("GET", "/api/v1/topics")
        plain.getresponse().read()


def test_handshake_that_never_finishes_is_closed(secured, certs):
    console = Console(secured, certs)
    with socket.create_connection(("127.0.0.1", console.port), timeout=20) as s:
        assert s.recv(1) == b""  # closed by the broker after ssl.handshake.timeout.ms
    deadline = time.monotonic() + 10
    while "not finished in time" not in log_text(secured):
        assert time.monotonic() < deadline, "no log line for the unfinished handshake"
        time.sleep(0.05)
    # The console still answers.
    assert alice(console, "GET", "/api/v1/topics/pub")[0] == 200


def test_missing_or_wrong_credentials_get_401(secured, certs):
    console = Console(secured, certs)
    answers = [
        console.call("GET", "/api/v1/topics"),  # none
        console.call("GET", "/api/v1/topics", "alice", "wrong"),  # wrong password
        console.call("GET", "/api/v1/topics", "mallory", "alice-secret"),  # unknown user
        console.call("GET", "/api/v1/topics", authorization="Basic !!!"),  # not base64
    ]
    for status, body, headers, _ in answers:
        assert status == 401
        assert headers.get("WWW-Authenticate", "").startswith("Basic realm=")
    # No hint which part was wrong: the same answer for every case.
    assert len({raw for _, _, _, raw in answers}) == 1
    assert wait_for_lines(secured, "authentication failed")


def test_topic_access_follows_the_acls(secured, certs):
    console = Console(secured, certs)
    assert alice(console, "GET", "/api/v1/topics/pub")[0] == 200
    status, body, _, _ = bob(console, "GET", "/api/v1/topics/pub")
    assert status == 403
    assert error_code(body) == TOPIC_AUTHORIZATION_FAILED
    assert body["error"]["name"] == "TOPIC_AUTHORIZATION_FAILED"
    status, body, _, _ = alice(console, "GET", "/api/v1/topics/secret/partitions/0/messages")
    assert status == 403 and error_code(body) == TOPIC_AUTHORIZATION_FAILED
    # The denial's audit line: principal, operation, resource, client address.
    lines = wait_for_lines(secured, "audit:", "Principal = User:bob", ":pub ")
    assert lines, log_text(secured)[-3000:]
    assert "host = 127.0.0.1" in lines[0] and "operation = " in lines[0]


def test_listings_are_filtered(secured, certs):
    console = Console(secured, certs)
    status, body, _, _ = alice(console, "GET", "/api/v1/topics")
    assert status == 200
    assert sorted(t["name"] for t in body["topics"]) == ["doomed", "pub"]  # DELETE implies DESCRIBE
    status, body, _, _ = bob(console, "GET", "/api/v1/topics")
    assert status == 200 and body["topics"] == []
    status, body, _, _ = alice(console, "GET", "/api/v1/groups")
    assert status == 200
    assert [g["group_id"] for g in body["groups"]] == ["g-alice"]


def wait_for_lines(broker, *parts, timeout=10):
    """The log lines holding every part, once there are any (the log is written by another process)."""
    deadline = time.monotonic() + timeout
    while True:
        lines = [l for l in log_text(broker).splitlines() if all(p in l for p in parts)]
        if lines or time.monotonic() > deadline:
            return lines
        time.sleep(0.05)


def first_event(console, user, password, path):
    conn = http.client.HTTPSConnection("localhost", console.port, context=console.context, timeout=30)
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    conn.request("GET", path, headers={"Authorization": f"Basic {token}"})
    res = conn.getresponse()
    if res.status != 200:
        body = json.loads(res.read())
        conn.close()
        return res.status, body
    while True:
        line = res.readline().decode()
        assert line, "the stream ended before an event"
        if line.startswith("data: "):
            conn.close()
            return 200, json.loads(line[6:])


def test_live_figures_are_filtered(secured, certs):
    console = Console(secured, certs)
    status, event = first_event(console, "alice", "alice-secret", "/api/v1/events")
    assert status == 200
    assert set(t["name"] for t in event["topics"]) <= {"pub", "doomed"}
    assert "pub" in [t["name"] for t in event["topics"]]
    status, event = first_event(console, "bob", "bob-secret", "/api/v1/events")
    assert status == 200 and event["topics"] == []
    status, body = first_event(console, "bob", "bob-secret", "/api/v1/events?topic=pub")
    assert status == 403 and error_code(body) == TOPIC_AUTHORIZATION_FAILED


def test_group_access_follows_the_acls(secured, certs):
    console = Console(secured, certs)
    status, body, _, _ = alice(console, "GET", "/api/v1/groups/g-alice")
    assert status == 200, body
    # Its committed offsets only for topics alice may describe ("secret" is left out).
    assert sorted(o["topic"] for o in body["offsets"]) == ["pub"]
    status, body, _, _ = alice(console, "GET", "/api/v1/groups/g-other")
    assert status == 403 and error_code(body) == GROUP_AUTHORIZATION_FAILED


def test_produce_from_the_page_api(secured, certs):
    console = Console(secured, certs)
    status, body, _, _ = alice(console, "POST", "/api/v1/topics/pub/messages", {"key": "k", "value": "v"})
    assert status == 201, body
    status, body, _, _ = bob(console, "POST", "/api/v1/topics/pub/messages", {"key": "k", "value": "v"})
    assert status == 403 and error_code(body) == TOPIC_AUTHORIZATION_FAILED
    status, body, _, _ = alice(console, "POST", "/api/v1/topics/secret/messages", {"value": "v"})
    assert status == 403 and error_code(body) == TOPIC_AUTHORIZATION_FAILED


def test_delete_follows_the_acls(secured, certs):
    console = Console(secured, certs)
    status, body, _, _ = bob(console, "DELETE", "/api/v1/topics/doomed", {})
    assert status == 403 and error_code(body) == TOPIC_AUTHORIZATION_FAILED
    status, body, _, _ = alice(console, "DELETE", "/api/v1/topics/pub", {})
    assert status == 403 and error_code(body) == TOPIC_AUTHORIZATION_FAILED
    status, body, _, _ = alice(console, "DELETE", "/api/v1/topics/doomed", {})
    assert status == 200, body


def test_metrics_need_describe_on_the_cluster(secured, certs):
    console = Console(secured, certs)
    status, _, _, raw = bob(console, "GET", "/metrics")
    assert status == 200 and b"samsa_" in raw
    status, body, _, _ = alice(console, "GET", "/metrics")
    assert status == 403 and error_code(body) == CLUSTER_AUTHORIZATION_FAILED


def test_unmapped_route_is_refused(secured, certs):
    console = Console(secured, certs)
    # Served by the topics prefix route, but with no permission entry: refused
    # before any handler runs (without an authorizer it would be a 404).
    status, body, _, _ = alice(console, "GET", "/api/v1/topics/pub/partitions/0/unknown")
    assert status == 403 and error_code(body) == CLUSTER_AUTHORIZATION_FAILED
    assert "no permission is defined" in body["error"]["message"]


def test_client_certificate_principal(secured, certs):
    as_alice = Console(secured, certs, client_cert="alice")
    status, body, _, _ = as_alice.call("GET", "/api/v1/topics/pub")
    assert status == 200, body
    as_bob = Console(secured, certs, client_cert="bob")
    status, body, _, _ = as_bob.call("GET", "/api/v1/topics/pub")
    assert status == 403 and error_code(body) == TOPIC_AUTHORIZATION_FAILED


def test_jaas_plain_user(secured, certs):
    console = Console(secured, certs)
    status, body, _, _ = console.call("GET", "/api/v1/topics/pub", "carol", "carol-secret")
    assert status == 200, body
    assert console.call("GET", "/api/v1/topics/pub", "carol", "carol-wrong")[0] == 401


def test_without_an_authorizer_nothing_changes(broker_factory):
    broker = broker_factory({"http.listeners": "http://127.0.0.1:0"})
    conn = http.client.HTTPConnection("127.0.0.1", http_port(broker), timeout=10)
    conn.request("GET", "/api/v1/topics")
    res = conn.getresponse()
    assert res.status == 200
    assert "topics" in json.loads(res.read())


def test_page_requests_carry_the_callers_principal(secured, certs):
    """The Kafka request the page sends for alice is alice's: a user quota
    sees its bytes. (Last: the quota stays.)"""
    samsa(secured, "quota", "set", "--user", "alice", "--producer-byte-rate", "1000")
    console = Console(secured, certs)
    # 30 KB through the page, as alice: three times ten windows' worth of her quota...
    status, body, _, _ = alice(console, "POST", "/api/v1/topics/pub/messages", {"value": "x" * 30000})
    assert status == 201, body
    # ...so alice's next produce over Kafka (mTLS, User:alice) is throttled at once.
    throttles = []

    def on_stats(raw):
        for b in json.loads(raw).get("brokers", {}).values():
            if b.get("throttle", {}).get("max", 0) > 0:
                throttles.append(b["throttle"]["max"])

    with open(os.path.join(secured.work_dir, "port.MTLS")) as f:
        mtls_port = int(f.read().strip())
    p = Producer({"bootstrap.servers": f"127.0.0.1:{mtls_port}", "security.protocol": "SSL",
                  "ssl.ca.location": os.path.join(certs, "ca.pem"),
                  "ssl.certificate.location": os.path.join(certs, "alice.pem"),
                  "ssl.key.location": os.path.join(certs, "alice-key.pem"),
                  "statistics.interval.ms": 100, "stats_cb": on_stats})
    p.produce("pub", value=b"small")
    assert p.flush(20) == 0
    deadline = time.monotonic() + 10
    while not throttles and time.monotonic() < deadline:
        p.poll(0.1)
    assert throttles, "alice's Kafka produce was not throttled: the page's produce was not counted as hers"
