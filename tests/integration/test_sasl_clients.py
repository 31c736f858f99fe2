"""SASL end to end with real clients: librdkafka (confluent-kafka and kcat),
kafka-python 2.0.2 (SaslHandshake v0, then raw tokens) and KafkaJS against a
SASL_PLAINTEXT and a SASL_SSL listener, with PLAIN (JAAS users and SCRAM users
of the metadata log), SCRAM-SHA-256, SCRAM-SHA-512 and OAUTHBEARER (the
unsecured development JWT). The happy path produces and consumes; a wrong
password, an unknown user and a mechanism the listener does not enable are
each denied with the client's usual authentication error and a broker log
line, and the client learns nothing (no topic names, no data)."""

import base64
import json
import os
import subprocess
import time

import pytest

from clients import (check_delivery, ck_produce, create_topic, kafkajs_consume, kafkajs_produce, kcat,
                     kp_produce, make_messages, run_kafkajs)
from samsa_harness import Broker, samsa_bin

JAAS = ('org.apache.kafka.common.security.plain.PlainLoginModule required '
        'user_alice="alice-secret" user_bob="bob-secret";')
SCRAM_USERS = {"SCRAM-SHA-256": ("sam256", "sam256-secret"), "SCRAM-SHA-512": ("sam512", "sam512-secret")}
# The one topic a denied client must never see.
SECRET_TOPIC = "payroll-secret-topic"


def port_of(broker, listener):
    with open(os.path.join(broker.work_dir, f"port.{listener}")) as f:
        return int(f.read().strip())


def log_text(broker):
    with open(broker.log_path, "rb") as f:
        return f.read().decode(errors="replace")


def wait_for_log_count(broker, text, count, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if log_text(broker).count(text) >= count:
            return
        time.sleep(0.05)
    raise AssertionError(f"the broker logged {text!r} fewer than {count} times\n{broker.log_tail(30)}")


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    d = str(tmp_path_factory.mktemp("certs"))
    out = subprocess.run([samsa_bin(), "certs", "create", "--dir", d], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return d


@pytest.fixture(scope="module")
def sasl_broker(certs):
    settings = {
        "listeners": "PLAINTEXT://127.0.0.1:0,SASLP://127.0.0.1:0,SASLS://127.0.0.1:0,ONLY512://127.0.0.1:0",
        "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,SASLP:SASL_PLAINTEXT,SASLS:SASL_SSL,"
                                          "ONLY512:SASL_PLAINTEXT",
        # The certificate names localhost: SASL_SSL clients are sent there.
        "advertised.listeners": "SASLS://localhost:0",
        "sasl.enabled.mechanisms": "PLAIN,SCRAM-SHA-256,SCRAM-SHA-512,OAUTHBEARER",
        "listener.name.saslp.plain.sasl.jaas.config": JAAS,
        "listener.name.sasls.plain.sasl.jaas.config": JAAS,
        "listener.name.only512.sasl.enabled.mechanisms": "SCRAM-SHA-512",
        "ssl.keystore.type": "PEM",
        "ssl.keystore.location": os.path.join(certs, "broker.pem"),
    }
    b = Broker(settings).start()
    for mechanism, (user, password) in SCRAM_USERS.items():
        out = subprocess.run([samsa_bin(), "--bootstrap", b.bootstrap, "user", "create", user, "--password-stdin",
                              "--mechanism", mechanism], input=password + "\n", capture_output=True, text=True,
                             timeout=30)
        assert out.returncode == 0, out.stderr
    create_topic(b.bootstrap, SECRET_TOPIC)
    yield b
    b.close()


def endpoint(broker, certs, listener):
    """Bootstrap address and whether it is TLS (with the CA to trust)."""
    port = port_of(broker, listener)
    if listener == "SASLS":
        return f"localhost:{port}", os.path.join(certs, "ca.pem")
    return f"127.0.0.1:{port}", None


def unsecured_jwt(sub, lifetime_s=3600):
    """Kafka's unsecured development token (alg none), as librdkafka makes it."""
    def b64(obj):
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()
    now = int(time.time())
    return b64({"alg": "none"}) + "." + b64({"sub": sub, "iat": now, "exp": now + lifetime_s}) + "."


def credentials(mechanism):
    if mechanism in SCRAM_USERS:
        return SCRAM_USERS[mechanism]
    return ("alice", "alice-secret")


# -- librdkafka (confluent-kafka, kcat) -----------------------------------------------
def ck_conf(mechanism, ca, user=None, password=None):
    conf = {"security.protocol": "SASL_SSL" if ca else "SASL_PLAINTEXT", "sasl.mechanism": mechanism}
    if ca:
        conf["ssl.ca.location"] = ca
    if mechanism == "OAUTHBEARER":
        conf["enable.sasl.oauthbearer.unsecure.jwt"] = "true"
        conf["sasl.oauthbearer.config"] = f"principal={user or 'alice'}"
    else:
        u, p = credentials(mechanism)
        conf["sasl.username"] = user or u
        conf["sasl.password"] = password or p
    return conf


def ck_consume(bootstrap, topic, count, conf, timeout=30):
    from confluent_kafka import Consumer, OFFSET_BEGINNING, TopicPartition
    from clients import ck_got
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "sasl-unused", "enable.auto.commit": False, **conf})
    try:
        c.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])
        got = []
        deadline = time.monotonic() + timeout
        while len(got) < count and time.monotonic() < deadline:
            for m in c.consume(num_messages=1000, timeout=0.5):
                assert m.error() is None, m.error()
                got.append(m)
        return [ck_got(m) for m in got]
    finally:
        c.close()


