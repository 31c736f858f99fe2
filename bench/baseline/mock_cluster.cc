// mock_cluster: librdkafka's in-memory mock broker (rdkafka_mock.h) as a
// stand-alone baseline for bench/run.py. Prints "BOOTSTRAP host:port" on
// stdout, then serves until stdin closes (or it is killed). Commands on stdin,
// one per line, each answered with "ok" or "error <why>":
//   topic <name> <partitions>     create a topic
//
//   mock_cluster [--brokers N] [--topic name:partitions ...]
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace {

[[noreturn]] void die(const std::string& message) {
  std::fprintf(stderr, "mock_cluster: %s\n", message.c_str());
  std::exit(2);
}

std::string create_topic(rd_kafka_mock_cluster_t* cluster, const std::string& name, int partitions) {
  if (name.empty() || partitions < 1) return "error bad topic spec";
  rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(cluster, name.c_str(), partitions, 1);
  if (err) return std::string("error ") + rd_kafka_err2str(err);
  return "ok";
}

}  // namespace

int main(int argc, char** argv) {
  int brokers = 1;
  std::vector<std::pair<std::string, int>> topics;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--brokers" && i + 1 < argc) {
      brokers = std::atoi(argv[++i]);
    } else if (arg == "--topic" && i + 1 < argc) {
      std::string spec = argv[++i];
      auto colon = spec.rfind(':');
      if (colon == std::string::npos) die("--topic wants name:partitions");
      topics.emplace_back(spec.substr(0, colon), std::atoi(spec.c_str() + colon + 1));
    } else {
      die("usage: mock_cluster [--brokers N] [--topic name:partitions ...]");
    }
  }
  // The mock cluster lives inside a client handle; this one never sends anything itself.
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!rk) die(std::string("rd_kafka_new: ") + err);
  rd_kafka_mock_cluster_t* cluster = rd_kafka_mock_cluster_new(rk, brokers);
  if (!cluster) die("rd_kafka_mock_cluster_new failed");
  for (const auto& [name, partitions] : topics) {
    std::string answer = create_topic(cluster, name, partitions);
    if (answer != "ok") die("topic " + name + ": " + answer);
  }
  std::cout << "BOOTSTRAP " << rd_kafka_mock_cluster_bootstraps(cluster) << std::endl;

  std::string line;
  while (std::getline(std::cin, line)) {
    std::istringstream in(line);
    std::string command, name;
    int partitions = 0;
    in >> command;
    if (command == "topic" && (in >> name >> partitions)) {
      std::cout << create_topic(cluster, name, partitions) << std::endl;
    } else if (!command.empty()) {
      std::cout << "error unknown command: " << line << std::endl;
    }
  }
  rd_kafka_mock_cluster_destroy(cluster);
  rd_kafka_destroy(rk);
  return 0;
}
