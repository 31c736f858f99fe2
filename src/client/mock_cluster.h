// An in-process fake Kafka cluster (librdkafka's mock cluster) for tests and
// offline demos. It serves produce, fetch, offsets and consumer groups, but
// not the admin APIs (create topics with create_topic() here instead).
#pragma once

#include <memory>
#include <string>

#include "base/result.h"

namespace samsa::client {

class mock_cluster {
 public:
  [[nodiscard]] static result<mock_cluster> start(int brokers = 1);

  mock_cluster(mock_cluster&&) noexcept;
  mock_cluster& operator=(mock_cluster&&) noexcept;
  ~mock_cluster();

  // "127.0.0.1:port[,...]" to give to bootstrap.servers.
  const std::string& bootstrap() const;
  [[nodiscard]] status create_topic(const std::string& name, int partitions, int replication_factor = 1);

 public:
  struct impl;  // opaque; defined inside the library

 private:
  explicit mock_cluster(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

}  // namespace samsa::client
