"""Bad input to the Schema Registry's REST API: malformed schemas of each
format, wrong field types, unknown ids and versions, wrong content types,
oversized and chunked bodies, bad settings. Each gets Confluent's error code
and a message; nothing is stored (the subject list and what was stored before
stay the same), and the registry keeps answering."""

import json
import socket

import pytest

from registry_util import CT, REGISTRY, Registry, registry_url

GOOD_AVRO = json.dumps({"type": "record", "name": "Keep", "fields": [{"name": "a", "type": "int"}]})


@pytest.fixture
def reg(broker_factory):
    b = broker_factory(REGISTRY)
    r = Registry(registry_url(b))
    status, body = r.register("keep-value", GOOD_AVRO)
    assert status == 200, body
    r.kept_id = body["id"]
    return r


def assert_unchanged(reg):
    """Nothing stored, nothing lost: the one subject registered first, as it was."""
    assert reg.call("GET", "/subjects")[1] == ["keep-value"]
    assert reg.call("GET", "/subjects/keep-value/versions")[1] == [1]
    status, got = reg.call("GET", f"/schemas/ids/{reg.kept_id}")
    assert status == 200 and json.loads(got["schema"]) == json.loads(GOOD_AVRO)
    # No other id was handed out: the next registration gets the next one.
    assert reg.call("GET", f"/schemas/ids/{reg.kept_id + 1}")[1]["error_code"] == 40403


MALFORMED = [
    # AVRO
    ("AVRO", "{not json"),
    ("AVRO", json.dumps({"type": "record", "name": "R"})),  # no fields
    ("AVRO", json.dumps({"type": "record", "name": "R", "fields": [{"name": "a", "type": "nosuchtype"}]})),
    ("AVRO", json.dumps({"type": "enum", "name": "E", "symbols": ["A", "A"]})),
    ("AVRO", json.dumps({"type": "fixed", "name": "F", "size": -1})),
    ("AVRO", json.dumps({"type": "record", "name": "9bad", "fields": []})),
    ("AVRO", "[" * 100000 + "]" * 100000),  # nested far too deeply
    # JSON Schema
    ("JSON", "{not json"),
    ("JSON", json.dumps({"type": "strang"})),
    ("JSON", json.dumps({"properties": []})),
    ("JSON", json.dumps({"required": "id"})),
    ("JSON", json.dumps({"minLength": -1})),
    ("JSON", json.dumps({"anyOf": []})),
    ("JSON", "5"),
    # PROTOBUF
    ("PROTOBUF", "message {"),
    ("PROTOBUF", 'syntax = "proto3"; message M { nosuch.Type a = 1; }'),
    ("PROTOBUF", 'syntax = "proto3"; message M { string a = 1; string b = 1; }'),  # duplicate field number
    ("PROTOBUF", 'syntax = "proto3"; import "missing.proto"; message M { string a = 1; }'),
    ("PROTOBUF", 'syntax = "proto9"; message M {}'),
]


@pytest.mark.parametrize("schema_type,text", MALFORMED, ids=[f"{t}-{i}" for i, (t, _) in enumerate(MALFORMED)])
def test_malformed_schemas_are_refused_with_42201(reg, schema_type, text):
    for path in ("/subjects/bad-value/versions", "/subjects/keep-value", "/compatibility/subjects/keep-value/versions"):
        status, answer = reg.call("POST", path, {"schema": text, "schemaType": schema_type})
        assert status == 422 and answer["error_code"] == 42201, (path, answer)
        assert isinstance(answer["message"], str) and answer["message"]
    assert_unchanged(reg)


