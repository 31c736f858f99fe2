#define _POSIX_C_SOURCE 200809L
/* SASL re-authentication (KIP-368) with librdkafka 2.15.1 (2.0.2 predates
 * it): one producer and one consumer on a SASL listener, both connected for
 * longer than the broker's connections.max.reauth.ms. The producer sends one
 * message every 50 ms while the consumer reads them back; librdkafka must
 * re-authenticate its connections before their sessions end, or the broker
 * closes them. Prints "produced=N delivered=N consumed=N errors=N" (errors:
 * error callbacks and failed deliveries); the test also reads the broker's
 * log for the re-authentications.
 *
 * usage: sasl_reauth <bootstrap> <topic> <security.protocol> <mechanism> <user> <password> <run_ms> [ca.pem] */
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int delivered, failed_deliveries, errors;

static void set(rd_kafka_conf_t *conf, const char *k, const char *v) {
  char err[512];
  if (rd_kafka_conf_set(conf, k, v, err, sizeof err) != RD_KAFKA_CONF_OK) {
    fprintf(stderr, "config %s=%s: %s\n", k, v, err);
    exit(2);
  }
}

static void on_error(rd_kafka_t *rk, int err, const char *reason, void *opaque) {
  (void)rk;
  (void)opaque;
  fprintf(stderr, "error %s: %s\n", rd_kafka_err2name((rd_kafka_resp_err_t)err), reason);
  errors++;
}

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
  (void)rk;
  (void)opaque;
  if (m->err) {
    fprintf(stderr, "delivery failed: %s\n", rd_kafka_err2str(m->err));
    failed_deliveries++;
  } else {
    delivered++;
  }
}

static rd_kafka_conf_t *sasl_conf(char **argv, int argc) {
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  set(conf, "bootstrap.servers", argv[1]);
  set(conf, "security.protocol", argv[3]);
  set(conf, "sasl.mechanism", argv[4]);
  set(conf, "sasl.username", argv[5]);
  set(conf, "sasl.password", argv[6]);
  if (argc > 8) set(conf, "ssl.ca.location", argv[8]);
  /* A disconnect must show as an error, not be hidden by a quiet reconnect. */
  set(conf, "log.connection.close", "true");
  rd_kafka_conf_set_error_cb(conf, on_error);
  return conf;
}

static long long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int main(int argc, char **argv) {
  if (argc < 8) {
    fprintf(stderr,
            "usage: %s <bootstrap> <topic> <security.protocol> <mechanism> <user> <password> <run_ms> [ca.pem]\n",
            argv[0]);
    return 2;
  }
  const char *topic = argv[2];
  long long run_ms = atoll(argv[7]);
  char err[512];

  rd_kafka_conf_t *pconf = sasl_conf(argv, argc);
  set(pconf, "linger.ms", "0");
  rd_kafka_conf_set_dr_msg_cb(pconf, on_delivery);
  rd_kafka_t *producer = rd_kafka_new(RD_KAFKA_PRODUCER, pconf, err, sizeof err);
  if (!producer) {
    fprintf(stderr, "producer: %s\n", err);
    return 1;
  }
  rd_kafka_conf_t *cconf = sasl_conf(argv, argc);
  set(cconf, "group.id", "sasl-reauth-unused");
  set(cconf, "enable.auto.commit", "false");
  set(cconf, "fetch.wait.max.ms", "100");
  rd_kafka_t *consumer = rd_kafka_new(RD_KAFKA_CONSUMER, cconf, err, sizeof err);
  if (!consumer) {
    fprintf(stderr, "consumer: %s\n", err);
    return 1;
  }
  rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(parts, topic, 0)->offset = RD_KAFKA_OFFSET_BEGINNING;
  rd_kafka_assign(consumer, parts);
  rd_kafka_topic_partition_list_destroy(parts);

  int produced = 0, consumed = 0;
  long long end = now_ms() + run_ms;
  long long next_send = 0;
  while (now_ms() < end) {
    if (now_ms() >= next_send) {
      char value[32];
      snprintf(value, sizeof value, "m%d", produced);
      if (rd_kafka_producev(producer, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(0),
                            RD_KAFKA_V_VALUE(value, strlen(value)), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                            RD_KAFKA_V_END) == RD_KAFKA_RESP_ERR_NO_ERROR)
        produced++;
      next_send = now_ms() + 50;
    }
    rd_kafka_poll(producer, 0);
    rd_kafka_message_t *m = rd_kafka_consumer_poll(consumer, 20);
    if (m) {
      if (!m->err) consumed++;
      else if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        fprintf(stderr, "consume: %s\n", rd_kafka_message_errstr(m));
        errors++;
      }
      rd_kafka_message_destroy(m);
    }
  }
  rd_kafka_flush(producer, 10000);
  /* Read what is left (the last messages produced). */
  long long drain_end = now_ms() + 10000;
  while (consumed < delivered && now_ms() < drain_end) {
    rd_kafka_message_t *m = rd_kafka_consumer_poll(consumer, 100);
    if (m) {
      if (!m->err) consumed++;
      rd_kafka_message_destroy(m);
    }
  }
  printf("produced=%d delivered=%d consumed=%d errors=%d\n", produced, delivered, consumed,
         errors + failed_deliveries);
  rd_kafka_consumer_close(consumer);
  rd_kafka_destroy(consumer);
  rd_kafka_destroy(producer);
  return 0;
}
