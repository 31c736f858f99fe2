"""samsa produce --format: the consume template read the other way (rpk produce -f), so what
`consume --format` prints, `produce --format` sends back unchanged."""

import base64
import json
import shutil
import subprocess

import pytest


def _records(cli, topic):
    out = cli.run("consume", topic, "-e", "-q", "-o", "json").stdout
    return [json.loads(line) for line in out.splitlines()]


def test_template_fields_reach_the_broker(cli, name):
    topic = name("cli-fmt-in")
    cli.run("topic", "create", topic, "-p", "3")
    text = '1 alice {"amount": {"eur": 10}} src=web,src=app\n2 bob [1,2] \n'
    p = cli.run("produce", topic, "--format", "{partition} {key} {value:json} {headers}\\n", input=text)
    assert p.returncode == 0, p
    got = sorted(_records(cli, topic), key=lambda r: r["partition"])
    assert [(r["partition"], r["key"], r["value"]) for r in got] == [
        (1, "alice", '{"amount": {"eur": 10}}'), (2, "bob", "[1,2]")]
    assert [(h["key"], h["value"]) for h in got[0]["headers"]] == [("src", "web"), ("src", "app")]
    assert got[1]["headers"] == []


def test_consume_template_output_round_trips(cli, name):
    source, copy = name("cli-fmt-src"), name("cli-fmt-copy")
    for t in (source, copy):
        cli.run("topic", "create", t, "-p", "2")
    # Values with tabs, newlines and bytes that are not text survive through base64.
    lines = "".join(f"k{i}\t{base64.b64encode(bytes([i, 255, 10, 9])).decode()}\n" for i in range(6))
    cli.run("produce", source, "-q", "--format", "{key}\\t{value:base64}\\n", input=lines)
    template = "{partition}|{key_length}|{key}{value_length}|{value:base64}|{headers}\\n"
    dumped = cli.run("consume", source, "-e", "-q", "-f", template).stdout
    assert dumped.count("\n") == 6, dumped
    cli.run("produce", copy, "-q", "--format", template, input=dumped)
    def key_value_partition(topic):
        return sorted((r["partition"], r["key"], r["value"], r.get("value_encoding")) for r in _records(cli, topic))
    assert key_value_partition(copy) == key_value_partition(source)
    first = [r for r in _records(cli, copy) if r["key"] == "k3"][0]
    assert base64.b64decode(first["value"]) == bytes([3, 255, 10, 9])


def test_bad_input_and_templates_are_usage_errors(cli, name):
    topic = name("cli-fmt-bad")
    cli.run("topic", "create", topic, "-p", "1")
    p = cli.run("produce", topic, "--format", "{key}\\t{value}\\n", input="a\t1\nno tab\n", check=False)
    assert p.returncode == 2 and "record 2" in p.stderr and "1 records sent before the error" in p.stderr, p
    assert [r["value"] for r in _records(cli, topic)] == ["1"]  # what came before the error is sent
    for template in ("{key}{value}", "{offset} {value}", "{value:json5}", "{value"):
        p = cli.run("produce", topic, "--format", template, input="x\n", check=False)
        assert p.returncode == 2 and "--format" in p.stderr, (template, p)
    p = cli.run("produce", topic, "--format", "{value}\\n", "-K", ":", input="x\n", check=False)
    assert p.returncode == 2 and "cannot be combined" in p.stderr, p
    p = cli.run("produce", topic, "--format", "{partition}:{value}\\n", input="x:1\n", check=False)
    assert p.returncode == 2 and "not a number" in p.stderr, p


@pytest.mark.skipif(not shutil.which("kcat"), reason="kcat is not installed")
def test_kcat_reads_what_the_template_sent(cli, name, bootstrap):
    topic = name("cli-fmt-kcat")
    cli.run("topic", "create", topic, "-p", "1")
    lines = "k1|v one\nk2|v|two\n"
    cli.run("produce", topic, "-q", "--format", "{key}|{value}\\n", input=lines)
    out = subprocess.run(["kcat", "-b", bootstrap, "-C", "-t", topic, "-e", "-q", "-f", "%k|%s\\n"],
                         capture_output=True, text=True, timeout=60).stdout
    assert out == lines  # the value keeps its own '|': a field ends at the first separator after it only for the key