WRONG_FIELDS = [
    {"schema": 5},
    {"schema": None},
    {"schema": ["x"]},
    {"schema": GOOD_AVRO, "schemaType": 7},
    {"schema": GOOD_AVRO, "schemaType": ["AVRO"]},
    {"schema": GOOD_AVRO, "references": "x"},
    {"schema": GOOD_AVRO, "references": [{"name": 1, "subject": "keep-value", "version": 1}]},
    {"schema": GOOD_AVRO, "references": [{"name": "x", "subject": "keep-value", "version": "1"}]},
    {"schema": GOOD_AVRO, "references": [{"name": "x", "subject": "keep-value", "version": 2 ** 40}]},
    {"schema": GOOD_AVRO, "references": [{"name": "x", "subject": "keep-value"}] * 101},
    {"schema": GOOD_AVRO, "references": [{"name": "x", "subject": "nope", "version": 1}]},
]


@pytest.mark.parametrize("body", WRONG_FIELDS, ids=[str(i) for i in range(len(WRONG_FIELDS))])
def test_wrong_field_types_are_refused(reg, body):
    status, answer = reg.call("POST", "/subjects/bad-value/versions", body)
    assert status == 422 and answer["error_code"] == 42201, answer
    assert_unchanged(reg)


def test_unknown_ids_versions_and_subjects(reg):
    for path, code in [("/schemas/ids/999999", 40403), ("/schemas/ids/999999/schema", 40403),
                       ("/schemas/ids/999999/versions", 40403), ("/schemas/ids/999999/subjects", 40403),
                       ("/subjects/nope/versions", 40401), ("/subjects/nope/versions/1", 40401),
                       ("/subjects/keep-value/versions/2", 40402), ("/config/nope", 40408)]:
        status, answer = reg.call("GET", path)
        assert status == 404 and answer["error_code"] == code, (path, answer)
    for path in ("/schemas/ids/abc", "/schemas/ids/-1", "/schemas/ids/99999999999"):
        status, answer = reg.call("GET", path)
        assert status == 404 and answer["error_code"] == 40403, (path, answer)
    for version in ("0", "abc", "99999999999", "1.5"):
        status, answer = reg.call("GET", f"/subjects/keep-value/versions/{version}")
        assert status == 422 and answer["error_code"] == 42202, (version, answer)
    assert_unchanged(reg)


def test_wrong_content_types_and_bodies(reg):
    body = json.dumps({"schema": GOOD_AVRO.replace("Keep", "Other")})
    for content_type in ("text/plain", "application/xml", "multipart/form-data; boundary=x"):
        status, answer = reg.call("POST", "/subjects/other-value/versions", raw=body, content_type=content_type)
        assert status == 415 and answer["error_code"] == 415, (content_type, answer)
        status, answer = reg.call("PUT", "/config", raw=json.dumps({"compatibility": "NONE"}),
                                  content_type=content_type)
        assert status == 415, answer
    for raw in ("[1,2", "[1,2]", '"schema"', "", "\xff\xfe"):
        status, answer = reg.call("POST", "/subjects/other-value/versions", raw=raw.encode("latin-1"),
                                  content_type="application/json")
        assert answer["error_code"] in (400, 42201) and status in (400, 422), (raw, answer)
    assert reg.call("GET", "/config")[1] == {"compatibilityLevel": "BACKWARD"}
    assert_unchanged(reg)


def test_deeply_nested_bodies_are_refused_and_the_broker_stays_up(reg):
    # 100,000 levels in schemaType were printed back in the error message by a
    # recursive dump() on the registry's thread: the stack overflowed and the
    # broker died (found by scripts/http_fuzz.py).
    deep = "[" * 100_000 + "]" * 100_000
    for raw in ('{"schema":"\\"int\\"","schemaType":' + deep + '}', '{"schema":"\\"int\\"","x":' + deep + '}'):
        status, answer = reg.call("POST", "/subjects/deep-value/versions", raw=raw, content_type=CT)
        assert status == 400 and answer["error_code"] == 400, answer
        assert "nests deeper than 1000 levels" in answer["message"], answer
    # Jackson's bound: 1,000 levels are read (here refused for the field's type, not the depth).
    at_bound = "[" * 999 + "]" * 999
    status, answer = reg.call("POST", "/subjects/deep-value/versions",
                              raw='{"schema":"\\"int\\"","schemaType":' + at_bound + '}', content_type=CT)
    assert status == 422 and answer["error_code"] == 42201, answer
    assert_unchanged(reg)


