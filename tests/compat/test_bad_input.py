"""Malformed input over a raw socket (issue 4): each bad connection is closed
(or answered with an error) without disturbing anyone else, and the broker's
memory goes back to where it was."""

import os
import random
import socket
import struct
import time

import pytest

import kafka_wire as kw

RSS_SLACK_KB = 64 * 1024


def closed_within(sock, timeout):
    """True if the peer closes (EOF or reset) within timeout; drains any answer."""
    sock.settimeout(timeout)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            data = sock.recv(65536)
            if not data:
                return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except socket.timeout:
        return False
    return False


def healthy(broker):
    """A normal client still gets answers: raw ApiVersions and librdkafka metadata."""
    with kw.connect(broker.host_port) as s:
        s.sendall(kw.api_versions_request(3, 99))
        cid, body = kw.read_response(s)
        assert cid == 99 and kw.parse_api_versions(3, body)[0] == 0
    from confluent_kafka.admin import AdminClient
    md = AdminClient({"bootstrap.servers": broker.bootstrap}).list_topics(timeout=10)
    assert len(md.brokers) == 1
    assert broker.alive(), "broker died"


def send_quietly(sock, data):
    try:
        sock.sendall(data)
    except (ConnectionResetError, BrokenPipeError):
        pass


def case_random_garbage(s):
    rnd = random.Random(5)
    send_quietly(s, rnd.randbytes(64 * 1024))


def case_random_small_frames(s):
    rnd = random.Random(6)
    for _ in range(50):
        body = rnd.randbytes(rnd.randrange(0, 200))
        send_quietly(s, struct.pack(">i", len(body)) + body)


def case_truncated_frame(s):
    payload = kw.request_header(kw.METADATA, 1, 5) + struct.pack(">i", -1)
    send_quietly(s, struct.pack(">i", len(payload) + 100) + payload)
    s.shutdown(socket.SHUT_WR)


def case_size_2gib(s):
    send_quietly(s, struct.pack(">I", 0x7FFFFFFF) + b"\x00" * 64)


def case_size_negative(s):
    send_quietly(s, struct.pack(">I", 0x80000000) + b"\x00" * 64)


def case_size_over_limit(s):
    # 200 MiB: above socket.request.max.bytes (100 MiB default).
    send_quietly(s, struct.pack(">i", 200 * 1024 * 1024) + b"\x00" * 64)


def case_unknown_api_key(s):
    send_quietly(s, kw.frame(kw.request_header(9999, 0, 7)))


def case_unsupported_version(s):
    send_quietly(s, kw.frame(kw.request_header(kw.METADATA, 999, 8) + b"\x00" * 16))


def case_corrupt_body_absurd_array(s):
    # Metadata v1 claiming a billion topic names in a 4-byte body.
    send_quietly(s, kw.frame(kw.request_header(kw.METADATA, 1, 9) + struct.pack(">i", 1_000_000_000)))


def case_corrupt_body_bad_string(s):
    send_quietly(s, kw.frame(kw.request_header(kw.METADATA, 1, 10) + struct.pack(">ih", 1, 30000) + b"abc"))


def case_corrupt_header_client_id(s):
    payload = struct.pack(">hhih", kw.API_VERSIONS, 0, 11, 20000) + b"x"
    send_quietly(s, kw.frame(payload))


def case_flexible_bad_tags(s):
    # ApiVersions v3 with a tagged-field section claiming a huge field.
    payload = kw.request_header(kw.API_VERSIONS, 3, 12, flexible=False) + b"\x01" + kw.uvarint(1) + kw.uvarint(1 << 30)
    send_quietly(s, kw.frame(payload))


def case_create_topics_garbage(s):
    send_quietly(s, kw.frame(kw.request_header(19, 4, 13) + os.urandom(40)))


def case_produce_garbage(s):
    send_quietly(s, kw.frame(kw.request_header(0, 7, 14) + struct.pack(">hhi", -1, 1, 1000) + struct.pack(">i", 1) +
                             b"\x00\x01t" + struct.pack(">i", 1) + struct.pack(">ii", 0, 5000) + b"\xff" * 100))


CASES = [case_random_garbage, case_random_small_frames, case_truncated_frame, case_size_2gib, case_size_negative,
         case_size_over_limit, case_unknown_api_key, case_unsupported_version, case_corrupt_body_absurd_array,
         case_corrupt_body_bad_string, case_corrupt_header_client_id, case_flexible_bad_tags,
         case_create_topics_garbage, case_produce_garbage]


@pytest.mark.parametrize("case", CASES, ids=[c.__name__[5:] for c in CASES])
def test_bad_input_closes_connection_broker_survives(broker, case):
    # A well-behaved connection opened before must keep working afterwards.
    bystander = kw.connect(broker.host_port)
    try:
        with kw.connect(broker.host_port) as s:
            case(s)
            # Either an error answer followed by close, or a close; never a hang.
            assert closed_within(s, 10), "broker kept the connection open after bad input"
        bystander.sendall(kw.api_versions_request(0, 77))
        cid, body = kw.read_response(bystander)
        assert cid == 77 and kw.parse_api_versions(0, body)[0] == 0
    finally:
        bystander.close()
    healthy(broker)


def test_silent_connection_does_not_block_and_idles_out(broker_factory):
    b = broker_factory({"connections.max.idle.ms": "1500"})
    silent = kw.connect(b.host_port)
    try:
        healthy(b)
        t0 = time.monotonic()
        assert closed_within(silent, 15), "idle connection not closed (connections.max.idle.ms=1500)"
        print(f"idle connection closed after {time.monotonic() - t0:.1f}s")
    finally:
        silent.close()
    healthy(b)


def test_memory_back_to_baseline(broker):
    broker.require_process()
    healthy(broker)
    baseline = broker.rss_kb()
    for _ in range(3):
        for case in CASES:
            with kw.connect(broker.host_port) as s:
                case(s)
                closed_within(s, 5)
    # Many connections each announcing a large (allowed) frame and sending a few bytes:
    # the broker must not reserve the announced size up front.
    held = []
    try:
        for _ in range(20):
            s = kw.connect(broker.host_port)
            s.sendall(struct.pack(">i", 50 * 1024 * 1024) + kw.request_header(kw.METADATA, 1, 1) + b"\x00" * 1024)
            held.append(s)
        time.sleep(1.0)
        peak = broker.rss_kb()
        print(f"RSS baseline {baseline} kB, with 20 half-sent 50 MiB frames {peak} kB")
        assert peak < baseline + 256 * 1024, f"RSS grew from {baseline} kB to {peak} kB for 20 partial frames"
    finally:
        for s in held:
            s.close()
    time.sleep(1.0)
    healthy(broker)
    after = broker.rss_kb()
    print(f"RSS baseline {baseline} kB, after bad input {after} kB")
    assert after < baseline + RSS_SLACK_KB, f"RSS {after} kB vs baseline {baseline} kB"
