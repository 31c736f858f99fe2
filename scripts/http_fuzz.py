#!/usr/bin/env python3
"""Sends mutated HTTP requests to a live broker's three HTTP services (the
console, the Schema Registry and the REST proxy) and checks that they stay up,
answer a bystander, keep the broker's memory bounded, and that the broker
stops on SIGTERM and starts again on the same data directory with the same
state (the HTTP side of issue 11's "nothing a client sends can stall, crash or
corrupt the broker", tried from outside; not part of CI).

The broker runs on free ports with all three services on and console writes
enabled. Before the fuzzing, state is made through the services' own REST
APIs: topics (console), records of every format (proxy v2 and v3, console),
Avro, JSON Schema and Protobuf schemas with a reference (registry), consumer
instances that joined their groups and read (proxy). Seeds are valid requests
for every route of src/http/console.cc, src/registry/registry_service.cc and
src/proxy/{proxy_service,consumer_instances}.cc, with the bodies, content
types, Accept and Basic auth headers each expects. Each request sent is a seed
as it is (15%) or with one to three mutations of:
  * the request line: method, target (segments, percent escapes, queries,
    huge numbers), version;
  * the headers: Content-Length that lies or does not parse, chunked bodies
    with bad chunk sizes or no last chunk, Content-Length and chunked
    together, huge and many headers, duplicates, a wrong Host, broken
    Authorization, other content types, Expect: 100-continue;
  * the JSON body: values of the wrong type, huge numbers, deep nesting,
    long strings, keys dropped or added, invalid UTF-8, bit flips,
    truncation; a registry schema's own text is mutated too.
Requests go over raw sockets from several threads, kept alive or not, and
sometimes pipelined.

Every second a new connection per service sends a plain GET and must get a
200, and a new Kafka connection asks ApiVersions, all within --stall-seconds;
the broker's RSS must stay under --rss-limit-mb. On a failure the last
requests of every sender are written to --out (one file per request, the
bytes as sent, and order.txt: all of them in the order sent) with the
broker's log tail, and the script exits 1. Every 5xx answer is counted and
the first few of each kind kept under --out/5xx (the request as sent and the
answer); the first requests that got no answer in time (other than those the
server is right to wait on) go to --out/unanswered. At the end each
service's status codes are summarised and the broker log's error, critical
and most frequent warning lines are listed.

Usage: scripts/http_fuzz.py BUILD_DIR [--seconds 600] [--senders 4] [--seed N] [--authorizer]
                            [--max-depth N] [--keep] [--out DIR]
(run it with /usr/bin/python3; the standard library is all it needs)
"""
import argparse
import base64
import collections
import copy
import http.client
import json
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..")
sys.path.insert(0, os.path.join(ROOT, "bench"))
from suite.processes import SamsaBroker, api_versions_probe  # noqa: E402
from wire_fuzz import BrokerProgram, broker_health, conclude  # noqa: E402  (only `samsa`: a sanitizer build has no bench programs)

SERVICES = ("console", "registry", "proxy")
TOPIC_A, TOPIC_B, TOPIC_AVRO, TOPIC_JS, TOPIC_PROTO, TOPIC_SCRATCH = (
    "hz-a", "hz-b", "hz-avro", "hz-js", "hz-proto", "hz-scratch")
GROUP, GROUP_AVRO = "hz-g", "hz-g-avro"
PLAIN_USER, PLAIN_PASSWORD = "hzplain", "hz-plain-secret"
SCRAM_USER, SCRAM_PASSWORD = "hzscram", "hz-scram-secret"
AUTHORIZER = "org.apache.kafka.metadata.authorizer.StandardAuthorizer"

REGISTRY_TYPE = "application/vnd.schemaregistry.v1+json"
V2 = "application/vnd.kafka.v2+json"
V2_BINARY = "application/vnd.kafka.binary.v2+json"
V2_JSON = "application/vnd.kafka.json.v2+json"
V2_AVRO = "application/vnd.kafka.avro.v2+json"
V2_JSONSCHEMA = "application/vnd.kafka.jsonschema.v2+json"
V2_PROTOBUF = "application/vnd.kafka.protobuf.v2+json"

AVRO_PAYMENT = {"type": "record", "name": "Payment", "namespace": "com.hz",
                "fields": [{"name": "id", "type": "long"}, {"name": "amount", "type": "double"},
                           {"name": "note", "type": ["null", "string"], "default": None},
                           {"name": "kind", "type": {"type": "enum", "name": "Kind", "symbols": ["A", "B"]},
                            "default": "A"},
                           {"name": "tags", "type": {"type": "array", "items": "string"}, "default": []}]}
AVRO_MONEY = {"type": "record", "name": "Money", "namespace": "com.hz",
              "fields": [{"name": "cents", "type": "long"}, {"name": "currency", "type": "string"}]}
AVRO_ORDER = {"type": "record", "name": "Order", "namespace": "com.hz",
              "fields": [{"name": "total", "type": "com.hz.Money"},
                         {"name": "lines", "type": {"type": "map", "values": "int"}, "default": {}}]}
JSON_SCHEMA = {"$schema": "http://json-schema.org/draft-07/schema#", "type": "object",
               "properties": {"sku": {"type": "string", "pattern": "^[A-Z]+[0-9]*$", "maxLength": 20},
                              "qty": {"type": "integer", "minimum": 1},
                              "lines": {"type": "array", "items": {"$ref": "#/definitions/line"}}},
               "required": ["sku"], "additionalProperties": False,
               "definitions": {"line": {"type": "object", "properties": {"n": {"type": "number"}}}}}
PROTO_SCHEMA = ('syntax = "proto3";\npackage hz;\nimport "google/protobuf/timestamp.proto";\n'
                'message Amount {\n  int32 cents = 1;\n  string who = 2;\n  repeated string tags = 3;\n'
                '  google.protobuf.Timestamp at = 4;\n  oneof pay { string card = 5; int64 account = 6; }\n'
                '  map<string, int32> parts = 7;\n}\n')

# Values that are often mishandled: wrong types, bounds of the integer widths, names the routes know.
INTERESTING_JSON = [None, True, False, 0, -1, 1, 2 ** 31 - 1, 2 ** 31, -2 ** 31 - 1, 2 ** 63 - 1, 2 ** 63, 2 ** 64,
                    -2 ** 63 - 1, 10 ** 30, 1.5, -0.0, 1e308, "", "x" * 300, "latest", "-1", "0", "1e3",
                    "READONLY", "IMPORT", "READWRITE", "NONE", "FULL_TRANSITIVE", "earliest", "latest", "AVRO",
                    "PROTOBUF", "JSON", "BINARY", "STRING", "JSONSCHEMA", TOPIC_A, TOPIC_SCRATCH, "..", "a/b",
                    "\u0000", "\ud800", "\u00e9\u4e2d", [], {}, [[]], {"a": {}}, [1, "x", None]]
QUERY_KEYS = ["deleted", "permanent", "normalize", "verbose", "defaultToGlobal", "force", "subjectPrefix", "internal",
              "limit", "offset", "timestamp", "partition", "key", "value", "pointer", "equals", "header",
              "header_value", "max_records", "max_bytes", "cursor", "from", "from_offset", "from_timestamp",
              "follow", "max_ms", "topic", "timeout"]
QUERY_VALUES = ["true", "false", "", "-1", "0", "1", "2147483648", "9223372036854775808", "99999999999999999999",
                "latest", "earliest", "%FF", "%00", "a%2Fb", "/", "/a/0", "%22x%22", "{", "1e9", "x" * 2000]
CONTENT_TYPES = ["application/json", "application/json; charset=utf-8", REGISTRY_TYPE,
                 "application/vnd.schemaregistry+json", "application/octet-stream", V2, V2_BINARY, V2_JSON, V2_AVRO,
                 V2_JSONSCHEMA, V2_PROTOBUF, "application/vnd.kafka.xml.v2+json", "application/vnd.kafka..v2+json",
                 "APPLICATION/JSON", "text/plain", "", ";", "application/json;;;", "multipart/form-data; boundary=x",
                 "application/vnd.kafka.v2+json\x00", "application/x-www-form-urlencoded"]
ACCEPTS = ["*/*", "application/json", V2, V2_BINARY, V2_AVRO, V2_JSON, V2_JSONSCHEMA, V2_PROTOBUF, "text/html",
           "", "application/vnd.kafka.avro.v2+json;q=0.5, */*;q=0.1"]
METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "CONNECT", "get", "POS", "G\x00T",
           "M" * 300, ""]
