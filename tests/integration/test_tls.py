"""Listeners and TLS end to end: one broker with a PLAINTEXT, an SSL (no
client certificate), an mTLS (ssl.client.auth=required) and a SASL_PLAINTEXT
listener, certificates made by `samsa certs create`, and real clients
(librdkafka through confluent-kafka and kcat, kafka-python, KafkaJS)
producing and consuming over TLS. Bad input (plaintext on the TLS port,
missing, untrusted and expired client certificates, handshakes that never
finish, a flood of them) closes only the offending connection, with a log
line, while a bystander keeps being answered."""

import datetime
import os
import socket
import ssl
import struct
import subprocess
import time

import pytest

from clients import (check_delivery, create_topic, kafkajs_consume, kafkajs_produce, kcat, kp_produce,
                     make_messages, MIB)
from kafka_wire import api_versions_request, frame, metadata_request_v1, request_header
from samsa_harness import Broker, samsa_bin

RULES = "RULE:^CN=([^,]*),O=Samsa clients$/$1/"


def make_certs(directory):
    out = subprocess.run([samsa_bin(), "certs", "create", "--dir", directory, "--client", "alice", "--client", "bob"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout


def port_of(broker, listener):
    with open(os.path.join(broker.work_dir, f"port.{listener}")) as f:
        return int(f.read().strip())


def log_text(broker):
    with open(broker.log_path, "rb") as f:
        return f.read().decode(errors="replace")


def wait_for_log(broker, text, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in log_text(broker):
            return
        time.sleep(0.05)
    raise AssertionError(f"the broker never logged {text!r}\n{broker.log_tail(30)}")


def start_broker(certs, **extra):
    settings = {
        "listeners": "PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0,MTLS://127.0.0.1:0,SASLP://127.0.0.1:0",
        "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,SSL:SSL,MTLS:SSL,SASLP:SASL_PLAINTEXT",
        "sasl.enabled.mechanisms": "PLAIN",
        # The SSL listener is advertised as localhost (the certificate's name):
        # clients that came in over SSL must be sent there, the others not.
        "advertised.listeners": "SSL://localhost:0",
        "inter.broker.listener.name": "PLAINTEXT",
        "ssl.keystore.type": "PEM",
        "ssl.keystore.location": os.path.join(certs, "broker.pem"),
        "listener.name.mtls.ssl.client.auth": "required",
        "listener.name.mtls.ssl.truststore.location": os.path.join(certs, "ca.pem"),
        "listener.name.mtls.ssl.principal.mapping.rules": RULES,
    }
    settings.update(extra)
    return Broker(settings).start()


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    d = str(tmp_path_factory.mktemp("certs"))
    make_certs(d)
    return d


@pytest.fixture(scope="module")
def tls_broker(certs):
    b = start_broker(certs)
    yield b
    b.close()


def ssl_conf(certs, client=None):
    conf = {"security.protocol": "SSL", "ssl.ca.location": os.path.join(certs, "ca.pem")}
    if client:
        conf["ssl.certificate.location"] = os.path.join(certs, f"{client}.pem")
        conf["ssl.key.location"] = os.path.join(certs, f"{client}-key.pem")
    return conf


def ck_consume(bootstrap, topic, count, conf, timeout=60):
    from confluent_kafka import Consumer, OFFSET_BEGINNING, TopicPartition
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "tls-unused", "enable.auto.commit": False,
                  "fetch.message.max.bytes": 4 * MIB, **conf})
    try:
        c.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])
        got = []
        deadline = time.monotonic() + timeout
        while len(got) < count and time.monotonic() < deadline:
            for m in c.consume(num_messages=1000, timeout=0.5):
                assert m.error() is None, m.error()
                got.append(m)
        from clients import ck_got
        return [ck_got(m) for m in got]
    finally:
        c.close()


def metadata_broker(bootstrap, conf):
    from confluent_kafka.admin import AdminClient
    md = AdminClient({"bootstrap.servers": bootstrap, **conf}).list_topics(timeout=15)
    (b,) = md.brokers.values()
    return b.host, b.port


def bystander_answers(broker):
    """A PLAINTEXT client is answered (ApiVersions over a raw socket)."""
    with socket.create_connection(("127.0.0.1", broker.port), timeout=10) as s:
        s.sendall(api_versions_request(0))
        size = struct.unpack(">i", recv_exact(s, 4))[0]
        body = recv_exact(s, size)
        return struct.unpack(">ih", body[:6])[1] == 0


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise ConnectionError(f"closed after {len(buf)} of {n} bytes")
        buf += chunk
    return buf


def closed_by_broker(s, timeout=20):
    """True once the broker closed `s` (EOF or reset) within `timeout`."""
    s.settimeout(timeout)
    try:
        while True:
            data = s.recv(4096)
            if not data:
                return True
    except (ConnectionResetError, ssl.SSLError, BrokenPipeError):
        return True
    except socket.timeout:
        return False


