"""The Schema Registry inside `samsa serve` with Confluent's own Python
clients (Debian's python3-confluent-kafka 1.7.0): SchemaRegistryClient, the
JSON Schema and Protobuf serializers and the legacy Avro producer/consumer
(python3-avro; Debian has no fastavro for the newer AvroSerializer), records
produced and consumed through the broker in Confluent's wire format; Avro
values as JSON (the spec's encoding) between `samsa produce/consume` and the
legacy Avro clients; and the registry's state surviving a SIGKILL of the
broker."""

import json
import math
import os
import struct
import subprocess
import uuid

import pytest
from confluent_kafka import DeserializingConsumer, SerializingProducer
from confluent_kafka.admin import AdminClient, ConfigResource
from confluent_kafka.schema_registry import Schema, SchemaReference, SchemaRegistryClient
from confluent_kafka.schema_registry.error import SchemaRegistryError
from confluent_kafka.schema_registry.json_schema import JSONDeserializer, JSONSerializer
from confluent_kafka.schema_registry.protobuf import ProtobufDeserializer, ProtobufSerializer
from confluent_kafka.serialization import StringDeserializer, StringSerializer

from registry_util import REGISTRY, registry_url
from samsa_harness import samsa_bin

PAYMENT_JSON = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "title": "Payment",
    "type": "object",
    "properties": {"id": {"type": "string"}, "amount": {"type": "number"}},
    "required": ["id", "amount"],
    "additionalProperties": False,
}


def consume_all(bootstrap, topic, value_deserializer, count, timeout=30):
    c = DeserializingConsumer({
        "bootstrap.servers": bootstrap, "group.id": f"g-{uuid.uuid4().hex[:8]}",
        "auto.offset.reset": "earliest", "key.deserializer": StringDeserializer("utf_8"),
        "value.deserializer": value_deserializer})
    c.subscribe([topic])
    out = []
    import time
    deadline = time.monotonic() + timeout
    while len(out) < count and time.monotonic() < deadline:
        m = c.poll(0.5)
        if m is None or m.error():
            continue
        out.append(m)
    c.close()
    return out


def raw_values(bootstrap, topic, count):
    from confluent_kafka import Consumer
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": f"raw-{uuid.uuid4().hex[:8]}",
                  "auto.offset.reset": "earliest"})
    c.subscribe([topic])
    out = []
    import time
    deadline = time.monotonic() + 30
    while len(out) < count and time.monotonic() < deadline:
        m = c.poll(0.5)
        if m is not None and not m.error():
            out.append(m.value())
    c.close()
    return out


@pytest.fixture
def setup(broker_factory):
    b = broker_factory(REGISTRY)
    url = registry_url(b)
    return b, url, SchemaRegistryClient({"url": url})


def test_json_serializer_round_trip_and_wire_format(setup, name):
    broker, url, client = setup
    topic = name("payments")
    ser = JSONSerializer(json.dumps(PAYMENT_JSON), client, lambda obj, ctx: obj)
    p = SerializingProducer({"bootstrap.servers": broker.bootstrap, "key.serializer": StringSerializer("utf_8"),
                             "value.serializer": ser})
    sent = [{"id": f"p{i}", "amount": i * 1.5} for i in range(5)]
    for v in sent:
        p.produce(topic, key=v["id"], value=v)
    assert p.flush(30) == 0
    # The serializer registered the schema under TopicNameStrategy.
    latest = client.get_latest_version(f"{topic}-value")
    assert latest.schema.schema_type == "JSON" and latest.version == 1
    # Confluent's wire format: magic 0, the 4-byte big-endian id, the JSON.
    raw = raw_values(broker.bootstrap, topic, 5)
    assert len(raw) == 5
    for value in raw:
        assert value[0] == 0 and struct.unpack(">I", value[1:5])[0] == latest.schema_id
    got = consume_all(broker.bootstrap, topic, JSONDeserializer(json.dumps(PAYMENT_JSON)), 5)
    assert sorted(m.value()["id"] for m in got) == [v["id"] for v in sent]
    # A value that breaks the schema is refused by the client before it leaves.
    with pytest.raises(Exception):
        p.produce(topic, key="x", value={"id": "x"})


