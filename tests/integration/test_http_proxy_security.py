"""The REST proxy under an authorizer: every request authenticates (HTTP
Basic against the metadata log's SCRAM users, as the console does) and is
judged with the same ACLs as that principal's Kafka requests: producing
needs WRITE on the topic, consumer instances READ on their group and on each
topic, listings show what the principal may DESCRIBE. Refusals use
Confluent's error body."""

import base64
import json
import struct
import subprocess

import pytest
import requests
from confluent_kafka import Consumer, Producer

from proxy_util import AVRO, BINARY, JSON, V2, curl, proxy_url, wait_until
from registry_util import registry_url
from samsa_harness import Broker, samsa_bin

AUTHORIZER = "org.apache.kafka.metadata.authorizer.StandardAuthorizer"


def samsa(broker, *args, stdin=None):
    out = subprocess.run([samsa_bin(), *args, "--bootstrap", broker.bootstrap], input=stdin, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, (args, out.stdout, out.stderr)
    return out.stdout


def start_secured(extra=None):
    """A broker with an authorizer, its proxy and registry; users alice and
    root; topics pub, secret and shop; alice may use pub, shop and g-alice."""
    broker = Broker({
        "authorizer.class.name": AUTHORIZER,
        # The command-line tools below set the stage over PLAINTEXT; root does over HTTP.
        "super.users": "User:ANONYMOUS;User:root",
        "http.proxy.listeners": "http://127.0.0.1:0",
        "schema.registry.listeners": "http://127.0.0.1:0",
        "group.initial.rebalance.delay.ms": "0",
        "connection.failed.authentication.delay.ms": "0",
        **(extra or {}),
    }).start()
    samsa(broker, "user", "create", "alice", "--password-stdin", stdin="alice-secret\n")
    samsa(broker, "user", "create", "root", "--password-stdin", stdin="root-secret\n")
    for topic in ("pub", "secret", "shop"):
        samsa(broker, "topic", "create", topic, "-p", "1")
    acl = ["acl", "create", "--allow-principal", "User:alice"]
    samsa(broker, *acl, "--operation", "Read", "--operation", "Write", "--topic", "pub")
    samsa(broker, *acl, "--operation", "Read", "--operation", "Write", "--topic", "shop")
    samsa(broker, *acl, "--operation", "Read", "--group", "g-alice")
    return broker


@pytest.fixture(scope="module")
def secured():
    broker = start_secured()
    yield broker, proxy_url(broker)
    broker.close()


ALICE = ("alice", "alice-secret")
ROOT = ("root", "root-secret")


def register_hidden_schema(broker):
    """Root registers a schema only the secret topic's subject uses (alice may
    not read it); returns its id."""
    hidden = json.dumps({"type": "record", "name": "Hidden", "fields": [{"name": "k", "type": "long"}]})
    r = requests.post(f"{registry_url(broker)}/subjects/secret-value/versions", json={"schema": hidden},
                      headers={"Content-Type": "application/vnd.schemaregistry.v1+json"}, auth=ROOT, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()["id"]


def test_no_or_wrong_credentials_are_401(secured):
    _, url = secured
    r = requests.get(f"{url}/topics", timeout=30)
    assert r.status_code == 401 and r.json()["error_code"] == 40101 and "WWW-Authenticate" in r.headers
    r = requests.get(f"{url}/topics", auth=("alice", "wrong"), timeout=30)
    assert r.status_code == 401 and r.json()["error_code"] == 40101


def test_produce_needs_write_and_listings_are_filtered(secured):
    broker, url = secured
    body = {"records": [{"value": base64.b64encode(b"hello").decode()}]}
    status, answer = curl("POST", f"{url}/topics/pub", body, BINARY, user="alice:alice-secret")
    assert status == 200 and answer["offsets"][0]["error_code"] is None, answer
    status, answer = curl("POST", f"{url}/topics/secret", body, BINARY, user="alice:alice-secret")
    assert status == 403 and answer["error_code"] == 40301 and "secret" in answer["message"]
    assert sorted(requests.get(f"{url}/topics", auth=ALICE, timeout=30).json()) == ["pub", "shop"]
    assert requests.get(f"{url}/topics/secret", auth=ALICE, timeout=30).status_code == 403
    # The refused record is not in the topic; the allowed one is.
    c = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": "check", "auto.offset.reset": "earliest"})
    from confluent_kafka import TopicPartition
    assert c.get_watermark_offsets(TopicPartition("secret", 0), 10)[1] == 0
    assert c.get_watermark_offsets(TopicPartition("pub", 0), 10)[1] >= 1
    c.close()


def test_streamed_v3_produce_is_authenticated_and_needs_write(secured):
    """The streamed v3 produce is guarded before its body is read, like
    every route: 401 without credentials, 403 without WRITE on the topic,
    and nothing of a refused stream is stored."""
    broker, url = secured
    cid = requests.get(f"{url}/v3/clusters", auth=ALICE, timeout=30).json()["data"][0]["cluster_id"]

    def stream(topic, auth):
        body = (json.dumps({"value": {"type": "STRING", "data": f"s{i}"}}).encode() for i in range(50))
        return requests.post(f"{url}/v3/clusters/{cid}/topics/{topic}/records", data=body,
                             headers={"Content-Type": "application/json"}, auth=auth, timeout=30)

    from confluent_kafka import TopicPartition
    c = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": "check-v3", "auto.offset.reset": "earliest"})
    before = c.get_watermark_offsets(TopicPartition("pub", 0), 10)[1]
    r = stream("pub", None)
    assert r.status_code == 401 and r.json()["error_code"] == 40101 and "WWW-Authenticate" in r.headers
    r = stream("pub", ("alice", "wrong"))
    assert r.status_code == 401
    r = stream("secret", ALICE)
    assert r.status_code == 403 and r.json()["error_code"] == 40301 and "secret" in r.json()["message"]
    r = stream("pub", ALICE)
    assert r.status_code == 200
    answers = [json.loads(line) for line in r.text.splitlines() if line]
    assert len(answers) == 50 and all(a["error_code"] == 200 for a in answers)
    assert c.get_watermark_offsets(TopicPartition("secret", 0), 10)[1] == 0
    assert c.get_watermark_offsets(TopicPartition("pub", 0), 10)[1] == before + 50
    c.close()


def alice_instance(url, name, fmt, topic):
    """A consumer instance of alice's in g-alice, and the answer to subscribing it to `topic`."""
    r = requests.post(f"{url}/consumers/g-alice", json={"name": name, "format": fmt, "auto.offset.reset": "earliest"},
                      headers={"Content-Type": V2}, auth=ALICE, timeout=30)
    assert r.status_code == 200, r.text
    base = r.json()["base_uri"]
    return base, requests.post(f"{base}/subscription", json={"topics": [topic]}, headers={"Content-Type": V2},
                               auth=ALICE, timeout=30)


def test_consumers_need_read_on_group_and_topic(secured):
    _, url = secured
    r = requests.post(f"{url}/consumers/g-other", json={"name": "x"}, headers={"Content-Type": V2}, auth=ALICE,
                      timeout=30)
    assert r.status_code == 403 and r.json()["error_code"] == 40301
    base, r = alice_instance(url, "a", "binary", "secret")
    assert r.status_code == 403 and r.json()["error_code"] == 40301
    assert curl("POST", f"{url}/topics/pub", {"records": [{"value": "cGluZw=="}]}, BINARY,
                user="alice:alice-secret")[0] == 200
    r = requests.post(f"{base}/subscription", json={"topics": ["pub"]}, headers={"Content-Type": V2}, auth=ALICE,
                      timeout=30)
    assert r.status_code == 204
    got = []
    wait_until(lambda: got.extend(requests.get(f"{base}/records", params={"timeout": 500}, headers={"Accept": BINARY},
                                               auth=ALICE, timeout=30).json()) or got, "records as alice")
    assert all(rec["topic"] == "pub" for rec in got)
    # Committing for a topic alice may not read is refused as the Kafka request is: 403.
    r = requests.post(f"{base}/offsets", json={"offsets": [{"topic": "secret", "partition": 0, "offset": 0}]},
                      headers={"Content-Type": V2}, auth=ALICE, timeout=30)
    assert r.status_code == 403 and r.json()["error_code"] == 40301 and "TOPIC_AUTHORIZATION" in r.json()["message"], r.text
    # Another principal (the anonymous super user has no password here) cannot use alice's instance.
    assert requests.delete(base, auth=ALICE, timeout=30).status_code == 204


def test_schema_formats_pass_the_callers_credentials_to_the_embedded_registry(secured):
    """Avro through the proxy under an authorizer: the proxy asks the
    broker's own registry with the caller's credentials, so the registry
    judges the caller as the proxy did. Alice may register shop's value schema
    and produce with it (WRITE on shop), and consume it back decoded; a schema
    id only a topic she cannot see uses is refused 403 / 40301, not a
    registry failure, and nothing is written."""
    broker, url = secured
    schema = json.dumps({"type": "record", "name": "Pay", "fields": [{"name": "who", "type": "string"}]})
    body = {"value_schema": schema, "records": [{"value": {"who": "alice"}}]}
    r = requests.post(f"{url}/topics/shop", json=body, headers={"Content-Type": AVRO}, auth=ALICE, timeout=30)
    assert r.status_code == 200, r.text
    sid = r.json()["value_schema_id"]
    assert isinstance(sid, int) and r.json()["offsets"][0]["error_code"] is None
    # The registry recorded it under shop's subject, as alice.
    registry = registry_url(broker)
    r = requests.get(f"{registry}/subjects/shop-value/versions/latest", auth=ALICE, timeout=30)
    assert r.status_code == 200 and r.json()["id"] == sid

    # A schema only the secret topic uses: root registers it, alice may not read it.
    hidden_id = register_hidden_schema(broker)
    from confluent_kafka import TopicPartition
    c = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": "check-avro", "auto.offset.reset": "earliest"})
    before = c.get_watermark_offsets(TopicPartition("shop", 0), 10)[1]
    r = requests.post(f"{url}/topics/shop", json={"value_schema_id": hidden_id, "records": [{"value": {"k": 1}}]},
                      headers={"Content-Type": AVRO}, auth=ALICE, timeout=30)
    assert r.status_code == 403 and r.json()["error_code"] == 40301, r.text
    assert "registry" in r.json()["message"]
    assert c.get_watermark_offsets(TopicPartition("shop", 0), 10)[1] == before
    # The streamed v3 produce encodes with the caller's credentials too.
    cid = requests.get(f"{url}/v3/clusters", auth=ALICE, timeout=30).json()["data"][0]["cluster_id"]
    v3 = f"{url}/v3/clusters/{cid}/topics/shop/records"
    r = requests.post(v3, json={"value": {"schema_id": hidden_id, "data": {"k": 1}}}, auth=ALICE, timeout=30)
    assert r.status_code == 200 and r.json()["error_code"] == 403, r.text
    r = requests.post(v3, json={"value": {"schema_id": sid, "data": {"who": "alice"}}}, auth=ALICE, timeout=30)
    assert r.status_code == 200 and r.json()["error_code"] == 200, r.text
    assert c.get_watermark_offsets(TopicPartition("shop", 0), 10)[1] == before + 1
    c.close()

    # A record in shop that uses the hidden id (the anonymous super user
    # writes it): alice's reads may not decode it.
    p = Producer({"bootstrap.servers": broker.bootstrap})
    p.produce("shop", b"\x00" + struct.pack(">i", hidden_id) + b"\x02")
    assert p.flush(30) == 0

    # Read back through an Avro consumer instance: decoded with alice's credentials.
    base, r = alice_instance(url, "avro", "avro", "shop")
    assert r.status_code == 204
    decoded = []

    def some_avro():
        got = requests.get(f"{base}/records", params={"timeout": 500}, headers={"Accept": AVRO}, auth=ALICE, timeout=30)
        assert got.status_code == 200, got.text
        decoded.extend(rec["value"] for rec in got.json())
        return decoded
    wait_until(lambda: some_avro() and len(decoded) >= 2, "the Avro records decoded as alice")
    assert decoded == [{"who": "alice"}, {"who": "alice"}]
    # The next record's schema is refused to alice: 403 / 40301 (not a Kafka
    # error), and the read stays at it.
    for _ in range(2):
        got = requests.get(f"{base}/records", params={"timeout": 500}, headers={"Accept": AVRO}, auth=ALICE, timeout=30)
        assert got.status_code == 403 and got.json()["error_code"] == 40301, got.text
        assert "registry" in got.json()["message"] and "shop-0 offset 2" in got.json()["message"]
    assert requests.delete(base, auth=ALICE, timeout=30).status_code == 204


@pytest.mark.parametrize("user_info, status", [("root:root-secret", 200), ("root:wrong", 403)])
def test_configured_registry_credentials_are_sent_for_every_caller(user_info, status):
    """With schema.registry.basic.auth.user.info the proxy asks the registry
    as that user, whoever calls it (Confluent's setting): as root, alice may
    produce with a schema id only the secret topic's subject uses (the proxy
    still checks her WRITE on shop); with a wrong password every schema
    request is refused 403 / 40301 and nothing is stored."""
    broker = start_secured({"schema.registry.basic.auth.user.info": user_info})
    try:
        url = proxy_url(broker)
        hidden_id = register_hidden_schema(broker)
        from confluent_kafka import TopicPartition
        c = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": "check-fixed", "auto.offset.reset": "earliest"})
        r = requests.post(f"{url}/topics/shop", json={"value_schema_id": hidden_id, "records": [{"value": {"k": 1}}]},
                          headers={"Content-Type": AVRO}, auth=ALICE, timeout=30)
        assert r.status_code == status, r.text
        if status == 403:
            assert r.json()["error_code"] == 40301 and "registry" in r.json()["message"]
        assert c.get_watermark_offsets(TopicPartition("shop", 0), 10)[1] == (1 if status == 200 else 0)
        # The proxy's own check stands: alice still may not write to secret.
        r = requests.post(f"{url}/topics/secret", json={"value_schema_id": hidden_id, "records": [{"value": {"k": 1}}]},
                          headers={"Content-Type": AVRO}, auth=ALICE, timeout=30)
        assert r.status_code == 403 and "secret" in r.json()["message"], r.text
        c.close()
    finally:
        broker.close()