@pytest.mark.parametrize("listener", ["SASLP", "SASLS"])
@pytest.mark.parametrize("mechanism", ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "OAUTHBEARER"])
def test_librdkafka_produces_and_consumes(sasl_broker, certs, name, listener, mechanism):
    bootstrap, ca = endpoint(sasl_broker, certs, listener)
    topic = name("ck")
    create_topic(sasl_broker.bootstrap, topic)
    conf = ck_conf(mechanism, ca)
    msgs = make_messages(30)
    ck_produce(bootstrap, topic, msgs, **conf)
    check_delivery(msgs, ck_consume(bootstrap, topic, len(msgs), conf))


def test_plain_accepts_scram_users_of_the_metadata_log(sasl_broker, certs, name):
    bootstrap, ca = endpoint(sasl_broker, certs, "SASLP")
    topic = name("plainscram")
    create_topic(sasl_broker.bootstrap, topic)
    conf = ck_conf("PLAIN", ca, *SCRAM_USERS["SCRAM-SHA-512"])
    msgs = make_messages(10)
    ck_produce(bootstrap, topic, msgs, **conf)
    check_delivery(msgs, ck_consume(bootstrap, topic, len(msgs), conf))


def test_kcat_scram_over_sasl_ssl(sasl_broker, certs, name):
    bootstrap, ca = endpoint(sasl_broker, certs, "SASLS")
    topic = name("kcat")
    create_topic(sasl_broker.bootstrap, topic)
    user, password = SCRAM_USERS["SCRAM-SHA-512"]
    common = ["-b", bootstrap, "-X", "security.protocol=SASL_SSL", "-X", f"ssl.ca.location={ca}",
              "-X", "sasl.mechanism=SCRAM-SHA-512", "-X", f"sasl.username={user}", "-X", f"sasl.password={password}"]
    lines = [f"line-{i}" for i in range(20)]
    rc, _, err = kcat(common + ["-P", "-t", topic], input_bytes=("\n".join(lines) + "\n").encode())
    assert rc == 0, err
    rc, out, err = kcat(common + ["-C", "-t", topic, "-o", "beginning", "-c", str(len(lines)), "-e"])
    assert rc == 0, err
    assert out.split() == lines


def ck_denied(bootstrap, conf):
    """A librdkafka client whose login fails: the authentication error it
    reports (error_cb), after checking that it could list no topic."""
    from confluent_kafka import KafkaError, KafkaException, Producer
    errors = []
    p = Producer({"bootstrap.servers": bootstrap, "error_cb": errors.append, **conf})
    try:
        with pytest.raises(KafkaException):
            md = p.list_topics(timeout=5)
            raise AssertionError(f"listed topics without authenticating: {list(md.topics)}")
        deadline = time.monotonic() + 10
        while not any(e.code() == KafkaError._AUTHENTICATION for e in errors) and time.monotonic() < deadline:
            p.poll(0.2)
    finally:
        p.flush(0)
    auth = [e for e in errors if e.code() == KafkaError._AUTHENTICATION]
    assert auth, f"no authentication error reported: {errors}"
    text = auth[0].str()
    assert SECRET_TOPIC not in " ".join(e.str() for e in errors)
    return text


