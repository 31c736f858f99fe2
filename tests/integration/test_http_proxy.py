"""The HTTP REST proxy inside `samsa serve` (Confluent REST Proxy v2 produce,
topics and consumer instances; v3 streamed produce), spoken with curl and with
requests, the records checked with a real Kafka client (confluent-kafka) and
records of a Kafka client read back through the proxy."""

import base64
import json
import struct
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

from samsa_harness import samsa_bin
from proxy_util import AVRO, BINARY, JSON, JSONSCHEMA, PROXY, V2, curl, proxy_url, wait_until


@pytest.fixture
def env(broker_factory):
    b = broker_factory(PROXY)
    return b, proxy_url(b)


def create_topic(broker, topic, partitions=1):
    admin = AdminClient({"bootstrap.servers": broker.bootstrap})
    admin.create_topics([NewTopic(topic, partitions, 1)])[topic].result(30)


def read_all(broker, topic, count, group="verify"):
    c = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": group, "auto.offset.reset": "earliest",
                  "enable.auto.commit": False})
    c.subscribe([topic])
    got = []
    wait_until(lambda: got.extend(m for m in c.consume(count - len(got), 0.5) if not m.error()) or len(got) >= count,
               f"{count} records of {topic}")
    c.close()
    return got


def b64(data):
    return base64.b64encode(data).decode()


def test_v2_binary_produce_exact_answer_and_key_partitioning(env, name):
    broker, url = env
    topic = name("bin")
    create_topic(broker, topic, 4)
    body = {"records": [{"key": b64(b"user-1"), "value": b64(b"\x00\x01payload")},
                        {"key": b64(b"user-2"), "value": b64(b"second")},
                        {"value": b64(b"keyless")}]}
    r = requests.post(f"{url}/topics/{topic}", data=json.dumps(body), headers={"Content-Type": BINARY}, timeout=30)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"] == V2
    answer = r.json()
    assert set(answer) == {"offsets", "key_schema_id", "value_schema_id"}
    assert answer["key_schema_id"] is None and answer["value_schema_id"] is None
    assert len(answer["offsets"]) == 3
    for o in answer["offsets"]:
        assert set(o) == {"partition", "offset", "error_code", "error"}
        assert o["error_code"] is None and o["error"] is None and o["offset"] >= 0
    # A Kafka client with the Java client's partitioner puts the same keys on the same partitions.
    p = Producer({"bootstrap.servers": broker.bootstrap, "partitioner": "murmur2_random"})
    placed = {}
    for key in (b"user-1", b"user-2"):
        p.produce(topic, key=key, value=b"x", on_delivery=lambda err, msg: placed.__setitem__(msg.key(), msg.partition()))
    p.flush(30)
    assert answer["offsets"][0]["partition"] == placed[b"user-1"]
    assert answer["offsets"][1]["partition"] == placed[b"user-2"]
    got = read_all(broker, topic, 5)
    by_value = {m.value(): m for m in got}
    assert by_value[b"\x00\x01payload"].key() == b"user-1"
    assert by_value[b"\x00\x01payload"].offset() == answer["offsets"][0]["offset"]
    assert by_value[b"keyless"].key() is None
    assert by_value[b"keyless"].partition() == answer["offsets"][2]["partition"]


def test_v2_json_produce_with_curl_to_a_partition(env, name):
    broker, url = env
    topic = name("json")
    create_topic(broker, topic, 3)
    status, answer = curl("POST", f"{url}/topics/{topic}/partitions/2",
                          {"records": [{"key": {"id": 7}, "value": {"amount": 12.5, "tags": ["a"]}},
                                       {"value": None}]}, JSON)
    assert status == 200, answer
    assert [o["partition"] for o in answer["offsets"]] == [2, 2]
    assert answer["offsets"][1]["offset"] == answer["offsets"][0]["offset"] + 1
    got = sorted(read_all(broker, topic, 2), key=lambda m: m.offset())
    assert all(m.partition() == 2 for m in got)
    assert json.loads(got[0].key()) == {"id": 7}
    assert json.loads(got[0].value()) == {"amount": 12.5, "tags": ["a"]}
    assert got[1].value() is None


