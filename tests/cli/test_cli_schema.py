"""`samsa schema ...`, `samsa produce --value-schema/--schema-id` and
`samsa consume --decode` against a broker with its Schema Registry on."""

import base64
import http.server
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time

import pytest

from conftest import Cli, _start_broker


@pytest.fixture(scope="module")
def registry_broker():
    work = tempfile.mkdtemp(prefix="samsa-cli-schema-")
    proc, address = _start_broker(work, ["--set", "schema.registry.listeners=http://127.0.0.1:0"])
    path = os.path.join(work, "port.registry")
    deadline = time.monotonic() + 10
    url = None
    while time.monotonic() < deadline and url is None:
        try:
            url = f"http://127.0.0.1:{int(open(path).read().strip())}"
        except (OSError, ValueError):
            time.sleep(0.05)
    assert url, "no registry port file"
    try:
        yield address, url
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(work, ignore_errors=True)


PAYMENT = {"type": "record", "name": "Payment", "namespace": "shop",
           "fields": [{"name": "id", "type": "string"}, {"name": "amount", "type": "double"},
                      {"name": "note", "type": ["null", "string"], "default": None}]}


def test_schema_commands(registry_broker, tmp_path, name):
    address, url = registry_broker
    cli = Cli(address)
    subject = name("cli") + "-value"
    v1 = tmp_path / "payment.avsc"
    v1.write_text(json.dumps(PAYMENT))
    out = cli.run("schema", "register", subject, str(v1), "--registry", url, bootstrap=False).stdout
    assert out.startswith(f"registered {subject}: id ")
    schema_id = int(out.split()[-1])
    assert subject in cli.run("schema", "list", "--registry", url, bootstrap=False).stdout.split()
    got = json.loads(cli.run("schema", "get", subject, "--registry", url, "-o", "json", bootstrap=False).stdout)
    assert got["id"] == schema_id and got["version"] == 1 and json.loads(got["schema"]) == PAYMENT
    # A field without a default: incompatible, exit 1, the reason printed.
    bad = dict(PAYMENT, fields=PAYMENT["fields"] + [{"name": "currency", "type": "string"}])
    v2 = tmp_path / "bad.avsc"
    v2.write_text(json.dumps(bad))
    p = cli.run("schema", "check", subject, str(v2), "--registry", url, check=False, bootstrap=False)
    assert p.returncode == 1 and p.stdout.startswith("incompatible") and "READER_FIELD_MISSING_DEFAULT_VALUE" in p.stdout
    p = cli.run("schema", "register", subject, str(v2), "--registry", url, check=False, bootstrap=False)
    assert p.returncode == 1 and "error_code 409" in p.stderr
    p = cli.run("schema", "get", "--id", "99999", "--registry", url, check=False, bootstrap=False)
    assert p.returncode == 4 and "40403" in p.stderr
    assert "versions [1]" in cli.run("schema", "delete", subject, "--registry", url, bootstrap=False).stdout
    assert subject not in cli.run("schema", "list", "--registry", url, bootstrap=False).stdout.split()
    p = cli.run("schema", "list", "--registry", "http://127.0.0.1:1", check=False, bootstrap=False)
    assert p.returncode == 3


def test_produce_avro_and_consume_decoded(registry_broker, tmp_path, name):
    address, url = registry_broker
    cli = Cli(address)
    topic = name("pay")
    cli.run("topic", "create", topic, "-p", "1")
    schema = tmp_path / "payment.avsc"
    schema.write_text(json.dumps(PAYMENT))
    records = [{"id": "p1", "amount": 1.5, "note": None}, {"id": "p2", "amount": 2.0, "note": "gift"}]
    cli.run("produce", topic, "--value-schema", str(schema), "--registry", url, "-q",
            input="".join(json.dumps(r) + "\n" for r in records))
    raw = cli.run("consume", topic, "-e", "-q", "-f", "{value:hex}\\n").stdout.split()
    assert all(v.startswith("00") for v in raw) and len(raw) == 2  # magic byte 0 then the id
    decoded = cli.run("consume", topic, "-e", "-q", "--decode", "--registry", url).stdout.splitlines()
    # In Avro's JSON encoding: a union's value wrapped by its branch, null bare.
    assert [json.loads(line) for line in decoded] == [records[0], dict(records[1], note={"string": "gift"})]
    # A value that does not fit the schema stops the producer with the record named.
    p = cli.run("produce", topic, "--value-schema", str(schema), "--registry", url, "-q",
                input='{"id": "p3"}\n', check=False)
    assert p.returncode != 0 and "record 1" in p.stderr and "amount" in p.stderr
    # A plain record among them is printed as it is, with the reason on stderr.
    cli.run("produce", topic, "-q", input="plain\n")
    p = cli.run("consume", topic, "-e", "-q", "--decode", "--registry", url)
    assert p.stdout.splitlines()[-1] == "plain" and "magic byte 112" in p.stderr