def build_payment_class():
    from google.protobuf import descriptor_pb2, descriptor_pool, message_factory, timestamp_pb2
    F = descriptor_pb2.FieldDescriptorProto
    fdp = descriptor_pb2.FileDescriptorProto(name="payment.proto", package="shop", syntax="proto3")
    fdp.dependency.append("google/protobuf/timestamp.proto")
    m = fdp.message_type.add(name="Payment")
    m.field.add(name="id", number=1, type=F.TYPE_STRING, label=F.LABEL_OPTIONAL)
    m.field.add(name="amount", number=2, type=F.TYPE_DOUBLE, label=F.LABEL_OPTIONAL)
    m.field.add(name="at", number=3, type=F.TYPE_MESSAGE, label=F.LABEL_OPTIONAL, type_name=".google.protobuf.Timestamp")
    pool = descriptor_pool.DescriptorPool()
    pool.AddSerializedFile(timestamp_pb2.DESCRIPTOR.serialized_pb)
    pool.AddSerializedFile(fdp.SerializeToString())
    return message_factory.MessageFactory(pool).GetPrototype(pool.FindMessageTypeByName("shop.Payment"))


def test_protobuf_serializer_with_a_reference_round_trip(setup, name):
    broker, url, client = setup
    Payment = build_payment_class()
    topic = name("pb")
    p = SerializingProducer({"bootstrap.servers": broker.bootstrap, "key.serializer": StringSerializer("utf_8"),
                             "value.serializer": ProtobufSerializer(Payment, client)})
    for i in range(3):
        msg = Payment(id=f"p{i}", amount=i + 0.25)
        msg.at.seconds = 1700000000 + i
        p.produce(topic, key=msg.id, value=msg)
    assert p.flush(30) == 0
    # The import was registered as its own subject (its name has slashes) and referenced.
    assert "google/protobuf/timestamp.proto" in client.get_subjects()
    latest = client.get_latest_version(f"{topic}-value")
    assert latest.schema.schema_type == "PROTOBUF"
    assert [r["name"] for r in latest.schema.references] == ["google/protobuf/timestamp.proto"]
    assert "message Payment" in latest.schema.schema_str  # stored as .proto text, not base64
    got = consume_all(broker.bootstrap, topic, ProtobufDeserializer(Payment), 3)
    assert sorted((m.value().id, m.value().at.seconds) for m in got) == [
        ("p0", 1700000000), ("p1", 1700000001), ("p2", 1700000002)]
    # An incompatible evolution through the client: 409.
    changed = latest.schema.schema_str.replace("double amount", "string amount")
    assert changed != latest.schema.schema_str
    with pytest.raises(SchemaRegistryError) as e:
        refs = [SchemaReference(r["name"], r["subject"], r["version"]) for r in latest.schema.references]
        client.register_schema(f"{topic}-value", Schema(changed, "PROTOBUF", refs))
    assert e.value.http_status_code == 409 and e.value.error_code == 409


def test_legacy_avro_producer_and_consumer(setup, name):
    from confluent_kafka import avro
    from confluent_kafka.avro import AvroConsumer, AvroProducer
    broker, url, client = setup
    topic = name("avro")
    v1 = avro.loads(json.dumps({"type": "record", "name": "Payment", "namespace": "shop",
                                "fields": [{"name": "id", "type": "string"}, {"name": "amount", "type": "double"}]}))
    p = AvroProducer({"bootstrap.servers": broker.bootstrap, "schema.registry.url": url}, default_value_schema=v1)
    for i in range(3):
        p.produce(topic=topic, value={"id": f"a{i}", "amount": float(i)})
    assert p.flush(30) == 0
    c = AvroConsumer({"bootstrap.servers": broker.bootstrap, "group.id": f"g-{uuid.uuid4().hex[:8]}",
                      "auto.offset.reset": "earliest", "schema.registry.url": url})
    c.subscribe([topic])
    got = []
    import time
    deadline = time.monotonic() + 30
    while len(got) < 3 and time.monotonic() < deadline:
        m = c.poll(0.5)
        if m is not None and not m.error():
            got.append(m.value())
    c.close()
    assert sorted(v["id"] for v in got) == ["a0", "a1", "a2"]
    # Evolution through the client: a field with a default is fine, one without is 409.
    subject = f"{topic}-value"
    good = json.dumps({"type": "record", "name": "Payment", "namespace": "shop",
                       "fields": [{"name": "id", "type": "string"}, {"name": "amount", "type": "double"},
                                  {"name": "currency", "type": "string", "default": "EUR"}]})
    # A new field without a default: old data cannot be read with it.
    bad = json.dumps({"type": "record", "name": "Payment", "namespace": "shop",
                      "fields": [{"name": "id", "type": "string"}, {"name": "amount", "type": "double"},
                                 {"name": "country", "type": "string"}]})
    assert client.test_compatibility(subject, Schema(good, "AVRO")) is True
    assert client.test_compatibility(subject, Schema(bad, "AVRO")) is False
    assert client.register_schema(subject, Schema(good, "AVRO")) > 0
    with pytest.raises(SchemaRegistryError) as e:
        client.register_schema(subject, Schema(bad, "AVRO"))
    assert e.value.http_status_code == 409
    assert client.get_versions(subject) == [1, 2]
    client.set_compatibility(subject, "NONE")
    assert client.get_compatibility(subject) == "NONE"
    assert client.register_schema(subject, Schema(bad, "AVRO")) > 0
    # Deletes through the client.
    assert client.delete_version(subject, 3) == 3
    assert client.get_versions(subject) == [1, 2]
    # (1.7.0's delete_subject(permanent=True) soft-deletes, then deletes for good.)
    assert client.delete_subject(subject, permanent=True) == [1, 2]
    assert subject not in client.get_subjects()
    with pytest.raises(SchemaRegistryError) as e:
        client.get_versions(subject)
    assert e.value.error_code == 40401


