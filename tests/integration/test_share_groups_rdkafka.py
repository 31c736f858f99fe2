"""Share groups (KIP-932) with a real client: librdkafka 2.15.1's share
consumer (tests/rdkafka_new/share_consumers.c). Three share consumers of one
group read one partition together; records are acknowledged one by one,
released records come back with delivery count 2 (to whichever member asks
next), rejected and accepted ones never come back. Skipped when librdkafka
2.15.1 is not built (scripts/install-deps.sh --test)."""

import json
import os
import subprocess

import pytest

import clients


def program():
    path = os.path.join(os.environ.get("SAMSA_RDKAFKA_NEW_BIN", ""), "share_consumers")
    if not os.path.exists(path):
        # Part of every test build (install-deps --test builds librdkafka 2.15.1): never a skip.
        pytest.fail(f"{path} is not built: run scripts/install-deps.sh --test, then rebuild", pytrace=False)
    return path


def test_share_consumers_accept_release_reject_on_one_partition(broker, name):
    exe = program()
    topic = name("queue")
    clients.create_topic(broker.bootstrap, topic, 1)
    group = name("workers")
    out = subprocess.run([exe, broker.bootstrap, topic, group, "40", "3"], capture_output=True, text=True,
                         timeout=120)
    print(out.stdout)
    print(out.stderr[-4000:])
    assert out.returncode == 0, out.stderr[-2000:]
    summary = dict(kv.split("=") for kv in out.stdout.split())
    assert summary["released_and_redelivered"] == "10"
    # The partition was shared: more than one member received records.
    assert int(summary["members_used"]) >= 2, out.stdout

    # `samsa group list/describe` show the share group: listed with the others,
    # described through ShareGroupDescribe/DescribeShareGroupOffsets (the
    # consumers left, so it is Empty; every record is finished).
    samsa = os.environ["SAMSA_BIN"]
    listed = subprocess.run([samsa, "--bootstrap", broker.bootstrap, "group", "list", "-o", "json"],
                            capture_output=True, text=True, timeout=60)
    assert listed.returncode == 0, listed.stderr
    rows = {g["group"]: g for g in json.loads(listed.stdout)}
    assert rows[group]["type"] == "share" and rows[group]["state"] == "Empty", listed.stdout
    described = subprocess.run([samsa, "--bootstrap", broker.bootstrap, "group", "describe", group, "-o", "json"],
                               capture_output=True, text=True, timeout=60)
    assert described.returncode == 0, described.stderr
    d = json.loads(described.stdout)
    assert d["type"] == "share" and d["state"] == "Empty" and d["members"] == [], d
    assert d["partitions"] == [{"topic": topic, "partition": 0, "start_offset": 40, "lag": 0}], d
