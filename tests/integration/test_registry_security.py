"""The Schema Registry's listener under an authorizer (issue 14): every
request authenticates (HTTP Basic against the SCRAM users, as the console's)
and is checked against the principal's Kafka ACLs (docs/schema-registry.md,
"Security"): a subject is checked as its topic under TopicNameStrategy,
listings are filtered, refusals are in Confluent's format (40101, 40301).
The embedded registry's own writes to `_schemas` are internal requests, so
they need no ACL (nobody here is granted anything on `_schemas` but dave's
READ). With an https listener the client certificate authenticates too."""

import json
import os
import struct
import subprocess
import uuid

import pytest
import requests
from confluent_kafka import Consumer, SerializingProducer
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from confluent_kafka.schema_registry.error import SchemaRegistryError
from confluent_kafka.schema_registry.json_schema import JSONSerializer
from confluent_kafka.serialization import StringSerializer

from registry_util import CT, registry_url
from samsa_harness import Broker, samsa_bin

AUTHORIZER = "org.apache.kafka.metadata.authorizer.StandardAuthorizer"
AVRO = json.dumps({"type": "record", "name": "Order", "fields": [{"name": "id", "type": "string"}]})
PAYMENT_JSON = {"title": "Order", "type": "object", "properties": {"id": {"type": "string"}}, "required": ["id"]}
USERS = ("alice", "bob", "carol", "dave", "admin", "erin")