# Unions of every kind (null, primitives, a named record in another
# namespace, inside an array and a map), bytes, fixed, NaN: the Avro JSON
# encoding's corner cases.
ORDER_AVRO = {"type": "record", "name": "Order", "namespace": "com.acme", "fields": [
    {"name": "id", "type": "string"},
    {"name": "note", "type": ["null", "string"], "default": None},
    {"name": "amount", "type": ["null", "int", "long"]},
    {"name": "ratio", "type": "double"},
    {"name": "raw", "type": "bytes"},
    {"name": "digest", "type": {"type": "fixed", "name": "Digest", "size": 2}},
    {"name": "customer", "type": ["null", {"type": "record", "name": "Customer", "namespace": "com.acme.people",
                                           "fields": [{"name": "name", "type": "string"},
                                                      {"name": "vip", "type": ["boolean", "null"]}]}]},
    {"name": "status", "type": {"type": "enum", "name": "Status", "symbols": ["NEW", "PAID"]}},
    {"name": "tags", "type": {"type": "array", "items": ["null", "string"]}},
    {"name": "attrs", "type": {"type": "map", "values": ["long", "string"]}}]}


def samsa(*args, input=None):
    p = subprocess.run([samsa_bin(), *args], input=input, capture_output=True, text=True, timeout=120,
                       env=dict(os.environ, NO_COLOR="1"))
    return p


def avro_consume(bootstrap, url, topic, count):
    from confluent_kafka.avro import AvroConsumer
    c = AvroConsumer({"bootstrap.servers": bootstrap, "group.id": f"g-{uuid.uuid4().hex[:8]}",
                      "auto.offset.reset": "earliest", "schema.registry.url": url})
    c.subscribe([topic])
    got = []
    import time
    deadline = time.monotonic() + 30
    while len(got) < count and time.monotonic() < deadline:
        m = c.poll(0.5)
        if m is not None and not m.error():
            got.append(m.value())
    c.close()
    return got


