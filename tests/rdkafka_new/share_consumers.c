/* Share groups (KIP-932) through librdkafka 2.15.1's share consumer, against
 * a real broker: several share consumers of one group read ONE partition
 * together, acknowledging record by record (explicit mode): every record
 * whose index is 1 mod 4 is RELEASED on its first delivery and must come back
 * (to any member) with delivery count 2, every record 2 mod 4 is REJECTED and
 * must never come back, the rest are ACCEPTED and must never come back.
 *
 * usage: share_consumers BOOTSTRAP TOPIC GROUP RECORDS CONSUMERS
 * The topic must exist with one partition. The group's share.auto.offset.reset
 * is set to earliest first (IncrementalAlterConfigs, GROUP resource). Prints
 * one summary line and exits 0 when every rule held, 1 otherwise (with the
 * reason on stderr). Runs at most 60 s. */
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_RECORDS 10000
#define MAX_CONSUMERS 8

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int fail(const char *what, const char *detail) {
  fprintf(stderr, "FAIL: %s: %s\n", what, detail ? detail : "");
  return 1;
}

static int set_earliest(const char *bootstrap, const char *group) {
  char err[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap, err, sizeof err);
  rd_kafka_t *admin = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!admin) return fail("admin client", err);
  rd_kafka_ConfigResource_t *res = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_GROUP, group);
  rd_kafka_error_t *e =
      rd_kafka_ConfigResource_add_incremental_config(res, "share.auto.offset.reset", RD_KAFKA_ALTER_CONFIG_OP_TYPE_SET,
                                                     "earliest");
  if (e) return fail("add_incremental_config", rd_kafka_error_string(e));
  rd_kafka_queue_t *q = rd_kafka_queue_new(admin);
  rd_kafka_IncrementalAlterConfigs(admin, &res, 1, NULL, q);
  rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 20000);
  int rc = 0;
  if (!ev) {
    rc = fail("IncrementalAlterConfigs", "no answer in 20 s");
  } else if (rd_kafka_event_error(ev)) {
    rc = fail("IncrementalAlterConfigs", rd_kafka_event_error_string(ev));
  } else {
    size_t n = 0;
    const rd_kafka_ConfigResource_t **out =
        rd_kafka_IncrementalAlterConfigs_result_resources(rd_kafka_event_IncrementalAlterConfigs_result(ev), &n);
    if (n != 1 || rd_kafka_ConfigResource_error(out[0])) {
      rc = fail("IncrementalAlterConfigs resource", n == 1 ? rd_kafka_ConfigResource_error_string(out[0]) : "none");
    }
  }
  if (ev) rd_kafka_event_destroy(ev);
  rd_kafka_ConfigResource_destroy(res);
  rd_kafka_queue_destroy(q);
  rd_kafka_destroy(admin);
  return rc;
}

static int produce(const char *bootstrap, const char *topic, int records) {
  char err[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap, err, sizeof err);
  rd_kafka_conf_set(conf, "linger.ms", "5", err, sizeof err);
  rd_kafka_t *p = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!p) return fail("producer", err);
  for (int i = 0; i < records; i++) {
    char value[32];
    snprintf(value, sizeof value, "%d", i);
    rd_kafka_resp_err_t e = rd_kafka_producev(p, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(0),
                                              RD_KAFKA_V_VALUE(value, strlen(value)),
                                              RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
    if (e) return fail("produce", rd_kafka_err2str(e));
  }
  if (rd_kafka_flush(p, 20000)) return fail("flush", "records not delivered in 20 s");
  rd_kafka_destroy(p);
  return 0;
}

static rd_kafka_share_t *new_consumer(const char *bootstrap, const char *group, const char *topic, int index) {
  char err[512], client_id[64];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  snprintf(client_id, sizeof client_id, "share-consumer-%d", index);
  if (rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap, err, sizeof err) ||
      rd_kafka_conf_set(conf, "group.id", group, err, sizeof err) ||
      rd_kafka_conf_set(conf, "client.id", client_id, err, sizeof err) ||
      rd_kafka_conf_set(conf, "share.acknowledgement.mode", "explicit", err, sizeof err) ||
      /* Small polls so the members take turns on the one partition. */
      rd_kafka_conf_set(conf, "max.poll.records", "3", err, sizeof err)) {
    fail("config", err);
    return NULL;
  }
  rd_kafka_share_t *c = rd_kafka_share_consumer_new(conf, err, sizeof err);
  if (!c) {
    fail("share consumer", err);
    return NULL;
  }
  rd_kafka_topic_partition_list_t *topics = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(topics, topic, RD_KAFKA_PARTITION_UA);
  rd_kafka_resp_err_t e = rd_kafka_share_subscribe(c, topics);
  rd_kafka_topic_partition_list_destroy(topics);
  if (e) {
    fail("subscribe", rd_kafka_err2str(e));
    return NULL;
  }
  return c;
}

