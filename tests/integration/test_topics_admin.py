"""Topic administration (issue 4) through each client's admin API: create,
describe, alter/describe configs, add partitions, delete, and the errors Kafka
gives for bad requests (after which the broker keeps working)."""

import time
import uuid

import pytest

import clients

INVALID_TOPIC_EXCEPTION = 17
TOPIC_ALREADY_EXISTS = 36
INVALID_REPLICATION_FACTOR = 38
INVALID_PARTITIONS = 37
INVALID_CONFIG = 40

BAD_NAMES = ["bad name", "a" * 250, "..", ".", "tab\there", "sl/ash"]


def uniq():
    return "adm" + uuid.uuid4().hex[:10]


def wait_until(pred, timeout=10.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


# -- confluent-kafka (librdkafka admin) ---------------------------------------
class TestConfluentAdmin:
    @pytest.fixture
    def admin(self, broker):
        from confluent_kafka.admin import AdminClient
        return AdminClient({"bootstrap.servers": broker.bootstrap})

    def create(self, admin, name, partitions=1, rf=1, config=None):
        from confluent_kafka.admin import NewTopic
        fs = admin.create_topics([NewTopic(name, num_partitions=partitions, replication_factor=rf, config=config or {})],
                                 operation_timeout=10, request_timeout=15)
        return fs[name].result(timeout=20)

    def error_code(self, fn):
        from confluent_kafka import KafkaException
        with pytest.raises(KafkaException) as ei:
            fn()
        return ei.value.args[0].code()

    def test_create_describe_delete(self, admin):
        t = uniq()
        self.create(admin, t, partitions=3, config={"retention.ms": "86400000"})
        md = admin.list_topics(t, timeout=10)
        assert md.topics[t].error is None
        assert sorted(md.topics[t].partitions) == [0, 1, 2]
        for p in md.topics[t].partitions.values():
            assert p.leader >= 0 and p.replicas == [p.leader] and p.isrs == [p.leader]
        assert t in admin.list_topics(timeout=10).topics
        admin.delete_topics([t], operation_timeout=10)[t].result(timeout=20)
        wait_until(lambda: t not in admin.list_topics(timeout=10).topics, what="topic to disappear")

    def test_replication_factor(self, admin):
        from confluent_kafka import KafkaError
        self.create(admin, uniq(), rf=1)
        self.create(admin, uniq(), rf=-1)
        assert self.error_code(lambda: self.create(admin, uniq(), rf=3)) == KafkaError.INVALID_REPLICATION_FACTOR

    def test_duplicate_and_invalid_names(self, admin):
        from confluent_kafka import KafkaError
        t = uniq()
        self.create(admin, t)
        assert self.error_code(lambda: self.create(admin, t)) == KafkaError.TOPIC_ALREADY_EXISTS
        for bad in BAD_NAMES:
            code = self.error_code(lambda: self.create(admin, bad))
            assert code == KafkaError.TOPIC_EXCEPTION, f"{bad[:20]!r}: got {KafkaError(code).name()}"
        base = uniq()
        self.create(admin, base + "_b")
        code = self.error_code(lambda: self.create(admin, base + ".b"))
        assert code in (KafkaError.TOPIC_EXCEPTION, KafkaError.TOPIC_ALREADY_EXISTS), KafkaError(code).name()
        # The broker still serves normal requests.
        assert t in admin.list_topics(timeout=10).topics

    def test_configs(self, admin):
        from confluent_kafka import KafkaError
        from confluent_kafka.admin import ConfigResource, ConfigSource
        t = uniq()
        self.create(admin, t, partitions=2, config={"retention.ms": "86400000"})
        res = ConfigResource(ConfigResource.Type.TOPIC, t)
        cfg = admin.describe_configs([res])[res].result(timeout=20)
        assert cfg["retention.ms"].value == "86400000"
        source = cfg["retention.ms"].source
        assert getattr(source, "value", source) == ConfigSource.DYNAMIC_TOPIC_CONFIG.value, source
        assert cfg["cleanup.policy"].value == "delete"
        assert cfg["cleanup.policy"].is_default
        for name in ["segment.bytes", "max.message.bytes", "compression.type", "min.insync.replicas"]:
            assert name in cfg, f"{name} missing from DescribeConfigs"
        # AlterConfigs (non-incremental) replaces the whole set of overrides.
        res2 = ConfigResource(ConfigResource.Type.TOPIC, t, set_config={"retention.ms": "3600000", "cleanup.policy": "compact"})
        admin.alter_configs([res2])[res2].result(timeout=20)
        cfg = admin.describe_configs([res])[res].result(timeout=20)
        assert cfg["retention.ms"].value == "3600000"
        assert cfg["cleanup.policy"].value == "compact"
        bad = ConfigResource(ConfigResource.Type.TOPIC, t, set_config={"retention.ms": "soon"})
        assert self.error_code(lambda: admin.alter_configs([bad])[bad].result(timeout=20)) == KafkaError.INVALID_CONFIG
        unknown = ConfigResource(ConfigResource.Type.TOPIC, t, set_config={"no.such.setting": "1"})
        assert self.error_code(lambda: admin.alter_configs([unknown])[unknown].result(timeout=20)) == KafkaError.INVALID_CONFIG
        # Broker resource.
        bres = ConfigResource(ConfigResource.Type.BROKER, str(next(iter(admin.list_topics(timeout=10).brokers))))
        bcfg = admin.describe_configs([bres])[bres].result(timeout=20)
        assert "num.partitions" in bcfg and "log.retention.ms" in bcfg

    def test_add_partitions(self, admin):
        from confluent_kafka import KafkaError
        from confluent_kafka.admin import NewPartitions
        t = uniq()
        self.create(admin, t, partitions=2)
        admin.create_partitions([NewPartitions(t, 5)])[t].result(timeout=20)
        wait_until(lambda: len(admin.list_topics(t, timeout=10).topics[t].partitions) == 5, what="5 partitions")
        code = self.error_code(lambda: admin.create_partitions([NewPartitions(t, 3)])[t].result(timeout=20))
        assert code == KafkaError.INVALID_PARTITIONS

    def test_produce_to_deleted_topic(self, broker_factory):
        import os
        from confluent_kafka import KafkaError
        from confluent_kafka.admin import AdminClient
        b = broker_factory({"auto.create.topics.enable": "false"})
        admin = AdminClient({"bootstrap.servers": b.bootstrap})
        t = uniq()
        self.create(admin, t, partitions=1)
        clients.ck_produce(b.bootstrap, t, clients.make_messages(5))
        admin.delete_topics([t], operation_timeout=10)[t].result(timeout=20)
        wait_until(lambda: t not in admin.list_topics(timeout=10).topics, what="topic to disappear")
        md = admin.list_topics(t, timeout=10)
        assert md.topics[t].error is not None and md.topics[t].error.code() == KafkaError.UNKNOWN_TOPIC_OR_PART, \
            md.topics[t].error
        # librdkafka keeps such messages queued until they time out; none may be acknowledged.
        with pytest.raises(AssertionError) as ei:
            clients.ck_produce(b.bootstrap, t, clients.make_messages(1), timeout=15, **{"message.timeout.ms": 3000})
        assert "delivery errors" in str(ei.value), str(ei.value)
        if not b.external:
            wait_until(lambda: not any(d.startswith(t + "-") for d in os.listdir(b.data_dir)),
                       what="partition directories of the deleted topic to be removed")


# -- kafka-python ----------------------------------------------------------------
class TestKafkaPythonAdmin:
    @pytest.fixture
    def admin(self, broker):
        from kafka import KafkaAdminClient
        a = KafkaAdminClient(bootstrap_servers=broker.bootstrap, request_timeout_ms=15000)
        yield a
        a.close()

    def create(self, admin, name, partitions=1, rf=1, configs=None):
        from kafka.admin import NewTopic
        return admin.create_topics([NewTopic(name, partitions, rf, topic_configs=configs or {})], timeout_ms=10000)

    def test_create_describe_delete(self, admin):
        t = uniq()
        self.create(admin, t, 3)
        assert t in admin.list_topics()
        (desc,) = admin.describe_topics([t])
        assert desc["error_code"] == 0
        assert sorted(p["partition"] for p in desc["partitions"]) == [0, 1, 2]
        admin.delete_topics([t], timeout_ms=10000)
        wait_until(lambda: t not in admin.list_topics(), what="topic to disappear")

    def test_errors(self, admin):
        from kafka import errors
        t = uniq()
        self.create(admin, t)
        # (kafka-python itself refuses replication_factor=-1, so it is not tried here.)
        with pytest.raises(errors.TopicAlreadyExistsError):
            self.create(admin, t)
        with pytest.raises(errors.InvalidReplicationFactorError):
            self.create(admin, uniq(), rf=3)
        for bad in BAD_NAMES:
            with pytest.raises(errors.InvalidTopicError):
                self.create(admin, bad)
        base = uniq()
        self.create(admin, base + "_b")
        with pytest.raises((errors.InvalidTopicError, errors.TopicAlreadyExistsError)):
            self.create(admin, base + ".b")
        assert t in admin.list_topics()

    def test_configs_and_partitions(self, admin):
        from kafka.admin import ConfigResource, ConfigResourceType, NewPartitions
        t = uniq()
        self.create(admin, t, 2, configs={"retention.ms": "86400000"})
        (resp,) = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, t)])
        (res,) = resp.resources
        assert res[0] == 0, f"describe_configs error {res}"
        entries = {e[0]: e[1] for e in res[4]}
        assert entries["retention.ms"] == "86400000"
        assert entries["cleanup.policy"] == "delete"
        resp = admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, t, configs={"retention.ms": "3600000"})])
        assert all(r[0] == 0 for r in resp.resources), resp
        (resp,) = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, t)])
        assert {e[0]: e[1] for e in resp.resources[0][4]}["retention.ms"] == "3600000"
        resp = admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, t, configs={"retention.ms": "soon"})])
        assert resp.resources[0][0] == INVALID_CONFIG, resp
        admin.create_partitions({t: NewPartitions(total_count=4)}, timeout_ms=10000)
        wait_until(lambda: len(admin.describe_topics([t])[0]["partitions"]) == 4, what="4 partitions")


