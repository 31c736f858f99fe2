#!/usr/bin/env python3
"""Writes the seed corpus of metadata_replay_fuzz (docs/formats/metadata-log.md):
input = 2-byte big-endian snapshot length, the snapshot, then the log.
usage: make_metadata_seeds.py OUT_DIR"""
import struct
import sys


def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def frame(rtype, payload):
    body = bytes([rtype]) + payload
    return struct.pack(">II", len(payload), crc32c(body)) + body


def s(text):
    b = text.encode()
    return struct.pack(">I", len(b)) + b


def configs(d):
    return struct.pack(">I", len(d)) + b"".join(s(k) + s(v) for k, v in sorted(d.items()))


def cluster(seq, cid="AAAAAAAAAAAAAAAAAAAAAA"):
    return frame(1, struct.pack(">Q", seq) + s(cid))


def create(seq, name, parts, tid, cfg=None):
    return frame(2, struct.pack(">Q", seq) + s(name) + bytes([tid] * 16) + struct.pack(">i", parts) + configs(cfg or {}))


def delete(seq, name):
    return frame(3, struct.pack(">Q", seq) + s(name))


def set_count(seq, name, n):
    return frame(4, struct.pack(">Q", seq) + s(name) + struct.pack(">i", n))


def set_config(seq, name, cfg):
    return frame(5, struct.pack(">Q", seq) + s(name) + configs(cfg))


def snapshot_end(seq, n):
    return frame(6, struct.pack(">Q", seq) + struct.pack(">I", n))


def acl(rtype, name, pattern, principal, host, op, perm):
    return bytes([rtype]) + s(name) + bytes([pattern]) + s(principal) + s(host) + bytes([op, perm])


def acls(rtype_code, seq, entries):
    """create_acl (9) or delete_acl (10): seq, count, the ACLs."""
    return frame(rtype_code, struct.pack(">Q", seq) + struct.pack(">I", len(entries)) + b"".join(entries))


def quota_entity(parts):
    out = struct.pack(">I", len(parts))
    for etype, name in parts:
        out += s(etype) + struct.pack(">B", 1 if name is None else 0) + s(name or "")
    return out


def set_quota(seq, parts, values):
    body = struct.pack(">Q", seq) + quota_entity(parts) + struct.pack(">I", len(values))
    for k, v in sorted(values.items()):
        body += s(k) + struct.pack(">d", v)
    return frame(11, body)


def remove_quota(seq, parts):
    return frame(12, struct.pack(">Q", seq) + quota_entity(parts))


def seed(snapshot, log):
    return struct.pack(">H", len(snapshot)) + snapshot + log


def main(out):
    log = cluster(1) + create(2, "orders", 3, 1, {"retention.ms": "1000"}) + create(3, "b", 1, 2) + \
        set_count(4, "orders", 6) + set_config(5, "b", {"cleanup.policy": "compact"}) + delete(6, "b")
    snap = cluster(6) + create(6, "orders", 6, 1, {"retention.ms": "1000"}) + snapshot_end(6, 1)
    seeds = {
        "log_only": seed(b"", log),
        "snapshot_only": seed(snap, b""),
        "snapshot_and_log": seed(snap, create(7, "c", 2, 3) + delete(8, "orders")),
        "old_log_over_snapshot": seed(snap, log),
        "torn_tail": seed(b"", log[:-5]),
        "bit_rot_mid_file": seed(b"", log[:30] + bytes([log[30] ^ 1]) + log[31:]),
        "zero_tail": seed(b"", log + bytes(40)),
        "unknown_type": seed(b"", cluster(1) + frame(99, struct.pack(">Q", 2))),
        "empty": seed(b"", b""),
        "acls_log": seed(b"", cluster(1) + acls(9, 2, [acl(2, "orders", 3, "User:alice", "*", 3, 3),
                                                       acl(2, "ord", 4, "User:*", "10.0.0.1", 2, 2)]) +
                         acls(10, 3, [acl(2, "orders", 3, "User:alice", "*", 3, 3)])),
        "acls_snapshot_and_log": seed(cluster(4) + acls(9, 4, [acl(3, "g", 3, "User:bob", "*", 3, 3)]) +
                                      snapshot_end(4, 0),
                                      acls(9, 5, [acl(4, "kafka-cluster", 3, "User:ops", "*", 7, 3)])),
        "client_quotas": seed(cluster(1) + set_quota(1, [("user", "alice")], {"producer_byte_rate": 1048576.0})
                              + snapshot_end(1, 0),
                              set_quota(2, [("user", None), ("client-id", "app")], {"request_percentage": 12.5})
                              + remove_quota(3, [("user", "alice")])),
    }
    for name, data in seeds.items():
        with open(f"{out}/{name}", "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main(sys.argv[1])