def test_produce_protobuf_and_json_by_schema_id(registry_broker, tmp_path, name):
    address, url = registry_broker
    cli = Cli(address)
    topic = name("pb")
    proto = tmp_path / "order.proto"
    proto.write_text('syntax = "proto3"; package shop; message Other { int32 x = 1; } '
                     'message Order { string id = 1; int64 qty = 2; repeated string tags = 3; }')
    cli.run("produce", topic, "--value-schema", str(proto), "--message", "shop.Order", "--registry", url, "-q",
            input='{"id": "o1", "qty": "3", "tags": ["a", "b"]}\n')
    out = cli.run("consume", topic, "-e", "-q", "--decode", "--registry", url).stdout
    assert json.loads(out) == {"id": "o1", "qty": "3", "tags": ["a", "b"]}

    js_topic = name("js")
    schema_file = tmp_path / "s.json"
    schema_file.write_text(json.dumps({"type": "object", "properties": {"a": {"type": "integer"}}}))
    reg = cli.run("schema", "register", js_topic + "-value", str(schema_file), "--registry", url, bootstrap=False)
    schema_id = reg.stdout.split()[-1]
    cli.run("produce", js_topic, "--schema-id", schema_id, "--registry", url, "-q", input='{"a": 1}\n')
    assert json.loads(cli.run("consume", js_topic, "-e", "-q", "--decode", "--registry", url).stdout) == {"a": 1}


# --- values that do not fit their schema -----------------------------------------------------

BAD_VALUES = [
    # (format, schema file name, schema text, a good value, a bad value, what the message names)
    ("AVRO", "p.avsc", json.dumps(PAYMENT), '{"id": "p1", "amount": 1.5}',
     '{"id": "p1", "amount": "1.5"}', "at /amount: expected a number"),
    ("AVRO", "p.avsc", json.dumps(PAYMENT), '{"id": "p1", "amount": 1.5}',
     '{"id": "p1", "amount": 1, "amuont": 2}', 'shop.Payment has no field "amuont"'),
    ("JSON", "p.json", json.dumps({"type": "object", "required": ["id"],
                                   "properties": {"id": {"type": "string"},
                                                  "lines": {"type": "array",
                                                            "items": {"properties": {"qty": {"minimum": 1}}}}}}),
     '{"id": "p1", "lines": [{"qty": 2}]}', '{"id": "p1", "lines": [{"qty": 1}, {"qty": 0}]}',
     "at /lines/1/qty: 0 is less than the minimum 1"),
    ("JSON", "p.json", json.dumps({"type": "object", "required": ["id"]}), '{"id": 1}', '{"amount": 1}',
     'the required property "id" is missing'),
    ("PROTOBUF", "p.proto", 'syntax = "proto3"; message Order { string id = 1; int32 qty = 2; }',
     '{"id": "o1", "qty": 2}', '{"id": "o1", "qty": 2147483648}', "(qty): invalid value 2147483648"),
]


@pytest.mark.parametrize("fmt,file_name,schema_text,good,bad,named", BAD_VALUES,
                         ids=[f"{v[0]}-{i}" for i, v in enumerate(BAD_VALUES)])
def test_produce_refuses_a_value_that_does_not_fit(registry_broker, tmp_path, name, fmt, file_name, schema_text,
                                                    good, bad, named):
    address, url = registry_broker
    cli = Cli(address)
    topic = name("fit")
    cli.run("topic", "create", topic, "-p", "1")
    schema = tmp_path / file_name
    schema.write_text(schema_text)
    p = cli.run("produce", topic, "--value-schema", str(schema), "--registry", url, "-q", input=bad + "\n",
                check=False)
    assert p.returncode == 2, p.stderr  # bad input, like a bad flag
    assert "error: record 1: the value does not fit schema" in p.stderr and f"({fmt})" in p.stderr, p.stderr
    assert named in p.stderr, p.stderr
    assert "0 records sent before the error" in p.stderr
    # Nothing was written; the good value is, so the schema itself was fine.
    assert cli.run("consume", topic, "-e", "-q", "-f", "{offset}\\n").stdout == ""
    cli.run("produce", topic, "--value-schema", str(schema), "--registry", url, "-q", input=good + "\n")
    assert cli.run("consume", topic, "-e", "-q", "-f", "{offset}\\n").stdout.split() == ["0"]


# --- a registry that answers garbage -------------------------------------------------------------

