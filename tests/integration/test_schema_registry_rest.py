"""The Schema Registry's REST API inside `samsa serve`, spoken directly with
requests: registration and ids, lookups, evolution under each level, deletes,
config and mode, references, and bad input (errors with Confluent's codes,
nothing stored)."""

import json
import socket

import pytest

from registry_util import CT, REGISTRY, Registry, registry_url

USER_V1 = json.dumps({"type": "record", "name": "User", "namespace": "ex",
                      "fields": [{"name": "id", "type": "long"}]})
USER_V2 = json.dumps({"type": "record", "name": "User", "namespace": "ex",
                      "fields": [{"name": "id", "type": "long"},
                                 {"name": "email", "type": "string", "default": ""}]})
USER_BAD = json.dumps({"type": "record", "name": "User", "namespace": "ex",
                       "fields": [{"name": "id", "type": "long"}, {"name": "age", "type": "int"}]})


@pytest.fixture
def reg(broker_factory):
    b = broker_factory(REGISTRY)
    return Registry(registry_url(b))


def test_register_is_idempotent_and_ids_are_global(reg):
    status, body = reg.register("users-value", USER_V1)
    assert status == 200, body
    first = body["id"]
    # The same schema written differently: the same id, no new version.
    same = json.dumps(json.loads(USER_V1), indent=2)
    assert reg.register("users-value", same) == (200, {"id": first})
    assert reg.call("GET", "/subjects/users-value/versions") == (200, [1])
    # Another subject: same id, its own version 1.
    assert reg.register("other-value", USER_V1) == (200, {"id": first})
    status, versions = reg.call("GET", f"/schemas/ids/{first}/versions")
    assert sorted((v["subject"], v["version"]) for v in versions) == [("other-value", 1), ("users-value", 1)]
    assert reg.call("GET", f"/schemas/ids/{first}/subjects")[1] == ["other-value", "users-value"]
    status, by_id = reg.call("GET", f"/schemas/ids/{first}")
    assert status == 200 and json.loads(by_id["schema"]) == json.loads(USER_V1) and "schemaType" not in by_id
    assert reg.call("GET", "/schemas/types")[1] == ["JSON", "PROTOBUF", "AVRO"]
    assert reg.call("GET", "/subjects")[1] == ["other-value", "users-value"]


def test_lookup_and_versions(reg):
    reg.register("s", USER_V1)
    reg.register("s", USER_V2)
    status, found = reg.call("POST", "/subjects/s", {"schema": USER_V1})
    assert status == 200 and found["version"] == 1 and found["subject"] == "s"
    status, latest = reg.call("GET", "/subjects/s/versions/latest")
    assert status == 200 and latest["version"] == 2 and json.loads(latest["schema"]) == json.loads(USER_V2)
    status, raw = reg.call("GET", "/subjects/s/versions/1/schema")
    assert status == 200 and raw == json.loads(USER_V1)
    assert reg.call("POST", "/subjects/s", {"schema": USER_BAD})[1]["error_code"] == 40403
    assert reg.call("POST", "/subjects/nobody", {"schema": USER_V1})[1]["error_code"] == 40401
    assert reg.call("GET", "/subjects/s/versions/9")[1]["error_code"] == 40402
    assert reg.call("GET", "/subjects/s/versions/zero")[1]["error_code"] == 42202
    assert reg.call("GET", "/schemas/ids/999")[1]["error_code"] == 40403


def test_evolution_compatible_incompatible_and_levels(reg):
    assert reg.register("s", USER_V1)[0] == 200
    status, body = reg.register("s", USER_BAD)
    assert status == 409 and body["error_code"] == 409
    assert "READER_FIELD_MISSING_DEFAULT_VALUE" in body["message"]
    assert reg.call("GET", "/subjects/s/versions")[1] == [1]  # nothing stored
    status, check = reg.call("POST", "/compatibility/subjects/s/versions/latest", {"schema": USER_BAD},
                             params={"verbose": "true"})
    assert status == 200 and check["is_compatible"] is False and check["messages"]
    assert reg.call("POST", "/compatibility/subjects/s/versions/latest", {"schema": USER_V2})[1] == {"is_compatible": True}
    assert reg.register("s", USER_V2)[0] == 200
    # FORWARD lets the old reader ignore a new field without a default.
    assert reg.call("PUT", "/config/s", {"compatibility": "FORWARD"}) == (200, {"compatibility": "FORWARD"})
    assert reg.call("GET", "/config/s")[1] == {"compatibilityLevel": "FORWARD"}
    assert reg.call("GET", "/config")[1] == {"compatibilityLevel": "BACKWARD"}
    bad_v3 = json.dumps({"type": "record", "name": "User", "namespace": "ex",
                         "fields": [{"name": "id", "type": "long"}, {"name": "email", "type": "string", "default": ""},
                                    {"name": "age", "type": "int"}]})
    assert reg.register("s", bad_v3)[0] == 200
    assert reg.call("PUT", "/config", {"compatibility": "SOMETIMES"})[1]["error_code"] == 42203
    assert reg.call("GET", "/config/t")[1]["error_code"] == 40408
    assert reg.call("GET", "/config/t", params={"defaultToGlobal": "true"})[1] == {"compatibilityLevel": "BACKWARD"}
    assert reg.call("DELETE", "/config/s")[1] == {"compatibilityLevel": "FORWARD"}
    assert reg.call("GET", "/config/s")[1]["error_code"] == 40408


