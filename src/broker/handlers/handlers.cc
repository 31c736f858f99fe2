#include "broker/handlers/handlers.h"

namespace samsa::broker {

void register_all_handlers(api_table& apis) {
  register_api_versions(apis);
  register_metadata(apis);
  register_describe_cluster(apis);
  register_create_topics(apis);
  register_delete_topics(apis);
  register_create_partitions(apis);
  register_describe_configs(apis);
  register_alter_configs(apis);
  register_produce(apis);
  register_fetch(apis);
  register_list_offsets(apis);
  register_offset_for_leader_epoch(apis);
  register_delete_records(apis);
}

}  // namespace samsa::broker
