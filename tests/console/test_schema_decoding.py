"""The console decodes schema-registry records: a key or value in Confluent's
wire format (magic byte 0, the schema id) whose id the embedded registry knows
comes back from the messages and search APIs decoded as JSON, with the
schema's id, type and subjects; an unknown id or a payload that does not
decode keeps its raw bytes and gets a note, never an error."""

import json
import struct
from urllib.parse import quote

import clients
from console_client import CONSOLE, Console
from registry_util import REGISTRY, Registry, registry_url

PAYMENT = {"type": "record", "name": "Payment", "namespace": "shop",
           "fields": [{"name": "id", "type": "string"}, {"name": "amount", "type": "double"}]}
KEY_SCHEMA = {"type": "object", "properties": {"customer": {"type": "string"}}}
ORDER_PROTO = 'syntax = "proto3"; package shop; message Order { string id = 1; int32 qty = 2; }'


def zigzag(n):
    n = (n << 1) ^ (n >> 63)
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def wire(schema_id, payload):
    return b"\x00" + struct.pack(">I", schema_id) + payload


def avro_payment(pid, amount):
    raw = pid.encode()
    return zigzag(len(raw)) + raw + struct.pack("<d", amount)


def produce(bootstrap, topic, records):
    from confluent_kafka import Producer
    p = Producer({"bootstrap.servers": bootstrap, "acks": "all"})
    for key, value in records:
        p.produce(topic, key=key, value=value, partition=0)
    assert p.flush(30) == 0


def test_messages_and_search_show_registry_records_decoded(broker_factory, name):
    b = broker_factory({**CONSOLE, **REGISTRY})
    c = Console(b)
    reg = Registry(registry_url(b))
    topic = name("pay")
    clients.create_topic(b.bootstrap, topic, 1)
    status, avro = reg.register(f"{topic}-value", json.dumps(PAYMENT))
    assert status == 200, avro
    status, key_js = reg.register(f"{topic}-key", json.dumps(KEY_SCHEMA), schema_type="JSON")
    assert status == 200, key_js
    status, proto = reg.register(f"{topic}-order-value", ORDER_PROTO, schema_type="PROTOBUF")
    assert status == 200, proto
    # Order { id = "o1", qty = 3 }, message index [0] written as a single 0.
    order = b"\x00" + b"\x0a\x02o1" + b"\x10\x03"
    records = [
        (wire(key_js["id"], b'{"customer":"c1"}'), wire(avro["id"], avro_payment("p1", 12.5))),  # 0: both decoded
        (b"plain-key", wire(proto["id"], order)),                                                 # 1: protobuf
        (None, wire(99999, b"whatever")),                                                         # 2: unknown id
        (None, wire(avro["id"], b"\x7f")),                                                        # 3: bad payload
        (None, b"not in the wire format"),                                                        # 4: plain
        (None, b"\x00\x01"),                                                                      # 5: too short
    ]
    produce(b.bootstrap, topic, records)

    status, page = c.get(f"/api/v1/topics/{quote(topic)}/partitions/0/messages?offset=0&limit=10")
    assert status == 200, page
    got = {r["offset"]: r for r in page["records"]}
    assert len(got) == len(records)

    v = got[0]["value_schema"]
    assert v["decoded"] == {"id": "p1", "amount": 12.5}
    assert v["id"] == avro["id"] and v["type"] == "AVRO"
    assert v["subjects"] == [{"subject": f"{topic}-value", "version": 1}]
    k = got[0]["key_schema"]
    assert k["decoded"] == {"customer": "c1"} and k["type"] == "JSON" and k["id"] == key_js["id"]
    # The raw bytes are still there, as they were.
    assert got[0]["value"].startswith("\u0000")

    p = got[1]["value_schema"]
    assert p["type"] == "PROTOBUF" and p["decoded"] == {"id": "o1", "qty": 3}
    assert "key_schema" not in got[1]

    unknown = got[2]["value_schema"]
    assert unknown["id"] == 99999 and "decoded" not in unknown and "no schema 99999" in unknown["note"]
    assert got[2]["value"].endswith("whatever")

    bad = got[3]["value_schema"]
    assert bad["type"] == "AVRO" and "decoded" not in bad and bad["note"].startswith("not decoded with schema")

    assert "value_schema" not in got[4] and got[4]["value"] == "not in the wire format"
    assert "value_schema" not in got[5]

    # The search reply carries the same decoding.
    status, found = c.get(f"/api/v1/topics/{quote(topic)}/search?value=p1")
    assert status == 200, found
    assert [m["offset"] for m in found["matches"]] == [0]
    assert found["matches"][0]["value_schema"]["decoded"] == {"id": "p1", "amount": 12.5}


def test_no_decoding_when_the_registry_is_off(broker_factory, name):
    b = broker_factory(CONSOLE)  # schema.registry.listeners=none
    c = Console(b)
    topic = name("plain")
    clients.create_topic(b.bootstrap, topic, 1)
    produce(b.bootstrap, topic, [(None, wire(1, b"{}"))])
    status, page = c.get(f"/api/v1/topics/{quote(topic)}/partitions/0/messages?offset=0")
    assert status == 200, page
    assert len(page["records"]) == 1 and "value_schema" not in page["records"][0]
