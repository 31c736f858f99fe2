"""Share groups (KIP-932) with a real client: librdkafka 2.15.1's share
consumer (tests/rdkafka_new/share_consumers.c). Three share consumers of one
group read one partition together; records are acknowledged one by one,
released records come back with delivery count 2 (to whichever member asks
next), rejected and accepted ones never come back. Skipped when librdkafka
2.15.1 is not built (scripts/install-deps.sh --test)."""

import os
import subprocess

import pytest

import clients


def program():
    path = os.path.join(os.environ.get("SAMSA_RDKAFKA_NEW_BIN", ""), "share_consumers")
    if not os.path.exists(path):
        pytest.skip("librdkafka 2.15.1 test programs not built (scripts/install-deps.sh --test)")
    return path


def test_share_consumers_accept_release_reject_on_one_partition(broker, name):
    exe = program()
    topic = name("queue")
    clients.create_topic(broker.bootstrap, topic, 1)
    out = subprocess.run([exe, broker.bootstrap, topic, name("workers"), "40", "3"], capture_output=True, text=True,
                         timeout=120)
    print(out.stdout)
    print(out.stderr[-4000:])
    assert out.returncode == 0, out.stderr[-2000:]
    summary = dict(kv.split("=") for kv in out.stdout.split())
    assert summary["released_and_redelivered"] == "10"
    # The partition was shared: more than one member received records.
    assert int(summary["members_used"]) >= 2, out.stdout
