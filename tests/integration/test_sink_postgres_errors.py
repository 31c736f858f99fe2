"""`samsa sink postgres`: what a user sees when something does not fit — a
bad connection string, an unreachable server, a missing table, a record
with a field the table lacks (the sink stops; the records before it stay,
nothing after it is written; fixed, it resumes without duplicates) — and
the upsert, dead-letter and Schema Registry decoding modes (Avro union
fields landing as their values)."""

import json
import struct
import time

import requests
from confluent_kafka import Consumer, TopicPartition

from postgres_server import postgres  # noqa: F401 (fixture)
from registry_util import REGISTRY, registry_url
from test_sink_postgres import Sink, create_topic, produce, stored_offsets, wait_until


def test_bad_connection_string_is_a_usage_error(broker, name, postgres):
    sink = Sink(broker, postgres, name("t"))
    sink.args[sink.args.index("--connection") + 1] = "password=secret host=127.0.0.1 dbname"
    code, log = sink.run_to_exit()
    output = log.split("\n", 1)[1]  # the first line is the test's own command line
    assert code == 2, log
    assert "not a PostgreSQL connection string" in output and 'missing "=" after "dbname"' in output, log
    assert "secret" not in output  # the password is never echoed


def test_unreachable_server_names_where(broker, name, postgres):
    topic = name("t")
    create_topic(broker.bootstrap, topic, 1)
    sink = Sink(broker, postgres, topic)
    sink.args[sink.args.index("--connection") + 1] = "postgresql://alice:secret@127.0.0.1:1/shop"
    code, log = sink.run_to_exit()
    output = log.split("\n", 1)[1]
    assert code == 1, log
    assert "alice@127.0.0.1:1/shop" in output and "cannot connect" in output, log
    assert "secret" not in output


def test_missing_table_and_bad_upsert_key(broker, name, postgres):
    topic = name("t")
    create_topic(broker.bootstrap, topic, 1)
    code, log = Sink(broker, postgres, topic, table="nope").run_to_exit()
    assert code == 1, log
    assert 'no table "nope"' in log
    postgres.sql("CREATE TABLE k (id bigint, v text)")
    code, log = Sink(broker, postgres, topic, table="k", extra=["--upsert-key", "id"]).run_to_exit()
    assert code == 2 and "no unique index or primary key on exactly these columns" in log, log
    code, log = Sink(broker, postgres, topic, table="k", extra=["--upsert-key", "idd"]).run_to_exit()
    assert code == 2 and 'has no column "idd"' in log, log


def test_misfit_stops_after_the_records_before_it_then_resumes(broker, name, postgres):
    topic = name("t")
    create_topic(broker.bootstrap, topic, 1)
    values = [json.dumps({"id": i}) for i in range(10)]
    values[3] = json.dumps({"id": 3, "colour": "red"})
    values[6] = json.dumps({"id": 6, "size": 2})
    produce(broker.bootstrap, topic, values)
    postgres.sql("CREATE TABLE m (id bigint PRIMARY KEY, kafka_offset bigint, colour integer)")

    # PostgreSQL refuses "red" for an integer inside a batch of ten: the
    # records before it are committed with their offset, the sink stops at it.
    code, log = Sink(broker, postgres, topic, table="m").run_to_exit()
    assert code == 1, log
    assert f"record {topic}[0]@3 does not fit table m" in log and "integer" in log, log
    assert postgres.value("SELECT string_agg(id::text, ',' ORDER BY id) FROM m") == "0,1,2"
    assert stored_offsets(postgres, topic) == {0: 3}

    # A field without a column is refused before the database sees it.
    postgres.sql("ALTER TABLE m ALTER COLUMN colour TYPE text")
    code, log = Sink(broker, postgres, topic, table="m").run_to_exit()
    assert code == 1, log
    assert f"record {topic}[0]@6 does not fit table m" in log and 'field "size" has no column' in log, log
    assert postgres.value("SELECT string_agg(id::text, ',' ORDER BY id) FROM m") == "0,1,2,3,4,5"
    assert stored_offsets(postgres, topic) == {0: 6}

    postgres.sql("ALTER TABLE m ADD COLUMN size integer")
    sink = Sink(broker, postgres, topic, table="m").start()
    wait_until(lambda: stored_offsets(postgres, topic) == {0: 10}, "the rest", sink, postgres)
    assert sink.stop() == 0
    assert postgres.sql("SELECT id, kafka_offset, colour, size FROM m WHERE id >= 2 ORDER BY id") == [
        ["2", "2", "", ""], ["3", "3", "red", ""], ["4", "4", "", ""], ["5", "5", "", ""], ["6", "6", "", "2"],
        ["7", "7", "", ""], ["8", "8", "", ""], ["9", "9", "", ""]]


