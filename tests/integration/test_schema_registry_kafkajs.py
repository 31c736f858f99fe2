"""@kafkajs/confluent-schema-registry (npm) with KafkaJS against the registry
inside `samsa serve`: Avro, JSON Schema and Protobuf encoded, produced,
consumed and decoded; an incompatible registration refused."""

from clients import run_kafkajs
from registry_util import REGISTRY, registry_url


def test_kafkajs_schema_registry_client(broker_factory, name):
    broker = broker_factory(REGISTRY)
    topic = name("kjs-sr")
    r = run_kafkajs("schema_registry", {"brokers": [broker.bootstrap], "registry": registry_url(broker),
                                        "topic": topic})
    ids = r["ids"]
    assert len(set(ids.values())) == 3
    for kind, expected in [("avro", ("a1", 1.5)), ("json", ("j1", 2.5)), ("protobuf", ("p1", 3.5))]:
        d = r["decoded"][kind]
        assert (d["id"], d["amount"]) == expected, (kind, d)
        assert d["magic"] == 0 and d["schemaId"] == ids[kind]
    assert r["incompatible"] is not None and r["incompatible"]["status"] == 409, r["incompatible"]
    assert r["latest"] == ids["avro"]