def test_topic_listing_and_details(env, name):
    broker, url = env
    # The start-up line and `samsa serve --help` name the proxy.
    assert f"REST proxy {url}" in broker.log_tail(50)
    helptext = subprocess.run([samsa_bin(), "serve", "--help"], capture_output=True, text=True, timeout=30).stdout
    assert "http.proxy.listeners=http://HOST:PORT (default http://127.0.0.1:8082; none = off)" in helptext
    topic = name("listed")
    create_topic(broker, topic, 2)
    status, topics = curl("GET", f"{url}/topics")
    assert status == 200 and topic in topics and "__consumer_offsets" not in topics
    r = requests.get(f"{url}/topics/{topic}", timeout=30)
    assert r.status_code == 200
    detail = r.json()
    assert detail["name"] == topic and len(detail["partitions"]) == 2
    assert detail["partitions"][1]["partition"] == 1 and detail["partitions"][1]["replicas"][0]["leader"] is True
    assert "cleanup.policy" in detail["configs"]
    assert [p["partition"] for p in requests.get(f"{url}/topics/{topic}/partitions", timeout=30).json()] == [0, 1]
    r = requests.get(f"{url}/topics/no-such-topic", timeout=30)
    assert r.status_code == 404 and r.json()["error_code"] == 40401


def high_watermarks(broker, topic, partitions):
    c = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": "hw"})
    out = [c.get_watermark_offsets(TopicPartition(topic, p), 10)[1] for p in range(partitions)]
    c.close()
    return out


def test_bad_requests_get_confluent_errors_and_store_nothing(env, name):
    broker, url = env
    topic = name("bad")
    create_topic(broker, topic, 2)
    good = {"records": [{"value": b64(b"v")}]}
    # Wrong or missing content type: 415, as Confluent answers.
    for ct in ("application/json", "text/plain", "application/vnd.kafka.xml.v2+json"):
        status, body = curl("POST", f"{url}/topics/{topic}", good, ct)
        assert (status, body["error_code"]) == (415, 415), (ct, body)
    assert curl("POST", f"{url}/topics/no-such-topic", good, BINARY)[1]["error_code"] == 40401
    r = requests.post(f"{url}/topics/{topic}/partitions/9", json=good, headers={"Content-Type": BINARY}, timeout=30)
    assert r.status_code == 404 and r.json()["error_code"] == 40402
    # One bad record refuses the whole request: the good one before it is not stored.
    mixed = {"records": [{"value": b64(b"ok")}, {"value": "not base64!"}]}
    status, body = curl("POST", f"{url}/topics/{topic}", mixed, BINARY)
    assert status == 422 and body["error_code"] == 422 and "base64" in body["message"]
    mixed_partition = {"records": [{"value": b64(b"ok")}, {"value": b64(b"x"), "partition": 5}]}
    assert curl("POST", f"{url}/topics/{topic}", mixed_partition, BINARY)[1]["error_code"] == 40402
    status, body = curl("POST", f"{url}/topics/{topic}", "{not json", BINARY)
    assert status == 400 and body["error_code"] == 400
    assert curl("POST", f"{url}/topics/{topic}", {"records": []}, BINARY)[0] == 422
    # Schema formats need a schema.
    status, body = curl("POST", f"{url}/topics/{topic}", {"records": [{"value": {"a": 1}}]}, AVRO)
    assert (status, body["error_code"]) == (422, 42202)
    status, body = curl("GET", f"{url}/nowhere")
    assert status == 404 and body["error_code"] == 404
    assert high_watermarks(broker, topic, 2) == [0, 0]


