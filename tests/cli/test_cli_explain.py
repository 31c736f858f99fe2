"""samsa consume --explain: each record's partition explained from its key's murmur2 hash, and
the member of the group that reads it."""

import json

from kafka.partitioner.default import murmur2  # kafka-python's copy of the Java client's hash


def test_explain_keyed_keyless_and_forced_records(cli, name):
    topic = name("cli-explain")
    cli.run("topic", "create", topic, "-p", "4")
    cli.run("produce", topic, "-q", "-K", ":", input="alice:1\nbob:2\nalice:3\n")
    cli.run("produce", topic, "-q", input="no key here\n")
    elsewhere = ((murmur2(b"alice") & 0x7FFFFFFF) % 4 + 1) % 4  # not where the hash puts alice
    cli.run("produce", topic, "-q", "-k", "alice", "-p", str(elsewhere), input="forced\n")
    out = cli.run("consume", topic, "-e", "-q", "-o", "json", "--explain").stdout
    records = [json.loads(line) for line in out.splitlines()]
    assert len(records) == 5, out
    alice = [r for r in records if r["key"] == "alice" and r["value"] != "forced"]
    assert len({r["partition"] for r in alice}) == 1  # one key, one partition
    for r in alice:
        e = r["explain"]
        assert e["partitions"] == 4 and e["key_partition"] == r["partition"], e
        assert e["murmur2"] == murmur2(b"alice") & 0x7FFFFFFF and e["murmur2"] % 4 == r["partition"]
        assert "without a group" in e["reader"]
    keyless = [r for r in records if r["key"] is None][0]
    assert keyless["explain"]["murmur2"] is None and "no key" in keyless["explain"]["placement"]
    forced = [r for r in records if r["value"] == "forced"][0]
    assert forced["partition"] == elsewhere and forced["explain"]["key_partition"] == (elsewhere + 3) % 4
    assert f"yet the record is in partition {elsewhere}" in forced["explain"]["placement"], forced


def test_explain_in_a_group_names_the_member(cli, name):
    topic, group = name("cli-explain-g"), name("cli-explain-grp")
    cli.run("topic", "create", topic, "-p", "2")
    cli.run("produce", topic, "-q", "-K", ":", input="k1:a\nk2:b\n")
    out = cli.run("consume", topic, "-g", group, "-n", "2", "-q", "--explain").stdout
    whys = [line for line in out.splitlines() if line.startswith("  why: ")]
    whos = [line for line in out.splitlines() if line.startswith("  who: ")]
    assert len(whys) == 2 and len(whos) == 2, out
    assert all("murmur2 = " in w and "% 2 partitions" in w for w in whys), out
    # The member id librdkafka got from the broker's JoinGroup answer.
    assert all(f"group {group} assigned" in w and "member id not known" not in w for w in whos), out
