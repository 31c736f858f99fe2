#include "group/errors.h"

namespace samsa::group::errc {

std::string_view name(int16_t code) {
  switch (code) {
    case unknown_server_error: return "UNKNOWN_SERVER_ERROR";
    case none: return "NONE";
    case unknown_topic_or_partition: return "UNKNOWN_TOPIC_OR_PARTITION";
    case offset_metadata_too_large: return "OFFSET_METADATA_TOO_LARGE";
    case coordinator_load_in_progress: return "COORDINATOR_LOAD_IN_PROGRESS";
    case coordinator_not_available: return "COORDINATOR_NOT_AVAILABLE";
    case not_coordinator: return "NOT_COORDINATOR";
    case illegal_generation: return "ILLEGAL_GENERATION";
    case inconsistent_group_protocol: return "INCONSISTENT_GROUP_PROTOCOL";
    case invalid_group_id: return "INVALID_GROUP_ID";
    case unknown_member_id: return "UNKNOWN_MEMBER_ID";
    case invalid_session_timeout: return "INVALID_SESSION_TIMEOUT";
    case rebalance_in_progress: return "REBALANCE_IN_PROGRESS";
    case non_empty_group: return "NON_EMPTY_GROUP";
    case group_id_not_found: return "GROUP_ID_NOT_FOUND";
    case member_id_required: return "MEMBER_ID_REQUIRED";
    case fenced_instance_id: return "FENCED_INSTANCE_ID";
    case group_max_size_reached: return "GROUP_MAX_SIZE_REACHED";
    case group_subscribed_to_topic: return "GROUP_SUBSCRIBED_TO_TOPIC";
    case unstable_offset_commit: return "UNSTABLE_OFFSET_COMMIT";
    default: return "UNKNOWN_ERROR_CODE";
  }
}

}  // namespace samsa::group::errc
