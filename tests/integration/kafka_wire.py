"""Hand-built Kafka frames for tests that talk to the broker over a raw socket
(ApiVersions at each version, malformed input). Only what those tests need."""

import socket
import struct

API_VERSIONS = 18
METADATA = 3


def uvarint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def read_uvarint(buf, pos):
    shift = result = 0
    while True:
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7


def compact_string(s):
    b = s.encode()
    return uvarint(len(b) + 1) + b


def request_header(api_key, api_version, correlation_id, client_id="samsa-it", flexible=False):
    cid = client_id.encode()
    h = struct.pack(">hhih", api_key, api_version, correlation_id, len(cid)) + cid
    if flexible:
        h += b"\x00"  # no tagged fields
    return h


def frame(payload):
    return struct.pack(">i", len(payload)) + payload


def api_versions_request(version, correlation_id=1):
    flexible = version >= 3
    body = b""
    if flexible:
        body = compact_string("samsa-it") + compact_string("0.1") + b"\x00"
    return frame(request_header(API_VERSIONS, version, correlation_id, flexible=flexible) + body)


def metadata_request_v1(topics=None, correlation_id=2):
    """Metadata v1: null topic array means all topics."""
    if topics is None:
        body = struct.pack(">i", -1)
    else:
        body = struct.pack(">i", len(topics))
        for t in topics:
            body += struct.pack(">h", len(t)) + t.encode()
    return frame(request_header(METADATA, 1, correlation_id) + body)


def connect(host_port, timeout=5.0):
    s = socket.create_connection(host_port, timeout=timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def recv_exact(sock, n):
    buf = bytearray()
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise ConnectionError(f"connection closed after {len(buf)} of {n} bytes")
        buf += chunk
    return bytes(buf)


def read_response(sock):
    """Returns (correlation_id, body bytes) of one response with header v0."""
    size = struct.unpack(">i", recv_exact(sock, 4))[0]
    assert 4 <= size < 64 * 1024 * 1024, f"absurd response size {size}"
    data = recv_exact(sock, size)
    return struct.unpack(">i", data[:4])[0], data[4:]


def parse_api_versions(version, body):
    """Parses an ApiVersions response body of the given version. Returns
    (error_code, {api_key: (min, max)}, throttle_ms or None). Asserts the body
    is consumed exactly (tagged fields in v3+ are skipped)."""
    pos = 0
    (error,) = struct.unpack_from(">h", body, pos)
    pos += 2
    keys = {}
    if version >= 3:
        n, pos = read_uvarint(body, pos)
        n -= 1
    else:
        (n,) = struct.unpack_from(">i", body, pos)
        pos += 4
    assert 0 <= n < 1000, f"absurd api key count {n}"
    for _ in range(n):
        k, lo, hi = struct.unpack_from(">hhh", body, pos)
        pos += 6
        if version >= 3:
            pos = skip_tags(body, pos)
        assert k not in keys, f"api key {k} listed twice"
        keys[k] = (lo, hi)
    throttle = None
    if version >= 1:
        (throttle,) = struct.unpack_from(">i", body, pos)
        pos += 4
    if version >= 3:
        pos = skip_tags(body, pos)
    assert pos == len(body), f"ApiVersions v{version} response has {len(body) - pos} trailing bytes"
    return error, keys, throttle


def skip_tags(buf, pos):
    n, pos = read_uvarint(buf, pos)
    for _ in range(n):
        _tag, pos = read_uvarint(buf, pos)
        size, pos = read_uvarint(buf, pos)
        pos += size
    return pos


def parse_metadata_v1(body):
    """Returns (brokers [(id, host, port)], controller_id, topics {name: (error, [partition ids])})."""
    pos = 0

    def i16():
        nonlocal pos
        v = struct.unpack_from(">h", body, pos)[0]
        pos += 2
        return v

    def i32():
        nonlocal pos
        v = struct.unpack_from(">i", body, pos)[0]
        pos += 4
        return v

    def string():
        nonlocal pos
        n = i16()
        if n < 0:
            return None
        s = body[pos:pos + n].decode()
        pos += n
        return s

    brokers = []
    for _ in range(i32()):
        brokers.append((i32(), string(), i32(), string()))
    controller = i32()
    topics = {}
    for _ in range(i32()):
        err = i16()
        name = string()
        pos += 1  # is_internal
        parts = []
        for _ in range(i32()):
            i16()
            parts.append(i32())
            i32()  # leader
            for _ in range(i32()):
                i32()
            for _ in range(i32()):
                i32()
        topics[name] = (err, parts)
    assert pos == len(body), f"Metadata v1 response has {len(body) - pos} trailing bytes"
    return brokers, controller, topics