def test_request_bounds(broker_factory, name):
    broker = broker_factory(dict(PROXY, **{"http.proxy.max.request.bytes": "4096",
                                           "http.proxy.max.records.per.request": "3"}))
    url = proxy_url(broker)
    topic = name("bounds")
    create_topic(broker, topic)
    big = {"records": [{"value": b64(b"x" * 4000)}]}
    status, body = curl("POST", f"{url}/topics/{topic}", big, BINARY)
    assert status == 413 and body["error_code"] == 413 and "4096" in body["message"]
    four = {"records": [{"value": b64(b"v")}] * 4}
    status, body = curl("POST", f"{url}/topics/{topic}", four, BINARY)
    assert status == 413 and "at most 3 records" in body["message"]
    assert high_watermarks(broker, topic, 1) == [0]
    three = {"records": [{"value": b64(b"v")}] * 3}
    assert curl("POST", f"{url}/topics/{topic}", three, BINARY)[0] == 200
    # v3 streams: the record cap bounds records in flight, not the request; the byte limit is per record.
    v3 = "".join(json.dumps({"value": {"type": "STRING", "data": "s" * 1000}}) for _ in range(8))
    status, body = curl("POST", f"{url}/v3/clusters/{cluster_id(url)}/topics/{topic}/records", v3, "application/json")
    assert status == 200 and isinstance(body, str) and body.count('"error_code":200') == 8
    assert high_watermarks(broker, topic, 1) == [11]


def cluster_id(url):
    clusters = requests.get(f"{url}/v3/clusters", timeout=30).json()
    return clusters["data"][0]["cluster_id"]


def test_v3_streamed_produce_one_answer_per_record(env, name):
    broker, url = env
    topic = name("v3")
    create_topic(broker, topic, 2)
    cid = cluster_id(url)
    records = [
        {"partition_id": 1, "headers": [{"name": "trace", "value": b64(b"abc")}],
         "key": {"type": "STRING", "data": "k1"}, "value": {"type": "JSON", "data": {"n": 1}}},
        {"value": {"type": "BINARY", "data": "@@not base64"}},
        {"key": {"type": "BINARY", "data": b64(b"\x01\x02")}, "value": {"type": "STRING", "data": "plain"},
         "timestamp": "2026-01-02T03:04:05.678Z"},
    ]
    body = json.dumps(records[0]) + "\n" + json.dumps(records[1]) + json.dumps(records[2])
    status, text = curl("POST", f"{url}/v3/clusters/{cid}/topics/{topic}/records", body, "application/json")
    assert status == 200
    answers = [json.loads(line) for line in text.strip().split("\n")] if isinstance(text, str) else [text]
    assert len(answers) == 3
    assert answers[0]["error_code"] == 200 and answers[0]["partition_id"] == 1
    assert answers[0]["cluster_id"] == cid and answers[0]["topic_name"] == topic
    assert answers[0]["key"] == {"type": "STRING", "size": 2} and answers[0]["value"]["type"] == "JSON"
    assert answers[1]["error_code"] == 400 and "base64" in answers[1]["message"]
    assert answers[2]["error_code"] == 200 and answers[2]["timestamp"] == "2026-01-02T03:04:05.678Z"
    got = {m.value(): m for m in read_all(broker, topic, 2)}
    first = got[b'{"n":1}']
    assert first.partition() == 1 and first.key() == b"k1" and first.headers() == [("trace", b"abc")]
    second = got[b"plain"]
    assert second.key() == b"\x01\x02" and second.timestamp()[1] == 1767323045678
    # A single record with requests; a wrong cluster is 404.
    r = requests.post(f"{url}/v3/clusters/{cid}/topics/{topic}/records", json={"value": {"data": [1, 2]}}, timeout=30)
    assert r.status_code == 200 and r.json()["error_code"] == 200
    r = requests.post(f"{url}/v3/clusters/not-this-one/topics/{topic}/records", json={"value": {"data": 1}}, timeout=30)
    assert r.status_code == 404
    r = requests.post(f"{url}/v3/clusters/{cid}/topics/nope/records", json={"value": {"data": 1}}, timeout=30)
    assert r.status_code == 404