# -- KafkaJS ---------------------------------------------------------------------
def test_kafkajs_admin(broker):
    t = uniq()
    base = uniq()
    r = clients.run_kafkajs("topics_admin", {"brokers": [broker.bootstrap], "topic": t, "badNames": BAD_NAMES,
                                             "underscore": base + "_b", "dot": base + ".b"}, timeout=120)
    s = r["steps"]
    problems = []

    def expect_ok(step):
        if not s[step]["ok"]:
            problems.append(f"{step}: {s[step]['error']}")

    def expect_error(step, *types):
        if s[step]["ok"] or s[step]["error"]["type"] not in types:
            problems.append(f"{step}: expected {types}, got {s[step]}")

    expect_ok("create")
    expect_ok("create_rf_default")
    expect_error("create_rf3", "INVALID_REPLICATION_FACTOR")
    # KafkaJS turns TOPIC_ALREADY_EXISTS into a `false` return value.
    if not (s["create_duplicate"]["ok"] and s["create_duplicate"]["value"] is False):
        expect_error("create_duplicate", "TOPIC_ALREADY_EXISTS")
    for i in range(len(BAD_NAMES)):
        expect_error(f"create_invalid_{i}", "INVALID_TOPIC_EXCEPTION")
    expect_ok("create_underscore")
    if not (s["create_dot_collision"]["ok"] and s["create_dot_collision"]["value"] is False):
        expect_error("create_dot_collision", "INVALID_TOPIC_EXCEPTION", "TOPIC_ALREADY_EXISTS")
    expect_ok("list")
    if s["list"]["ok"] and t not in s["list"]["value"]:
        problems.append(f"list: {t} missing")
    if s["describe_partitions"].get("value") != 3:
        problems.append(f"describe_partitions: {s['describe_partitions']}")
    expect_ok("describe_configs")
    if s["describe_configs"]["ok"]:
        cfg = {e["name"]: e for e in s["describe_configs"]["value"]}
        if cfg.get("retention.ms", {}).get("value") != "86400000":
            problems.append(f"retention.ms override not described: {cfg.get('retention.ms')}")
    expect_ok("alter_configs")
    if s["describe_configs_after"]["ok"]:
        cfg = {e["name"]: e["value"] for e in s["describe_configs_after"]["value"]}
        if cfg.get("retention.ms") != "3600000" or cfg.get("cleanup.policy") != "compact":
            problems.append(f"alter not visible: retention.ms={cfg.get('retention.ms')} cleanup.policy={cfg.get('cleanup.policy')}")
    else:
        problems.append(f"describe_configs_after: {s['describe_configs_after']}")
    expect_error("alter_bad_config", "INVALID_CONFIG", "INVALID_REQUEST")
    expect_ok("add_partitions")
    if s["partitions_after"].get("value") != 5:
        problems.append(f"partitions_after: {s['partitions_after']}")
    expect_error("shrink_partitions", "INVALID_PARTITIONS")
    expect_ok("delete")
    if s["list_after_delete"]["ok"] and t in s["list_after_delete"]["value"]:
        problems.append("topic still listed after delete")
    assert not problems, "\n".join(problems)
