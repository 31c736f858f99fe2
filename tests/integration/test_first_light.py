"""First light (issue 2): every target client can bootstrap and read cluster
metadata from a freshly started broker."""

import json

import clients


def test_kcat_list(broker):
    rc, out, err = clients.kcat(["-b", broker.bootstrap, "-L", "-J", "-m", "10"], timeout=30)
    assert rc == 0, f"kcat -L failed ({rc}): {err}"
    md = json.loads(out)
    assert len(md["brokers"]) == 1, md
    b = md["brokers"][0]
    assert b["name"].endswith(f":{broker.host_port[1]}") or broker.external, f"advertised {b['name']}"
    assert md["originating_broker"]["id"] == b["id"]


def test_confluent_list_topics(broker):
    from confluent_kafka.admin import AdminClient
    admin = AdminClient({"bootstrap.servers": broker.bootstrap})
    md = admin.list_topics(timeout=10)
    assert len(md.brokers) == 1
    (bm,) = md.brokers.values()
    assert (bm.host, bm.port) == broker.host_port or broker.external
    assert md.controller_id == bm.id
    assert md.cluster_id, "cluster id must be set"
    assert all(not t.startswith("__") or t == "__consumer_offsets" for t in md.topics), md.topics


def test_kafka_python_admin_and_consumer_topics(broker):
    from kafka import KafkaAdminClient, KafkaConsumer
    admin = KafkaAdminClient(bootstrap_servers=broker.bootstrap, request_timeout_ms=10000)
    try:
        desc = admin.describe_cluster()
        assert len(desc["brokers"]) == 1, desc
        assert desc["controller_id"] == desc["brokers"][0]["node_id"]
        topics = admin.list_topics()
        assert isinstance(topics, list)
    finally:
        admin.close()
    consumer = KafkaConsumer(bootstrap_servers=broker.bootstrap, request_timeout_ms=11000)
    try:
        assert isinstance(consumer.topics(), set)
        # The version guess decides which Produce/Fetch versions it will send.
        assert consumer.config["api_version"] >= (2, 1), f"kafka-python guessed {consumer.config['api_version']}"
    finally:
        consumer.close()


def test_kafkajs_metadata_and_describe_cluster(broker):
    r = clients.run_kafkajs("first_light", {"brokers": [broker.bootstrap]}, timeout=60)
    cluster = r["cluster"]
    assert len(cluster["brokers"]) == 1, cluster
    assert cluster["clusterId"], cluster
    assert cluster["controller"] == cluster["brokers"][0]["nodeId"]
    assert isinstance(r["metadata"]["topics"], list)
    assert isinstance(r["topics"], list)
