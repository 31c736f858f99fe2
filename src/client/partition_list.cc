#include "client/partition_list.h"

#include <fmt/format.h>

#include "client/kafka_error.h"

namespace samsa::client::detail {

partition_list_ptr to_list(const std::vector<topic_partition>& partitions) {
  partition_list_ptr list(rd_kafka_topic_partition_list_new(static_cast<int>(partitions.size())));
  for (const auto& p : partitions) {
    auto* tp = rd_kafka_topic_partition_list_add(list.get(), p.topic.c_str(), p.partition);
    tp->offset = p.offset;
  }
  return list;
}

std::vector<topic_partition> from_list(const rd_kafka_topic_partition_list_t* list) {
  std::vector<topic_partition> out;
  if (list == nullptr) return out;
  out.reserve(static_cast<size_t>(list->cnt));
  for (int i = 0; i < list->cnt; ++i) {
    const auto& e = list->elems[i];
    out.push_back({e.topic, e.partition, e.offset});
  }
  return out;
}

status first_partition_error(const rd_kafka_topic_partition_list_t* list, std::string_view operation,
                             std::string_view bootstrap) {
  if (list == nullptr) return {};
  for (int i = 0; i < list->cnt; ++i) {
    const auto& e = list->elems[i];
    if (e.err != RD_KAFKA_RESP_ERR_NO_ERROR)
      return make_kafka_error(fmt::format("{} ({}[{}])", operation, e.topic, e.partition), e.err,
                              rd_kafka_err2str(e.err), bootstrap);
  }
  return {};
}

}  // namespace samsa::client::detail