def test_v2_avro_and_jsonschema_through_the_registry(env, name):
    broker, url = env
    topic = name("avro")
    create_topic(broker, topic)
    schema = json.dumps({"type": "record", "name": "Pay", "fields": [{"name": "who", "type": "string"},
                                                                     {"name": "cents", "type": "long"}]})
    body = {"value_schema": schema, "records": [{"value": {"who": "x", "cents": 1}}]}
    r = requests.post(f"{url}/topics/{topic}", json=body, headers={"Content-Type": AVRO}, timeout=30)
    assert r.status_code == 200, r.text
    answer = r.json()
    sid = answer["value_schema_id"]
    assert isinstance(sid, int) and answer["key_schema_id"] is None
    # The same schema by id; a value that does not fit is refused (nothing stored).
    r = requests.post(f"{url}/topics/{topic}", json={"value_schema_id": sid, "records": [{"value": {"who": "y", "cents": 2}}]},
                      headers={"Content-Type": AVRO}, timeout=30)
    assert r.status_code == 200 and r.json()["value_schema_id"] == sid
    r = requests.post(f"{url}/topics/{topic}", json={"value_schema_id": sid, "records": [{"value": {"who": 5}}]},
                      headers={"Content-Type": AVRO}, timeout=30)
    assert r.status_code == 422 and r.json()["error_code"] == 42203, r.text
    r = requests.post(f"{url}/topics/{topic}", json={"value_schema_id": 99999, "records": [{"value": {"who": "z"}}]},
                      headers={"Content-Type": AVRO}, timeout=30)
    assert r.status_code == 408 and r.json()["error_code"] == 40801, r.text
    # A schema text the registry finds invalid is the caller's mistake, as in
    # Confluent's proxy: 422 / 42205, not a registry failure, and nothing stored.
    for bad in ('{"type": "record", "name": "NoFields"}', '{"type": "nope"}'):
        r = requests.post(f"{url}/topics/{topic}", json={"value_schema": bad, "records": [{"value": {"who": "z"}}]},
                          headers={"Content-Type": AVRO}, timeout=30)
        assert r.status_code == 422 and r.json()["error_code"] == 42205, r.text
        assert r.json()["message"].startswith("Invalid schema")
    got = sorted(read_all(broker, topic, 2), key=lambda m: m.offset())
    # Confluent's wire format: magic 0, the id, then Avro: zigzag lengths and longs.
    assert got[0].value() == b"\x00" + struct.pack(">i", sid) + b"\x02x\x02"
    assert got[1].value() == b"\x00" + struct.pack(">i", sid) + b"\x02y\x04"
    # JSON Schema: registered under the topic's value subject, the JSON after the header.
    js = json.dumps({"type": "object", "properties": {"n": {"type": "integer"}}})
    topic2 = name("js")
    create_topic(broker, topic2)
    r = requests.post(f"{url}/topics/{topic2}", json={"value_schema": js, "records": [{"value": {"n": 3}}]},
                      headers={"Content-Type": JSONSCHEMA}, timeout=30)
    assert r.status_code == 200, r.text
    jid = r.json()["value_schema_id"]
    m = read_all(broker, topic2, 1)[0]
    assert m.value()[:5] == b"\x00" + struct.pack(">i", jid) and json.loads(m.value()[5:]) == {"n": 3}
    # Protobuf: the message index list (one 0 byte: the first message), then the message.
    topic3 = name("pb")
    create_topic(broker, topic3)
    proto = 'syntax = "proto3"; message Amount { int32 cents = 1; }'
    r = requests.post(f"{url}/topics/{topic3}", json={"value_schema": proto, "records": [{"value": {"cents": 3}}]},
                      headers={"Content-Type": "application/vnd.kafka.protobuf.v2+json"}, timeout=30)
    assert r.status_code == 200, r.text
    pid = r.json()["value_schema_id"]
    assert read_all(broker, topic3, 1)[0].value() == b"\x00" + struct.pack(">i", pid) + b"\x00\x08\x03"
    # v3 with a schema id encodes the same way as v2.
    r = requests.post(f"{url}/v3/clusters/{cluster_id(url)}/topics/{topic}/records",
                      json={"value": {"type": "AVRO", "schema_id": sid, "data": {"who": "z", "cents": 3}}}, timeout=30)
    assert r.status_code == 200 and r.json()["error_code"] == 200, r.text
    got = sorted(read_all(broker, topic, 3, group="verify-v3"), key=lambda m: m.offset())
    assert got[2].value() == b"\x00" + struct.pack(">i", sid) + b"\x02z\x06"


