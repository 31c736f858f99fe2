// DescribeLogDirs: v0-4. The broker's one log directory with every partition's
// size on disk (or those asked for), and, from v4, the file system's total
// and usable bytes: what `du` and `df` would say, for admin tools and UIs.
// Needs DESCRIBE on the cluster (Kafka): without it no directory is listed
// and v3+ answer CLUSTER_AUTHORIZATION_FAILED.
#include <sys/statvfs.h>

#include "broker/api_table.h"
#include "broker/authorization.h"
#include "broker/broker_state.h"
#include "broker/handlers/handlers.h"
#include "broker/topic_registry.h"
#include "protocol/api_keys.h"
#include "protocol/error_code.h"
#include "protocol/messages.h"

namespace samsa::broker {

namespace {
namespace file_describe_log_dirs {

using request_t = protocol::describe_log_dirs_request_data;
using response_t = protocol::describe_log_dirs_response_data;
using dir_result_t = response_t::describe_log_dirs_result;

dir_result_t::describe_log_dirs_topic describe_topic(const topic_entry& topic, const std::vector<int32_t>* only) {
  dir_result_t::describe_log_dirs_topic out;
  out.name = topic.name;
  for (size_t i = 0; i < topic.partitions.size(); ++i) {
    const auto index = static_cast<int32_t>(i);
    if (only && std::find(only->begin(), only->end(), index) == only->end()) continue;
    dir_result_t::describe_log_dirs_topic::describe_log_dirs_partition p;
    p.partition_index = index;
    p.partition_size = topic.partitions[i]->size_bytes();
    p.offset_lag = 0;  // the one replica is the leader
    p.is_future_key = false;
    out.partitions.push_back(p);
  }
  return out;
}

boost::asio::awaitable<response_t> handle(request_context& ctx, request_t& request) {
  response_t response;
  if (!authorized_on_cluster(ctx, acl::operation::describe)) {
    response.error_code = protocol::to_int(protocol::error_code::cluster_authorization_failed);
    co_return response;
  }
  dir_result_t dir;
  dir.log_dir = ctx.broker.config().log_dir;
  struct statvfs fs {};
  if (::statvfs(dir.log_dir.c_str(), &fs) == 0) {
    dir.total_bytes = static_cast<int64_t>(fs.f_blocks) * static_cast<int64_t>(fs.f_frsize);
    dir.usable_bytes = static_cast<int64_t>(fs.f_bavail) * static_cast<int64_t>(fs.f_frsize);
  } else {
    dir.total_bytes = -1;
    dir.usable_bytes = -1;
  }
  auto& topics = ctx.broker.topics();
  if (!request.topics) {
    for (const topic_entry* t : topics.list()) dir.topics.push_back(describe_topic(*t, nullptr));
  } else {
    // Partitions this broker does not have are left out, as Kafka does.
    for (const auto& wanted : *request.topics) {
      if (const topic_entry* t = topics.find(wanted.topic)) {
        auto described = describe_topic(*t, &wanted.partitions);
        if (!described.partitions.empty()) dir.topics.push_back(std::move(described));
      }
    }
  }
  response.results.push_back(std::move(dir));
  co_return response;
}

}  // namespace file_describe_log_dirs
}  // namespace

void register_describe_log_dirs(api_table& apis) {
  using namespace file_describe_log_dirs;
  apis.add<request_t, response_t>(static_cast<int16_t>(protocol::api_key::describe_log_dirs), 0,
                                  4, handle);
}

}  // namespace samsa::broker
