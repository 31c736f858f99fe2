// DeleteRecords: v0-2. Moves each partition's log start offset forward
// (offset -1 = up to the high watermark); whole segments below it are
// removed by the background retention task. Offsets past the high
// watermark get OFFSET_OUT_OF_RANGE; internal topics INVALID_TOPIC_EXCEPTION.
// Each topic needs DELETE (Kafka), else its partitions answer
// TOPIC_AUTHORIZATION_FAILED, whether the topic exists or not.
#include "broker/api_table.h"
#include "broker/authorization.h"
#include "broker/broker_state.h"
#include "broker/handlers/handlers.h"
#include "broker/storage_errors.h"
#include "broker/test_latch.h"
#include "broker/topic_registry.h"
#include "protocol/api_keys.h"
#include "protocol/error_code.h"
#include "protocol/messages.h"

namespace samsa::broker {

namespace {
namespace file_delete_records {

using request_t = protocol::delete_records_request_data;
using response_t = protocol::delete_records_response_data;

boost::asio::awaitable<response_t> handle(request_context& ctx, request_t& request) {
  response_t response;
  response.topics.reserve(request.topics.size());
  for (const auto& t : request.topics) {
    auto& tr = response.topics.emplace_back();
    tr.name = t.name;
    tr.partitions.reserve(t.partitions.size());
    const bool denied = !authorized(ctx, acl::operation::remove, acl::resource_type::topic, t.name);
    for (const auto& p : t.partitions) {
      // Looked up per partition: the topic may go while an earlier one syncs.
      const topic_entry* topic = ctx.broker.topics().find(t.name);
      auto& out = tr.partitions.emplace_back();
      out.partition_index = p.partition_index;
      out.low_watermark = -1;
      if (denied) {
        out.error_code = protocol::to_int(protocol::error_code::topic_authorization_failed);
        continue;
      }
      storage::partition_log* found = partition_log_of(topic, p.partition_index);
      if (!found) {
        out.error_code = protocol::to_int(protocol::error_code::unknown_topic_or_partition);
        continue;
      }
      // As Kafka: the broker's own topics (committed offsets) are not trimmed by clients.
      if (topic->internal) {
        out.error_code = protocol::to_int(protocol::error_code::invalid_topic_exception);
        continue;
      }
      std::shared_ptr<storage::partition_log> log = topic->partitions[static_cast<size_t>(p.partition_index)];
      int64_t target = p.offset == -1 ? log->high_watermark() : p.offset;
      if (target < 0 || target > log->high_watermark()) {
        out.error_code = protocol::to_int(protocol::error_code::offset_out_of_range);
        continue;
      }
      // Moving the log start is made durable (fsync) before it is answered:
      // on the worker pool, not the handler thread.
      storage::partition_log* trimmed = log.get();  // kept alive by `log` in this frame
      auto trim = [trimmed, target] {
        wait_on_delete_records_latch();
        return trimmed->delete_records_before(target);
      };
      auto moved = co_await ctx.broker.workers().run(trim);
      if (!moved) {
        out.error_code = protocol::to_int(storage_error_to_kafka(moved.err()));
        continue;
      }
      out.low_watermark = *moved;
    }
  }
  co_return response;
}

}  // namespace file_delete_records
}  // namespace

void register_delete_records(api_table& apis) {
  using namespace file_delete_records;
  apis.add<request_t, response_t>(static_cast<int16_t>(protocol::api_key::delete_records), 0,
                                  2, handle);
}

}  // namespace samsa::broker