def test_deletes_soft_then_permanent_and_ids_not_reused(reg):
    id1 = reg.register("s", USER_V1)[1]["id"]
    reg.register("s", USER_V2)
    assert reg.call("DELETE", "/subjects/s/versions/1", params={"permanent": "true"})[1]["error_code"] == 40407
    assert reg.call("DELETE", "/subjects/s/versions/1") == (200, 1)
    assert reg.call("DELETE", "/subjects/s/versions/1")[1]["error_code"] == 40406
    assert reg.call("GET", "/subjects/s/versions")[1] == [2]
    assert reg.call("GET", "/subjects/s/versions", params={"deleted": "true"})[1] == [1, 2]
    assert reg.call("GET", f"/schemas/ids/{id1}")[0] == 200  # soft: still readable by id
    assert reg.call("DELETE", "/subjects/s", params={"permanent": "true"})[1]["error_code"] == 40405
    assert reg.call("DELETE", "/subjects/s") == (200, [2])
    assert reg.call("GET", "/subjects")[1] == []
    assert reg.call("GET", "/subjects", params={"deleted": "true"})[1] == ["s"]
    assert reg.call("DELETE", "/subjects/s", params={"permanent": "true"}) == (200, [1, 2])
    assert reg.call("GET", f"/schemas/ids/{id1}")[1]["error_code"] == 40403
    # A new schema gets a new id, never a freed one.
    new_id = reg.register("s", USER_BAD)[1]["id"]
    assert new_id > id1 + 1


def test_json_and_protobuf_schemas_and_references(reg):
    js = json.dumps({"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": False})
    status, body = reg.register("j", js, "JSON")
    assert status == 200, body
    assert reg.call("GET", f"/schemas/ids/{body['id']}")[1]["schemaType"] == "JSON"
    closed_more = json.dumps({"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "integer"}},
                              "additionalProperties": False})
    assert reg.register("j", closed_more, "JSON")[0] == 200
    assert reg.register("j", json.dumps({"type": "object", "properties": {"a": {"type": "integer"}},
                                         "additionalProperties": False}), "JSON")[0] == 409

    address = 'syntax = "proto3"; package ex; message Address { string city = 1; }'
    status, addr = reg.register("address.proto", address, "PROTOBUF")
    assert status == 200, addr
    user = ('syntax = "proto3"; package ex; import "address.proto"; '
            'message User { int64 id = 1; Address home = 2; }')
    refs = [{"name": "address.proto", "subject": "address.proto", "version": 1}]
    status, u = reg.register("user-value", user, "PROTOBUF", refs)
    assert status == 200, u
    status, got = reg.call("GET", "/subjects/user-value/versions/1")
    assert got["references"] == refs and got["schemaType"] == "PROTOBUF" and "message User" in got["schema"]
    assert reg.call("GET", "/subjects/address.proto/versions/1/referencedby")[1] == [u["id"]]
    assert reg.call("DELETE", "/subjects/address.proto/versions/1")[1]["error_code"] == 42206
    # A field's type changed across wire groups: incompatible.
    changed = ('syntax = "proto3"; package ex; import "address.proto"; '
               'message User { string id = 1; Address home = 2; }')
    assert reg.register("user-value", changed, "PROTOBUF", refs)[0] == 409
    # An import with no reference: the schema does not build.
    status, body = reg.register("lonely", user, "PROTOBUF")
    assert status == 422 and body["error_code"] == 42201


def test_normalize_stores_the_normalized_text(reg):
    spaced = '{ "type" : "record", "name" : "N", "fields" : [ { "name" : "a", "type" : "int" } ] }'
    status, body = reg.register("n", spaced, params={"normalize": "true"})
    assert status == 200
    stored = reg.call("GET", f"/schemas/ids/{body['id']}")[1]["schema"]
    assert " " not in stored and json.loads(stored) == json.loads(spaced)


