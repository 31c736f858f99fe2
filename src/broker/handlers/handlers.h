// Registration of every API handler into the broker's api_table. Each handler
// file serves one API key and states the versions it serves at the top.
#pragma once

namespace samsa::broker {

class api_table;

void register_api_versions(api_table& apis);
void register_metadata(api_table& apis);
void register_describe_cluster(api_table& apis);
void register_create_topics(api_table& apis);
void register_delete_topics(api_table& apis);
void register_create_partitions(api_table& apis);
void register_describe_configs(api_table& apis);
void register_alter_configs(api_table& apis);  // AlterConfigs and IncrementalAlterConfigs
void register_produce(api_table& apis);
void register_fetch(api_table& apis);
void register_list_offsets(api_table& apis);
void register_offset_for_leader_epoch(api_table& apis);
void register_delete_records(api_table& apis);
void register_find_coordinator(api_table& apis);
void register_join_group(api_table& apis);
void register_sync_group(api_table& apis);
void register_heartbeat(api_table& apis);
void register_leave_group(api_table& apis);
void register_offset_commit(api_table& apis);
void register_offset_fetch(api_table& apis);
void register_txn_offset_commit(api_table& apis);
void register_describe_groups(api_table& apis);
void register_list_groups(api_table& apis);
void register_delete_groups(api_table& apis);
void register_offset_delete(api_table& apis);
void register_init_producer_id(api_table& apis);
void register_add_partitions_to_txn(api_table& apis);
void register_add_offsets_to_txn(api_table& apis);
void register_end_txn(api_table& apis);
void register_describe_producers(api_table& apis);
void register_describe_log_dirs(api_table& apis);
void register_acls(api_table& apis);  // DescribeAcls, CreateAcls, DeleteAcls
void register_describe_transactions(api_table& apis);
void register_list_transactions(api_table& apis);
void register_write_txn_markers(api_table& apis);
void register_describe_topic_partitions(api_table& apis);
void register_share_group_heartbeat(api_table& apis);
void register_share_group_describe(api_table& apis);
void register_share_fetch(api_table& apis);
void register_share_acknowledge(api_table& apis);
// DescribeShareGroupOffsets, AlterShareGroupOffsets, DeleteShareGroupOffsets
void register_share_group_offsets(api_table& apis);
void register_consumer_group_heartbeat(api_table& apis);
void register_consumer_group_describe(api_table& apis);
// DescribeUserScramCredentials and AlterUserScramCredentials
void register_scram_credentials(api_table& apis);
// SaslHandshake; SaslAuthenticate and the raw tokens after a v0 handshake
void register_sasl_handshake(api_table& apis);
void register_sasl_authenticate(api_table& apis);
// CreateDelegationToken, RenewDelegationToken, ExpireDelegationToken, DescribeDelegationToken
void register_delegation_tokens(api_table& apis);

// Registers everything above.
void register_describe_client_quotas(api_table& apis);
void register_alter_client_quotas(api_table& apis);

void register_all_handlers(api_table& apis);

}  // namespace samsa::broker
