"""ConsumerGroupDescribe (api 69) v1 over a raw socket, parsed into a dict:
what the KIP-848 tests check after a restart, without depending on a client
library that describes consumer-protocol groups."""

import struct

from kafka_wire import compact_string, connect, frame, read_response, read_uvarint, request_header, skip_tags

CONSUMER_GROUP_DESCRIBE = 69


class _Reader:
    def __init__(self, buf):
        self.buf, self.pos = buf, 0

    def fixed(self, fmt):
        (v,) = struct.unpack_from(fmt, self.buf, self.pos)
        self.pos += struct.calcsize(fmt)
        return v

    def uvarint(self):
        v, self.pos = read_uvarint(self.buf, self.pos)
        return v

    def string(self):
        n = self.uvarint() - 1
        if n < 0:
            return None
        s = self.buf[self.pos:self.pos + n].decode()
        self.pos += n
        return s

    def array(self, item):
        n = self.uvarint() - 1
        return [item() for _ in range(max(n, 0))]

    def tags(self):
        self.pos = skip_tags(self.buf, self.pos)


def _assignment(r):
    def topic():
        tid = r.buf[r.pos:r.pos + 16].hex()
        r.pos += 16
        name = r.string()
        parts = r.array(lambda: r.fixed(">i"))
        r.tags()
        return (name, tid, tuple(sorted(parts)))
    out = sorted(r.array(topic))
    r.tags()
    return out


def consumer_group_describe(bootstrap, group, version=1):
    host, port = bootstrap.split(":")
    body = request_header(CONSUMER_GROUP_DESCRIBE, version, 7, flexible=True)
    body += b"\x02" + compact_string(group) + b"\x00" + b"\x00"  # one group id, no authorized ops, no tags
    with connect((host, int(port))) as s:
        s.sendall(frame(body))
        _cid, data = read_response(s)
    r = _Reader(data)
    r.tags()  # response header v1
    r.fixed(">i")  # throttle

    def member():
        m = {"member_id": r.string(), "instance_id": r.string(), "rack_id": r.string(),
             "member_epoch": r.fixed(">i"), "client_id": r.string(), "client_host": r.string(),
             "subscribed_topic_names": r.array(r.string), "subscribed_topic_regex": r.string(),
             "assignment": _assignment(r), "target_assignment": _assignment(r)}
        if version >= 1:
            m["member_type"] = r.fixed(">b")
        r.tags()
        return m

    def described():
        g = {"error": r.fixed(">h"), "error_message": r.string(), "group_id": r.string(), "state": r.string(),
             "group_epoch": r.fixed(">i"), "assignment_epoch": r.fixed(">i"), "assignor": r.string(),
             "members": r.array(member), "authorized_operations": r.fixed(">i")}
        r.tags()
        return g

    groups = r.array(described)
    r.tags()
    assert r.pos == len(data), f"{len(data) - r.pos} trailing bytes"
    assert len(groups) == 1
    return groups[0]