def test_modes(reg):
    assert reg.call("GET", "/mode")[1] == {"mode": "READWRITE"}
    reg.register("s", USER_V1)
    assert reg.call("PUT", "/mode", {"mode": "SIDEWAYS"})[1]["error_code"] == 42204
    assert reg.call("PUT", "/mode", {"mode": "READONLY"}) == (200, {"mode": "READONLY"})
    status, body = reg.register("s", USER_V2)
    assert status == 422 and body["error_code"] == 42205
    assert reg.call("DELETE", "/subjects/s")[1]["error_code"] == 42205
    assert reg.call("PUT", "/mode", {"mode": "READWRITE"})[0] == 200
    # IMPORT over existing subjects needs force; then schemas keep the given ids.
    assert reg.call("PUT", "/mode", {"mode": "IMPORT"})[1]["error_code"] == 42205
    assert reg.call("PUT", "/mode", {"mode": "IMPORT"}, params={"force": "true"})[0] == 200
    assert reg.call("POST", "/subjects/imported/versions",
                    {"schema": USER_BAD, "id": 500, "version": 3}) == (200, {"id": 500})
    assert reg.call("GET", "/subjects/imported/versions")[1] == [3]
    assert reg.call("PUT", "/mode", {"mode": "READWRITE"})[0] == 200
    # After an import, new ids start above the imported ones.
    assert reg.register("later", json.dumps({"type": "enum", "name": "E", "symbols": ["A"]}))[1]["id"] == 501
    assert reg.call("PUT", "/mode/later", {"mode": "READONLY"})[1] == {"mode": "READONLY"}
    assert reg.call("GET", "/mode/later")[1] == {"mode": "READONLY"}
    assert reg.call("GET", "/mode/s")[1]["error_code"] == 40409


def test_bad_input_gets_clear_errors_and_nothing_is_stored(reg):
    cases = [
        ({"schema": "{not json"}, 42201),
        ({"schema": json.dumps({"type": "record", "name": "R"})}, 42201),
        ({"schema": ""}, 42201),
        ({"schema": USER_V1, "schemaType": "XML"}, 42201),
        ({"schema": "message {", "schemaType": "PROTOBUF"}, 42201),
        ({"schema": USER_V1, "references": [{"name": "x", "subject": "nope", "version": 1}]}, 42201),
    ]
    for body, code in cases:
        status, answer = reg.call("POST", "/subjects/bad/versions", body)
        assert status == code // 100 and answer["error_code"] == code, (body, answer)
        assert answer["message"]
    status, answer = reg.call("POST", "/subjects/bad/versions", raw="[1,2", content_type="application/json")
    assert status == 400 and answer["error_code"] == 400
    status, answer = reg.call("POST", "/subjects/bad/versions", raw=json.dumps({"schema": USER_V1}),
                              content_type="text/plain")
    assert status == 415 and answer["error_code"] == 415
    # Plain JSON is accepted.
    assert reg.call("POST", "/subjects/ok/versions", {"schema": USER_V1}, content_type="application/json")[0] == 200
    # Media types ignore case. A body without a Content-Type is taken as
    # application/octet-stream, as Confluent's registry does (Go's lensesio
    # client sends none), unless a browser page of another origin sent it.
    status, answer = reg.call("POST", "/subjects/upper/versions", raw=json.dumps({"schema": USER_V1}),
                              content_type="Application/JSON; charset=UTF-8")
    assert status == 200 and "id" in answer, answer
    r = reg.session.post(reg.url + "/subjects/untyped/versions", data=iter([json.dumps({"schema": USER_V1}).encode()]),
                         timeout=30)
    assert "Content-Type" not in r.request.headers and r.request.headers.get("Transfer-Encoding") == "chunked"
    assert r.status_code == 200 and "id" in r.json(), r.text
    r = reg.session.post(reg.url + "/subjects/crosssite/versions", data=json.dumps({"schema": USER_V1}),
                         headers={"Origin": "http://evil.example"}, timeout=30)
    assert r.status_code == 403 and r.json()["error_code"] == 40301 and "another origin" in r.json()["message"], r.text
    # Oversized body: refused from its Content-Length, before it is read.
    port = int(reg.url.rsplit(":", 1)[1])
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(b"POST /subjects/bad/versions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: " + CT.encode() +
              b"\r\nContent-Length: " + str((4 << 20) + 1).encode() + b"\r\n\r\n")
    answer = s.recv(4096)
    s.close()
    assert answer.split(b" ")[1] == b"413"
    # A chunked body is held to the same bound: a chunk declared larger than it is refused from its size line.
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(b"POST /subjects/bad/versions HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n" +
              format((4 << 20) + 1, "x").encode() + b"\r\n")
    answer = s.recv(4096)
    s.close()
    assert answer.split(b" ")[1] == b"413", answer
    assert reg.call("GET", "/subjects")[1] == ["ok", "untyped", "upper"]
    assert reg.call("GET", "/nowhere")[1]["error_code"] == 404
