"""REST proxy consumer instances in the schema-registry formats (avro,
jsonschema, protobuf): records produced through the proxy's v2 produce (so in
Confluent's wire format, the schemas in the broker's embedded registry) are
read back through an instance of each format, each key and value decoded to
JSON. A record not in the wire format, or naming a schema id the registry does
not know, fails the read with 500 / 50002 as Kafka's deserializer fails the
Java consumer's poll there; the records before it are still answered."""

import json
import struct

import pytest
import requests
from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, NewTopic

from proxy_util import AVRO, JSONSCHEMA, PROXY, V2, proxy_url, wait_until

PROTOBUF = "application/vnd.kafka.protobuf.v2+json"


@pytest.fixture
def env(broker_factory):
    b = broker_factory(PROXY)
    return b, proxy_url(b)


def create_topic(broker, topic):
    admin = AdminClient({"bootstrap.servers": broker.bootstrap})
    admin.create_topics([NewTopic(topic, 1, 1)])[topic].result(30)


def produce(url, topic, fmt, body):
    r = requests.post(f"{url}/topics/{topic}", json=body, headers={"Content-Type": fmt}, timeout=30)
    assert r.status_code == 200, r.text
    assert all(o.get("error_code") is None for o in r.json()["offsets"]), r.text
    return r.json()


def instance(url, group, fmt, topic):
    r = requests.post(f"{url}/consumers/{group}",
                      json={"name": "i", "format": fmt, "auto.offset.reset": "earliest", "auto.commit.enable": "false"},
                      headers={"Content-Type": V2}, timeout=30)
    assert r.status_code == 200, r.text
    base = r.json()["base_uri"]
    r = requests.post(f"{base}/subscription", json={"topics": [topic]}, headers={"Content-Type": V2}, timeout=30)
    assert r.status_code == 204, r.text
    return base


def read(base, accept):
    r = requests.get(f"{base}/records", params={"timeout": 500}, headers={"Accept": accept}, timeout=30)
    return r.status_code, r.json()


def poll(base, count, accept):
    got = []

    def more():
        status, body = read(base, accept)
        assert status == 200, body
        got.extend(body)
        return len(got) >= count
    wait_until(more, f"{count} records through the proxy")
    return got


def shape(records):
    return [{k: r[k] for k in ("key", "value", "offset", "partition")} for r in records]


