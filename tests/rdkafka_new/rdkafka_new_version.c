/* Prints the version of the librdkafka the Kafka 4.x client tests link, and
 * whether it has the share consumer, so a wrong library shows at once. */
#include <librdkafka/rdkafka.h>
#include <stdio.h>

int main(void) {
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  char err[256];
  /* A share consumer is created only by a library that has KIP-932. */
  if (rd_kafka_conf_set(conf, "group.id", "version-probe", err, sizeof err) != RD_KAFKA_CONF_OK) {
    fprintf(stderr, "group.id: %s\n", err);
    return 1;
  }
  rd_kafka_share_t *share = rd_kafka_share_consumer_new(conf, err, sizeof err);
  if (!share) {
    fprintf(stderr, "share consumer not created: %s\n", err);
    return 1;
  }
  rd_kafka_share_destroy(share);
  printf("librdkafka %s (share consumer available)\n", rd_kafka_version_str());
  return 0;
}