def test_a_schema_is_fetched_once_not_once_per_record(broker_factory, name):
    """Records by schema id, streamed (v3) or in a v2 request, cost the
    registry one fetch of that schema, not one per record: the proxy keeps its
    codecs between requests. Asking per record made an Avro stream about 20x
    slower than a STRING one (a registry round trip each). Checked against a
    stub registry that counts what it is asked."""
    schema = json.dumps({"type": "record", "name": "R", "fields": [{"name": "s", "type": "string"}]})
    asked = []

    class StubRegistry(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the name http.server calls)
            asked.append(self.path)
            found = self.path == "/schemas/ids/7"
            body = json.dumps({"schema": schema} if found else {"error_code": 40403, "message": "Schema not found"})
            self.send_response(200 if found else 404)
            self.send_header("Content-Type", "application/vnd.schemaregistry.v1+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body.encode())

        def log_message(self, *args):
            pass

    stub = ThreadingHTTPServer(("127.0.0.1", 0), StubRegistry)
    threading.Thread(target=stub.serve_forever, daemon=True).start()
    try:
        broker = broker_factory({"http.proxy.listeners": "http://127.0.0.1:0",
                                 "schema.registry.url": f"http://127.0.0.1:{stub.server_port}"})
        url = proxy_url(broker)
        topic = name("by-id")
        create_topic(broker, topic)
        records = "".join(json.dumps({"value": {"schema_id": 7, "data": {"s": f"r{i}"}}}) for i in range(300))
        cid = cluster_id(url)
        for _ in range(2):
            r = requests.post(f"{url}/v3/clusters/{cid}/topics/{topic}/records", data=records,
                              headers={"Content-Type": "application/json"}, timeout=60)
            answers = [json.loads(line) for line in r.text.splitlines() if line]
            assert len(answers) == 300 and all(a["error_code"] == 200 for a in answers), r.text[:500]
        r = requests.post(f"{url}/topics/{topic}", json={"value_schema_id": 7, "records": [{"value": {"s": "v2"}}] * 20},
                          headers={"Content-Type": AVRO}, timeout=30)
        assert r.status_code == 200, r.text
        assert asked.count("/schemas/ids/7") == 1, asked[:10]
        # An unknown id is asked again each time (failures are not kept).
        for _ in range(2):
            r = requests.post(f"{url}/topics/{topic}", json={"value_schema_id": 8, "records": [{"value": {"s": "x"}}]},
                              headers={"Content-Type": AVRO}, timeout=30)
            assert r.status_code == 408 and r.json()["error_code"] == 40801, r.text
        assert asked.count("/schemas/ids/8") == 2
        assert len(read_all(broker, topic, 620)) == 620
    finally:
        stub.shutdown()


def describe_group(broker, group):
    out = subprocess.run([samsa_bin(), "group", "describe", group, "--bootstrap", broker.bootstrap, "-o", "json"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def consumer_base(url, group, instance, **config):
    r = requests.post(f"{url}/consumers/{group}", json=dict({"name": instance}, **config),
                      headers={"Content-Type": V2}, timeout=30)
    assert r.status_code == 200, r.text
    assert r.json() == {"instance_id": instance, "base_uri": f"{url}/consumers/{group}/instances/{instance}"}
    return r.json()["base_uri"]


def poll(base, count, fmt=BINARY):
    got = []

    def more():
        r = requests.get(f"{base}/records", params={"timeout": 500}, headers={"Accept": fmt}, timeout=30)
        assert r.status_code == 200, r.text
        got.extend(r.json())
        return len(got) >= count
    wait_until(more, f"{count} records through the proxy")
    return got


def test_consumer_instance_reads_kafka_client_records_and_commits(env, name):
    broker, url = env
    topic, group = name("cons"), name("g")
    create_topic(broker, topic, 2)
    p = Producer({"bootstrap.servers": broker.bootstrap})
    for i in range(6):
        p.produce(topic, key=f"k{i}".encode(), value=bytes([i, 255]), partition=i % 2)
    p.flush(30)
    base = consumer_base(url, group, "one", **{"format": "binary", "auto.offset.reset": "earliest",
                                               "auto.commit.enable": "false"})
    assert requests.post(f"{base}/subscription", json={"topics": [topic]}, headers={"Content-Type": V2},
                         timeout=30).status_code == 204
    assert requests.get(f"{base}/subscription", timeout=30).json() == {"topics": [topic]}
    got = poll(base, 6)
    assert sorted(base64.b64decode(r["value"]) for r in got) == sorted(bytes([i, 255]) for i in range(6))
    assert {r["topic"] for r in got} == {topic}
    assert all(base64.b64decode(r["key"]) == f"k{base64.b64decode(r['value'])[0]}".encode() for r in got)
    # The instance is a member of the group, as `samsa group describe` sees it.
    desc = describe_group(broker, group)
    assert desc["state"] == "Stable" and len(desc["members"]) == 1
    assert sorted(p["partition"] for p in desc["members"][0]["assignment"]) == [0, 1]
    assigned = requests.get(f"{base}/assignments", timeout=30).json()["partitions"]
    assert sorted(p["partition"] for p in assigned) == [0, 1]
    # Nothing committed until asked (auto commit off); then what was read.
    c = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": group})
    tps = [TopicPartition(topic, 0), TopicPartition(topic, 1)]
    assert [t.offset for t in c.committed(tps, 10)] == [-1001, -1001]
    r = requests.post(f"{base}/offsets", headers={"Content-Type": V2}, timeout=30)
    assert r.status_code == 200, r.text
    assert [t.offset for t in c.committed(tps, 10)] == [3, 3]
    # An explicit commit names the last record consumed; the group stores the next.
    r = requests.post(f"{base}/offsets", json={"offsets": [{"topic": topic, "partition": 0, "offset": 0}]},
                      headers={"Content-Type": V2}, timeout=30)
    assert r.status_code == 200
    assert c.committed([TopicPartition(topic, 0)], 10)[0].offset == 1
    r = requests.get(f"{base}/offsets", json={"partitions": [{"topic": topic, "partition": 0}]}, timeout=30)
    assert r.json()["offsets"][0]["offset"] == 1
    # Committing for a topic or partition that does not exist is the
    # caller's mistake: 404 with Confluent's topic / partition code, not a
    # Kafka error to retry; nothing else of that commit changes.
    for bad, code, said in (({"topic": name("nowhere"), "partition": 0}, 40401, "Topic"),
                            ({"topic": topic, "partition": 7}, 40402, "Partition 7")):
        r = requests.post(f"{base}/offsets", json={"offsets": [{**bad, "offset": 5}]}, headers={"Content-Type": V2},
                          timeout=30)
        assert r.status_code == 404 and r.json()["error_code"] == code and said in r.json()["message"], r.text
    assert c.committed([TopicPartition(topic, 0)], 10)[0].offset == 1
    c.close()
    assert requests.delete(base, timeout=30).status_code == 204
    wait_until(lambda: not describe_group(broker, group)["members"], "the member to leave")
    r = requests.get(f"{base}/records", timeout=30)
    assert r.status_code == 404 and r.json()["error_code"] == 40403


def test_json_consumer_with_curl_and_auto_commit(env, name):
    broker, url = env
    topic, group = name("jc"), name("g")
    create_topic(broker, topic)
    assert curl("POST", f"{url}/topics/{topic}", {"records": [{"value": {"n": i}} for i in range(3)]}, JSON)[0] == 200
    status, made = curl("POST", f"{url}/consumers/{group}",
                        {"name": "c", "format": "json", "auto.offset.reset": "earliest"}, V2)
    assert status == 200
    base = made["base_uri"]
    assert curl("POST", f"{base}/subscription", {"topics": [topic]}, V2)[0] == 204
    # The wrong Accept for a json instance: 406 / 40601.
    status, body = curl("GET", f"{base}/records", headers=[f"Accept: {BINARY}"])
    assert (status, body["error_code"]) == (406, 40601)
    got = poll(base, 3, JSON)
    assert [r["value"] for r in got] == [{"n": 0}, {"n": 1}, {"n": 2}]
    # Auto commit: the next read commits what the last one returned.
    requests.get(f"{base}/records", params={"timeout": 0}, headers={"Accept": JSON}, timeout=30)
    c = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": group})
    assert c.committed([TopicPartition(topic, 0)], 10)[0].offset == 3
    c.close()
    status, body = curl("POST", f"{url}/consumers/{group}", {"name": "c"}, V2)
    assert (status, body["error_code"]) == (409, 40902)
    status, body = curl("POST", f"{url}/consumers/{group}", {"auto.offset.reset": "sometimes"}, V2)
    assert (status, body["error_code"]) == (422, 42204)


def test_consumer_bounds_instances_records_and_idle_expiry(broker_factory, name):
    broker = broker_factory(dict(PROXY, **{"http.proxy.consumer.max.instances": "2",
                                           "http.proxy.consumer.max.records": "2",
                                           "http.proxy.consumer.instance.timeout.ms": "1000"}))
    url = proxy_url(broker)
    topic, group = name("lim"), name("g")
    create_topic(broker, topic)
    assert curl("POST", f"{url}/topics/{topic}", {"records": [{"value": i} for i in range(5)]}, JSON)[0] == 200
    a = consumer_base(url, group, "a", format="json", **{"auto.offset.reset": "earliest"})
    consumer_base(url, group, "b")
    status, body = curl("POST", f"{url}/consumers/{group}", {"name": "c"}, V2)
    assert (status, body["error_code"]) == (429, 42901)
    requests.post(f"{a}/subscription", json={"topics": [topic]}, headers={"Content-Type": V2}, timeout=30)
    first = []
    wait_until(lambda: first.extend(requests.get(f"{a}/records", params={"timeout": 500}, headers={"Accept": JSON},
                                                 timeout=30).json()) or first, "the first records")
    assert len(first) == 2  # at most http.proxy.consumer.max.records per read
    # Idle instances expire (1 s here) and free their places; asking about
    # one would keep it alive, so the test asks for a new one instead.
    wait_until(lambda: curl("POST", f"{url}/consumers/{group}", {"name": "c"}, V2)[0] == 200, "a place to free up")
    wait_until(lambda: curl("POST", f"{url}/consumers/{group}", {"name": "d"}, V2)[0] == 200, "another place")
    status, body = curl("GET", f"{a}/subscription")
    assert (status, body["error_code"]) == (404, 40403)
    assert "expired after 1000 ms idle" in broker.log_tail(200)


def test_instance_shares_its_group_with_a_kafka_client(env, name):
    broker, url = env
    topic, group = name("share"), name("g")
    create_topic(broker, topic, 2)
    base = consumer_base(url, group, "web", **{"auto.offset.reset": "earliest"})
    requests.post(f"{base}/subscription", json={"topics": [topic]}, headers={"Content-Type": V2}, timeout=30)
    requests.get(f"{base}/records", params={"timeout": 2000}, headers={"Accept": BINARY}, timeout=30)
    assert len(requests.get(f"{base}/assignments", timeout=30).json()["partitions"]) == 2
    # A Kafka client joins: the group rebalances (the instance rejoins on its
    # heartbeat) and the range assignor gives each member one partition.
    c = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": group, "partition.assignment.strategy": "range"})
    c.subscribe([topic])

    def split():
        c.poll(0.1)
        mine = [p["partition"] for p in requests.get(f"{base}/assignments", timeout=30).json()["partitions"]]
        theirs = [tp.partition for tp in c.assignment()]
        return len(mine) == 1 and len(theirs) == 1 and sorted(mine + theirs) == [0, 1]
    wait_until(split, "the partitions to be split between the instance and the Kafka client", timeout=30)
    assert len(describe_group(broker, group)["members"]) == 2
    c.close()
    requests.delete(base, timeout=30)