def samsa(broker, *args, stdin=None):
    out = subprocess.run([samsa_bin(), *args, "--bootstrap", broker.bootstrap], input=stdin, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, (args, out.stdout, out.stderr)
    return out.stdout


def call(url, method, path, user=None, body=None, auth=None):
    if user is not None:
        auth = (user, f"{user}-secret")
    data = json.dumps(body) if body is not None else None
    r = requests.request(method, url + path, data=data, auth=auth, headers={"Content-Type": CT}, timeout=30)
    try:
        payload = r.json()
    except ValueError:
        payload = r.text
    return r.status_code, payload, r.headers


def client(url, user):
    return SchemaRegistryClient({"url": url, "basic.auth.user.info": f"{user}:{user}-secret"})


@pytest.fixture(scope="module")
def secured():
    broker = Broker({
        "listeners": "PLAINTEXT://127.0.0.1:0",
        "authorizer.class.name": AUTHORIZER,
        # The command-line tools and Kafka clients below speak PLAINTEXT (ANONYMOUS): they set the stage.
        # admin is the registry's super user over HTTP.
        "super.users": "User:ANONYMOUS;User:admin",
        "schema.registry.listeners": "http://127.0.0.1:0",
        "http.listeners": "none",
    }).start()
    for user in USERS:
        samsa(broker, "user", "create", user, "--password-stdin", stdin=f"{user}-secret\n")
    acl = ["acl", "create"]
    # alice produces to orders (WRITE implies DESCRIBE: she may read its subjects too).
    samsa(broker, *acl, "--allow-principal", "User:alice", "--operation", "Write", "--topic", "orders")
    # carol consumes payments.
    samsa(broker, *acl, "--allow-principal", "User:carol", "--operation", "Read", "--topic", "payments")
    # dave may read the registry's own topic: every subject is readable to him.
    samsa(broker, *acl, "--allow-principal", "User:dave", "--operation", "Read", "--topic", "_schemas")
    # bob has nothing.
    url = registry_url(broker)
    ids = {}
    for subject in ("payments-value", "secret-value"):
        status, body, _ = call(url, "POST", f"/subjects/{subject}/versions", "admin", {"schema": AVRO})
        assert status == 200, body
        ids[subject] = body["id"]
    yield broker, url, ids
    broker.stop()


def test_no_credentials_and_a_wrong_password_are_401(secured):
    broker, url, _ = secured
    for auth in (None, ("alice", "wrong"), ("nobody", "x")):
        status, body, headers = call(url, "GET", "/subjects", auth=auth)
        assert status == 401, (auth, body)
        assert body["error_code"] == 40101
        assert headers["WWW-Authenticate"].startswith("Basic")
    # The client says the same.
    with pytest.raises(SchemaRegistryError) as e:
        SchemaRegistryClient({"url": url, "basic.auth.user.info": "alice:wrong"}).get_subjects()
    assert e.value.http_status_code == 401 and e.value.error_code == 40101


def test_a_principal_without_acls_is_refused_with_40301(secured):
    broker, url, ids = secured
    for method, path, body in [("GET", "/subjects/payments-value/versions", None),
                               ("GET", "/subjects/payments-value/versions/latest", None),
                               ("POST", "/subjects/payments-value/versions", {"schema": AVRO}),
                               ("POST", "/subjects/payments-value", {"schema": AVRO}),
                               ("DELETE", "/subjects/payments-value", None),
                               ("GET", f"/schemas/ids/{ids['payments-value']}", None),
                               ("PUT", "/config", {"compatibility": "NONE"}),
                               ("GET", "/mode", None)]:
        status, answer, _ = call(url, method, path, "bob", body)
        assert status == 403, (method, path, answer)
        assert answer["error_code"] == 40301, answer
    # A route the table does not know is refused, not passed through.
    status, answer, _ = call(url, "GET", "/exporters", "bob")
    assert status == 403 and answer["error_code"] == 40301
    # Nothing changed, and the denial was audited.
    status, answer, _ = call(url, "GET", "/subjects/payments-value/versions", "admin")
    assert status == 200 and answer == [1]
    assert "User:bob is Denied operation = DESCRIBE" in broker.log_tail(400)
    # bob may still use what needs no ACL, and his listing is empty, not refused.
    assert call(url, "GET", "/schemas/types", "bob")[0] == 200
    assert call(url, "GET", "/subjects", "bob")[:2] == (200, [])


def test_the_right_acl_allows_and_listings_are_filtered(secured):
    broker, url, ids = secured
    # carol (READ on payments): the payments subjects only.
    assert call(url, "GET", "/subjects", "carol")[:2] == (200, ["payments-value"])
    status, answer, _ = call(url, "GET", "/subjects/payments-value/versions/1", "carol")
    assert status == 200 and answer["id"] == ids["payments-value"]
    assert call(url, "GET", f"/schemas/ids/{ids['payments-value']}", "carol")[0] == 200
    assert call(url, "GET", "/subjects/secret-value/versions", "carol")[0] == 403
    # The id both subjects share (same schema): readable through payments-value,
    # and its subject list shows only what carol may see.
    assert ids["payments-value"] == ids["secret-value"]
    status, answer, _ = call(url, "GET", f"/schemas/ids/{ids['payments-value']}/subjects", "carol")
    assert status == 200 and answer == ["payments-value"]
    # Reading is not writing: carol may not register or delete.
    assert call(url, "POST", "/subjects/payments-value/versions", "carol", {"schema": AVRO})[0] == 403
    assert call(url, "DELETE", "/subjects/payments-value", "carol")[0] == 403
    # dave (READ on _schemas): every subject, but no change.
    status, answer, _ = call(url, "GET", "/subjects", "dave")
    assert status == 200 and {"payments-value", "secret-value"} <= set(answer)
    assert call(url, "GET", "/subjects/secret-value/versions", "dave")[0] == 200
    assert call(url, "GET", "/config", "dave")[0] == 200
    assert call(url, "PUT", "/config", "dave", {"compatibility": "NONE"})[0] == 403
    # Global settings: the cluster's ALTER_CONFIGS (admin is a super user).
    assert call(url, "PUT", "/config", "admin", {"compatibility": "BACKWARD"})[0] == 200


def test_a_serializer_round_trip_with_credentials(secured):
    broker, url, _ = secured
    alice = client(url, "alice")
    serializer = JSONSerializer(json.dumps(PAYMENT_JSON), alice, lambda obj, ctx: obj)
    p = SerializingProducer({"bootstrap.servers": broker.bootstrap, "key.serializer": StringSerializer("utf_8"),
                             "value.serializer": serializer})
    for i in range(3):
        p.produce("orders", key=str(i), value={"id": f"o{i}"})
    assert p.flush(30) == 0
    # Registered as orders-value by alice (WRITE on orders), written to _schemas by the registry itself.
    latest = alice.get_latest_version("orders-value")
    assert latest.version == 1
    c = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": f"g-{uuid.uuid4().hex[:8]}",
                  "auto.offset.reset": "earliest"})
    c.subscribe(["orders"])
    values = []
    while len(values) < 3:
        m = c.poll(10)
        assert m is not None, "no record"
        if not m.error():
            values.append(m.value())
    c.close()
    for v in values:
        assert v[0] == 0 and struct.unpack(">I", v[1:5])[0] == latest.schema_id
        # A reader with the right ACL gets the writer's schema by id.
        assert json.loads(alice.get_schema(latest.schema_id).schema_str) == PAYMENT_JSON
    # alice sees her subject and not the others; carol does not see hers.
    assert alice.get_subjects() == ["orders-value"]
    with pytest.raises(SchemaRegistryError) as e:
        client(url, "carol").get_schema(latest.schema_id)
    assert e.value.http_status_code == 403 and e.value.error_code == 40301
    with pytest.raises(SchemaRegistryError) as e:
        client(url, "bob").register_schema("orders-value", Schema(AVRO, "AVRO"))
    assert e.value.http_status_code == 403


