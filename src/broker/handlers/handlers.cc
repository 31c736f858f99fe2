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
  register_find_coordinator(apis);
  register_join_group(apis);
  register_sync_group(apis);
  register_heartbeat(apis);
  register_leave_group(apis);
  register_offset_commit(apis);
  register_offset_fetch(apis);
  register_txn_offset_commit(apis);
  register_describe_groups(apis);
  register_list_groups(apis);
  register_delete_groups(apis);
  register_offset_delete(apis);
  register_consumer_group_heartbeat(apis);
  register_consumer_group_describe(apis);
  register_init_producer_id(apis);
  register_add_partitions_to_txn(apis);
  register_add_offsets_to_txn(apis);
  register_end_txn(apis);
  register_describe_producers(apis);
  register_describe_transactions(apis);
  register_list_transactions(apis);
  register_write_txn_markers(apis);
  register_describe_topic_partitions(apis);
  register_describe_log_dirs(apis);
  register_acls(apis);
  register_share_group_heartbeat(apis);
  register_share_group_describe(apis);
  register_share_fetch(apis);
  register_share_acknowledge(apis);
  register_share_group_offsets(apis);
  register_scram_credentials(apis);
  register_sasl_handshake(apis);
  register_sasl_authenticate(apis);
  register_delegation_tokens(apis);
  register_describe_client_quotas(apis);
  register_alter_client_quotas(apis);
}

}  // namespace samsa::broker
