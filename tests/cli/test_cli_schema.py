"""`samsa schema ...`, `samsa produce --value-schema/--schema-id` and
`samsa consume --decode` against a broker with its Schema Registry on."""

import json
import os
import shutil
import signal
import subprocess
import tempfile
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
    assert [json.loads(line) for line in decoded] == records
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