def test_upsert_key_keeps_the_latest_value(broker, name, postgres):
    topic = name("t")
    create_topic(broker.bootstrap, topic, 1)
    produce(broker.bootstrap, topic, [json.dumps({"id": i % 3, "v": f"v{i}"}) for i in range(9)] + [None])
    postgres.sql("CREATE TABLE u (id bigint PRIMARY KEY, v text)")
    sink = Sink(broker, postgres, topic, table="u", extra=["--upsert-key", "id"]).start()
    wait_until(lambda: stored_offsets(postgres, topic) == {0: 10}, "all records", sink, postgres)
    assert sink.stop() == 0
    assert "10 records committed this run (9 rows, 1 null values skipped, 0 to the dead-letter topic)" in sink.log()
    assert postgres.sql("SELECT id, v FROM u ORDER BY id") == [["0", "v6"], ["1", "v7"], ["2", "v8"]]


def test_schema_registry_values_are_decoded(broker_factory, name, postgres):
    broker = broker_factory(REGISTRY)
    url = registry_url(broker)
    topic = name("t")
    create_topic(broker.bootstrap, topic, 1)
    schema = {"type": "object", "properties": {"id": {"type": "integer"}, "amount": {"type": "number"}}}
    r = requests.post(f"{url}/subjects/{topic}-value/versions", json={"schemaType": "JSON", "schema": json.dumps(schema)})
    assert r.status_code == 200, r.text
    sid = r.json()["id"]
    wire = [b"\0" + struct.pack(">i", sid) + json.dumps({"id": i, "amount": i * 1.5}).encode() for i in range(5)]
    wire.append(b"plain json, not the wire format")
    produce(broker.bootstrap, topic, wire)
    postgres.sql("CREATE TABLE d (id bigint PRIMARY KEY, amount numeric)")
    code, log = Sink(broker, postgres, topic, table="d", extra=["--schema-registry", url]).run_to_exit()
    assert code == 1 and f"record {topic}[0]@5 does not fit table d: its value does not decode" in log, log
    assert postgres.sql("SELECT id, amount FROM d ORDER BY id") == [
        ["0", "0.0"], ["1", "1.5"], ["2", "3.0"], ["3", "4.5"], ["4", "6.0"]]