VERSIONS = ["HTTP/1.1", "HTTP/1.0", "HTTP/2.0", "HTTP/1.2", "HTTP/0.9", "http/1.1", "HTTP/1.1 x", "HTTP/11", ""]
SEGMENTS = ["", "..", ".", "%2e%2e", "0", "-1", "2147483647", "2147483648", "99999999999999999999", "latest",
            "versions", "instances", "records", "%FF", "%00", "%", "%zz", "a%2Fb", "\u00e9", " ", "x" * 3000]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def basic(user, password):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


# -- a small HTTP/1.1 client over raw sockets ------------------------------------

class Answer:
    def __init__(self, status, head, body, close, stream=False):
        self.status, self.head, self.body, self.close, self.stream = status, head, body, close, stream


class BadAnswer(Exception):
    """The bytes that came back are not an HTTP answer."""


class Conn:
    """One connection with its receive buffer, so that pipelined answers can be read one by one."""

    def __init__(self, port, timeout):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buf = bytearray()

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def send(self, data):
        self.sock.sendall(data)

    def _fill(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            raise socket.timeout("deadline")
        self.sock.settimeout(left)
        data = self.sock.recv(262144)
        if not data:
            raise ConnectionError("closed")
        self.buf += data

    def _until(self, marker, deadline, limit):
        while True:
            at = self.buf.find(marker)
            if at >= 0:
                out = bytes(self.buf[:at])
                del self.buf[:at + len(marker)]
                return out
            if len(self.buf) > limit:
                raise BadAnswer(f"no {marker!r} within {limit} bytes")
            self._fill(deadline)

    def _exact(self, n, deadline):
        while len(self.buf) < n:
            self._fill(deadline)
        out = bytes(self.buf[:n])
        del self.buf[:n]
        return out

    def read_answer(self, deadline, body_limit=64 << 20):
        while True:
            head = self._until(b"\r\n\r\n", deadline, 1 << 18)
            lines = head.split(b"\r\n")
            parts = lines[0].split(b" ", 2)
            if len(parts) < 2 or not parts[0].startswith(b"HTTP/1.") or not parts[1].isdigit():
                raise BadAnswer(f"status line {lines[0][:100]!r}")
            status = int(parts[1])
            headers = {}
            for line in lines[1:]:
                name, _, value = line.partition(b":")
                headers[name.strip().lower().decode("latin-1")] = value.strip().decode("latin-1")
            if 100 <= status < 200:
                continue  # 100 Continue, then the answer
            close = headers.get("connection", "").lower() == "close"
            if "text/event-stream" in headers.get("content-type", ""):
                # Server-Sent Events run until the server ends them: take what comes until the deadline.
                body = bytearray(self.buf)
                self.buf.clear()
                try:
                    while len(body) < body_limit:
                        self._fill(deadline)
                        body += self.buf
                        self.buf.clear()
                except (socket.timeout, ConnectionError, OSError):
                    pass
                return Answer(status, head, bytes(body), True, stream=True)
            if "chunked" in headers.get("transfer-encoding", "").lower():
                body = bytearray()
                while True:
                    line = self._until(b"\r\n", deadline, 4096)
                    try:
                        size = int(line.split(b";")[0].strip(), 16)
                    except ValueError:
                        raise BadAnswer(f"chunk size {line[:60]!r}")
                    if size == 0:
                        while self._until(b"\r\n", deadline, 1 << 16):
                            pass  # trailers
                        break
                    if len(body) + size > body_limit:
                        raise BadAnswer("chunked answer over the limit")
                    body += self._exact(size + 2, deadline)[:-2]
                return Answer(status, head, bytes(body), close)
            if "content-length" in headers:
                try:
                    n = int(headers["content-length"])
                except ValueError:
                    raise BadAnswer(f"content-length {headers['content-length']!r}")
                if n > body_limit:
                    raise BadAnswer(f"content-length {n}")
                return Answer(status, head, self._exact(n, deadline), close)
            # No length: the body runs to the end of the connection.
            body = bytearray()
            try:
                while len(body) < body_limit:
                    self._fill(deadline)
                    body += self.buf
                    self.buf.clear()
            except ConnectionError:
                pass
            return Answer(status, head, bytes(body), True)


def get_status(port, path, auth, timeout):
    """A plain GET on a new connection; the status, or None when no answer came within timeout.
    Retried until then: a connection refused at the services' connection limit is not a stall."""
    deadline = time.monotonic() + timeout
    request = (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n" +
               (f"Authorization: {auth}\r\n" if auth else "") + "\r\n").encode()
    while time.monotonic() < deadline:
        conn = None
        try:
            conn = Conn(port, max(0.1, deadline - time.monotonic()))
            conn.send(request)
            return conn.read_answer(deadline).status
        except (OSError, ConnectionError, BadAnswer):
            time.sleep(0.05)
        finally:
            if conn is not None:
                conn.close()
    return None


# -- making state through the services' own APIs ------------------------------------

def call(port, method, path, body=None, ctype="application/json", accept=None, auth=None, timeout=30):
    """One request with http.client (setup only); (status, parsed JSON or text)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    headers = {}
    data = None
    if body is not None:
        data = body if isinstance(body, bytes) else (body if isinstance(body, str) else json.dumps(body)).encode()
        headers["Content-Type"] = ctype
    if accept:
        headers["Accept"] = accept
    if auth:
        headers["Authorization"] = auth
    try:
        conn.request(method, path, body=data, headers=headers)
        r = conn.getresponse()
        text = r.read()
    finally:
        conn.close()
    try:
        return r.status, json.loads(text)
    except ValueError:
        return r.status, text.decode(errors="replace")


def make_state(ports, auth, log):
    """Topics, records of every format, schemas and consumer instances; returns what the seeds name."""
    console, registry, proxy = ports["console"], ports["registry"], ports["proxy"]
    problems = []

    def step(what, status, answer, ok=(200, 201, 204)):
        if status not in ok:
            problems.append(f"{what}: {status} {str(answer)[:300]}")
        return answer

    for name, partitions, configs in ((TOPIC_A, 3, {}), (TOPIC_B, 1, {"cleanup.policy": "compact"}),
                                      (TOPIC_AVRO, 2, {}), (TOPIC_JS, 1, {}), (TOPIC_PROTO, 1, {}),
                                      (TOPIC_SCRATCH, 2, {"retention.ms": "600000"})):
        step(f"create {name}", *call(console, "POST", "/api/v1/topics",
                                     {"name": name, "partitions": partitions, "configs": configs}, auth=auth))
    step("v2 binary", *call(proxy, "POST", f"/topics/{TOPIC_A}", {"records": [
        {"key": base64.b64encode(b"k%d" % i).decode(), "value": base64.b64encode(b"v" * i).decode()}
        for i in range(20)] + [{"value": "AA==", "partition": 1}]}, ctype=V2_BINARY, auth=auth))
    step("v2 json", *call(proxy, "POST", f"/topics/{TOPIC_B}", {"records": [
        {"key": f"c{i % 4}", "value": {"id": i, "s": "x" * i, "nested": {"a": [1, 2, {"b": None}]}}}
        for i in range(20)]}, ctype=V2_JSON, auth=auth))
    ids = {}
    for subject, schema, stype, refs in (
            (f"{TOPIC_AVRO}-value", AVRO_PAYMENT, None, None),
            ("hz-money", AVRO_MONEY, None, None),
            ("hz-order-value", AVRO_ORDER, None, [{"name": "com.hz.Money", "subject": "hz-money", "version": 1}]),
            (f"{TOPIC_JS}-value", JSON_SCHEMA, "JSON", None),
            (f"{TOPIC_PROTO}-value", PROTO_SCHEMA, "PROTOBUF", None),
            ("hz/slash-value", {"type": "string"}, None, None),
            ("hz-tmp-value", {"type": "int"}, None, None)):
        body = {"schema": schema if isinstance(schema, str) else json.dumps(schema)}
        if stype:
            body["schemaType"] = stype
        if refs:
            body["references"] = refs
        answer = step(f"register {subject}", *call(registry, "POST",
                                                   f"/subjects/{subject.replace('/', '%2F')}/versions", body,
                                                   ctype=REGISTRY_TYPE, auth=auth))
        if isinstance(answer, dict) and isinstance(answer.get("id"), int):
            ids[subject] = answer["id"]
    step("config", *call(registry, "PUT", f"/config/{TOPIC_AVRO}-value", {"compatibility": "BACKWARD_TRANSITIVE"},
                         ctype=REGISTRY_TYPE, auth=auth))
    avro_id = ids.get(f"{TOPIC_AVRO}-value", 1)
    step("v2 avro", *call(proxy, "POST", f"/topics/{TOPIC_AVRO}", {"value_schema_id": avro_id, "records": [
        {"value": {"id": i, "amount": i * 1.5, "note": {"string": "n"} if i % 2 else None, "kind": "B",
                   "tags": ["t"] * (i % 3)}} for i in range(10)]}, ctype=V2_AVRO, auth=auth))
    step("v2 jsonschema", *call(proxy, "POST", f"/topics/{TOPIC_JS}", {
        "value_schema": json.dumps(JSON_SCHEMA), "records": [{"value": {"sku": "AB1", "qty": i + 1}}
                                                             for i in range(5)]}, ctype=V2_JSONSCHEMA, auth=auth))
    step("v2 protobuf", *call(proxy, "POST", f"/topics/{TOPIC_PROTO}", {
        "value_schema_id": ids.get(f"{TOPIC_PROTO}-value", 1),
        "records": [{"value": {"cents": i, "who": "z", "tags": ["a"], "card": "c"}} for i in range(5)]},
        ctype=V2_PROTOBUF, auth=auth))
    status, clusters = call(proxy, "GET", "/v3/clusters", auth=auth)
    step("v3 clusters", status, clusters)
    cluster_id = clusters["data"][0]["cluster_id"] if isinstance(clusters, dict) and clusters.get("data") else "x"
    v3 = "".join(json.dumps(r) + "\n" for r in (
        {"value": {"type": "STRING", "data": "s1"}, "key": {"type": "BINARY", "data": "a2V5"}},
        {"value": {"type": "JSON", "data": {"j": 1}}, "headers": [{"name": "h", "value": "eA=="}],
         "timestamp": "2026-01-02T03:04:05.678Z", "partition_id": 0},
        {"value": {"type": "AVRO", "schema_id": avro_id,
                   "data": {"id": 1, "amount": 2.0, "note": None, "kind": "A", "tags": []}}}))
    step("v3 produce", *call(proxy, "POST", f"/v3/clusters/{cluster_id}/topics/{TOPIC_A}/records", v3, auth=auth))
    step("console produce", *call(console, "POST", f"/api/v1/topics/{TOPIC_A}/messages",
                                  {"key": "k", "value": {"id": 1}, "headers": {"h": "x"}, "partition": 0},
                                  auth=auth))
    instances = []
    for group, name, fmt, topics, accept in ((GROUP, "hz-i1", "binary", [TOPIC_A, TOPIC_B], V2_BINARY),
                                             (GROUP, "hz-i2", "json", [TOPIC_B], V2_JSON),
                                             (GROUP_AVRO, "hz-i3", "avro", [TOPIC_AVRO], V2_AVRO)):
        step(f"instance {name}", *call(proxy, "POST", f"/consumers/{group}", {
            "name": name, "format": fmt, "auto.offset.reset": "earliest", "auto.commit.enable": "false"},
            ctype=V2, auth=auth))
        base = f"/consumers/{group}/instances/{name}"
        step(f"subscribe {name}", *call(proxy, "POST", base + "/subscription", {"topics": topics}, ctype=V2,
                                        auth=auth))
        for _ in range(2):  # the first read waits for the join
            step(f"read {name}", *call(proxy, "GET", base + "/records?timeout=3000", accept=accept, auth=auth))
        step(f"commit {name}", *call(proxy, "POST", base + "/offsets", "", ctype=V2, auth=auth))
        instances.append((group, name, fmt, topics, accept))
    for p in problems:
        log(f"setup: {p}")
    log(f"state made: cluster {cluster_id}, schema ids {ids}, {len(instances)} consumer instances, "
        f"{len(problems)} setup steps not as expected")
    return {"cluster_id": cluster_id, "ids": ids, "instances": instances}


# -- seeds ---------------------------------------------------------------------------

class Seed:
    """A valid request: `body` is a JSON value (dumped when sent), a list of them sent one after another
    (`concat`, the v3 stream), raw bytes, or None."""

    def __init__(self, svc, method, target, body=None, ctype=None, accept=None, concat=False, stream=False):
        self.svc, self.method, self.target, self.body = svc, method, target, body
        self.ctype, self.accept, self.concat, self.stream = ctype, accept, concat, stream


def seeds_for(state):
    c, ids = state["cluster_id"], state["ids"]
    avro_id = ids.get(f"{TOPIC_AVRO}-value", 1)
    proto_id = ids.get(f"{TOPIC_PROTO}-value", 1)
    js_id = ids.get(f"{TOPIC_JS}-value", 1)
    out = []

    def console(method, target, body=None, ctype="application/json", stream=False):
        out.append(Seed("console", method, target, body, ctype if body is not None else None, stream=stream))

    for path in ("/", "/index.html", "/app.js", "/style.css", "/metrics", "/api/v1/cluster", "/api/v1/topics",
                 "/api/v1/topics?internal=true", f"/api/v1/topics/{TOPIC_A}", f"/api/v1/topics/{TOPIC_AVRO}",
                 f"/api/v1/topics/{TOPIC_A}/partitions/0/messages?limit=10&offset=0",
                 f"/api/v1/topics/{TOPIC_AVRO}/partitions/1/messages?limit=5",
                 f"/api/v1/topics/{TOPIC_A}/partitions/2/messages?timestamp=0&limit=3",
                 f"/api/v1/topics/{TOPIC_B}/search?value=x&max_records=100",
                 f"/api/v1/topics/{TOPIC_B}/search?pointer=/id&equals=3&from=earliest",
                 f"/api/v1/topics/{TOPIC_A}/search?key=k1&header=h&header_value=x&limit=5&partition=0",
                 f"/api/v1/topics/{TOPIC_A}/search?value=v&from_offset=2&max_bytes=100000",
                 f"/api/v1/topics/{TOPIC_A}/partitioner?key=abc", "/api/v1/groups", f"/api/v1/groups/{GROUP}",
                 f"/api/v1/groups/{GROUP_AVRO}", f"/api/v1/groups/{GROUP}/rebalances",
                 f"/api/v1/groups/{GROUP}/lag-history"):
        console("GET", path)
    console("GET", f"/api/v1/events?topic={TOPIC_A}", stream=True)
    console("GET", "/api/v1/events", stream=True)
    console("GET", f"/api/v1/tail?topic={TOPIC_B}&value=x&follow=false&from=earliest&max_ms=500", stream=True)
    console("GET", f"/api/v1/tail?topic={TOPIC_A}&max_ms=300", stream=True)
    console("POST", "/api/v1/topics", {"name": TOPIC_SCRATCH, "partitions": 2, "configs": {"retention.ms": "60000"}})
    console("POST", "/api/v1/topics", {"name": TOPIC_A, "partitions": 3})
    console("DELETE", f"/api/v1/topics/{TOPIC_SCRATCH}")
    console("POST", f"/api/v1/topics/{TOPIC_SCRATCH}/partitions", {"count": 3, "validate_only": True})
    console("POST", f"/api/v1/topics/{TOPIC_SCRATCH}/partitions", {"count": 4})
    console("POST", f"/api/v1/topics/{TOPIC_A}/configs",
            {"set": {"retention.ms": "86400000"}, "delete": ["segment.ms"], "validate_only": True})
    console("POST", f"/api/v1/topics/{TOPIC_SCRATCH}/configs", {"set": {"cleanup.policy": "compact"}})
    console("POST", f"/api/v1/topics/{TOPIC_A}/messages",
            {"key": "k", "value": {"id": 1}, "headers": {"h": "x"}, "partition": 0})
    console("POST", f"/api/v1/topics/{TOPIC_B}/messages",
            {"key": "c1", "value": "text", "headers": [{"key": "h", "value": "y"}]})
    console("POST", f"/api/v1/topics/{TOPIC_A}/partitions/0/messages/0/replay", {"topic": TOPIC_B, "partition": 0})
    console("POST", f"/api/v1/topics/{TOPIC_AVRO}/partitions/1/messages/0/replay", {})
    console("POST", f"/api/v1/groups/{GROUP}/offsets/reset", {"topic": TOPIC_A, "to": "earliest", "execute": False})
    console("POST", "/api/v1/groups/hz-idle/offsets/reset", {"topic": TOPIC_B, "to": 3, "execute": True})

    def registry(method, target, body=None):
        out.append(Seed("registry", method, target, body, REGISTRY_TYPE if body is not None else None,
                        accept=REGISTRY_TYPE))

    av, js, pr = f"{TOPIC_AVRO}-value", f"{TOPIC_JS}-value", f"{TOPIC_PROTO}-value"
    for path in ("/", "/schemas/types", f"/schemas/ids/{avro_id}", f"/schemas/ids/{proto_id}/schema",
                 f"/schemas/ids/{avro_id}/versions", f"/schemas/ids/{js_id}/subjects?deleted=true", "/subjects",
                 "/subjects?deleted=true&subjectPrefix=hz", f"/subjects/{av}/versions",
                 f"/subjects/{av}/versions/latest",
                 f"/subjects/{pr}/versions/1/schema", "/subjects/hz-money/versions/1/referencedby",
                 "/subjects/hz%2Fslash-value/versions/latest?deleted=true", "/config",
                 f"/config/{av}?defaultToGlobal=true", "/mode", f"/mode/{av}?defaultToGlobal=true"):
        registry("GET", path)
    payment2 = copy.deepcopy(AVRO_PAYMENT)
    payment2["fields"].append({"name": "extra", "type": ["null", "long"], "default": None})
    registry("POST", f"/subjects/{av}/versions", {"schema": json.dumps(payment2)})
    registry("POST", f"/subjects/{av}/versions?normalize=true", {"schema": json.dumps(AVRO_PAYMENT)})
    registry("POST", "/subjects/hz-order-value/versions", {"schema": json.dumps(AVRO_ORDER), "references": [
        {"name": "com.hz.Money", "subject": "hz-money", "version": 1}]})
    registry("POST", f"/subjects/{js}/versions", {"schema": json.dumps(JSON_SCHEMA), "schemaType": "JSON"})
    registry("POST", f"/subjects/{pr}/versions", {"schema": PROTO_SCHEMA, "schemaType": "PROTOBUF"})
    registry("POST", "/subjects/hz-tmp-value/versions", {"schema": json.dumps({"type": "int"})})
    registry("POST", "/subjects/hz%2Fslash-value/versions", {"schema": json.dumps({"type": "string"}), "id": -1,
                                                            "version": 0})
    registry("POST", f"/subjects/{av}", {"schema": json.dumps(AVRO_PAYMENT)})
    registry("POST", f"/subjects/{pr}?normalize=true&deleted=true", {"schema": PROTO_SCHEMA, "schemaType": "PROTOBUF"})
    registry("POST", f"/compatibility/subjects/{av}/versions/latest?verbose=true", {"schema": json.dumps(payment2)})
    registry("POST", f"/compatibility/subjects/{js}/versions", {"schema": json.dumps(JSON_SCHEMA),
                                                                 "schemaType": "JSON"})
    registry("POST", f"/compatibility/subjects/{pr}/versions/1?verbose=true",
             {"schema": PROTO_SCHEMA.replace("int32 cents", "int64 cents"), "schemaType": "PROTOBUF"})
    registry("DELETE", "/subjects/hz-tmp-value")
    registry("DELETE", "/subjects/hz-tmp-value?permanent=true")
    registry("DELETE", "/subjects/hz-tmp-value/versions/latest")
    registry("DELETE", "/subjects/hz-tmp-value/versions/1?permanent=true")
    registry("PUT", "/config", {"compatibility": "BACKWARD"})
    registry("PUT", f"/config/{js}", {"compatibility": "FULL"})
    registry("PUT", f"/config/{pr}", {"compatibilityLevel": "NONE"})
    registry("DELETE", f"/config/{js}")
    registry("PUT", "/mode", {"mode": "READWRITE"})
    registry("PUT", "/mode/hz-tmp-value", {"mode": "READONLY"})
    registry("PUT", "/mode/hz-tmp-value", {"mode": "READWRITE"})
    registry("DELETE", "/mode/hz-tmp-value")

    def proxy(method, target, body=None, ctype=V2, accept=None, concat=False):
        out.append(Seed("proxy", method, target, body, ctype if body is not None else None, accept, concat))

    for path in ("/topics", f"/topics/{TOPIC_A}", f"/topics/{TOPIC_B}/partitions", "/v3/clusters", f"/v3/clusters/{c}"):
        proxy("GET", path)
    proxy("POST", f"/topics/{TOPIC_A}", {"records": [{"key": "a2V5", "value": "dmFsdWU="}, {"value": None,
                                                                                           "partition": 2}]},
          V2_BINARY)
    proxy("POST", f"/topics/{TOPIC_A}/partitions/1", {"records": [{"value": "eHl6"}]}, V2_BINARY)
    proxy("POST", f"/topics/{TOPIC_B}", {"records": [{"key": "c1", "value": {"id": 1, "s": ["x", 2.5, None]}}]},
          V2_JSON)
    proxy("POST", f"/topics/{TOPIC_AVRO}", {"value_schema_id": avro_id, "records": [
        {"value": {"id": 7, "amount": 1.25, "note": {"string": "n"}, "kind": "B", "tags": ["q"]}},
        {"value": {"id": 8, "amount": -3.0, "note": "bare"}}]}, V2_AVRO)
    proxy("POST", f"/topics/{TOPIC_AVRO}", {"key_schema": json.dumps({"type": "string"}),
                                            "value_schema": json.dumps(AVRO_PAYMENT),
                                            "records": [{"key": "k", "value": {"id": 1, "amount": 2.0}}]}, V2_AVRO)
    proxy("POST", f"/topics/{TOPIC_JS}", {"value_schema_id": js_id, "records": [
        {"value": {"sku": "ZZ9", "qty": 3, "lines": [{"n": 1.5}]}}]}, V2_JSONSCHEMA)
    proxy("POST", f"/topics/{TOPIC_PROTO}", {"value_schema_id": proto_id, "records": [
        {"value": {"cents": 5, "who": "w", "at": "2026-01-01T00:00:00Z", "parts": {"a": 1}, "account": "12"}}]},
          V2_PROTOBUF)
    proxy("POST", f"/topics/{TOPIC_PROTO}", {"value_schema": 'syntax = "proto3"; message M { string s = 1; }',
                                             "records": [{"value": {"s": "x"}}]}, V2_PROTOBUF)
    v3 = f"/v3/clusters/{c}/topics/{TOPIC_A}/records"
    proxy("POST", v3, [{"value": {"type": "STRING", "data": "one"}}], "application/json", concat=True)
    proxy("POST", v3, [{"key": {"type": "BINARY", "data": "a2V5"}, "value": {"type": "JSON", "data": {"n": i}},
                        "headers": [{"name": "h", "value": "eA=="}], "partition_id": i % 3,
                        "timestamp": "2026-12-04T01:02:03.456Z"} for i in range(5)], "application/json", concat=True)
    proxy("POST", f"/v3/clusters/{c}/topics/{TOPIC_AVRO}/records",
          [{"value": {"type": "AVRO", "schema_id": avro_id, "data": {"id": i, "amount": 0.5, "note": None,
                                                                     "kind": "A", "tags": []}}} for i in range(3)] +
          [{"value": {"schema_id": avro_id, "data": {"id": 9, "amount": 1.0}}}], "application/json", concat=True)
    proxy("POST", f"/v3/clusters/{c}/topics/{TOPIC_PROTO}/records",
          [{"value": {"type": "PROTOBUF", "schema_id": proto_id, "data": {"cents": 1}}}], "application/json",
          concat=True)
    proxy("POST", v3, [{"value": {"type": "STRING", "data": "s%d" % i}} for i in range(60)], "application/json",
          concat=True)
    for group, name, fmt, topics, accept in state["instances"]:
        base = f"/consumers/{group}/instances/{name}"
        proxy("POST", f"/consumers/{group}", {"name": name, "format": fmt, "auto.offset.reset": "earliest",
                                              "auto.commit.enable": "true"})
        proxy("POST", base + "/subscription", {"topics": topics})
        proxy("GET", base + "/subscription")
        proxy("GET", base + "/assignments")
        proxy("GET", base + "/records?timeout=200&max_bytes=65536", accept=accept)
        proxy("GET", base + "/records", accept=accept)
        proxy("POST", base + "/offsets", {"offsets": [{"topic": topics[0], "partition": 0, "offset": 1,
                                                       "metadata": "m"}]})
        proxy("POST", base + "/offsets", b"")
        proxy("GET", base + "/offsets", {"partitions": [{"topic": t, "partition": 0} for t in topics]})
    proxy("DELETE", f"/consumers/{GROUP}/instances/hz-i2/subscription")
    proxy("DELETE", f"/consumers/{GROUP}/instances/hz-i2")
    proxy("POST", "/consumers/hz-g-new", {"format": "jsonschema", "auto.offset.reset": "latest"})
    proxy("POST", "/consumers/hz-g-new", {"name": "hz-n1", "format": "protobuf"})
    proxy("DELETE", "/consumers/hz-g-new/instances/hz-n1")
    return out


# -- mutations -------------------------------------------------------------------------

DEEP = "\u0000hz-deep\u0000"  # a placeholder replaced by deep nesting once dumped (json.dumps would recurse)
NESTING = [32, 63, 64, 65, 127, 128, 129, 256, 257, 5000, 100000]  # cut to --max-depth in main()


def json_nodes(value, parent=None, key=None, out=None, depth=0):
    out = [] if out is None else out
    out.append((parent, key, value))
    if depth < 40:
        if isinstance(value, dict):
            for k, v in list(value.items()):
                json_nodes(v, value, k, out, depth + 1)
        elif isinstance(value, list):
            for i, v in enumerate(value):
                json_nodes(v, value, i, out, depth + 1)
    return out


def mutate_schema_text(text, rng):
    """The registry's schema is JSON (Avro, JSON Schema) or .proto text inside a JSON string: mutate it as such."""
    try:
        inner = json.loads(text)
    except ValueError:
        inner = None
    if inner is not None and rng.random() < 0.8:
        return dump_json(mutate_json(inner, rng), rng)
    data = text
    for _ in range(rng.randint(1, 3)):
        pos = rng.randrange(len(data) + 1)
        op = rng.randrange(6)
        if op == 0:
            data = data[:pos] + data[pos + rng.randint(1, 12):]
        elif op == 1:
            data = data[:pos] + rng.choice(['{', '}', ';', '"', 'message M { }', 'import "x.proto";', ' = 536870912',
                                            'oneof o {', 'map<string, Amount>', 'repeated ', 'option (x) = 1;',
                                            'reserved 1 to max;', 'enum E { A = 0; }', '\\', '\u00e9',
                                            'syntax = "proto2";', 'extend Amount { int32 e = 100; }']) + data[pos:]
        elif op == 2:
            data = data[:pos] + data[pos:pos + 40] * rng.randint(2, 50) + data[pos + 40:]
        elif op == 3:
            data = data[:pos]
        elif op == 4:
            depth = min(rng.choice((20, 64, 65, 200, 3000)), NESTING[-1])
            data = data[:pos] + "message N {" * depth + "}" * depth + data[pos:]
        else:
            data = re.sub(r"\d+", lambda m: rng.choice(["0", "-1", "2147483648", "99999999999", "536870911"]),
                          data, count=1)
    return data


def mutate_json(value, rng):
    value = copy.deepcopy(value)
    root = [value]
    for _ in range(rng.choice((1, 1, 2, 3))):
        nodes = json_nodes(root[0], root, 0)
        parent, key, node = rng.choice(nodes)
        op = rng.randrange(10)
        if isinstance(node, str) and key == "schema" and rng.random() < 0.6:
            parent[key] = mutate_schema_text(node, rng)
        elif op <= 2:
            parent[key] = copy.deepcopy(rng.choice(INTERESTING_JSON))
        elif op == 3 and parent is not root:
            del parent[key]
        elif op == 4:
            parent[key] = DEEP  # deep nesting, written in dump_json
        elif op == 5 and isinstance(node, dict):
            node[rng.choice(["name", "schema", "records", "value", "key", "type", "data", "topics", "offsets",
                             "partition", "partitions", "count", "set", "delete", "to", "execute", "mode",
                             "compatibility", "references", "schemaType", "id", "version", "headers",
                             "timestamp", "schema_id", "x" * 200])] = copy.deepcopy(rng.choice(INTERESTING_JSON))
        elif op == 6 and isinstance(node, list) and node:
            node.extend(copy.deepcopy(node) * rng.choice((1, 10, 200)))
        elif op == 7 and isinstance(node, str):
            parent[key] = rng.choice([node * rng.choice((2, 100, 5000)), node[:len(node) // 2], node + "\u0001\"\\",
                                      node.upper(), "/" + node, node + "%00"])
        elif op == 8 and isinstance(node, (int, float)) and not isinstance(node, bool):
            parent[key] = rng.choice([node + 1, -node, node * 2 ** 32, str(node), [node], 10 ** 400, -(10 ** 20)])
        else:
            parent[key] = {"v": node} if rng.random() < 0.5 else [node, node]
    return root[0]


def dump_json(value, rng):
    text = json.dumps(value, ensure_ascii=rng.random() < 0.5)
    if DEEP in text or json.dumps(DEEP) in text:
        depth = rng.choice(NESTING)
        opener, closer = rng.choice((("[", "]"), ('{"a":', "}"), ("[{\"x\":", "}]")))
        nested = opener * depth + "1" + closer * depth
        text = text.replace(json.dumps(DEEP), nested).replace(json.dumps(DEEP, ensure_ascii=False), nested)
    return text


INVALID_UTF8 = [b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\xc0\xaf", b"\xf4\x90\x80\x80", b"\xe2\x82", b"\x80",
                b"\xfe\xfe", b"\x00"]


def mutate_bytes(data, rng):
    data = bytearray(data)
    for _ in range(rng.choice((1, 1, 2, 3))):
        pos = rng.randrange(len(data) + 1)
        op = rng.randrange(10)
        if op == 0 and data:
            p = min(pos, len(data) - 1)
            data[p] ^= 1 << rng.randrange(8)
        elif op == 1:
            quote = data.find(b'"', pos)
            at = quote + 1 if quote >= 0 else pos
            data[at:at] = rng.choice(INVALID_UTF8)
        elif op == 2:
            del data[pos:]
        elif op == 3:
            del data[pos:pos + rng.randint(1, 16)]
        elif op == 4:
            start = rng.randrange(len(data) + 1)
            data[pos:pos] = data[start:start + rng.randint(1, 64)]
        elif op == 5:
            m = re.search(rb"-?\d+(\.\d+)?", bytes(data[pos:]))
            if m:
                a, b = pos + m.start(), pos + m.end()
                data[a:b] = rng.choice([b"1" + b"0" * 400, b"-9223372036854775809", b"18446744073709551616",
                                        b"1e999", b"-1e-999", b"NaN", b"Infinity", b"0x10", b"01", b"-", b"1.",
                                        b"4294967296", b"2147483648", b"-0"])
        elif op == 6:
            brace = data.find(b"{", pos)
            if brace >= 0:  # a duplicate key: the first key of that object again
                m = re.match(rb'\s*("(?:[^"\\]|\\.)*")\s*:', bytes(data[brace + 1:]))
                if m:
                    data[brace + 1:brace + 1] = m.group(1) + b":" + rng.choice([b"null", b"1", b'"x"', b"[]"]) + b","
        elif op == 7:
            data[pos:pos] = rng.choice([b"{", b"}", b"[", b"]", b",", b":", b'"', b"\\", b"\\u", b"\\ud800",
                                        b"/*", b"\n", b" " * 1000, b"\x00", b"}{", b"][", b"true", b"nul"])
        elif op == 8:
            data[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
        else:
            data[pos:pos] = b"[" * rng.choice(NESTING)
    return bytes(data)


def mutate_target(target, rng):
    path, _, query = target.partition("?")
    segs = path.split("/")
    op = rng.randrange(9)
    if op <= 1 and len(segs) > 1:
        segs[rng.randrange(1, len(segs))] = rng.choice(SEGMENTS)
    elif op == 2:
        pairs = [query] if query else []
        for _ in range(rng.randint(1, 4)):
            pairs.append(rng.choice(QUERY_KEYS) + rng.choice(["=", "=", ""]) + rng.choice(QUERY_VALUES))
        query = "&".join(pairs)
    elif op == 3 and len(segs) > 2:
        del segs[rng.randrange(1, len(segs))]
    elif op == 4:
        segs.insert(rng.randrange(1, len(segs) + 1), rng.choice(SEGMENTS))
    elif op == 5:
        path = "/".join(segs)
        i = rng.randrange(len(path) + 1)
        path = path[:i] + rng.choice(["%", "%2", "%FF", "%00", "%2F", "//", "%25", "+", "#", "?", ";", "\\",
                                      "%C3%28", "\t"]) + path[i:]
        return path + ("?" + query if query else "")
    elif op == 6:
        return rng.choice([f"http://127.0.0.1/{path.lstrip('/')}", "*", path.lstrip("/"), path + "?" + "&" * 3000,
                           path * rng.randint(2, 200), "/" + "a/" * 3000, path + "?" + "k=v&" * 3000])
    elif op == 7 and query:
        query = re.sub(r"=([^&]*)", lambda m: "=" + rng.choice(QUERY_VALUES), query, count=1)
    else:
        path = re.sub(r"\d+", lambda m: rng.choice(["-1", "0", "2147483648", "99999999999999999999", "1e3", "0x1"]),
                      "/".join(segs), count=1)
        return path + ("?" + query if query else "")
    return "/".join(segs) + ("?" + query if query else "")


def auth_variant(auth, rng):
    good = auth or basic(PLAIN_USER, PLAIN_PASSWORD)
    return rng.choice([
        basic(SCRAM_USER, SCRAM_PASSWORD), basic(PLAIN_USER, "wrong"), basic("nobody", "x"), "Basic", "Basic ",
        "Basic !!!!", "Bearer abc", "basic " + good.split(" ", 1)[1], "Basic    " + good.split(" ", 1)[1] + "  \t",
        "Basic " + base64.b64encode(b"nocolon").decode(), "Basic " + base64.b64encode(b":pw").decode(),
        "Basic " + base64.b64encode(b"u\x01:p").decode(), "Basic " + base64.b64encode(b"\xff\xfe:\x80").decode(),
        "Basic " + "QUFB" * 3000, "Basic " + good.split(" ", 1)[1][:-2], "Basic " + good.split(" ", 1)[1] + "=",
        "Basic " + base64.b64encode(("u" * 500 + ":" + "p" * 5000).encode()).decode(), good + ", " + good])


class Built:
    """One request's bytes and what to expect: `hang` when the server is right to wait for more (a body
    shorter than declared), `close_after` when bytes follow that belong to no request."""

    def __init__(self, svc, data, hang=False, close_after=False, stream=False):
        self.svc, self.data, self.hang, self.close_after, self.stream = svc, data, hang, close_after, stream


def build(seed, rng, port, auth, mutate):
    method, target, version = seed.method, seed.target, "HTTP/1.1"
    if seed.body is None:
        body = None
    elif isinstance(seed.body, bytes):
        body = seed.body
    elif seed.concat:
        records = seed.body
        if mutate and rng.random() < 0.5:
            records = list(records)
            i = rng.randrange(len(records))
            records[i] = mutate_json(records[i], rng)
            mutate = rng.random() < 0.5  # often only the one record
        sep = rng.choice(["\n", "", " ", "\r\n", "\n\n"])
        body = sep.join(dump_json(r, rng) for r in records).encode("utf-8", "surrogatepass")
    else:
        value = mutate_json(seed.body, rng) if mutate and rng.random() < 0.45 else seed.body
        body = dump_json(value, rng).encode("utf-8", "surrogatepass")
    headers = [["Host", f"127.0.0.1:{port}"]]
    if auth or rng.random() < 0.3:
        headers.append(["Authorization", auth or basic(PLAIN_USER, PLAIN_PASSWORD)])
    if seed.ctype:
        headers.append(["Content-Type", seed.ctype])
    if seed.accept:
        headers.append(["Accept", seed.accept])
    framing = "length"
    length_delta = 0
    hang = close_after = False
    extra_lines = []
    if mutate:
        for _ in range(rng.choice((1, 1, 1, 2, 2, 3))):
            area = rng.random()
            if area < 0.3:
                body = mutate_bytes(body if body is not None else b"{}", rng)
            elif area < 0.45:
                target = mutate_target(target, rng)
            elif area < 0.5:
                if rng.random() < 0.5:
                    method = rng.choice(METHODS)
                else:
                    version = rng.choice(VERSIONS)
            elif area < 0.8:
                op = rng.randrange(12)
                if op == 0 and headers:
                    headers.append(list(rng.choice(headers)))
                elif op == 1 and headers:
                    del headers[rng.randrange(len(headers))]
                elif op == 2 and headers:
                    headers[0][1] = rng.choice(["evil.example", "localhost", "[::1]:1", "127.0.0.1:99999", "",
                                                "127.0.0.1:" + "9" * 3000, "LOCALHOST", "127.0.0.2", "[::1"])
                elif op == 3:
                    name = rng.choice(["X-Big", "Cookie", "Authorization", "Content-Type", "Accept", "Host"])
                    headers.append([name, "a" * rng.choice((4000, 8000, 16000, 16384, 16500, 70000))])
                elif op == 4:
                    headers.extend([f"X-H{i}", "v" * rng.randint(0, 40)] for i in range(rng.choice((50, 300, 2000))))
                elif op == 5:
                    headers.append(["Content-Type", rng.choice(CONTENT_TYPES)])
                    if rng.random() < 0.7:
                        headers = [h for h in headers[:-1] if h[0] != "Content-Type"] + [headers[-1]]
                elif op == 6:
                    headers = [h for h in headers if h[0] != "Accept"] + [["Accept", rng.choice(ACCEPTS)]]
                elif op == 7:
                    headers = [h for h in headers if h[0] != "Authorization"]
                    if rng.random() < 0.9:
                        headers.append(["Authorization", auth_variant(auth, rng)])
                elif op == 8:
                    headers.append(["Expect", rng.choice(["100-continue", "100-Continue", "200-ok"])])
                elif op == 9:
                    headers.append(rng.choice([["Connection", "close"], ["Connection", "keep-alive"],
                                               ["Connection", "Upgrade"], ["Upgrade", "h2c"],
                                               ["Connection", "close, close"], ["Keep-Alive", "timeout=1"]]))
                elif op == 10:
                    extra_lines.append(rng.choice([b"NoColon", b": empty-name", b"X Bad: 1", b" folded: x",
                                                   b"X-A: b\r\n c", b"X-Nul: a\x00b", b"X-Utf8: \xff\xfe",
                                                   b"X-Ctl: \x01\x7f", b"\t: x"]))
                else:
                    headers.append(["Transfer-Encoding", rng.choice(["chunked", "gzip, chunked", "chunked, identity",
                                                                     "Chunked", "identity", "chunked\x00"])])
                    framing = "none"
                    close_after = hang = True  # the server reads the body as chunks: it may wait for more
            else:
                framing = rng.choice(["chunked", "chunked", "bad-chunked", "lie", "lie", "bad-length", "both",
                                      "none"])
                if framing == "lie":
                    length_delta = rng.choice((-1, -5, 1, 100, 10 ** 6, 10 ** 9, 2 ** 63 - 1))
    if body is None and framing == "length" and method in ("GET", "DELETE"):
        framing = "omit"
    data = bytearray()
    if framing in ("length", "omit"):
        if framing == "length":
            headers.append(["Content-Length", str(len(body or b""))])
        data += body or b""
    elif framing == "lie":
        n = len(body or b"")
        headers.append(["Content-Length", str(max(0, n + length_delta))])
        data += body or b""
        if length_delta > 0:
            hang = True
        else:
            close_after = True
    elif framing == "bad-length":
        headers.append(["Content-Length", rng.choice(["abc", "-1", "1e3", "18446744073709551616", " 5", "5, 6", "0x10",
                                                      "+5", ""])])
        if rng.random() < 0.3:
            headers.append(["Content-Length", str(len(body or b"") + 1)])
        data += body or b""
        close_after = hang = True  # " 5" or "+5" may parse: then the server waits for the body
    elif framing in ("chunked", "bad-chunked", "both"):
        headers.append(["Transfer-Encoding", "chunked"])
        if framing == "both":
            headers.append(["Content-Length", str(len(body or b"") + rng.choice((0, 5, -1)))])
            close_after = True
        payload = body or b""
        pieces = []
        p = 0
        while p < len(payload):
            n = rng.choice((1, 7, 64, 1000, 70000))
            pieces.append(payload[p:p + n])
            p += n
        for piece in pieces:
            size = b"%x" % len(piece)
            if rng.random() < 0.1:
                size += b";ext=1"
            data += size + b"\r\n" + piece + b"\r\n"
        last = b"0\r\n\r\n"
        if framing == "bad-chunked":
            op = rng.randrange(7)
            close_after = True
            if op == 0:
                data += b"ffffffffffffffff\r\nabc\r\n"
                hang = True
            elif op == 1:
                data += b"zz\r\nabc\r\n"
            elif op == 2:
                data += b"10\r\nabc\r\n"  # shorter than it says
                hang = True
            elif op == 3:
                data += b"-1\r\n"
            elif op == 4:
                last = b""  # never ends
                hang = True
            elif op == 5:
                data += b"3\r\nabcdef\r\n"  # longer than it says
            else:
                last = b"0\r\nX-Trailer: " + b"t" * rng.choice((10, 20000)) + b"\r\n\r\n"
        data += last
    else:  # none: the body follows with no framing, so it reads as the next request
        data += body or b""
        close_after = close_after or bool(body)
    head = bytearray(method.encode("utf-8", "surrogatepass") + b" " +
                     target.encode("utf-8", "surrogatepass") + (b" " + version.encode() if version else b"") + b"\r\n")
    for name, value in headers:
        head += name.encode() + b": " + value.encode("utf-8", "surrogatepass") + b"\r\n"
    for line in extra_lines:
        head += line + b"\r\n"
    head += b"\r\n"
    return Built(seed.svc, bytes(head + data), hang=hang, close_after=close_after, stream=seed.stream)


# -- sending ---------------------------------------------------------------------------

class Stats:
    """Answers per service: status classes, exact statuses, and what happened when none came."""

    def __init__(self):
        self.lock = threading.Lock()
        self.classes = {s: collections.Counter() for s in SERVICES}
        self.codes = {s: collections.Counter() for s in SERVICES}

    def add(self, svc, what, code=None):
        with self.lock:
            self.classes[svc][what] += 1
            if code is not None:
                self.codes[svc][code] += 1

    def line(self, svc):
        with self.lock:
            c = self.classes[svc]
            codes = ", ".join(f"{k}:{v}" for k, v in sorted(self.codes[svc].items()))
            order = ("2xx", "3xx", "4xx", "5xx", "no answer in time", "expected wait", "closed", "bad answer")
            return (f"{svc}: " + ", ".join(f"{k} {c[k]:,}" for k in order if c[k]) + f" [{codes}]")

    def total(self, svc=None, what=None):
        with self.lock:
            return sum(v for s in SERVICES if svc in (None, s) for k, v in self.classes[s].items()
                       if what in (None, k))


class Findings:
    """Every 5xx answer: counted by (service, status, method, path shape, message shape); the first few
    of each kind saved as the request as sent (.http, replayable with nc) and the answer (.answer)."""

    def __init__(self, out_dir, per_kind=3, max_files=400):
        self.dir = os.path.join(out_dir, "5xx")
        self.lock = threading.Lock()
        self.kinds = collections.OrderedDict()
        self.saved = self.slow = 0
        self.per_kind, self.max_files = per_kind, max_files

    @staticmethod
    def shape(text, n):
        text = re.sub(r"\d+", "N", text)
        return "".join(ch if 32 <= ord(ch) < 127 else "?" for ch in text)[:n]

    def add(self, svc, request, answer):
        first_line = request.split(b"\r\n", 1)[0].decode("latin-1")
        method, _, rest = first_line.partition(" ")
        path = rest.rsplit(" ", 1)[0].split("?")[0]
        message = answer.body[:2000].decode("utf-8", "replace")
        try:
            j = json.loads(message)
            message = str(j.get("message") or j.get("error", {}).get("message") or message)
        except (ValueError, AttributeError, RecursionError):  # an answer may echo deep nesting back
            pass
        # Kinds by route, not by every mutated spelling of it: escapes folded, two segments kept.
        route = "/".join(re.sub(r"%[0-9A-Fa-f]{2}|%", "%", path).split("/")[:3])
        key = (svc, answer.status, self.shape(method, 10), self.shape(route, 60), self.shape(message, 100))
        with self.lock:
            entry = self.kinds.setdefault(key, {"count": 0, "files": []})
            entry["count"] += 1
            if len(entry["files"]) >= self.per_kind or self.saved >= self.max_files:
                return
            os.makedirs(self.dir, exist_ok=True)
            self.saved += 1
            name = os.path.join(self.dir, f"{svc}-{answer.status}-{self.saved:04d}")
            entry["files"].append(name + ".http")
        with open(name + ".http", "wb") as f:
            f.write(request)
        with open(name + ".answer", "wb") as f:
            f.write(answer.head + b"\r\n\r\n" + answer.body[:16384])

    def unanswered(self, svc, request, timeout):
        """The first requests that got no answer in time, kept for a look (a slow route, or a stall
        starting): under unanswered/, with how long was waited."""
        with self.lock:
            self.slow += 1
            if self.slow > 60:
                return
            n = self.slow
        directory = os.path.join(os.path.dirname(self.dir), "unanswered")
        os.makedirs(directory, exist_ok=True)
        with open(os.path.join(directory, f"{svc}-{n:03d}-after-{timeout:g}s.http"), "wb") as f:
            f.write(request)

    def summary(self):
        with self.lock:
            return [(k, dict(v)) for k, v in self.kinds.items()]


class Sender(threading.Thread):
    """Sends seeds, mutated 85% of the time, keeping one connection per service; a connection is dropped
    after an answer that closes it, an error, a request that leaves stray bytes behind, or at random (so
    both fresh and long-lived connections are tried). Sometimes two to four requests go in one write."""

    def __init__(self, index, ports, seeds, auth, seed, stop, answer_timeout, stats, findings):
        super().__init__(daemon=True)
        self.index, self.ports, self.auth, self.stop = index, ports, auth, stop
        self.by_svc = {s: [x for x in seeds if x.svc == s] for s in SERVICES}
        self.rng = random.Random(seed)
        self.recent = collections.deque(maxlen=200)
        self.answer_timeout, self.stats, self.findings = answer_timeout, stats, findings
        self.conns = {}

    def drop(self, svc):
        conn = self.conns.pop(svc, None)
        if conn is not None:
            conn.close()

    def one_batch(self):
        rng = self.rng
        svc = rng.choice(SERVICES)
        port = self.ports[svc]
        batch = [build(rng.choice(self.by_svc[svc]), rng, port, self.auth, rng.random() < 0.85)]
        if rng.random() < 0.12 and not (batch[0].hang or batch[0].close_after or batch[0].stream):
            for _ in range(rng.randint(1, 3)):  # pipelined: clean framing only, so answers map to requests
                b = build(rng.choice(self.by_svc[svc]), rng, port, self.auth, rng.random() < 0.6)
                if b.hang or b.close_after or b.stream:
                    break
                batch.append(b)
        if rng.random() < 0.02:
            # Over the service's body limit (console 1 MiB, registry 4 MiB, proxy 8 MiB), sent for real.
            size = {"console": 1 << 20, "registry": 4 << 20, "proxy": 8 << 20}[svc] + rng.choice((1, 100000))
            head, _, _ = batch[0].data.partition(b"\r\n\r\n")
            head = re.sub(rb"\r\n(Content-Length|Transfer-Encoding):[^\r]*", b"", head)
            body = b'{"records":[' + b'"x",' * (size // 4) + b'"x"]}'
            batch = [Built(svc, head + b"\r\nContent-Length: %d\r\n\r\n" % len(body) + body)]
        conn = self.conns.get(svc)
        if conn is None:
            try:
                conn = Conn(port, self.answer_timeout)
            except OSError:
                self.stats.add(svc, "closed")
                time.sleep(0.05)
                return
            self.conns[svc] = conn
        for b in batch:
            self.recent.append((time.time(), svc, b.data))
        try:
            conn.send(b"".join(b.data for b in batch))
        except OSError:
            pass  # the server may have answered and closed already (a refusal): read what came
        for n, b in enumerate(batch):
            timeout = min(0.5, self.answer_timeout) if (b.hang or b.stream) else self.answer_timeout
            try:
                answer = conn.read_answer(time.monotonic() + timeout)
            except socket.timeout:
                self.stats.add(svc, "expected wait" if b.hang else "no answer in time")
                if not b.hang and not b.stream:
                    self.findings.unanswered(svc, b.data, timeout)
                self.drop(svc)
                return
            except BadAnswer as e:
                self.stats.add(svc, "bad answer")
                self.findings_bad(svc, b, str(e))
                self.drop(svc)
                return
            except (OSError, ConnectionError):
                self.stats.add(svc, "closed")
                self.drop(svc)
                return
            self.stats.add(svc, f"{answer.status // 100}xx", answer.status)
            if answer.status >= 500:
                self.findings.add(svc, b.data, answer)
            if answer.close or b.close_after or answer.stream:
                self.drop(svc)
                return
        if rng.random() < 0.3:
            self.drop(svc)

    def findings_bad(self, svc, built, why):
        self.findings.add(svc, built.data, Answer(0, b"(not an HTTP answer: " + why.encode() + b")", b"", True))

    def run(self):
        while not self.stop.is_set():
            try:
                self.one_batch()
            except Exception as e:  # noqa: BLE001 - a bug of this script must not end the run silently
                print(f"sender {self.index}: {type(e).__name__}: {e}", flush=True)
                for svc in list(self.conns):
                    self.drop(svc)
        for svc in list(self.conns):
            self.drop(svc)


def save_failure(out_dir, why, senders, broker):
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "why.txt"), "w") as f:
        f.write(why + "\n\n" + broker.log_tail(200) + "\n")
    order = []
    for s in senders:
        for n, (when, svc, data) in enumerate(list(s.recent)):
            name = f"sender{s.index}-{n:03d}-{svc}.http"
            with open(os.path.join(out_dir, name), "wb") as f:
                f.write(data)
            order.append((when, name, data.split(b"\r\n", 1)[0][:160].decode("latin-1")))
    # All senders' requests in the order sent: the last lines are the likeliest culprits.
    with open(os.path.join(out_dir, "order.txt"), "w") as f:
        for when, name, first_line in sorted(order):
            f.write(f"{when:.3f} {name} {first_line}\n")
    return out_dir


BYSTANDER_PATHS = {"console": "/api/v1/cluster", "registry": "/subjects", "proxy": "/topics"}


def bystander(ports, broker_port, auth, timeout):
    """None when every service answered its GET with 200 and the broker ApiVersions, else what failed."""
    for svc in SERVICES:
        status = get_status(ports[svc], BYSTANDER_PATHS[svc], auth, timeout)
        if status != 200:
            return (f"the {svc} did not answer GET {BYSTANDER_PATHS[svc]} within {timeout} s" if status is None
                    else f"the {svc} answered GET {BYSTANDER_PATHS[svc]} with {status}")
    if not api_versions_probe("127.0.0.1", broker_port, timeout=timeout):
        return f"a new connection's ApiVersions was not answered within {timeout} s"
    return None


def durable_state(ports, auth):
    """What must survive a restart: the registry's subjects (deleted ones too) and versions, and the topics."""
    _, subjects = call(ports["registry"], "GET", "/subjects?deleted=true", auth=auth)
    versions = {}
    if isinstance(subjects, list):
        for s in sorted(subjects)[:300]:
            _, v = call(ports["registry"], "GET", f"/subjects/{urllib.parse.quote(s, safe='')}/versions?deleted=true",
                        auth=auth)
            versions[s] = v
    _, topics = call(ports["proxy"], "GET", "/topics", auth=auth)
    return {"subjects": sorted(subjects) if isinstance(subjects, list) else subjects, "versions": versions,
            "topics": sorted(topics) if isinstance(topics, list) else topics}


LOG_LEVEL = re.compile(r"^\S+ \S+ (error|critical|warning) (.*)$")


def log_levels(path):
    """{level: Counter of message shapes} of the broker log's warning, error and critical lines."""
    out = {"error": collections.Counter(), "critical": collections.Counter(), "warning": collections.Counter()}
    try:
        with open(path, "rb") as f:
            for raw in f:
                m = LOG_LEVEL.match(raw.decode("utf-8", "replace").rstrip())
                if m:
                    out[m.group(1)][Findings.shape(m.group(2), 160)] += 1
    except FileNotFoundError:
        pass
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("build_dir")
    ap.add_argument("--seconds", type=float, default=600)
    ap.add_argument("--senders", type=int, default=4)
    ap.add_argument("--seed", type=int, default=int(time.time()))
    ap.add_argument("--authorizer", action="store_true",
                    help="run with an authorizer, so every request needs Basic credentials (a JAAS PLAIN user and "
                         "a SCRAM user, both super users); the proxy's schema formats then cannot reach the "
                         "registry")
    ap.add_argument("--max-depth", type=int, default=100000,
                    help="deepest JSON nesting sent (lower it to get past a known stack overflow)")
    ap.add_argument("--answer-timeout", type=float, default=2.0)
    ap.add_argument("--stall-seconds", type=float, default=10.0)
    ap.add_argument("--rss-limit-mb", type=float, default=1536)
    ap.add_argument("--idle-before-stop", type=float, default=0,
                    help="seconds to wait, with no client connected, before the SIGTERM")
    ap.add_argument("--keep", action="store_true", help="keep the work directory (data, broker log) after a pass")
    ap.add_argument("--out", default=None,
                    help="where a failure's requests go, and every 5xx under 5xx/ (default: the work directory's out)")
    args = ap.parse_args()

    def log(msg):
        print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)

    NESTING[:] = sorted({min(d, args.max_depth) for d in NESTING})
    programs = BrokerProgram(args.build_dir)
    work = tempfile.mkdtemp(prefix="http-fuzz-")
    out = args.out or os.path.join(work, "out")
    broker_port = free_port()
    ports = {svc: free_port() for svc in SERVICES}
    settings = {"listeners": f"PLAINTEXT://127.0.0.1:{broker_port}",
                "http.listeners": f"http://127.0.0.1:{ports['console']}",
                "schema.registry.listeners": f"http://127.0.0.1:{ports['registry']}",
                "http.proxy.listeners": f"http://127.0.0.1:{ports['proxy']}",
                "http.write.enabled": "true",
                # Mutated partition counts would otherwise create up to 100,000 partitions (the default):
                # a disk and memory test, not an HTTP one.
                "max.broker.partitions": "2000",
                # Mutated creates leave instances behind; expiring them soon keeps the 100 slots turning over.
                "http.proxy.consumer.instance.timeout.ms": "30000"}
    auth = None
    if args.authorizer:
        settings.update({"authorizer.class.name": AUTHORIZER,
                         "super.users": f"User:{PLAIN_USER};User:{SCRAM_USER};User:ANONYMOUS",
                         "listener.name.http.plain.sasl.jaas.config":
                             "org.apache.kafka.common.security.plain.PlainLoginModule required "
                             f'user_{PLAIN_USER}="{PLAIN_PASSWORD}";'})
        auth = basic(PLAIN_USER, PLAIN_PASSWORD)
    broker = SamsaBroker(programs, work, settings)
    broker.start()
    log(f"broker pid {broker.pid}: kafka {broker_port}, console {ports['console']}, registry {ports['registry']}, "
        f"proxy {ports['proxy']}; seed {args.seed}; authorizer {'on' if args.authorizer else 'off'}; work dir {work}")
    if args.authorizer:
        done = subprocess.run([programs.samsa, "user", "create", SCRAM_USER, "--password-stdin", "-b",
                               f"127.0.0.1:{broker_port}"], input=SCRAM_PASSWORD + "\n", capture_output=True,
                              text=True, timeout=60)
        log(f"SCRAM user {SCRAM_USER}: exit {done.returncode} {done.stderr.strip()[-300:]}")
    if bystander(ports, broker_port, auth, 60):
        log("FAILED: the HTTP services did not come up: " + bystander(ports, broker_port, auth, 10))
        log(broker.log_tail(60))
        broker.kill()
        return 1
    state = make_state(ports, auth, log)
    seeds = seeds_for(state)
    log(f"{len(seeds)} seeds: " + ", ".join(f"{s} {sum(1 for x in seeds if x.svc == s)}" for s in SERVICES))

    stats = Stats()
    findings = Findings(out)
    stop = threading.Event()
    senders = [Sender(i, ports, seeds, auth, args.seed * 100 + i, stop, args.answer_timeout, stats, findings)
               for i in range(args.senders)]
    for s in senders:
        s.start()
    failure = None
    peak_rss_mb = 0.0
    worst_probe = 0.0
    started = time.monotonic()
    next_report = started + 60
    while time.monotonic() - started < args.seconds:
        time.sleep(1.0)
        failure, peak_rss_mb = broker_health(broker, peak_rss_mb, args.rss_limit_mb)
        if failure:
            break
        t0 = time.monotonic()
        why = bystander(ports, broker_port, auth, args.stall_seconds)
        if why:
            failure = why
            break
        worst_probe = max(worst_probe, time.monotonic() - t0)
        if time.monotonic() >= next_report:
            next_report += 60
            log(f"sent {stats.total():,} requests, 5xx {stats.total(what='5xx'):,}; peak RSS {peak_rss_mb:.0f} MiB; "
                f"worst bystander round {worst_probe * 1000:.0f} ms")
            for svc in SERVICES:
                log("  " + stats.line(svc))
    stop.set()
    for s in senders:
        s.join(10)
    totals = (f"{stats.total():,} requests answered or given up on; peak RSS {peak_rss_mb:.0f} MiB; worst bystander "
              f"round {worst_probe * 1000:.0f} ms")
    if failure is None:
        time.sleep(args.idle_before_stop)
        try:
            before = durable_state(ports, auth)
            log(f"SIGTERM: exited in {broker.stop():.2f} s")
            broker.start()
            why = bystander(ports, broker_port, auth, 60)
            if why:
                raise RuntimeError(f"after the restart {why}")
            after = durable_state(ports, auth)
            if after != before:
                diff = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
                raise RuntimeError(f"the state differs after the restart: {str(diff)[:3000]}")
            log(f"started again on the same data directory: {len(before['subjects'])} subjects, "
                f"{len(before['topics'])} topics as before")
            broker.stop()
        except Exception as e:  # noqa: BLE001 - any failure here is the finding
            failure = f"stop/restart: {e}"
    for svc in SERVICES:
        log("status codes, " + stats.line(svc))
    kinds = findings.summary()
    log(f"5xx answers: {sum(v['count'] for _, v in kinds):,} of {len(kinds)} kinds"
        + (f"; requests kept in {findings.dir}" if kinds else ""))
    for (svc, status, method, path, message), v in kinds:
        log(f"  {v['count']:6,} x {svc} {status} {method} {path}: {message}  e.g. "
            f"{os.path.basename(v['files'][0]) if v['files'] else '-'}")
    levels = log_levels(broker.log_path)
    for level in ("critical", "error", "warning"):
        counter = levels[level]
        log(f"broker log {level}: {sum(counter.values()):,} lines, {len(counter)} kinds")
        for message, n in counter.most_common(15 if level == "warning" else 40):
            log(f"  {n:6,} x {message}")
    return conclude(log, failure, totals, args.keep, broker, lambda: save_failure(out, failure, senders, broker))


if __name__ == "__main__":
    sys.exit(main())
