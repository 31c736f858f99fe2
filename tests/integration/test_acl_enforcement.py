"""ACLs enforced against a real client (issue 14): librdkafka (confluent-kafka)
over mutual TLS with certificates from `samsa certs create`, the principal
being the certificate's mapped subject (User:alice). ACLs are managed with
`samsa acl create` over the PLAINTEXT listener, whose User:ANONYMOUS is the
super user here. A principal without rights is refused with Kafka's error
and sees no topic names; once granted, it produces and consumes; each
denial leaves an audit line."""

import os
import subprocess
import time

import pytest

from samsa_harness import Broker, samsa_bin

RULES = "RULE:^CN=([^,]*),O=Samsa clients$/$1/"


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    d = str(tmp_path_factory.mktemp("certs"))
    out = subprocess.run([samsa_bin(), "certs", "create", "--dir", d, "--client", "alice"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return d


@pytest.fixture(scope="module")
def broker(certs):
    b = Broker({
        "listeners": "PLAINTEXT://127.0.0.1:0,MTLS://127.0.0.1:0",
        "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,MTLS:SSL",
        "advertised.listeners": "MTLS://localhost:0",
        "ssl.keystore.type": "PEM",
        "ssl.keystore.location": os.path.join(certs, "broker.pem"),
        "listener.name.mtls.ssl.client.auth": "required",
        "listener.name.mtls.ssl.truststore.location": os.path.join(certs, "ca.pem"),
        "listener.name.mtls.ssl.principal.mapping.rules": RULES,
        "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
        "super.users": "User:ANONYMOUS",
    }).start()
    yield b
    b.close()


def mtls_bootstrap(broker):
    with open(os.path.join(broker.work_dir, "port.MTLS")) as f:
        return f"localhost:{int(f.read().strip())}"


def alice(certs):
    return {"security.protocol": "SSL", "ssl.ca.location": os.path.join(certs, "ca.pem"),
            "ssl.certificate.location": os.path.join(certs, "alice.pem"),
            "ssl.key.location": os.path.join(certs, "alice-key.pem")}


def acl_create(broker, *args):
    out = subprocess.run([samsa_bin(), "acl", "create", "--bootstrap", broker.bootstrap, *args],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stdout + out.stderr


def produce_one(bootstrap, conf, topic, value):
    from confluent_kafka import Producer
    errors = []
    p = Producer({"bootstrap.servers": bootstrap, "message.timeout.ms": 10000, **conf})
    p.produce(topic, value=value, on_delivery=lambda err, msg: errors.append(err))
    p.flush(20)
    assert len(errors) == 1
    return errors[0]


def consume_one(bootstrap, conf, topic, group, timeout=30):
    from confluent_kafka import Consumer, OFFSET_BEGINNING, TopicPartition
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False, **conf})
    try:
        c.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            m = c.poll(0.5)
            if m is None:
                continue
            return m
        return None
    finally:
        c.close()


def log_text(broker):
    with open(broker.log_path, "rb") as f:
        return f.read().decode(errors="replace")


def test_a_principal_without_rights_is_refused_and_sees_nothing(broker, certs):
    from confluent_kafka import KafkaError
    from confluent_kafka.admin import AdminClient, NewTopic
    admin = AdminClient({"bootstrap.servers": broker.bootstrap})
    for f in admin.create_topics([NewTopic("acl-orders", 1, 1), NewTopic("acl-secret", 1, 1)]).values():
        f.result(timeout=20)
    bootstrap = mtls_bootstrap(broker)

    md = AdminClient({"bootstrap.servers": bootstrap, **alice(certs)}).list_topics(timeout=15)
    assert not {"acl-orders", "acl-secret"} & set(md.topics), "no topic names leak"

    err = produce_one(bootstrap, alice(certs), "acl-orders", b"refused")
    assert err is not None and err.code() == KafkaError.TOPIC_AUTHORIZATION_FAILED, err
    # librdkafka asks Metadata for the topic first; without DESCRIBE it never sends the Produce.
    log = log_text(broker)
    assert ("audit: authorization denied: principal=User:alice operation=DESCRIBE resource=TOPIC:acl-orders "
            "client=127.0.0.1:") in log
    assert "api=Metadata" in log


def test_granted_rights_let_the_same_client_produce_and_consume(broker, certs):
    from confluent_kafka.admin import AdminClient, NewTopic
    admin = AdminClient({"bootstrap.servers": broker.bootstrap})
    for f in admin.create_topics([NewTopic("acl-granted", 1, 1)]).values():
        f.result(timeout=20)
    acl_create(broker, "--allow-principal", "User:alice", "--operation", "Write", "--operation", "Read",
               "--topic", "acl-granted")
    bootstrap = mtls_bootstrap(broker)
    assert produce_one(bootstrap, alice(certs), "acl-granted", b"hello") is None
    # The consumer looks up its group's coordinator even when it assigns
    # partitions itself: without READ on the group that is refused.
    from confluent_kafka import KafkaError
    m = consume_one(bootstrap, alice(certs), "acl-granted", "acl-group")
    assert m is not None and m.error() is not None and m.error().code() == KafkaError.GROUP_AUTHORIZATION_FAILED
    acl_create(broker, "--allow-principal", "User:alice", "--operation", "Read", "--group", "acl-group")
    m = consume_one(bootstrap, alice(certs), "acl-granted", "acl-group")
    assert m is not None and m.error() is None and m.value() == b"hello"

    md = AdminClient({"bootstrap.servers": bootstrap, **alice(certs)}).list_topics(timeout=15)
    assert "acl-granted" in md.topics
    assert "acl-secret" not in md.topics