@pytest.mark.parametrize("listener", ["SASLP", "SASLS"])
def test_librdkafka_denials(sasl_broker, certs, listener):
    bootstrap, ca = endpoint(sasl_broker, certs, listener)
    before = log_text(sasl_broker).count("SASL authentication failed")
    wrong = ck_denied(bootstrap, ck_conf("SCRAM-SHA-256", ca, "sam256", "not-the-password"))
    assert "Authentication failed" in wrong and "invalid credentials" in wrong, wrong
    unknown = ck_denied(bootstrap, ck_conf("PLAIN", ca, "mallory", "alice-secret"))
    assert "Authentication failed" in unknown and "invalid credentials" in unknown, unknown
    # Neither says which part was wrong: the same words for both.
    assert wrong.split(" with SASL mechanism")[0] == unknown.split(" with SASL mechanism")[0], (wrong, unknown)
    wait_for_log_count(sasl_broker, "SASL authentication failed", before + 2)
    text = log_text(sasl_broker)
    assert "user 'mallory'" in text


def test_librdkafka_unknown_mechanism(sasl_broker, certs):
    bootstrap = f"127.0.0.1:{port_of(sasl_broker, 'ONLY512')}"
    before = log_text(sasl_broker).count("is not enabled")
    text = ck_denied(bootstrap, ck_conf("PLAIN", None))
    assert "PLAIN" in text and "SCRAM-SHA-512" in text, text  # librdkafka names both sides
    wait_for_log_count(sasl_broker, "is not enabled", before + 1)
    # The mechanism that is enabled there works.
    conf = ck_conf("SCRAM-SHA-512", None)
    from confluent_kafka.admin import AdminClient
    assert SECRET_TOPIC in AdminClient({"bootstrap.servers": bootstrap, **conf}).list_topics(timeout=10).topics


# -- kafka-python 2.0.2: SaslHandshake v0, then raw tokens ------------------------------
class _Token:
    def __init__(self, token):
        self._token = token

    def token(self):
        return self._token

    def extensions(self):
        return {}


def kp_conf(mechanism, ca, user=None, password=None):
    conf = {"security_protocol": "SASL_SSL" if ca else "SASL_PLAINTEXT", "sasl_mechanism": mechanism}
    if ca:
        conf.update(ssl_cafile=ca, ssl_check_hostname=False)
    if mechanism == "OAUTHBEARER":
        conf["sasl_oauth_token_provider"] = _Token(unsecured_jwt(user or "alice"))
    else:
        u, p = credentials(mechanism)
        conf.update(sasl_plain_username=user or u, sasl_plain_password=password or p)
    return conf


def kp_consume(bootstrap, topic, count, conf, timeout=30):
    from kafka import KafkaConsumer, TopicPartition
    c = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False,
                      consumer_timeout_ms=1000, api_version_auto_timeout_ms=10000, **conf)
    try:
        tp = TopicPartition(topic, 0)
        c.assign([tp])
        c.seek_to_beginning(tp)
        got = []
        deadline = time.monotonic() + timeout
        while len(got) < count and time.monotonic() < deadline:
            for records in c.poll(timeout_ms=500).values():
                got.extend((r.key, r.value, tuple(r.headers)) for r in records)
        return got
    finally:
        c.close()


@pytest.mark.parametrize("listener,mechanism", [("SASLP", "PLAIN"), ("SASLS", "PLAIN"), ("SASLP", "SCRAM-SHA-256"),
                                                ("SASLS", "SCRAM-SHA-512"), ("SASLP", "OAUTHBEARER")])
def test_kafka_python_produces_and_consumes(sasl_broker, certs, name, listener, mechanism):
    bootstrap, ca = endpoint(sasl_broker, certs, listener)
    topic = name("kp")
    create_topic(sasl_broker.bootstrap, topic)
    conf = kp_conf(mechanism, ca)
    msgs = make_messages(20)
    kp_produce(bootstrap, topic, msgs, **conf)
    got = kp_consume(bootstrap, topic, len(msgs), conf)
    assert [(k, v) for k, v, _ in got] == [(m.key, m.value) for m in msgs]


def kp_denied(bootstrap, conf):
    """One kafka-python connection attempt; returns the error it ended with."""
    from kafka.conn import BrokerConnection
    import socket
    host, port = bootstrap.split(":")
    conn = BrokerConnection(host, int(port), socket.AF_INET, request_timeout_ms=10000, api_version=(2, 0, 0), **conf)
    errors = []
    conn.config["state_change_callback"] = lambda node_id, sock, c: None
    original_close = conn.close

    def close(error=None):
        if error is not None:
            errors.append(error)
        return original_close(error)
    conn.close = close
    deadline = time.monotonic() + 15
    try:
        while not conn.connected() and not errors and time.monotonic() < deadline:
            conn.connect()
            time.sleep(0.01)
        assert not conn.connected(), "kafka-python authenticated with bad credentials"
        assert errors, "kafka-python neither connected nor failed"
        return errors[0]
    finally:
        original_close()