class FakeRegistry:
    """A tiny HTTP server answering each path with what a test set: a
    misbehaving or hostile registry. Unset paths answer 404."""

    def __init__(self):
        self.answers = {}  # path (no query) -> (status, body bytes) or "raw:" bytes sent as they are
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                answer = fake.answers.get(self.path.split("?")[0], (404, b'{"error_code":40403,"message":"no"}'))
                if isinstance(answer, bytes):  # not HTTP at all
                    self.wfile.write(answer)
                    self.close_connection = True
                    return
                status, body = answer
                self.send_response(status)
                self.send_header("Content-Type", "application/vnd.schemaregistry.v1+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_DELETE = _answer

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake_registry():
    fake = FakeRegistry()
    yield fake
    fake.close()


def assert_clean_failure(p, *parts):
    """Exited with a CLI error code and an "error:" line, not a signal or an exception."""
    assert p.returncode in (1, 2, 3, 4), (p.returncode, p.stderr)
    assert "error:" in p.stderr and "terminate called" not in p.stderr and "what():" not in p.stderr, p.stderr
    for part in parts:
        assert part in p.stderr, p.stderr


AVRO_TEXT = json.dumps({"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}]})

GARBAGE_SCHEMA_ANSWERS = {
    "schema-not-a-string": (200, b'{"schema": 5}'),
    "no-schema": (200, b'{"id": 1}'),
    "not-json": (200, b"<html>hello</html>"),
    "json-array": (200, b"[1, 2]"),
    "schemaType-number": (200, json.dumps({"schema": AVRO_TEXT, "schemaType": 7}).encode()),
    "schemaType-unknown": (200, json.dumps({"schema": AVRO_TEXT, "schemaType": "XML"}).encode()),
    "references-not-array": (200, json.dumps({"schema": AVRO_TEXT, "references": "x"}).encode()),
    "reference-wrong-types": (200, json.dumps({"schema": AVRO_TEXT,
                                               "references": [{"name": 1, "subject": [], "version": "1"}]}).encode()),
    "schema-does-not-parse": (200, json.dumps({"schema": "{not avro"}).encode()),
    "error-fields-wrong-types": (500, b'{"error_code": "x", "message": 5}'),
    "huge": (200, b'{"schema": "' + b"a" * (17 << 20) + b'"}'),
    "not-http": b"\x00\x01garbage that is no HTTP answer\r\n\r\n",
}


@pytest.mark.parametrize("case", list(GARBAGE_SCHEMA_ANSWERS))
def test_produce_and_consume_survive_a_garbage_registry(registry_broker, fake_registry, name, case):
    address, _ = registry_broker
    cli = Cli(address)
    topic = name("garbage")
    cli.run("topic", "create", topic, "-p", "1")
    fake_registry.answers["/schemas/ids/1"] = GARBAGE_SCHEMA_ANSWERS[case]
    p = cli.run("produce", topic, "--schema-id", "1", "--registry", fake_registry.url, "-q", input='{"a": 1}\n',
                check=False, timeout=60)
    assert_clean_failure(p, "record 1", "schema registry")
    assert cli.run("consume", topic, "-e", "-q", "-f", "{offset}\\n").stdout == ""
    # consume --decode: the record is printed as it is, the reason on stderr, exit 0.
    raw = base64.b64encode(bytes([0, 0, 0, 0, 1, 2])).decode()
    cli.run("produce", topic, "--input", "json", "-q",
            input=json.dumps({"value": raw, "value_encoding": "base64"}) + "\n")
    p = cli.run("consume", topic, "-e", "-q", "-f", "{value:hex}\\n", "--decode", "--registry", fake_registry.url,
                check=False, timeout=60)
    assert p.returncode == 0, p.stderr
    assert p.stdout.split() == ["00000000010" + "2"] and "not decoded" in p.stderr, (p.stdout, p.stderr)


GARBAGE_COMMAND_ANSWERS = [
    # (command after `samsa schema`, path the fake answers, answer)
    (["register", "s", "FILE"], "/subjects/s/versions", (200, b'{"id": "x"}')),
    (["register", "s", "FILE"], "/subjects/s/versions", (200, b"not json")),
    (["get", "--id", "3"], "/schemas/ids/3", (200, b'{"id": "3", "schema": 5, "schemaType": []}')),
    (["get", "--id", "3"], "/schemas/ids/3", (200, b"[]")),
    (["get", "s"], "/subjects/s/versions/latest", (200, b'{"subject": 1, "version": "v", "schema": {}}')),
    (["get", "s"], "/subjects/s/versions/latest", (404, b'{"error_code": [], "message": {"a": 1}}')),
    (["list"], "/subjects", (200, b'{"not": "a list"}')),
    (["check", "s", "FILE"], "/compatibility/subjects/s/versions", (200, b'{"is_compatible": "yes"}')),
    (["check", "s", "FILE"], "/compatibility/subjects/s/versions",
     (200, b'{"is_compatible": false, "messages": [1, {"a": 2}]}')),
    (["list"], "/subjects", b"HTTP/1.1 200 OK\r\nContent-Length: 99999999999\r\n\r\n"),
]


@pytest.mark.parametrize("command,path,answer", GARBAGE_COMMAND_ANSWERS,
                         ids=[f"{c[0][0]}-{i}" for i, c in enumerate(GARBAGE_COMMAND_ANSWERS)])
def test_schema_commands_survive_a_garbage_registry(fake_registry, tmp_path, command, path, answer):
    schema = tmp_path / "r.avsc"
    schema.write_text(AVRO_TEXT)
    fake_registry.answers[path] = answer
    args = ["schema"] + [str(schema) if a == "FILE" else a for a in command] + ["--registry", fake_registry.url]
    p = Cli("unused").run(*args, check=False, bootstrap=False, timeout=60)
    if command[0] == "check" and b"messages" in (answer[1] if isinstance(answer, tuple) else b""):
        # A well-formed "incompatible" with odd messages: printed, exit 1.
        assert p.returncode == 1 and p.stdout.startswith("incompatible"), (p.stdout, p.stderr)
        return
    assert_clean_failure(p)
