"""ACL administration through a real client's admin API against a broker
with the authorizer on, and SECURITY_DISABLED from one without (issue 14).
The client is kafka-python 2.0.2's KafkaAdminClient (create_acls,
describe_acls, delete_acls at v1): the confluent-kafka installed here (1.7.0)
predates its ACL admin calls (1.9)."""

import pytest
from kafka import KafkaAdminClient
from kafka.admin import (ACL, ACLFilter, ACLOperation, ACLPermissionType, ACLResourcePatternType, ResourcePattern,
                         ResourcePatternFilter, ResourceType)
from kafka.errors import SecurityDisabledError

AUTHORIZER = {"authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
              # The client is User:ANONYMOUS (PLAINTEXT); managing ACLs needs
              # ALTER/DESCRIBE on the cluster, which a super user holds.
              "super.users": "User:admin;User:ANONYMOUS"}
INVALID_REQUEST = 42


def admin(broker):
    return KafkaAdminClient(bootstrap_servers=broker.bootstrap, request_timeout_ms=15000)


def key(a):
    p = a.resource_pattern
    return (int(p.resource_type), p.resource_name, int(p.pattern_type), a.principal, a.host, int(a.operation),
            int(a.permission_type))


def acl(rtype, name, pattern, principal, host, op, perm):
    return ACL(principal=principal, host=host, operation=op, permission_type=perm,
               resource_pattern=ResourcePattern(rtype, name, pattern))


def everything(principal=None, rtype=ResourceType.ANY, name=None, pattern=ACLResourcePatternType.ANY):
    return ACLFilter(principal=principal, host=None, operation=ACLOperation.ANY,
                     permission_type=ACLPermissionType.ANY,
                     resource_pattern=ResourcePatternFilter(rtype, name, pattern))


def listed(client, f):
    acls, error = client.describe_acls(f)
    assert error.errno == 0, error
    return sorted(map(key, acls))


def test_create_describe_delete_and_restart(broker_factory, name):
    broker = broker_factory(AUTHORIZER)
    client = admin(broker)
    topic, group = name("acl-t"), name("acl-g")
    made = [
        acl(ResourceType.TOPIC, topic, ACLResourcePatternType.LITERAL, "User:alice", "*", ACLOperation.READ,
            ACLPermissionType.ALLOW),
        acl(ResourceType.TOPIC, topic[:6], ACLResourcePatternType.PREFIXED, "User:bob", "*", ACLOperation.WRITE,
            ACLPermissionType.DENY),
        acl(ResourceType.GROUP, group, ACLResourcePatternType.LITERAL, "User:*", "10.0.0.1", ACLOperation.ALL,
            ACLPermissionType.ALLOW),
        acl(ResourceType.CLUSTER, "kafka-cluster", ACLResourcePatternType.LITERAL, "User:ops", "*",
            ACLOperation.DESCRIBE_CONFIGS, ACLPermissionType.ALLOW),
    ]
    result = client.create_acls(made)
    assert result["failed"] == [] and len(result["succeeded"]) == 4, result
    assert listed(client, everything()) == sorted(map(key, made))
    # MATCH: every ACL that applies to the topic (its literal ACL and the prefix).
    match = everything(rtype=ResourceType.TOPIC, name=topic, pattern=ACLResourcePatternType.MATCH)
    assert listed(client, match) == sorted(map(key, made[:2]))
    assert listed(client, everything(principal="User:*")) == [key(made[2])]
    client.close()

    # Restart (hard): the ACLs come back from the metadata log.
    broker.restart(kill=True)
    client = admin(broker)
    assert listed(client, everything()) == sorted(map(key, made))
    [(f, matched, error)] = client.delete_acls([match])
    assert error.errno == 0, error
    assert sorted(key(a) for a, e in matched) == sorted(map(key, made[:2]))
    assert all(e.errno == 0 for a, e in matched)
    assert listed(client, everything()) == sorted(map(key, made[2:]))
    client.close()


def test_refusals_come_back_as_kafka_errors(broker_factory):
    broker = broker_factory(AUTHORIZER)
    client = admin(broker)
    bad_principal = acl(ResourceType.TOPIC, "t", ACLResourcePatternType.LITERAL, "alice", "*", ACLOperation.READ,
                        ACLPermissionType.ALLOW)
    bad_cluster = acl(ResourceType.CLUSTER, "other-cluster", ACLResourcePatternType.LITERAL, "User:a", "*",
                      ACLOperation.ALTER, ACLPermissionType.ALLOW)
    good = acl(ResourceType.TOPIC, "t", ACLResourcePatternType.LITERAL, "User:alice", "*", ACLOperation.READ,
               ACLPermissionType.ALLOW)
    result = client.create_acls([bad_principal, bad_cluster, good])
    assert [key(a) for a in result["succeeded"]] == [key(good)]
    assert sorted(key(a) for a, _ in result["failed"]) == sorted([key(bad_principal), key(bad_cluster)])
    assert all(e.errno == INVALID_REQUEST for _, e in result["failed"]), result["failed"]
    assert listed(client, everything()) == [key(good)]
    client.close()


def test_without_an_authorizer_the_apis_say_security_is_disabled(broker):
    client = admin(broker)
    with pytest.raises(SecurityDisabledError):
        client.describe_acls(everything())
    client.close()