@pytest.mark.parametrize("listener", ["SASLP", "SASLS"])
def test_kafka_python_denials(sasl_broker, certs, listener):
    from kafka import errors as kerr
    bootstrap, ca = endpoint(sasl_broker, certs, listener)
    before = log_text(sasl_broker).count("SASL authentication failed")
    # Raw tokens: the broker can only close the connection (as Kafka does after a v0 handshake).
    wrong = kp_denied(bootstrap, kp_conf("PLAIN", ca, "alice", "wrong"))
    assert isinstance(wrong, kerr.KafkaConnectionError), repr(wrong)
    unknown = kp_denied(bootstrap, kp_conf("SCRAM-SHA-512", ca, "mallory", "x"))
    assert isinstance(unknown, kerr.KafkaConnectionError), repr(unknown)
    wait_for_log_count(sasl_broker, "SASL authentication failed", before + 2)


def test_kafka_python_unknown_mechanism(sasl_broker, certs):
    from kafka import errors as kerr
    bootstrap = f"127.0.0.1:{port_of(sasl_broker, 'ONLY512')}"
    before = log_text(sasl_broker).count("is not enabled")
    err = kp_denied(bootstrap, kp_conf("PLAIN", None))
    # The answer (UNSUPPORTED_SASL_MECHANISM) is followed by the close, as in
    # Kafka; kafka-python reports whichever it reads first: when the close
    # arrives in the same read, it drops the answer and says "disconnected".
    if isinstance(err, kerr.UnsupportedSaslMechanismError):
        assert "SCRAM-SHA-512" in str(err), str(err)
    else:
        assert isinstance(err, kerr.KafkaConnectionError), repr(err)
    wait_for_log_count(sasl_broker, "is not enabled", before + 1)


# -- KafkaJS -------------------------------------------------------------------------
def kjs_sasl(mechanism, user=None, password=None):
    if mechanism == "OAUTHBEARER":
        return {"mechanism": "oauthbearer", "token": unsecured_jwt(user or "alice")}
    u, p = credentials(mechanism)
    return {"mechanism": mechanism.lower(), "username": user or u, "password": password or p}


def kjs_ssl(ca):
    return {"ca": ca} if ca else None


@pytest.mark.parametrize("listener,mechanism", [("SASLP", "PLAIN"), ("SASLS", "SCRAM-SHA-256"),
                                                ("SASLP", "SCRAM-SHA-512"), ("SASLS", "OAUTHBEARER")])
def test_kafkajs_produces_and_consumes(sasl_broker, certs, name, listener, mechanism):
    bootstrap, ca = endpoint(sasl_broker, certs, listener)
    topic = name("kjs")
    create_topic(sasl_broker.bootstrap, topic)
    msgs = make_messages(20, text=True)
    kafkajs_produce(bootstrap, topic, msgs, ssl=kjs_ssl(ca), sasl=kjs_sasl(mechanism), timeout=60)
    got, _ = kafkajs_consume(bootstrap, topic, len(msgs), name("kjs-group"), ssl=kjs_ssl(ca),
                             sasl=kjs_sasl(mechanism), timeout=60)
    check_delivery(msgs, got)


def kjs_denied(bootstrap, ca, sasl):
    r = run_kafkajs("sasl_probe", {"brokers": [bootstrap], "ssl": kjs_ssl(ca), "sasl": sasl}, timeout=60)
    assert not r["ok"], r
    assert SECRET_TOPIC not in json.dumps(r["error"])
    return r["error"]


def test_kafkajs_denials(sasl_broker, certs):
    bootstrap, ca = endpoint(sasl_broker, certs, "SASLS")
    before = log_text(sasl_broker).count("SASL authentication failed")
    wrong = kjs_denied(bootstrap, ca, kjs_sasl("SCRAM-SHA-256", "sam256", "wrong"))
    assert wrong["name"] == "KafkaJSSASLAuthenticationError", wrong
    unknown = kjs_denied(bootstrap, ca, kjs_sasl("PLAIN", "mallory", "alice-secret"))
    assert unknown["name"] == "KafkaJSSASLAuthenticationError", unknown
    wait_for_log_count(sasl_broker, "SASL authentication failed", before + 2)
    only512 = f"127.0.0.1:{port_of(sasl_broker, 'ONLY512')}"
    mech = kjs_denied(only512, None, kjs_sasl("PLAIN"))
    assert mech["type"] == "UNSUPPORTED_SASL_MECHANISM", mech
