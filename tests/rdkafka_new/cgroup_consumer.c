#define _POSIX_C_SOURCE 200809L
/* A KIP-848 consumer (group.protocol=consumer) on librdkafka 2.15.1 for the
 * consumer group tests: subscribes to one topic, prints every message it gets
 * as "MSG <partition> <offset> <value>" and commits it synchronously before
 * taking the next, so a partition that moves to another member resumes right
 * after the last message printed. Assignment changes are printed as
 * "ASSIGN <n>" / "REVOKE <n>". SIGTERM closes the consumer cleanly (it leaves
 * the group, epoch -1); SIGKILL leaves it to the session timeout.
 *
 * usage: cgroup_consumer <bootstrap> <group> <topic> [assignor] */
#include <librdkafka/rdkafka.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static volatile sig_atomic_t stop;

static void on_term(int sig) {
  (void)sig;
  stop = 1;
}

static void set(rd_kafka_conf_t *conf, const char *k, const char *v) {
  char err[512];
  if (rd_kafka_conf_set(conf, k, v, err, sizeof err) != RD_KAFKA_CONF_OK) {
    fprintf(stderr, "config %s=%s: %s\n", k, v, err);
    exit(2);
  }
}

/* Incremental (cooperative) assignment, as the consumer protocol uses. */
static void on_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t *parts,
                         void *opaque) {
  (void)opaque;
  rd_kafka_error_t *e = NULL;
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    printf("ASSIGN %d\n", parts->cnt);
    e = rd_kafka_incremental_assign(rk, parts);
  } else {
    printf("REVOKE %d\n", parts->cnt);
    e = rd_kafka_incremental_unassign(rk, parts);
  }
  fflush(stdout);
  if (e) {
    fprintf(stderr, "rebalance: %s\n", rd_kafka_error_string(e));
    rd_kafka_error_destroy(e);
  }
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: %s <bootstrap> <group> <topic> [assignor]\n", argv[0]);
    return 2;
  }
  signal(SIGTERM, on_term);
  signal(SIGINT, on_term);
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  set(conf, "bootstrap.servers", argv[1]);
  set(conf, "group.id", argv[2]);
  set(conf, "group.protocol", "consumer");
  if (argc > 4) set(conf, "group.remote.assignor", argv[4]);
  set(conf, "auto.offset.reset", "earliest");
  set(conf, "enable.auto.commit", "false");
  set(conf, "enable.partition.eof", "false");
  rd_kafka_conf_set_rebalance_cb(conf, on_rebalance);
  char err[512];
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
  if (!rk) {
    fprintf(stderr, "consumer: %s\n", err);
    return 1;
  }
  rd_kafka_poll_set_consumer(rk);
  rd_kafka_topic_partition_list_t *topics = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(topics, argv[3], RD_KAFKA_PARTITION_UA);
  rd_kafka_resp_err_t e = rd_kafka_subscribe(rk, topics);
  rd_kafka_topic_partition_list_destroy(topics);
  if (e) {
    fprintf(stderr, "subscribe: %s\n", rd_kafka_err2str(e));
    return 1;
  }
  printf("STARTED\n");
  fflush(stdout);
  int status = 0;
  while (!stop) {
    rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
    if (!m) continue;
    if (m->err) {
      fprintf(stderr, "consume: %s\n", rd_kafka_message_errstr(m));
      if (m->err == RD_KAFKA_RESP_ERR__FATAL) status = 1;
      rd_kafka_message_destroy(m);
      if (status) break;
      continue;
    }
    /* Commit before printing: a message printed is a message committed, so
     * the member that takes the partition over starts after it. */
    rd_kafka_resp_err_t c = rd_kafka_commit_message(rk, m, 0);
    /* A commit that raced the heartbeat moving this member to a new epoch
     * is refused as stale; the library learns the epoch in the background,
     * so a retry a moment later goes through. */
    for (int retry = 0; c == RD_KAFKA_RESP_ERR_STALE_MEMBER_EPOCH && retry < 50; ++retry) {
      struct timespec pause = {0, 100 * 1000 * 1000};
      nanosleep(&pause, NULL);
      c = rd_kafka_commit_message(rk, m, 0);
    }
    if (c) {
      /* Not committed (e.g. the partition was just revoked): it will be
       * delivered again to its next owner, so it does not count here. */
      fprintf(stderr, "commit %d/%lld: %s\n", m->partition, (long long)m->offset, rd_kafka_err2str(c));
    } else {
      printf("MSG %d %lld %.*s\n", m->partition, (long long)m->offset, (int)m->len, (const char *)m->payload);
      fflush(stdout);
    }
    rd_kafka_message_destroy(m);
  }
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  printf("CLOSED\n");
  fflush(stdout);
  return status;
}