def test_avro_jsonschema_protobuf_instances_decode_to_json(env, name):
    broker, url = env
    # Avro: a string key and a record value with a nested record, an enum, an
    # array, unions and bytes.
    topic = name("avro")
    create_topic(broker, topic)
    value_schema = json.dumps({"type": "record", "name": "Pay", "namespace": "shop", "fields": [
        {"name": "who", "type": "string"},
        {"name": "cents", "type": "long"},
        {"name": "where", "type": {"type": "record", "name": "Place", "fields": [{"name": "city", "type": "string"}]}},
        {"name": "kind", "type": {"type": "enum", "name": "Kind", "symbols": ["CARD", "CASH"]}},
        {"name": "tags", "type": {"type": "array", "items": "string"}},
        {"name": "note", "type": ["null", "string"], "default": None},
        {"name": "amount", "type": ["null", "int", "long"], "default": None},
        {"name": "via", "type": ["null", "Place"], "default": None},
        {"name": "raw", "type": "bytes", "default": ""}]})
    # Produced in Avro's JSON encoding (unions wrapped, bytes as code points
    # U+0000..U+00FF), and with a bare union value where one branch alone
    # takes it ("bare" can only be the string).
    values = [{"who": "ann", "cents": 1250, "where": {"city": "Oslo"}, "kind": "CARD", "tags": ["a", "b"], "note": None},
              {"who": "bo", "cents": -3, "where": {"city": "Rome"}, "kind": "CASH", "tags": [], "note": {"string": "hi"},
               "amount": {"long": 7}, "via": {"shop.Place": {"city": "Pisa"}}, "raw": "\u0000\u00e9\u00ff"},
              {"who": "cy", "cents": 0, "where": {"city": "Bern"}, "kind": "CASH", "tags": [], "note": "bare",
               "via": {"city": "Genf"}}]
    produce(url, topic, AVRO, {"key_schema": json.dumps("string"), "value_schema": value_schema,
                               "records": [{"key": f"k{i}", "value": v} for i, v in enumerate(values)]})
    # A bare value two branches take is refused, saying how to wrap it.
    r = requests.post(f"{url}/topics/{topic}", json={"value_schema": value_schema, "records": [{"value": dict(
        values[0], amount=5)}]}, headers={"Content-Type": AVRO}, timeout=30)
    assert r.status_code == 422 and r.json()["error_code"] == 42203, r.text
    assert 'ambiguous value for union ["null","int","long"] at /amount' in r.json()["message"], r.text
    base = instance(url, name("ga"), "avro", topic)
    got = poll(base, 3, AVRO)
    # Read back in Avro's JSON encoding, as Confluent's REST Proxy answers:
    # unions wrapped by branch (named types by full name), defaults filled in.
    defaults = {"amount": None, "via": None, "raw": ""}
    expected = [dict(defaults, **values[0]), values[1],
                dict(values[2], note={"string": "bare"}, amount=None, via={"shop.Place": {"city": "Genf"}}, raw="")]
    assert shape(got) == [{"key": f"k{i}", "value": expected[i], "offset": i, "partition": 0} for i in range(3)]
    assert got[1]["value"]["raw"] == "\u0000\u00e9\u00ff"
    assert {r["topic"] for r in got} == {topic}
    # The instance answers only its own format.
    status, body = read(base, PROTOBUF)
    assert (status, body["error_code"]) == (406, 40601)

    # JSON Schema: the value given back exactly, keys null.
    topic = name("js")
    create_topic(broker, topic)
    js = json.dumps({"type": "object", "properties": {"n": {"type": "integer"}, "s": {"type": "string"},
                                                      "l": {"type": "array"}}})
    jvalues = [{"n": 3, "s": "x", "l": [1, {"deep": True}]}, {"n": -7}]
    produce(url, topic, JSONSCHEMA, {"value_schema": js, "records": [{"value": v} for v in jvalues]})
    got = poll(instance(url, name("gj"), "jsonschema", topic), 2, JSONSCHEMA)
    assert shape(got) == [{"key": None, "value": jvalues[0], "offset": 0, "partition": 0},
                          {"key": None, "value": jvalues[1], "offset": 1, "partition": 0}]

    # Protobuf: decoded with its schema's field names.
    topic = name("pb")
    create_topic(broker, topic)
    proto = 'syntax = "proto3"; message Amount { int32 cents = 1; string who = 2; }'
    produce(url, topic, PROTOBUF, {"value_schema": proto, "records": [{"value": {"cents": 3, "who": "z"}}]})
    got = poll(instance(url, name("gp"), "protobuf", topic), 1, PROTOBUF)
    assert shape(got) == [{"key": None, "value": {"cents": 3, "who": "z"}, "offset": 0, "partition": 0}]


def test_records_the_registry_cannot_decode_fail_the_read(env, name):
    broker, url = env
    topic = name("bad")
    create_topic(broker, topic)
    schema = json.dumps({"type": "record", "name": "N", "fields": [{"name": "n", "type": "int"}]})
    sid = produce(url, topic, AVRO, {"value_schema": schema, "records": [{"value": {"n": 1}}]})["value_schema_id"]
    p = Producer({"bootstrap.servers": broker.bootstrap})
    p.produce(topic, value=b"plain text, no magic byte")  # offset 1
    p.produce(topic, value=b"\x00" + struct.pack(">i", sid) + b"\x04")  # offset 2, fine
    p.flush(30)
    base = instance(url, name("gb"), "avro", topic)
    # The record before the bad one is answered; then every read fails at it.
    got = poll(base, 1, AVRO)
    assert shape(got) == [{"key": None, "value": {"n": 1}, "offset": 0, "partition": 0}]
    for _ in range(2):
        status, body = read(base, AVRO)
        assert status == 500 and body["error_code"] == 50002, body
        assert "offset 1" in body["message"] and "value" in body["message"], body
    # An id the registry does not know fails the same way (no hang, no crash).
    topic2 = name("unknown")
    create_topic(broker, topic2)
    p.produce(topic2, key=b"\x00" + struct.pack(">i", 987654) + b"\x02", value=None)
    p.flush(30)
    base2 = instance(url, name("gu"), "avro", topic2)

    def fails():
        status, body = read(base2, AVRO)
        if status == 200:
            assert body == []  # not joined yet
            return False
        assert status == 500 and body["error_code"] == 50002, body
        assert "offset 0" in body["message"] and "key" in body["message"], body
        return True
    wait_until(fails, "the read to fail at the unknown schema id")
    # The broker and the proxy still serve.
    assert requests.get(f"{url}/topics/{topic}", timeout=30).status_code == 200
