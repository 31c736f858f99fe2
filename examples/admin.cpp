// admin.cpp — creates a topic with several partitions and describes it.
//
//   ./example_admin [topic] [partitions]
//
// An admin client manages the cluster: topics, partitions, configs, groups.
#include <iostream>
#include <string>

#include "client.hpp"
#include "client/admin.h"

int main(int argc, char** argv) {
  std::string topic = argc > 1 ? argv[1] : example::default_topic;
  int partitions = argc > 2 ? std::stoi(argv[2]) : 3;

  auto config = example::load_config("example-admin");
  auto admin = samsa::client::admin::create(config);
  if (!admin) example::die(admin.err());

  // Partitions are the unit of parallelism: a consumer group can have at most
  // one active consumer per partition. Replication factor -1 = broker default.
  auto created = admin->create_topic({topic, partitions, -1, {}});
  if (created) {
    std::cout << "created topic " << topic << " with " << partitions << " partitions\n";
  } else if (created.err().message.find("TOPIC_ALREADY_EXISTS") != std::string::npos) {
    std::cout << "topic " << topic << " already exists\n";  // running twice is fine
  } else {
    example::die(created.err());
  }

  // Describe it: who leads each partition, and which offsets it holds.
  auto info = admin->describe_topic(topic);
  if (!info) example::die(info.err());
  std::cout << "topic " << info->name << ": " << info->partitions.size() << " partitions, replication factor "
            << info->replication_factor() << "\n";
  for (const auto& p : info->partitions) {
    // earliest..latest is the range of offsets stored; latest is where the
    // next record will be written.
    std::cout << "  partition " << p.id << "  leader " << p.leader << "  offsets " << p.earliest << ".." << p.latest
              << "\n";
  }

  // The cluster itself: which brokers the client found from bootstrap.servers.
  auto cluster = admin->describe_cluster();
  if (!cluster) example::die(cluster.err());
  std::cout << "cluster has " << cluster->brokers.size() << " broker(s)\n";
  return 0;
}