def tls_client(certs, cert=None, key=None):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(os.path.join(certs, "ca.pem"))
    ctx.check_hostname = False
    if cert:
        ctx.load_cert_chain(cert, key)
    return ctx


def mtls_attempt(certs, port, cert=None, key=None):
    """Handshake and one ApiVersions on the mTLS listener; returns True when answered."""
    raw = socket.create_connection(("127.0.0.1", port), timeout=10)
    try:
        s = tls_client(certs, cert, key).wrap_socket(raw, server_hostname="localhost")
        s.sendall(api_versions_request(0))
        recv_exact(s, 4)
        return True
    except (ssl.SSLError, ConnectionError, OSError):
        return False
    finally:
        raw.close()


# -- happy paths --------------------------------------------------------------------
def test_metadata_answers_with_the_listener_the_client_used(tls_broker, certs):
    ssl_port = port_of(tls_broker, "SSL")
    assert metadata_broker(tls_broker.bootstrap, {}) == ("127.0.0.1", tls_broker.port)
    assert metadata_broker(f"127.0.0.1:{ssl_port}", ssl_conf(certs)) == ("localhost", ssl_port)
    mtls_port = port_of(tls_broker, "MTLS")
    assert metadata_broker(f"127.0.0.1:{mtls_port}", ssl_conf(certs, "alice")) == ("127.0.0.1", mtls_port)


def test_librdkafka_and_kcat_over_ssl(tls_broker, certs, name):
    topic = name("tls")
    create_topic(tls_broker.bootstrap, topic, config={"max.message.bytes": str(4 * MIB)})
    ssl_bootstrap = f"localhost:{port_of(tls_broker, 'SSL')}"
    # Includes a 1 MiB value: fetched log slices go through the copying TLS path.
    msgs = make_messages(600, big={5, 300})
    from clients import ck_produce
    ck_produce(ssl_bootstrap, topic, msgs, **ssl_conf(certs), **{"message.max.bytes": 8 * MIB})
    check_delivery(msgs, ck_consume(ssl_bootstrap, topic, len(msgs), ssl_conf(certs)))
    rc, out, err = kcat(["-b", ssl_bootstrap, "-X", "security.protocol=SSL", "-X",
                         f"ssl.ca.location={os.path.join(certs, 'ca.pem')}", "-X", "fetch.message.max.bytes=4194304",
                         "-C", "-t", topic, "-o", "beginning", "-c", str(len(msgs)), "-e", "-f", "%o\\n"])
    assert rc == 0, err
    assert [int(x) for x in out.split()] == list(range(len(msgs)))


def test_mtls_principal_for_each_client(tls_broker, certs, name):
    topic = name("mtls")
    create_topic(tls_broker.bootstrap, topic)
    mtls = f"127.0.0.1:{port_of(tls_broker, 'MTLS')}"
    msgs = make_messages(100, text=True)
    from clients import ck_produce
    ck_produce(mtls, topic, msgs, **ssl_conf(certs, "alice"))
    wait_for_log(tls_broker, "authenticated by certificate as User:alice")
    ca = os.path.join(certs, "ca.pem")
    kp_produce(mtls, topic, msgs, security_protocol="SSL", ssl_cafile=ca, ssl_check_hostname=False,
               ssl_certfile=os.path.join(certs, "bob.pem"), ssl_keyfile=os.path.join(certs, "bob-key.pem"))
    wait_for_log(tls_broker, "authenticated by certificate as User:bob")
    got, _ = kafkajs_consume(mtls, topic, 2 * len(msgs), name("g"),
                             ssl={"ca": ca, "cert": os.path.join(certs, "alice.pem"),
                                  "key": os.path.join(certs, "alice-key.pem")})
    assert len(got) == 2 * len(msgs)
    assert "subject 'CN=alice,O=Samsa clients'" in log_text(tls_broker)


def test_kafka_python_and_kafkajs_over_ssl_without_client_certificate(tls_broker, certs, name):
    topic = name("tls-kp")
    create_topic(tls_broker.bootstrap, topic)
    ssl_port = port_of(tls_broker, "SSL")
    ca = os.path.join(certs, "ca.pem")
    msgs = make_messages(200, text=True)
    kp_produce(f"localhost:{ssl_port}", topic, msgs, security_protocol="SSL", ssl_cafile=ca)
    kafkajs_produce(f"localhost:{ssl_port}", topic, msgs, ssl={"ca": ca})
    got = ck_consume(f"localhost:{ssl_port}", topic, 2 * len(msgs), ssl_conf(certs))
    assert len(got) == 2 * len(msgs)
    check_delivery(msgs, got[:len(msgs)])
    check_delivery(msgs, got[len(msgs):])


