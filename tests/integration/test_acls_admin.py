"""ACL administration through a real client's admin API (confluent-kafka
AdminClient: create_acls, describe_acls, delete_acls) against a broker with
the authorizer on, and SECURITY_DISABLED from one without (issue 14)."""

import pytest
from confluent_kafka import KafkaException
from confluent_kafka.admin import (AclBinding, AclBindingFilter, AclOperation, AclPermissionType, AdminClient,
                                   ResourcePatternType, ResourceType)

AUTHORIZER = {"authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
              "super.users": "User:admin"}
INVALID_REQUEST = 42
SECURITY_DISABLED = 54


def admin(broker):
    return AdminClient({"bootstrap.servers": broker.bootstrap})


def key(b):
    return (b.restype, b.name, b.resource_pattern_type, b.principal, b.host, b.operation, b.permission_type)


def everything():
    return AclBindingFilter(ResourceType.ANY, None, ResourcePatternType.ANY, None, None, AclOperation.ANY,
                            AclPermissionType.ANY)


def create(client, bindings):
    results = client.create_acls(bindings, request_timeout=15)
    for f in results.values():
        f.result(timeout=20)


def test_create_describe_delete_and_restart(broker_factory, name):
    broker = broker_factory(AUTHORIZER)
    client = admin(broker)
    topic, group = name("acl-t"), name("acl-g")
    made = [
        AclBinding(ResourceType.TOPIC, topic, ResourcePatternType.LITERAL, "User:alice", "*", AclOperation.READ,
                   AclPermissionType.ALLOW),
        AclBinding(ResourceType.TOPIC, topic[:6], ResourcePatternType.PREFIXED, "User:bob", "*",
                   AclOperation.WRITE, AclPermissionType.DENY),
        AclBinding(ResourceType.GROUP, group, ResourcePatternType.LITERAL, "User:*", "10.0.0.1", AclOperation.ALL,
                   AclPermissionType.ALLOW),
        AclBinding(ResourceType.BROKER, "kafka-cluster", ResourcePatternType.LITERAL, "User:ops", "*",
                   AclOperation.DESCRIBE_CONFIGS, AclPermissionType.ALLOW),
    ]
    create(client, made)

    listed = client.describe_acls(everything(), request_timeout=15).result(timeout=20)
    assert sorted(map(key, listed)) == sorted(map(key, made))

    # MATCH: every ACL that applies to the topic (its literal ACL and the prefix).
    match = AclBindingFilter(ResourceType.TOPIC, topic, ResourcePatternType.MATCH, None, None, AclOperation.ANY,
                             AclPermissionType.ANY)
    got = client.describe_acls(match, request_timeout=15).result(timeout=20)
    assert sorted(map(key, got)) == sorted(map(key, made[:2]))

    by_principal = AclBindingFilter(ResourceType.ANY, None, ResourcePatternType.ANY, "User:*", None,
                                    AclOperation.ANY, AclPermissionType.ANY)
    got = client.describe_acls(by_principal, request_timeout=15).result(timeout=20)
    assert [key(b) for b in got] == [key(made[2])]

    # Restart (hard): the ACLs come back from the metadata log.
    broker.restart(kill=True)
    client = admin(broker)
    listed = client.describe_acls(everything(), request_timeout=15).result(timeout=20)
    assert sorted(map(key, listed)) == sorted(map(key, made))

    deleted = client.delete_acls([match], request_timeout=15)
    assert sorted(map(key, deleted[match].result(timeout=20))) == sorted(map(key, made[:2]))
    listed = client.describe_acls(everything(), request_timeout=15).result(timeout=20)
    assert sorted(map(key, listed)) == sorted(map(key, made[2:]))


def test_refusals_come_back_as_kafka_errors(broker_factory):
    broker = broker_factory(AUTHORIZER)
    client = admin(broker)
    bad_principal = AclBinding(ResourceType.TOPIC, "t", ResourcePatternType.LITERAL, "alice", "*",
                               AclOperation.READ, AclPermissionType.ALLOW)
    bad_cluster = AclBinding(ResourceType.BROKER, "other-cluster", ResourcePatternType.LITERAL, "User:a", "*",
                             AclOperation.ALTER, AclPermissionType.ALLOW)
    good = AclBinding(ResourceType.TOPIC, "t", ResourcePatternType.LITERAL, "User:alice", "*", AclOperation.READ,
                      AclPermissionType.ALLOW)
    results = client.create_acls([bad_principal, bad_cluster, good], request_timeout=15)
    for bad in (bad_principal, bad_cluster):
        with pytest.raises(KafkaException) as e:
            results[bad].result(timeout=20)
        assert e.value.args[0].code() == INVALID_REQUEST, e.value
    assert results[good].result(timeout=20) is None
    listed = client.describe_acls(everything(), request_timeout=15).result(timeout=20)
    assert [key(b) for b in listed] == [key(good)]


def test_without_an_authorizer_the_apis_say_security_is_disabled(broker):
    client = admin(broker)
    with pytest.raises(KafkaException) as e:
        client.describe_acls(everything(), request_timeout=15).result(timeout=20)
    assert e.value.args[0].code() == SECURITY_DISABLED, e.value
