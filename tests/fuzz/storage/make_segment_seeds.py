#!/usr/bin/env python3
"""Writes the seed corpus of segment_recovery_fuzz from the record-batch seeds:
input = flags byte (bit 0 clean start, bit 1 index follows), [2-byte index
length + index], then the segment bytes (batches with increasing offsets).
usage: make_segment_seeds.py RECORD_CORPUS_DIR OUT_DIR"""
import os
import struct
import sys


def chain(batches):
    out, next_offset = b"", 0
    for b in batches:
        b = bytearray(b)
        struct.pack_into(">q", b, 0, next_offset)
        next_offset += struct.unpack_from(">i", b, 23)[0] + 1
        out += bytes(b)
    return out


def main(src, out):
    names = ["batch_none", "batch_gzip", "batch_zstd", "batch_lz4", "batch_snappy", "client_kcat_1"]
    batches = [open(os.path.join(src, n), "rb").read() for n in names]
    seg = chain(batches)
    index = struct.pack(">II", 1, len(chain(batches[:1])))  # offset delta 1 -> position of the second batch
    seeds = {
        "unclean_whole": b"\x00" + seg,
        "clean_whole": b"\x01" + seg,
        "unclean_torn_tail": b"\x00" + seg[:-7],
        "unclean_bit_rot": b"\x00" + seg[:100] + bytes([seg[100] ^ 4]) + seg[101:],
        "clean_with_index": b"\x03" + struct.pack(">H", len(index)) + index + seg,
        "unclean_zero_tail": b"\x00" + seg + bytes(64),
        "empty_segment": b"\x00",
    }
    for name, data in seeds.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