def test_avro_union_fields_land_as_their_values(broker_factory, name, postgres):
    # Avro's JSON encoding wraps a union's value ({"string": "gift"}); a
    # column takes the value itself, so the sink decodes unions unwrapped.
    import io
    import avro.io
    import avro.schema
    broker = broker_factory(REGISTRY)
    url = registry_url(broker)
    topic = name("t")
    create_topic(broker.bootstrap, topic, 1)
    schema = {"type": "record", "name": "Pay", "namespace": "shop", "fields": [
        {"name": "id", "type": "long"},
        {"name": "note", "type": ["null", "string"]},
        {"name": "amount", "type": ["null", "int", "long"]},
        {"name": "ratio", "type": ["null", "double"]},
        {"name": "kind", "type": ["null", {"type": "enum", "name": "Kind", "symbols": ["CARD", "CASH"]}]}]}
    r = requests.post(f"{url}/subjects/{topic}-value/versions", json={"schema": json.dumps(schema)})
    assert r.status_code == 200, r.text
    sid = r.json()["id"]
    writer = avro.io.DatumWriter(avro.schema.parse(json.dumps(schema)))

    def wire(value):
        buf = io.BytesIO()
        writer.write(value, avro.io.BinaryEncoder(buf))
        return b"\0" + struct.pack(">i", sid) + buf.getvalue()
    produce(broker.bootstrap, topic, [
        wire({"id": 1, "note": "gift", "amount": 5, "ratio": 0.25, "kind": "CASH"}),
        wire({"id": 2, "note": None, "amount": 5000000000, "ratio": float("nan"), "kind": None})])
    postgres.sql("CREATE TABLE a (id bigint PRIMARY KEY, note text, amount bigint, ratio double precision, kind text)")
    sink = Sink(broker, postgres, topic, table="a", extra=["--schema-registry", url]).start()
    wait_until(lambda: stored_offsets(postgres, topic) == {0: 2}, "both records", sink, postgres)
    assert sink.stop() == 0
    assert postgres.sql("SELECT id, coalesce(note, '<null>'), amount, ratio, coalesce(kind, '<null>') FROM a ORDER BY id") == [
        ["1", "gift", "5", "0.25", "CASH"], ["2", "<null>", "5000000000", "NaN", "<null>"]]


def test_dead_letter_topic_takes_the_misfits(broker, name, postgres):
    topic, dlq = name("t"), name("dlq")
    create_topic(broker.bootstrap, topic, 1)
    create_topic(broker.bootstrap, dlq, 1)
    values = [json.dumps({"id": i}) for i in range(10)]
    values[3] = json.dumps({"id": 3, "colour": "red"})   # refused by PostgreSQL (integer column)
    values[6] = json.dumps({"id": 6, "size": 2})          # refused before (no such column)
    values[7] = "not json"
    produce(broker.bootstrap, topic, values)
    postgres.sql("CREATE TABLE m (id bigint PRIMARY KEY, colour integer)")
    sink = Sink(broker, postgres, topic, table="m", extra=["--dead-letter-topic", dlq]).start()
    wait_until(lambda: stored_offsets(postgres, topic) == {0: 10}, "all records", sink, postgres)
    assert sink.stop() == 0
    assert "10 records committed this run (7 rows, 0 null values skipped, 3 to the dead-letter topic)" in sink.log()
    assert postgres.value("SELECT string_agg(id::text, ',' ORDER BY id) FROM m") == "0,1,2,4,5,8,9"

    c = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": "dlq-reader", "auto.offset.reset": "earliest"})
    c.assign([TopicPartition(dlq, 0, 0)])
    got = []
    deadline = time.monotonic() + 15
    while len(got) < 3 and time.monotonic() < deadline:
        m = c.poll(0.5)
        if m is not None and not m.error():
            got.append(m)
    c.close()
    assert [m.value().decode() for m in got] == [values[3], values[6], values[7]]
    headers = [dict((k, v.decode()) for k, v in m.headers()) for m in got]
    assert [h["__connect.errors.offset"] for h in headers] == ["3", "6", "7"]
    assert all(h["__connect.errors.topic"] == topic and h["__connect.errors.partition"] == "0" for h in headers)
    assert "integer" in headers[0]["__connect.errors.exception.message"]
    assert 'field "size" has no column' in headers[1]["__connect.errors.exception.message"]
    assert "not JSON" in headers[2]["__connect.errors.exception.message"]
    assert got[0].key() == b"3"


def test_missing_topic_stops_the_sink(broker, name, postgres):
    postgres.sql("CREATE TABLE k (id bigint)")
    code, log = Sink(broker, postgres, name("absent"), table="k").run_to_exit()
    assert code == 4, log
    assert "nknown topic" in log, log
