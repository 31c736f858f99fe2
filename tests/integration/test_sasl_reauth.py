"""SASL re-authentication (KIP-368) with real clients. librdkafka 2.15.1
(tests/rdkafka_new/sasl_reauth.c) keeps a producer and a consumer connected
across several session lifetimes (connections.max.reauth.ms=2000) over
SASL_PLAINTEXT and SASL_SSL: every message is delivered and read back, no
connection is cut, and the broker logs the re-authentications. librdkafka
2.0.2 (confluent-kafka) predates client re-authentication: its connection is
closed at the first request after the session's end, and it reconnects."""

import os
import subprocess
import time

import pytest

from clients import create_topic
from samsa_harness import Broker, samsa_bin

JAAS = 'org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="alice-secret";'
REAUTH_MS = 2000


def program():
    path = os.path.join(os.environ.get("SAMSA_RDKAFKA_NEW_BIN", ""), "sasl_reauth")
    if not os.path.exists(path):
        # Part of every test build (install-deps --test builds librdkafka 2.15.1): never a skip.
        pytest.fail(f"{path} is not built: run scripts/install-deps.sh --test, then rebuild", pytrace=False)
    return path


def port_of(broker, listener):
    with open(os.path.join(broker.work_dir, f"port.{listener}")) as f:
        return int(f.read().strip())


def log_text(broker):
    with open(broker.log_path, "rb") as f:
        return f.read().decode(errors="replace")


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    d = str(tmp_path_factory.mktemp("certs"))
    out = subprocess.run([samsa_bin(), "certs", "create", "--dir", d], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return d


@pytest.fixture(scope="module")
def reauth_broker(certs):
    b = Broker({
        "listeners": "PLAINTEXT://127.0.0.1:0,SASLP://127.0.0.1:0,SASLS://127.0.0.1:0",
        "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,SASLP:SASL_PLAINTEXT,SASLS:SASL_SSL",
        "advertised.listeners": "SASLS://localhost:0",
        "sasl.enabled.mechanisms": "PLAIN,SCRAM-SHA-512",
        "listener.name.saslp.plain.sasl.jaas.config": JAAS,
        "listener.name.sasls.plain.sasl.jaas.config": JAAS,
        "connections.max.reauth.ms": str(REAUTH_MS),
        "ssl.keystore.type": "PEM",
        "ssl.keystore.location": os.path.join(certs, "broker.pem"),
    }).start()
    out = subprocess.run([samsa_bin(), "--bootstrap", b.bootstrap, "user", "create", "sam", "--password-stdin",
                          "--mechanism", "SCRAM-SHA-512"], input="sam-secret\n", capture_output=True, text=True,
                         timeout=30)
    assert out.returncode == 0, out.stderr
    yield b
    b.close()


@pytest.mark.parametrize("listener,mechanism,user,password", [
    ("SASLP", "PLAIN", "alice", "alice-secret"),
    ("SASLS", "SCRAM-SHA-512", "sam", "sam-secret"),
])
def test_librdkafka_re_authenticates_and_keeps_its_connections(reauth_broker, certs, name, listener, mechanism,
                                                              user, password):
    topic = name("reauth")
    create_topic(reauth_broker.bootstrap, topic)
    before_reauth = log_text(reauth_broker).count(f"re-authenticated as User:{user}")
    before_expired = log_text(reauth_broker).count("did not re-authenticate")
    if listener == "SASLS":
        args = [f"localhost:{port_of(reauth_broker, listener)}", topic, "SASL_SSL", mechanism, user, password,
                str(3 * REAUTH_MS + 500), os.path.join(certs, "ca.pem")]
    else:
        args = [f"127.0.0.1:{port_of(reauth_broker, listener)}", topic, "SASL_PLAINTEXT", mechanism, user, password,
                str(3 * REAUTH_MS + 500)]
    out = subprocess.run([program()] + args, capture_output=True, text=True, timeout=90)
    print(out.stdout)
    print(out.stderr[-4000:])
    assert out.returncode == 0, out.stderr[-2000:]
    summary = dict(kv.split("=") for kv in out.stdout.split())
    assert int(summary["produced"]) > 50, summary
    assert summary["delivered"] == summary["produced"] == summary["consumed"], summary
    assert summary["errors"] == "0", out.stderr[-2000:]
    text = log_text(reauth_broker)
    # A producer and a consumer (with its group coordinator connection), each
    # past three lifetimes: several re-authentications, no session cut.
    assert text.count(f"re-authenticated as User:{user}") - before_reauth >= 4, reauth_broker.log_tail(40)
    assert text.count("did not re-authenticate") == before_expired, reauth_broker.log_tail(40)


def test_a_client_without_re_authentication_is_disconnected_and_reconnects(reauth_broker, name):
    from confluent_kafka import Producer
    topic = name("old")
    create_topic(reauth_broker.bootstrap, topic)
    before = log_text(reauth_broker).count("did not re-authenticate")
    p = Producer({"bootstrap.servers": f"127.0.0.1:{port_of(reauth_broker, 'SASLP')}",
                  "security.protocol": "SASL_PLAINTEXT", "sasl.mechanism": "PLAIN", "sasl.username": "alice",
                  "sasl.password": "alice-secret", "linger.ms": 0})
    delivered = []
    p.produce(topic, b"first", on_delivery=lambda err, m: delivered.append(err))
    assert p.flush(15) == 0
    # Past the session's end (the point of this test is waiting it out).
    time.sleep(REAUTH_MS / 1000 + 0.5)
    p.produce(topic, b"second", on_delivery=lambda err, m: delivered.append(err))
    assert p.flush(30) == 0
    assert delivered == [None, None], delivered
    deadline = time.monotonic() + 10
    while log_text(reauth_broker).count("did not re-authenticate") == before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert log_text(reauth_broker).count("did not re-authenticate") > before, reauth_broker.log_tail(30)