def test_paths_that_are_not_utf8_are_answered_not_failed(reg):
    # The path is echoed in the 404's message; a strict dump() of it threw: 500.
    for path in ("/subjects/%FF/versions", "/subjects/%C3%28/versions/1", "/schemas/ids/%FF"):
        status, answer = reg.call("GET", path)
        assert status == 404 and answer["error_code"] in (40401, 40403, 404), (path, answer)
    # Registering under such a subject failed as it was written to _schemas (500).
    for method, path in (("POST", "/subjects/x%99y-value/versions"), ("POST", "/subjects/x%99y-value"),
                         ("PUT", "/config/x%99y-value"), ("DELETE", "/subjects/x%99y-value")):
        status, answer = reg.call(method, path, {"schema": GOOD_AVRO, "compatibility": "NONE"})
        assert status == 404 and answer["error_code"] == 404, (method, path, answer)
    assert_unchanged(reg)


def test_bad_settings(reg):
    status, answer = reg.call("PUT", "/config", {"compatibility": "SIDEWAYS"})
    assert status == 422 and answer["error_code"] == 42203, answer
    status, answer = reg.call("PUT", "/config/keep-value", {"compatibility": 5})
    assert status == 422 and answer["error_code"] == 42203, answer
    status, answer = reg.call("PUT", "/mode", {"mode": "WRITEONLY"})
    assert status == 422 and answer["error_code"] == 42204, answer
    assert reg.call("GET", "/config")[1] == {"compatibilityLevel": "BACKWARD"}
    assert reg.call("GET", "/mode")[1] == {"mode": "READWRITE"}
    assert reg.call("GET", "/config/keep-value")[1]["error_code"] == 40408
    assert_unchanged(reg)


def raw_exchange(reg, request_bytes, read=65536):
    port = int(reg.url.rsplit(":", 1)[1])
    s = socket.create_connection(("127.0.0.1", port), timeout=15)
    try:
        s.sendall(request_bytes)
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = s.recv(read)
            if not chunk:
                break
            answer += chunk
        return answer
    finally:
        s.close()


def test_oversized_bodies_are_refused_before_they_are_stored(reg):
    head = (b"POST /subjects/big-value/versions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: " + CT.encode() + b"\r\n")
    # Announced too large: refused from the header.
    answer = raw_exchange(reg, head + b"Content-Length: " + str((4 << 20) + 1).encode() + b"\r\n\r\n")
    assert answer.split(b" ")[1] == b"413"
    # In Confluent's error format, as every registry answer.
    refused = json.loads(answer.split(b"\r\n\r\n", 1)[1])
    assert refused["error_code"] == 413 and "message" in refused, refused
    # Chunked, no length given: refused once the body passes the limit.
    chunk = b"a" * (1 << 20)
    body = b"".join(b"%x\r\n" % len(chunk) + chunk + b"\r\n" for _ in range(5)) + b"0\r\n\r\n"
    port = int(reg.url.rsplit(":", 1)[1])
    s = socket.create_connection(("127.0.0.1", port), timeout=15)
    try:
        s.sendall(head + b"Transfer-Encoding: chunked\r\n\r\n")
        try:
            s.sendall(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may stop reading once it refused
        answer = s.recv(4096)
    finally:
        s.close()
    assert answer.split(b" ")[1] == b"413", answer[:200]
    # A schema over 1 MiB inside a body under 4 MiB: 42201.
    big = json.dumps({"type": "record", "name": "Big", "doc": "x" * (1 << 20), "fields": []})
    status, answer = reg.call("POST", "/subjects/big-value/versions", {"schema": big})
    assert status == 422 and answer["error_code"] == 42201, answer
    assert_unchanged(reg)
