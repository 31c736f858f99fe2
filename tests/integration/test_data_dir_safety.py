"""The broker never deletes data because its metadata looks damaged or
unfamiliar, and never shares a data directory with another broker (issue 11,
findings 3 and 17). Each test starts the real `samsa` binary."""

import os
import time

import pytest

import clients
from samsa_harness import Broker


def metadata_log(broker):
    return os.path.join(broker.data_dir, "__cluster_metadata", "log")


def partition_dirs(broker):
    return sorted(n for n in os.listdir(broker.data_dir)
                  if os.path.isdir(os.path.join(broker.data_dir, n)) and n != "__cluster_metadata")


def test_bit_rot_in_metadata_log_stops_the_start_and_deletes_nothing(broker, name):
    broker.require_process()
    topics = [name("rot") for _ in range(3)]
    for t in topics:
        clients.create_topic(broker.bootstrap, t, 1)
        clients.ck_produce(broker.bootstrap, t, clients.make_messages(20, seed=3))
    assert broker.stop() == 0
    before = partition_dirs(broker)
    assert sorted(f"{t}-0" for t in topics) == [d for d in before if d.endswith("-0") and d.startswith("rot-")]
    with open(metadata_log(broker), "rb") as f:
        data = bytearray(f.read())
    # Flip one bit inside the first topic's name: its record fails its CRC,
    # the records of the two later topics are intact.
    at = data.find(topics[0].encode())
    assert at > 0
    data[at + 4] ^= 0x01
    with open(metadata_log(broker), "wb") as f:
        f.write(data)
    starts = broker.starts
    with pytest.raises(RuntimeError) as failed:
        broker.restart(kill=True)
    text = str(failed.value)
    assert "exited with" in text, text
    assert "__cluster_metadata/log" in text and "byte offset" in text, text
    # The harness does not retry a start that failed for any reason but the bind.
    assert broker.starts == starts + 1, f"{broker.starts - starts} start attempts"
    assert partition_dirs(broker) == before, "a partition directory was deleted or moved"
    for t in topics:
        assert os.listdir(os.path.join(broker.data_dir, f"{t}-0")), f"{t}-0 lost its files"
    with open(metadata_log(broker), "rb") as f:
        assert f.read() == bytes(data), "the damaged metadata log was cut"


def test_unknown_partition_directory_is_moved_aside_not_deleted(broker, name):
    broker.require_process()
    t = name("known")
    clients.create_topic(broker.bootstrap, t, 1)
    clients.ck_produce(broker.bootstrap, t, clients.make_messages(20, seed=4))
    assert broker.stop() == 0
    # A directory the metadata log has never heard of, holding data.
    ghost = os.path.join(broker.data_dir, "ghost-0")
    os.makedirs(ghost)
    with open(os.path.join(ghost, "00000000000000000000.log"), "wb") as f:
        f.write(b"")
    with open(os.path.join(ghost, "keep-me"), "wb") as f:
        f.write(b"precious")
    # And a partition past the known topic's count (CreatePartitions cut short).
    extra = os.path.join(broker.data_dir, f"{t}-5")
    os.makedirs(extra)
    broker.start()
    assert not os.path.exists(extra) and os.path.isdir(extra + ".orphaned")
    assert not os.path.exists(ghost)
    aside = os.path.join(broker.data_dir, "ghost-0.orphaned")
    assert os.path.isdir(aside), f"ghost-0 was not moved aside: {partition_dirs(broker)}"
    with open(os.path.join(aside, "keep-me"), "rb") as f:
        assert f.read() == b"precious"
    with open(broker.log_path, "rb") as f:
        assert b"ghost-0.orphaned" in f.read()
    # The known topic is untouched and a restart leaves the orphan alone.
    assert os.path.isdir(os.path.join(broker.data_dir, f"{t}-0"))
    broker.restart(kill=True)
    assert os.path.isdir(aside) and not os.path.exists(ghost)


def test_second_broker_on_the_same_data_dir_refuses_to_start(broker):
    broker.require_process()
    second = Broker(data_dir=broker.data_dir)
    try:
        with pytest.raises(RuntimeError) as failed:
            second.start()
        text = str(failed.value)
        assert "exited with" in text, text
        assert str(broker.pid) in text, f"the message does not name the broker holding the lock:\n{text}"
        assert ".lock" in text, text
    finally:
        second.close()
    # The first broker is unharmed, and once it is gone the directory is free.
    assert broker.alive()
    broker.kill()
    third = Broker(data_dir=broker.data_dir)
    try:
        third.start()
        assert third.alive()
    finally:
        third.close()
