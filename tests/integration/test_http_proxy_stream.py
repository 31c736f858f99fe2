"""The REST proxy's v3 produce in streaming mode (Confluent's): many JSON
records one after another in one chunked request, one JSON answer per record
written as each is stored, in order. Spoken with requests, raw sockets and
curl; the records read back with confluent-kafka and kcat. Also the bounds:
a bad record gets its error and the stream goes on, broken framing or an
oversized record ends it, a client that never reads its answers stops the
proxy reading (the broker's memory stays bounded), and a client that leaves
mid-stream harms no one."""

import json
import socket
import subprocess

import pytest
import requests

from proxy_util import PROXY, proxy_url, wait_until
from test_http_proxy import b64, cluster_id, create_topic, read_all


@pytest.fixture
def env(broker_factory):
    b = broker_factory(PROXY)
    return b, proxy_url(b)


def records_url(url, topic):
    return f"{url}/v3/clusters/{cluster_id(url)}/topics/{topic}/records"


def record(i, size=0):
    return {"key": {"type": "STRING", "data": f"k{i}"},
            "value": {"type": "STRING", "data": f"v{i}" + "x" * size}}


def chunked(records, per_chunk=7):
    """The records as a generator of body pieces: requests sends it chunked,
    the pieces cut across records (no separators, as Confluent allows)."""
    text = "".join(json.dumps(r) if isinstance(r, dict) else r for r in records).encode()
    step = max(1, len(text) // max(1, len(records)) * per_chunk // 3)
    for i in range(0, len(text), step):
        yield text[i:i + step]


def answers(text):
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def high_watermark(broker, topic):
    from confluent_kafka import Consumer, TopicPartition
    c = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": "hw"})
    hw = c.get_watermark_offsets(TopicPartition(topic, 0), timeout=10)[1]
    c.close()
    return hw


class raw_stream:
    """A chunked POST over a plain socket: send pieces, read answers, at will."""

    def __init__(self, url, topic, rcvbuf=None):
        host, port = url.rsplit("//", 1)[1].rsplit(":", 1)
        self.sock = socket.socket()
        if rcvbuf:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sock.connect((host, int(port)))
        self.sock.settimeout(30)
        path = records_url(url, topic).split(port, 1)[1]
        self.sock.sendall(f"POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                          "Transfer-Encoding: chunked\r\n\r\n".encode())
        self.buf = b""

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.sock.sendall(b"%x\r\n%s\r\n" % (len(data), data))

    def end(self):
        self.sock.sendall(b"0\r\n\r\n")

    def read_answers(self, count):
        """The next `count` answers (the chunk framing taken apart)."""
        got = []
        while len(got) < count:
            while b"\r\n" not in self.buf or not self._whole_chunk():
                more = self.sock.recv(65536)
                assert more, f"connection closed after {len(got)} answers"
                self.buf += more
            got.extend(self._take_chunk())
        return got

    def _whole_chunk(self):
        if self.buf.startswith(b"HTTP/1.1"):
            if b"\r\n\r\n" not in self.buf:
                return False
            head, _, self.buf = self.buf.partition(b"\r\n\r\n")
            self.head = head.decode()
            if b"\r\n" not in self.buf:
                return False
        size_line, _, rest = self.buf.partition(b"\r\n")
        return len(rest) >= int(size_line, 16) + 2

    def _take_chunk(self):
        size_line, _, rest = self.buf.partition(b"\r\n")
        size = int(size_line, 16)
        data, self.buf = rest[:size], rest[size + 2:]
        return answers(data.decode())

    def close(self):
        self.sock.close()


def test_a_thousand_records_in_one_chunked_request_get_a_thousand_ordered_answers(env, name):
    broker, url = env
    topic = name("stream")
    create_topic(broker, topic)
    sent = [record(i) for i in range(1000)]
    r = requests.post(records_url(url, topic), data=chunked(sent), headers={"Content-Type": "application/json"},
                      stream=True, timeout=60)
    assert r.status_code == 200
    assert r.headers.get("Transfer-Encoding") == "chunked"
    got = [json.loads(line) for line in r.iter_lines() if line]
    assert len(got) == 1000
    assert all(a["error_code"] == 200 and a["topic_name"] == topic and a["partition_id"] == 0 for a in got)
    assert [a["offset"] for a in got] == list(range(1000))
    assert got[7]["key"] == {"type": "STRING", "size": 2} and got[7]["value"] == {"type": "STRING", "size": 2}
    # A real consumer finds each record at the offset its answer named.
    by_offset = {m.offset(): m for m in read_all(broker, topic, 1000)}
    for i in (0, 1, 500, 999):
        assert by_offset[i].key() == f"k{i}".encode() and by_offset[i].value() == f"v{i}".encode()


def test_each_record_is_answered_before_the_next_is_sent(env, name):
    """One request held open, a record at a time: the answer to each comes
    while the body is still open (the client pipelines)."""
    broker, url = env
    topic = name("pingpong")
    create_topic(broker, topic)
    s = raw_stream(url, topic)
    offsets = []
    for i in range(20):
        s.send(json.dumps(record(i)) + ("\n" if i % 2 else ""))
        (a,) = s.read_answers(1)
        assert a["error_code"] == 200, a
        offsets.append(a["offset"])
    assert "Transfer-Encoding: chunked" in s.head
    s.end()
    s.close()
    assert offsets == list(range(20))


def test_curl_streams_a_file_of_records_and_kcat_reads_them(env, name, tmp_path):
    broker, url = env
    topic = name("curl")
    create_topic(broker, topic)
    body = tmp_path / "records.json"
    body.write_text("\n".join(json.dumps(record(i)) for i in range(1000)) + "\n")
    out = subprocess.run(["curl", "-sS", "-N", "-X", "POST", "-H", "Content-Type: application/json",
                          "-H", "Transfer-Encoding: chunked", "--data-binary", f"@{body}",
                          "-w", "\n%{http_code}", records_url(url, topic)], capture_output=True, timeout=120)
    assert out.returncode == 0, out.stderr
    text, _, status = out.stdout.decode().rpartition("\n")
    assert status == "200"
    got = answers(text)
    assert [a["offset"] for a in got] == list(range(1000))
    kc = subprocess.run(["kcat", "-C", "-b", broker.bootstrap, "-t", topic, "-o", "beginning", "-e", "-q",
                         "-f", "%o %k %s\n"], capture_output=True, timeout=60)
    assert kc.returncode == 0, kc.stderr
    lines = kc.stdout.decode().splitlines()
    assert len(lines) == 1000
    assert lines[0] == "0 k0 v0" and lines[999] == "999 k999 v999"


def test_a_bad_record_gets_its_error_and_the_stream_goes_on(env, name):
    broker, url = env
    topic = name("bad")
    create_topic(broker, topic)
    sent = [record(i) for i in range(10)]
    sent[3] = {"value": {"type": "BINARY", "data": "@@not base64"}}
    sent[5] = {"partition_id": 7, "value": {"type": "STRING", "data": "nowhere"}}
    sent[6] = {"value": {"type": "NOPE", "data": 1}}
    r = requests.post(records_url(url, topic), data=chunked(sent), headers={"Content-Type": "application/json"},
                      timeout=60)
    assert r.status_code == 200
    got = answers(r.text)
    assert len(got) == 10
    assert got[3]["error_code"] == 400 and "base64" in got[3]["message"]
    assert got[5]["error_code"] == 404 and "Partition 7" in got[5]["message"]
    assert got[6]["error_code"] == 400 and "type" in got[6]["message"]
    good = [a for i, a in enumerate(got) if i not in (3, 5, 6)]
    assert all(a["error_code"] == 200 for a in good)
    assert [a["offset"] for a in good] == list(range(7))
    assert high_watermark(broker, topic) == 7


def test_a_body_without_records_is_a_bad_request(env, name):
    # An empty body, only whitespace, or a bare last chunk left the route
    # without an answer, which the server turned into a 500.
    broker, url = env
    topic = name("empty")
    create_topic(broker, topic)
    for data in (b"", b"  \n\t ", iter([])):
        r = requests.post(records_url(url, topic), data=data, headers={"Content-Type": "application/json"}, timeout=30)
        assert r.status_code == 400 and r.json()["error_code"] == 400 and "no record" in r.json()["message"], \
            (data, r.status_code, r.text)
    assert high_watermark(broker, topic) == 0


def test_broken_framing_and_oversized_records_end_the_stream(broker_factory, name):
    broker = broker_factory(dict(PROXY, **{"http.proxy.max.request.bytes": "4096"}))
    url = proxy_url(broker)
    topic = name("big")
    create_topic(broker, topic)
    big = record(1, size=5000)
    # Mid-stream: the records before are stored and answered, the oversized one gets a 413 object, nothing after.
    r = requests.post(records_url(url, topic), data=chunked([record(0), big, record(2)]),
                      headers={"Content-Type": "application/json"}, timeout=60)
    assert r.status_code == 200
    got = answers(r.text)
    assert [a["error_code"] for a in got] == [200, 413]
    assert "exceeds 4096 bytes" in got[1]["message"]
    assert high_watermark(broker, topic) == 1
    # First: the whole answer is the refusal, with its status.
    r = requests.post(records_url(url, topic), data=json.dumps(big), headers={"Content-Type": "application/json"},
                      timeout=60)
    assert r.status_code == 413 and r.json()["error_code"] == 413
    # The body limit is per record: a stream far longer than it passes.
    r = requests.post(records_url(url, topic), data=chunked([record(i, size=100) for i in range(200)]),
                      headers={"Content-Type": "application/json"}, timeout=60)
    assert r.status_code == 200 and len(answers(r.text)) == 200
    # Garbage between records: an error object ends the stream.
    r = requests.post(records_url(url, topic), data=chunked([record(0), "not json", record(1)]),
                      headers={"Content-Type": "application/json"}, timeout=60)
    got = answers(r.text)
    assert [a["error_code"] for a in got] == [200, 400] and "expected a JSON object" in got[1]["message"]
    r = requests.post(records_url(url, topic), data="{\"value\": ", headers={"Content-Type": "application/json"},
                      timeout=60)
    assert r.status_code == 400 and "ended inside record 1" in r.json()["message"]
    assert high_watermark(broker, topic) == 202


def test_the_single_record_form_still_works_with_keep_alive(env, name):
    broker, url = env
    topic = name("single")
    create_topic(broker, topic)
    with requests.Session() as s:
        for i in range(3):
            r = s.post(records_url(url, topic), json={"value": {"type": "JSON", "data": {"n": i}}}, timeout=30)
            assert r.status_code == 200
            assert r.json()["error_code"] == 200 and r.json()["offset"] == i
            assert r.json()["value"] == {"type": "JSON", "size": len(json.dumps({"n": i}, separators=(",", ":")))}
        assert s.get(f"{url}/v3/clusters", timeout=30).status_code == 200
    r = requests.post(records_url(url, topic), data="{}", headers={"Content-Type": "text/plain"}, timeout=30)
    assert r.status_code == 415
    # Media types ignore case.
    r = requests.post(records_url(url, topic), data=json.dumps({"value": {"type": "JSON", "data": 3}}),
                      headers={"Content-Type": "Application/JSON; Charset=UTF-8"}, timeout=30)
    assert r.status_code == 200 and r.json()["offset"] == 3, r.text


def test_a_client_that_never_reads_its_answers_stops_the_proxy_reading(broker_factory, name):
    broker = broker_factory(dict(PROXY, **{"http.proxy.stream.buffer.bytes": "65536",
                                           "http.proxy.max.records.per.request": "200"}))
    url = proxy_url(broker)
    topic = name("stall")
    create_topic(broker, topic)
    requests.post(records_url(url, topic), json=record(0), timeout=30)  # the proxy's own start-up allocations
    rss_before = broker.rss_kb()
    s = raw_stream(url, topic, rcvbuf=4096)
    s.sock.settimeout(5)
    piece = "".join(json.dumps(record(i, size=900)) for i in range(64))  # ~64 KiB
    sent = 0
    blocked = False
    while sent < 400 * 1024 * 1024:
        try:
            s.send(piece)
        except socket.timeout:
            blocked = True
            break
        sent += len(piece)
    assert blocked, f"the proxy read {sent} bytes from a client that reads nothing"
    rss_after = broker.rss_kb()
    # The broker holds a bounded amount for it (the 64 KiB buffer, one record; socket buffers are the
    # kernel's): 0.5 MB growth was measured, so 32 MiB leaves room for allocator noise but not for a
    # stream buffered past its bound.
    assert rss_after - rss_before < 32 * 1024, (rss_before, rss_after, sent)
    stored = high_watermark(broker, topic)
    assert stored < sent // 900
    # A bystander is answered meanwhile.
    r = requests.post(records_url(url, topic), json=record(1), timeout=30)
    assert r.status_code == 200 and r.json()["error_code"] == 200
    s.close()
    assert broker.alive()


def test_a_client_that_leaves_mid_stream_harms_no_one(env, name):
    broker, url = env
    topic = name("leave")
    create_topic(broker, topic)
    for cut in ("between records", "inside a record"):
        s = raw_stream(url, topic)
        for i in range(50):
            s.send(json.dumps(record(i)))
        s.read_answers(10)
        if cut == "inside a record":
            s.send('{"value": {"type": "STRING", "data": "half')
        s.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        s.close()  # a reset, not a polite end
    r = requests.post(records_url(url, topic), json=record(99), timeout=30)
    assert r.status_code == 200 and r.json()["error_code"] == 200
    # Every complete record the proxy read before the client left is stored once, in order.
    wait_until(lambda: high_watermark(broker, topic) >= 21, "the bystander's record")
    assert broker.alive()


def test_streaming_over_https(broker_factory, name, tmp_path):
    """TLS carries a read and a write at once: answers flow while the body is still being sent."""
    from samsa_harness import samsa_bin
    import ssl
    certs = str(tmp_path / "certs")
    out = subprocess.run([samsa_bin(), "certs", "create", "--dir", certs], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    broker = broker_factory(dict(PROXY, **{
        "http.proxy.listeners": "https://127.0.0.1:0",
        "ssl.keystore.type": "PEM",
        "ssl.keystore.location": f"{certs}/broker.pem",
        "ssl.truststore.location": f"{certs}/ca.pem",
    }))
    url = proxy_url(broker).replace("http://", "https://")
    topic = name("tls")
    create_topic(broker, topic)
    cid = requests.get(f"{url}/v3/clusters", verify=f"{certs}/ca.pem", timeout=30).json()["data"][0]["cluster_id"]
    r = requests.post(f"{url}/v3/clusters/{cid}/topics/{topic}/records", data=chunked([record(i) for i in range(1000)]),
                      headers={"Content-Type": "application/json"}, verify=f"{certs}/ca.pem", timeout=60)
    assert r.status_code == 200
    assert [a["offset"] for a in answers(r.text)] == list(range(1000))
    # One record at a time over one TLS connection.
    host, port = url.rsplit("//", 1)[1].rsplit(":", 1)
    context = ssl.create_default_context(cafile=f"{certs}/ca.pem")
    sock = context.wrap_socket(socket.create_connection((host, int(port))), server_hostname=host)
    sock.settimeout(30)
    sock.sendall(f"POST /v3/clusters/{cid}/topics/{topic}/records HTTP/1.1\r\nHost: localhost\r\n"
                 "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n".encode())
    got = b""
    for i in range(10):
        data = json.dumps(record(i)).encode()
        sock.sendall(b"%x\r\n%s\r\n" % (len(data), data))
        while got.count(b'"error_code":200') < i + 1:
            more = sock.recv(65536)
            assert more, got
            got += more
    sock.sendall(b"0\r\n\r\n")
    while not got.endswith(b"\r\n0\r\n\r\n"):
        more = sock.recv(65536)
        assert more, got
        got += more
    sock.close()
    assert got.count(b'"error_code":200') == 10
    assert high_watermark(broker, topic) == 1010