int main(int argc, char **argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: %s BOOTSTRAP TOPIC GROUP RECORDS CONSUMERS\n", argv[0]);
    return 2;
  }
  const char *bootstrap = argv[1], *topic = argv[2], *group = argv[3];
  const int records = atoi(argv[4]), consumers = atoi(argv[5]);
  if (records <= 0 || records > MAX_RECORDS || consumers <= 0 || consumers > MAX_CONSUMERS) return 2;
  if (set_earliest(bootstrap, group) || produce(bootstrap, topic, records)) return 1;

  static int deliveries[MAX_RECORDS];
  static int accepted[MAX_RECORDS];
  static int rejected[MAX_RECORDS];
  static int last_count[MAX_RECORDS];
  int per_consumer[MAX_CONSUMERS] = {0};
  rd_kafka_share_t *c[MAX_CONSUMERS];
  for (int i = 0; i < consumers; i++) {
    c[i] = new_consumer(bootstrap, group, topic, i);
    if (!c[i]) return 1;
  }
  int done = 0; /* records accepted or rejected */
  int expected_done = records;
  const double deadline = now_s() + 60;
  while (done < expected_done && now_s() < deadline) {
    for (int i = 0; i < consumers; i++) {
      rd_kafka_messages_t *batch = NULL;
      rd_kafka_error_t *error = rd_kafka_share_poll(c[i], 200, &batch);
      if (error) {
        fprintf(stderr, "consumer %d poll: %s\n", i, rd_kafka_error_string(error));
        rd_kafka_error_destroy(error);
        continue;
      }
      size_t n = batch ? rd_kafka_messages_count(batch) : 0;
      for (size_t k = 0; k < n; k++) {
        rd_kafka_message_t *m = rd_kafka_messages_get(batch, k);
        if (m->err) {
          fprintf(stderr, "consumer %d record error: %s\n", i, rd_kafka_message_errstr(m));
          continue;
        }
        char value[32] = {0};
        memcpy(value, m->payload, m->len < sizeof value - 1 ? m->len : sizeof value - 1);
        int idx = atoi(value);
        if (idx < 0 || idx >= records || m->offset != idx) return fail("unexpected record", value);
        int count = rd_kafka_message_delivery_count(m);
        deliveries[idx]++;
        last_count[idx] = count;
        per_consumer[i]++;
        if (accepted[idx] || rejected[idx]) {
          char why[96];
          snprintf(why, sizeof why, "record %d delivered again after it was %s", idx,
                   accepted[idx] ? "accepted" : "rejected");
          return fail("redelivery", why);
        }
        if (count != deliveries[idx]) {
          char why[96];
          snprintf(why, sizeof why, "record %d: delivery count %d on delivery %d", idx, count, deliveries[idx]);
          return fail("delivery count", why);
        }
        rd_kafka_share_AcknowledgeType_t type = RD_KAFKA_SHARE_ACKNOWLEDGE_TYPE_ACCEPT;
        if (idx % 4 == 1 && count == 1) {
          type = RD_KAFKA_SHARE_ACKNOWLEDGE_TYPE_RELEASE;
        } else if (idx % 4 == 2) {
          type = RD_KAFKA_SHARE_ACKNOWLEDGE_TYPE_REJECT;
          rejected[idx] = 1;
          done++;
        } else {
          accepted[idx] = 1;
          done++;
        }
        rd_kafka_resp_err_t e = rd_kafka_share_acknowledge_type(c[i], m, type);
        if (e) return fail("acknowledge", rd_kafka_err2str(e));
      }
      rd_kafka_messages_destroy(batch);
    }
  }
  /* Send the last acknowledgements before closing. */
  for (int i = 0; i < consumers; i++) {
    rd_kafka_topic_partition_list_t *parts = NULL;
    rd_kafka_error_t *e = rd_kafka_share_commit_sync(c[i], 10000, &parts);
    if (e) {
      fprintf(stderr, "consumer %d commit_sync: %s\n", i, rd_kafka_error_string(e));
      rd_kafka_error_destroy(e);
    }
    if (parts) rd_kafka_topic_partition_list_destroy(parts);
  }
  for (int i = 0; i < consumers; i++) {
    rd_kafka_error_t *e = rd_kafka_share_consumer_close(c[i]);
    if (e) rd_kafka_error_destroy(e);
    rd_kafka_share_destroy(c[i]);
  }
  if (done < expected_done) {
    char why[64];
    snprintf(why, sizeof why, "%d of %d records finished in 60 s", done, expected_done);
    return fail("incomplete", why);
  }
  int released = 0, members_used = 0;
  for (int i = 0; i < records; i++) {
    if (i % 4 == 1) {
      if (deliveries[i] != 2 || last_count[i] != 2) {
        char why[64];
        snprintf(why, sizeof why, "released record %d delivered %d times", i, deliveries[i]);
        return fail("release", why);
      }
      released++;
    } else if (deliveries[i] != 1) {
      char why[64];
      snprintf(why, sizeof why, "record %d delivered %d times", i, deliveries[i]);
      return fail("exactly once", why);
    }
  }
  printf("records=%d released_and_redelivered=%d per_consumer=", records, released);
  for (int i = 0; i < consumers; i++) {
    printf("%s%d", i ? "," : "", per_consumer[i]);
    members_used += per_consumer[i] > 0;
  }
  printf(" members_used=%d\n", members_used);
  return 0;
}
