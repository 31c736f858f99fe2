"""samsa txn list / describe / abort against a broker holding a hanging
transaction (a confluent-kafka transactional producer that never ends it):
the open transaction shows in list and describe, holds read_committed
consumers back, and `txn abort` (KIP-664: an ABORT marker written with
WriteTxnMarkers at the partition leader) releases them."""

import json

from confluent_kafka import Consumer, Producer, TopicPartition


def _hanging(bootstrap, topic, txn_id):
    p = Producer({"bootstrap.servers": bootstrap, "transactional.id": txn_id, "transaction.timeout.ms": 600000})
    p.init_transactions(30)
    p.begin_transaction()
    for part in (0, 1):
        p.produce(topic, value=f"open-{part}".encode(), partition=part)
    assert p.flush(30) == 0
    return p


def _read_committed(bootstrap, topic, partition, timeout=10.0):
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "cli-txn-reader", "isolation.level": "read_committed",
                  "enable.auto.commit": False})
    try:
        c.assign([TopicPartition(topic, partition, 0)])
        got = []
        for m in c.consume(num_messages=100, timeout=timeout):
            if m.error() is None:
                got.append(m.value())
        return got
    finally:
        c.close()


def test_txn_list_describe_and_abort_a_hanging_transaction(cli, name, bootstrap):
    topic, tid = name("cli-txn"), name("cli-tid")
    cli.run("topic", "create", topic, "-p", "2")
    producer = _hanging(bootstrap, topic, tid)
    plain = Producer({"bootstrap.servers": bootstrap})
    plain.produce(topic, value=b"after", partition=0)
    assert plain.flush(30) == 0

    listed = json.loads(cli.run("txn", "list", "-o", "json").stdout)
    mine = [t for t in listed if t["transactional_id"] == tid]
    assert len(mine) == 1 and mine[0]["state"] == "Ongoing", listed
    pid = mine[0]["producer_id"]
    assert pid >= 0
    only_ongoing = json.loads(cli.run("txn", "list", "--state", "Ongoing", "--producer-id", str(pid),
                                      "-o", "json").stdout)
    assert [t["transactional_id"] for t in only_ongoing] == [tid]
    assert tid not in [t["transactional_id"] for t in
                       json.loads(cli.run("txn", "list", "--state", "CompleteCommit", "-o", "json").stdout)]
    assert tid not in [t["transactional_id"] for t in
                       json.loads(cli.run("txn", "list", "--min-duration-ms", "3600000", "-o", "json").stdout)]
    assert tid in cli.run("txn", "list").stdout

    desc = json.loads(cli.run("txn", "describe", tid, "-o", "json").stdout)
    assert desc["state"] == "Ongoing" and desc["producer_id"] == pid, desc
    assert desc["timeout_ms"] == 600000
    assert sorted((p["topic"], p["partition"]) for p in desc["partitions"]) == [(topic, 0), (topic, 1)]
    assert "Ongoing" in cli.run("txn", "describe", tid).stdout
    assert "state: Ongoing" in cli.run("txn", "describe", tid, "-o", "yaml").stdout

    missing = cli.run("txn", "describe", name("no-such-tid"), check=False)
    assert missing.returncode == 4, missing
    assert "TRANSACTIONAL_ID_NOT_FOUND" in missing.stderr

    # The open transaction holds read_committed readers back on partition 0.
    assert _read_committed(bootstrap, topic, 0, timeout=2.0) == []

    # Partition 0: the producer is found with DescribeProducers.
    aborted = json.loads(cli.run("txn", "abort", "--topic", topic, "--partition", "0", "-o", "json").stdout)
    assert aborted["producer_id"] == pid and aborted["start_offset"] == 0, aborted
    assert _read_committed(bootstrap, topic, 0) == [b"after"]
    again = cli.run("txn", "abort", "--topic", topic, "--partition", "0", check=False)
    assert again.returncode == 1 and "no open transaction" in again.stderr, again

    # Partition 1: the producer named explicitly.
    out = cli.run("txn", "abort", "--topic", topic, "--partition", "1", "--producer-id", str(pid),
                  "--producer-epoch", str(aborted["producer_epoch"])).stdout
    assert f"producer {pid}" in out
    assert _read_committed(bootstrap, topic, 1, timeout=2.0) == []  # aborted data is never delivered
    del producer


def test_txn_abort_refuses_bad_targets(cli, name):
    topic = name("cli-txn-bad")
    cli.run("topic", "create", topic, "-p", "1")
    unknown = cli.run("txn", "abort", "--topic", name("nope"), "--partition", "0", "--producer-id", "1",
                      "--producer-epoch", "0", check=False)
    assert unknown.returncode == 4, unknown
    usage = cli.run("txn", "abort", "--topic", topic, "--partition", "0", "--producer-epoch", "0", check=False)
    assert usage.returncode == 2, usage
    nothing = cli.run("txn", "abort", "--topic", topic, "--partition", "0", check=False)
    assert nothing.returncode == 1 and "no open transaction" in nothing.stderr, nothing
    unreachable = cli.run("txn", "list", "--bootstrap", "127.0.0.1:1", bootstrap=False, check=False)
    assert unreachable.returncode == 3 and "127.0.0.1:1" in unreachable.stderr, unreachable
