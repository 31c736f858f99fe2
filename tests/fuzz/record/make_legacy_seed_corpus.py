#!/usr/bin/env python3
# Writes the seed corpus of legacy_message_fuzz: v0/v1 message sets (plain,
# truncated, gzip-wrapped, null key and value), each with and without the
# CRC-repair flag byte. Usage: make_legacy_seed_corpus.py <dir>
import struct, zlib, gzip, sys, os, hashlib
def msg(magic, off, key, val, attrs=0, ts=1700000000000):
    body = struct.pack('>bb', magic, attrs)
    if magic == 1: body += struct.pack('>q', ts)
    for b in (key, val):
        body += struct.pack('>i', -1) if b is None else struct.pack('>i', len(b)) + b
    body = struct.pack('>I', zlib.crc32(body) & 0xffffffff) + body
    return struct.pack('>qi', off, len(body)) + body
out = sys.argv[1]
seeds = []
for magic in (0, 1):
    plain = b''.join(msg(magic, i if magic == 0 else i, b'k%d' % i, b'v%d' % i) for i in range(3))
    seeds.append(plain)
    seeds.append(plain[:-7])
    seeds.append(msg(magic, 2, None, gzip.compress(plain), attrs=1))
    seeds.append(msg(magic, 0, None, None))
for s in seeds:
    for flag in (0, 1):
        data = bytes([flag]) + s
        open(os.path.join(out, hashlib.sha1(data).hexdigest()), 'wb').write(data)
