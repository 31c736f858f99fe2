// admin: DeleteRecords (moving a partition's log start forward).
#include <fmt/format.h>

#include "client/admin_impl.h"
#include "client/kafka_error.h"
#include "client/partition_list.h"

namespace samsa::client {

result<std::vector<topic_partition>> admin::delete_records(const std::vector<topic_partition>& before) {
  std::string op = before.empty() ? "delete records" : fmt::format("delete records of {}", before.front().topic);
  auto list = detail::to_list(before);
  std::unique_ptr<rd_kafka_DeleteRecords_t, decltype(&rd_kafka_DeleteRecords_destroy)> req(
      rd_kafka_DeleteRecords_new(list.get()), &rd_kafka_DeleteRecords_destroy);
  auto event = impl_->run(
      op,
      [&](rd_kafka_queue_t* q, rd_kafka_AdminOptions_t* o) {
        rd_kafka_DeleteRecords_t* reqs[] = {req.get()};
        rd_kafka_DeleteRecords(impl_->handle.get(), reqs, 1, o, q);
      },
      RD_KAFKA_ADMIN_OP_DELETERECORDS);
  if (!event) return event.err();
  const auto* parts = rd_kafka_DeleteRecords_result_offsets(rd_kafka_event_DeleteRecords_result(event->get()));
  if (auto s = detail::first_partition_error(parts, op, impl_->bootstrap); !s) return s.err();
  return detail::from_list(parts);
}

}  // namespace samsa::client