# -- bad input ---------------------------------------------------------------------
def other_certificate(certs, tmp, expired):
    """A client certificate signed by the real CA but expired, or by a stranger CA."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    now = datetime.datetime.now(datetime.timezone.utc)
    if expired:
        with open(os.path.join(certs, "ca.pem"), "rb") as f:
            issuer_cert = x509.load_pem_x509_certificate(f.read())
        with open(os.path.join(certs, "ca-key.pem"), "rb") as f:
            issuer_key = serialization.load_pem_private_key(f.read(), None)
        issuer = issuer_cert.subject
    else:
        issuer_key = ec.generate_private_key(ec.SECP256R1())
        issuer = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Stranger CA")])
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Samsa clients"),
                         x509.NameAttribute(NameOID.COMMON_NAME, "mallory")])
    start, end = (now - datetime.timedelta(days=10), now - datetime.timedelta(days=1)) if expired else \
        (now - datetime.timedelta(days=1), now + datetime.timedelta(days=10))
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(start).not_valid_after(end)
            .sign(issuer_key, hashes.SHA256()))
    cert_path = os.path.join(tmp, "expired.pem" if expired else "stranger.pem")
    key_path = cert_path.replace(".pem", "-key.pem")
    with open(cert_path, "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(key_path, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    return cert_path, key_path


def test_missing_untrusted_and_expired_client_certificates(tls_broker, certs, tmp_path):
    port = port_of(tls_broker, "MTLS")
    assert mtls_attempt(certs, port, os.path.join(certs, "alice.pem"), os.path.join(certs, "alice-key.pem"))
    assert not mtls_attempt(certs, port)
    wait_for_log(tls_broker, "peer did not return a certificate")
    assert not mtls_attempt(certs, port, *other_certificate(certs, str(tmp_path), expired=False))
    wait_for_log(tls_broker, "client certificate rejected: unable to get local issuer certificate")
    assert not mtls_attempt(certs, port, *other_certificate(certs, str(tmp_path), expired=True))
    wait_for_log(tls_broker, "client certificate rejected: certificate has expired")
    assert bystander_answers(tls_broker)


def test_plaintext_sent_to_a_tls_port(tls_broker):
    with socket.create_connection(("127.0.0.1", port_of(tls_broker, "SSL")), timeout=10) as s:
        s.sendall(api_versions_request(0))
        assert closed_by_broker(s)
    wait_for_log(tls_broker, "is a plaintext client talking to this TLS listener?")
    assert bystander_answers(tls_broker)


def test_sasl_listener_serves_nothing_before_authentication(tls_broker):
    with socket.create_connection(("127.0.0.1", port_of(tls_broker, "SASLP")), timeout=10) as s:
        s.sendall(api_versions_request(0))
        size = struct.unpack(">i", recv_exact(s, 4))[0]
        assert struct.unpack(">ih", recv_exact(s, size)[:6])[1] == 0  # ApiVersions is answered
        s.sendall(metadata_request_v1())
        assert closed_by_broker(s)
    wait_for_log(tls_broker, "Metadata v1 before SASL authentication on listener SASLP (SASL_PLAINTEXT)")
    assert bystander_answers(tls_broker)


def test_unfinished_handshakes_are_cut_at_the_deadline_and_counted(certs):
    """Silent TLS clients hold connection slots (max.connections) only until
    ssl.handshake.timeout.ms; while they hold them the limit refuses more."""
    b = start_broker(certs, **{"ssl.handshake.timeout.ms": "4000", "max.connections": "12"})
    try:
        ssl_port = port_of(b, "SSL")
        silent = [socket.create_connection(("127.0.0.1", ssl_port), timeout=10) for _ in range(12)]
        # One sends half a handshake: a TLS record header and nothing more.
        silent[0].sendall(b"\x16\x03\x01\x02\x00")
        with socket.create_connection(("127.0.0.1", ssl_port), timeout=10) as refused:
            # Closed at once when refused, or at the 4 s deadline if it was
            # let in: the log line below tells the two apart. The wait is
            # longer than the deadline because a loaded machine can delay the
            # accept loop by seconds (this case once timed out at 3 s in CI).
            assert closed_by_broker(refused, timeout=10), b.log_tail(30)
        wait_for_log(b, "on SSL refused")
        for s in silent:
            assert closed_by_broker(s), "a silent TLS client was never cut off"
            s.close()
        wait_for_log(b, "TLS handshake not finished within 4000 ms")
        assert bystander_answers(b)
    finally:
        b.close()


def test_certs_create_prints_working_settings_and_keeps_an_existing_ca(tmp_path):
    d = str(tmp_path / "c")
    out = make_certs(d)
    for line in ("ssl.keystore.type=PEM", f"ssl.keystore.location={d}/broker.pem", "security.protocol=SSL",
                 f"ssl.ca.location={d}/ca.pem", f"ssl.certificate.location={d}/alice.pem",
                 f"ssl.key.location={d}/alice-key.pem"):
        assert line in out, out
    assert oct(os.stat(os.path.join(d, "ca-key.pem")).st_mode & 0o777) == "0o600"
    again = subprocess.run([samsa_bin(), "certs", "create", "--dir", d], capture_output=True, text=True, timeout=60)
    assert again.returncode != 0 and "--force" in again.stderr
    bad = subprocess.run([samsa_bin(), "certs", "create", "--dir", d, "--force", "--client", "../x"],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode != 0 and "client name" in bad.stderr
