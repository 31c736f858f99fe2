#!/usr/bin/env python3
"""Writes the seed corpus of txn_files_fuzz: input = selector byte (0: the
producer snapshot at offset 2, 1: the .txnindex of segment 0), then the
file's bytes (formats: docs/formats/producer-snapshot.md, txn-index.md).
usage: make_txn_files_seeds.py OUT_DIR"""
import os
import struct
import sys


def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def snapshot(offset, producers):
    body = struct.pack(">qI", offset, len(producers))
    for pid, epoch, last_ms, txn_first, batches in producers:
        body += struct.pack(">qhqqB", pid, epoch, last_ms, txn_first, len(batches))
        for first_seq, last_seq, base, append_ms in batches:
            body += struct.pack(">iiqq", first_seq, last_seq, base, append_ms)
    return struct.pack(">hI", 1, crc32c(body)) + body


def index_entry(pid, first, last):
    e = struct.pack(">qqq", pid, first, last)
    return e + struct.pack(">I", crc32c(e))


def main(out):
    good = snapshot(2, [(1, 0, 1000, -1, [(0, 0, 0, -1)])])
    seeds = {
        "snapshot_good": b"\x00" + good,
        "snapshot_open_txn": b"\x00" + snapshot(2, [(1, 0, 1000, 0, [(0, 0, 0, -1)]), (9, 3, 5, 1, [])]),
        "snapshot_bad_crc": b"\x00" + good[:-1] + bytes([good[-1] ^ 1]),
        "snapshot_torn": b"\x00" + good[:-5],
        "snapshot_empty": b"\x00",
        "index_good": b"\x01" + index_entry(1, 0, 1),
        "index_torn": b"\x01" + index_entry(1, 0, 1) + index_entry(2, 0, 1)[:9],
        "index_out_of_order": b"\x01" + index_entry(1, 0, 1) + index_entry(2, 0, 0),
    }
    os.makedirs(out, exist_ok=True)
    for name, data in seeds.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main(sys.argv[1])
