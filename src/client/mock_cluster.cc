#include "client/mock_cluster.h"

#include <librdkafka/rdkafka.h>
// rdkafka_mock.h needs rdkafka.h first.
#include <librdkafka/rdkafka_mock.h>

#include <fmt/format.h>

#include "client/kafka_error.h"
#include "client/rd_handle.h"

namespace samsa::client {

struct mock_cluster::impl {
  detail::handle_ptr owner;  // the mock cluster lives inside this handle's threads
  rd_kafka_mock_cluster_t* cluster = nullptr;
  std::string bootstrap;

  ~impl() {
    if (cluster != nullptr) rd_kafka_mock_cluster_destroy(cluster);
  }
};

mock_cluster::mock_cluster(std::unique_ptr<impl> p) : impl_(std::move(p)) {}
mock_cluster::mock_cluster(mock_cluster&&) noexcept = default;
mock_cluster& mock_cluster::operator=(mock_cluster&&) noexcept = default;
mock_cluster::~mock_cluster() = default;

result<mock_cluster> mock_cluster::start(int brokers) {
  detail::conf_ptr conf(rd_kafka_conf_new());
  char err[256];
  // The owner handle never talks to anyone; keep it quiet.
  (void)rd_kafka_conf_set(conf.get(), "log_level", "0", err, sizeof err);
  auto owner = detail::make_handle(RD_KAFKA_PRODUCER, std::move(conf), "start mock cluster", "");
  if (!owner) return owner.err();
  auto p = std::make_unique<impl>();
  p->owner = std::move(*owner);
  p->cluster = rd_kafka_mock_cluster_new(p->owner.get(), brokers);
  if (p->cluster == nullptr)
    return make_kafka_error("start mock cluster", RD_KAFKA_RESP_ERR__FAIL, "rd_kafka_mock_cluster_new failed");
  p->bootstrap = rd_kafka_mock_cluster_bootstraps(p->cluster);
  return mock_cluster(std::move(p));
}

const std::string& mock_cluster::bootstrap() const { return impl_->bootstrap; }

status mock_cluster::create_topic(const std::string& name, int partitions, int replication_factor) {
  auto e = rd_kafka_mock_topic_create(impl_->cluster, name.c_str(), partitions, replication_factor);
  if (e != RD_KAFKA_RESP_ERR_NO_ERROR)
    return make_kafka_error(fmt::format("create topic {} on the mock cluster", name), e, rd_kafka_err2str(e));
  return {};
}

}  // namespace samsa::client