def test_avro_json_encoding_between_samsa_and_the_legacy_avro_clients(setup, name):
    from confluent_kafka import avro
    from confluent_kafka.avro import AvroProducer
    broker, url, client = setup
    # python3-avro writes these; `samsa consume --decode` must print them in
    # the Avro specification's JSON encoding (python3-avro has no JSON
    # encoder of its own): unions wrapped by branch, named types by full
    # name, null bare, bytes and fixed as code points U+0000..U+00FF, NaN as
    # a string, fields in the schema's order.
    topic = name("orders")
    p = AvroProducer({"bootstrap.servers": broker.bootstrap, "schema.registry.url": url},
                     default_value_schema=avro.loads(json.dumps(ORDER_AVRO)))
    p.produce(topic=topic, value={"id": "o1", "note": "gift", "amount": 5, "ratio": float("nan"),
                                  "raw": b"\x00\xe9\xff", "digest": b"\x01\xfe",
                                  "customer": {"name": "Ann", "vip": True}, "status": "PAID",
                                  "tags": ["a", None], "attrs": {"n": 7, "s": "x"}})
    p.produce(topic=topic, value={"id": "o2", "note": None, "amount": None, "ratio": -1.5, "raw": b"",
                                  "digest": b"\x00\x00", "customer": None, "status": "NEW", "tags": [], "attrs": {}})
    assert p.flush(30) == 0
    out = samsa("consume", topic, "-e", "-q", "--decode", "--registry", url, "--bootstrap", broker.bootstrap)
    assert out.returncode == 0, out.stderr
    # (python3-avro writes a union value as the LAST branch that takes it:
    # 5 for ["null","int","long"] is a long. Which is why a bare 5 is
    # ambiguous for `samsa produce`, below.)
    expected = [
        {"id": "o1", "note": {"string": "gift"}, "amount": {"long": 5}, "ratio": "NaN", "raw": "\u0000\u00e9\u00ff",
         "digest": "\u0001\u00fe", "customer": {"com.acme.people.Customer": {"name": "Ann", "vip": {"boolean": True}}},
         "status": "PAID", "tags": [{"string": "a"}, None], "attrs": {"n": {"long": 7}, "s": {"string": "x"}}},
        {"id": "o2", "note": None, "amount": None, "ratio": -1.5, "raw": "", "digest": "\u0000\u0000",
         "customer": None, "status": "NEW", "tags": [], "attrs": {}}]
    # Exactly this text: compact, the schema's field order, non-ASCII as UTF-8
    # (sorted: the two records may sit in different partitions).
    assert sorted(out.stdout.splitlines()) == [json.dumps(e, separators=(",", ":"), ensure_ascii=False) for e in expected]

    # The other way: what `samsa produce --value-schema` encodes from the
    # spec's JSON (and from bare union values one branch alone takes) is what
    # the Python Avro consumer reads.
    topic2 = name("orders-in")
    schema_file = os.path.join(broker.work_dir, "order.avsc")
    with open(schema_file, "w") as f:
        json.dump(ORDER_AVRO, f)
    lines = [json.dumps(e) for e in expected]
    lines.append(json.dumps({"id": "o3", "note": "bare", "amount": 5000000000, "ratio": "-Infinity", "raw": "ok",
                             "digest": "\u00ff\u00ff", "customer": {"name": "Bo", "vip": None}, "status": "NEW",
                             "tags": ["t"], "attrs": {"k": "v"}}))
    out = samsa("produce", topic2, "--value-schema", schema_file, "--registry", url, "-q", "--bootstrap",
                broker.bootstrap, input="".join(line + "\n" for line in lines))
    assert out.returncode == 0, out.stderr
    got = sorted(avro_consume(broker.bootstrap, url, topic2, 3), key=lambda v: v["id"])
    assert len(got) == 3
    assert math.isnan(got[0].pop("ratio")) and got[2].pop("ratio") == -math.inf
    assert got[0] == {"id": "o1", "note": "gift", "amount": 5, "raw": b"\x00\xe9\xff", "digest": b"\x01\xfe",
                      "customer": {"name": "Ann", "vip": True}, "status": "PAID", "tags": ["a", None],
                      "attrs": {"n": 7, "s": "x"}}
    assert got[1] == {"id": "o2", "note": None, "amount": None, "ratio": -1.5, "raw": b"", "digest": b"\x00\x00",
                      "customer": None, "status": "NEW", "tags": [], "attrs": {}}
    assert got[2] == {"id": "o3", "note": "bare", "amount": 5000000000, "raw": b"ok", "digest": b"\xff\xff",
                      "customer": {"name": "Bo", "vip": None}, "status": "NEW", "tags": ["t"], "attrs": {"k": "v"}}
    # A bare value two branches take is refused, with the way to wrap it.
    bad = dict(expected[1], amount=5)
    out = samsa("produce", topic2, "--value-schema", schema_file, "--registry", url, "-q", "--bootstrap",
                broker.bootstrap, input=json.dumps(bad) + "\n")
    assert out.returncode != 0
    assert 'ambiguous value for union ["null","int","long"] at /amount: wrap it as {"int": \u2026} or {"long": \u2026}' \
        in out.stderr, out.stderr


def test_registry_survives_broker_sigkill(setup):
    broker, url, client = setup
    ids = {}
    for i in range(4):
        schema = json.dumps({"type": "record", "name": f"R{i}", "fields": [{"name": "a", "type": "long"}]})
        ids[f"s{i}"] = client.register_schema(f"s{i}", Schema(schema, "AVRO"))
    client.set_compatibility("s0", "FULL")
    client.delete_subject("s3", permanent=True)  # soft, then permanent
    broker.restart(kill=True)
    after = SchemaRegistryClient({"url": registry_url(broker)})
    assert sorted(after.get_subjects()) == ["s0", "s1", "s2"]
    for s in ["s0", "s1", "s2"]:
        v = after.get_latest_version(s)
        assert v.schema_id == ids[s] and v.version == 1
    assert after.get_compatibility("s0") == "FULL"
    # The deleted subject's id stays taken: a new schema gets the next one.
    fresh = after.register_schema("new", Schema('"string"', "AVRO"))
    assert fresh == max(ids.values()) + 1
    # `_schemas` is a compacted topic of the broker.
    admin = AdminClient({"bootstrap.servers": broker.bootstrap})
    res = ConfigResource(ConfigResource.Type.TOPIC, "_schemas")
    configs = admin.describe_configs([res])[res].result(timeout=10)
    assert configs["cleanup.policy"].value == "compact"