def test_a_remembered_password_stops_counting_when_the_credentials_change(secured):
    """Verified passwords are cached (no PBKDF2 per request); a new password or
    a deleted user must end that at once."""
    broker, url, _ = secured
    samsa(broker, "acl", "create", "--allow-principal", "User:erin", "--operation", "Read", "--topic", "payments")
    for _ in range(3):
        assert call(url, "GET", "/subjects", "erin")[:2] == (200, ["payments-value"])
    samsa(broker, "user", "create", "erin", "--password-stdin", stdin="erin-new\n")
    assert call(url, "GET", "/subjects", auth=("erin", "erin-secret"))[0] == 401
    assert call(url, "GET", "/subjects", auth=("erin", "erin-new"))[0] == 200
    samsa(broker, "user", "delete", "erin")
    assert call(url, "GET", "/subjects", auth=("erin", "erin-new"))[0] == 401


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    d = str(tmp_path_factory.mktemp("certs"))
    out = subprocess.run([samsa_bin(), "certs", "create", "--dir", d, "--client", "carol"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return d


def test_https_with_a_client_certificate(certs):
    broker = Broker({
        "listeners": "PLAINTEXT://127.0.0.1:0",
        "authorizer.class.name": AUTHORIZER,
        "super.users": "User:ANONYMOUS",
        "http.listeners": "none",
        "schema.registry.listeners": "https://127.0.0.1:0",
        "ssl.keystore.type": "PEM",
        "ssl.keystore.location": os.path.join(certs, "broker.pem"),
        "ssl.truststore.location": os.path.join(certs, "ca.pem"),
        "listener.name.registry.ssl.client.auth": "requested",
        "listener.name.registry.ssl.principal.mapping.rules": "RULE:^CN=([^,]*),O=Samsa clients$/$1/",
    }).start()
    try:
        samsa(broker, "acl", "create", "--allow-principal", "User:carol", "--operation", "Write", "--topic",
              "payments")
        url = registry_url(broker).replace("http://127.0.0.1", "https://localhost")
        ca = os.path.join(certs, "ca.pem")
        cert = (os.path.join(certs, "carol.pem"), os.path.join(certs, "carol-key.pem"))
        r = requests.post(url + "/subjects/payments-value/versions", data=json.dumps({"schema": AVRO}),
                          headers={"Content-Type": CT}, verify=ca, cert=cert, timeout=30)
        assert r.status_code == 200, r.text
        r = requests.get(url + "/subjects", verify=ca, cert=cert, timeout=30)
        assert r.status_code == 200 and r.json() == ["payments-value"]
        # No certificate, no password: 401.
        r = requests.get(url + "/subjects", verify=ca, timeout=30)
        assert r.status_code == 401 and r.json()["error_code"] == 40101
    finally:
        broker.stop()


def test_command_line_tools_take_credentials_in_the_registry_url(secured):
    """`samsa schema` (and every tool with --registry) sends the URL's
    USER:PASSWORD as HTTP Basic, percent-decoded, so the tools work against a
    registry that requires credentials; a password is never echoed in an
    error."""
    broker, url, ids = secured

    def schema(registry, *args):
        return subprocess.run([samsa_bin(), "schema", *args, "--registry", registry, "--output", "json"],
                              capture_output=True, text=True, timeout=60)

    host = url.removeprefix("http://")
    out = schema(url, "get", "--id", str(ids["payments-value"]))
    assert out.returncode != 0 and "401" in out.stdout + out.stderr, (out.stdout, out.stderr)
    out = schema(f"http://carol:carol-secret@{host}", "get", "--id", str(ids["payments-value"]))
    assert out.returncode == 0, (out.stdout, out.stderr)
    assert "Order" in out.stdout
    # The password percent-encoded: "%2D" is '-'.
    out = schema(f"http://carol:carol%2Dsecret@{host}", "list")
    assert out.returncode == 0 and json.loads(out.stdout) == ["payments-value"], (out.stdout, out.stderr)
    # The right user without the ACL is refused as a direct request would be.
    out = schema(f"http://bob:bob-secret@{host}", "get", "--id", str(ids["payments-value"]))
    assert out.returncode != 0 and "40301" in out.stdout + out.stderr, (out.stdout, out.stderr)
    # A wrong password is 401; an unreachable registry's error hides the password.
    out = schema(f"http://carol:wrong-one@{host}", "list")
    assert out.returncode != 0 and "wrong-one" not in out.stdout + out.stderr
    out = schema("http://carol:hidden-pw@127.0.0.1:1", "list")
    assert out.returncode != 0 and "hidden-pw" not in out.stdout + out.stderr, out.stderr
    assert "carol:***@" in out.stderr, out.stderr
