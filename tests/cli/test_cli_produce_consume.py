"""samsa produce / consume: keys, headers, partitions, formats, start positions."""

import json
import re
import time


def test_produce_prints_partition_and_offset_per_key(cli, name):
    topic = name("cli-produce")
    cli.run("topic", "create", topic, "-p", "3")
    lines = "".join(f"user-{i % 4}:event {i}\n" for i in range(12))
    out = cli.run("produce", topic, "--key-separator", ":", input=lines).stdout
    got = re.findall(r"key (user-\d) -> partition (\d+) offset (\d+)", out)
    assert len(got) == 12, out
    where = {}
    for key, partition, _ in got:
        assert where.setdefault(key, partition) == partition, f"{key} moved partitions:\n{out}"
    offsets = json.loads(cli.run("offsets", topic, "-o", "json").stdout)
    assert sum(p["latest"] for p in offsets) == 12


def test_consume_format_headers_and_count(cli, name):
    topic = name("cli-consume")
    cli.run("topic", "create", topic, "-p", "1")
    cli.run("produce", topic, "-K", "=", "-H", "source=cli", "-H", "v=1", input="a=one\nb=two\nc=three\n")
    out = cli.run("consume", topic, "-n", "3", "-f", "{partition}:{offset} {key}={value} [{headers}]\\n").stdout
    assert out.splitlines() == ["0:0 a=one [source=cli,v=1]", "0:1 b=two [source=cli,v=1]",
                                "0:2 c=three [source=cli,v=1]"]
    records = [json.loads(l) for l in cli.run("consume", topic, "-n", "3", "-o", "json").stdout.splitlines()]
    assert [r["value"] for r in records] == ["one", "two", "three"]
    assert records[0]["headers"] == [{"key": "source", "value": "cli"}, {"key": "v", "value": "1"}]


def test_consume_start_positions(cli, name):
    topic = name("cli-from")
    cli.run("topic", "create", topic, "-p", "1")
    cli.run("produce", topic, "-q", input="".join(f"m{i}\n" for i in range(10)))
    assert cli.run("consume", topic, "--from", "7", "-e").stdout.split() == ["m7", "m8", "m9"]
    assert cli.run("consume", topic, "--from", "end", "-e", "-q").stdout == ""
    assert cli.run("consume", topic, "-e").stdout.split() == [f"m{i}" for i in range(10)]
    future = int(time.time() * 1000) + 3_600_000
    assert cli.run("consume", topic, "--from", f"@{future}", "-e", "-q").stdout == ""
    bad = cli.run("consume", topic, "--from", "sideways", check=False)
    assert bad.returncode == 2 and "beginning, end" in bad.stderr


def test_produce_to_partition_and_from_file(cli, name, tmp_path):
    topic = name("cli-file")
    cli.run("topic", "create", topic, "-p", "2")
    f = tmp_path / "lines.txt"
    f.write_text("".join(f"line {i}\n" for i in range(100)))
    out = cli.run("produce", topic, "--file", str(f), "--partition", "1", "--compression", "gzip").stdout
    assert f"produced 100 records to {topic}" in out
    rows = json.loads(cli.run("offsets", topic, "-o", "json").stdout)
    assert rows[1]["latest"] == 100 and rows[0]["latest"] == 0


def test_consume_unknown_topic(cli, name):
    p = cli.run("consume", name("nope"), "-e", check=False)
    assert p.returncode == 4, p
    assert "samsa topic" in p.stderr
