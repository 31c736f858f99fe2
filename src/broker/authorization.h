// The one authorization call every request path uses: may the connection's
// principal (from the host it connects from) perform an operation on a
// resource? With an authorizer configured (authorizer.class.name, `samsa serve
// --authorizer`) the broker's ACLs decide, as Kafka's StandardAuthorizer does;
// without one everything is allowed, as in Kafka.
//
// A denial writes one audit line (principal, operation, resource, client
// address, API and the rule that decided), at most ten per second with the
// number left out logged once the flood ends, and is counted either way.
// Checks that only filter what a listing shows (Metadata for all topics,
// ListGroups) pass log_denial = false, as Kafka's logIfDenied does, so a
// principal that sees little does not flood the log on every poll.
//
// Handler thread only (the authorizer is not thread-safe): the HTTP side
// reaches it through work posted to the handler thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "protocol/error_code.h"
#include "security/acl/acl_types.h"

namespace samsa::broker {

class broker_state;
struct client_info;
struct request_context;

// Whether an authorizer is on (so ACLs apply at all).
bool authorizer_enabled(broker_state& broker);

// The core check. `api` names the request for the audit line ("Produce").
bool authorized(broker_state& broker, const client_info& client, std::string_view api, acl::operation op,
                acl::resource_type type, std::string_view name, bool log_denial = true);

// The same for a handler's request.
bool authorized(const request_context& ctx, acl::operation op, acl::resource_type type, std::string_view name,
                bool log_denial = true);

// `op` on the cluster resource ("kafka-cluster").
bool authorized_on_cluster(const request_context& ctx, acl::operation op, bool log_denial = true);

// Whether `op` is allowed on some resource of the type (InitProducerId's
// "WRITE on any topic", KIP-679). Denials are not logged here: the caller's
// fallback check is the one that decides.
bool authorized_on_any(const request_context& ctx, acl::operation op, acl::resource_type type);

// Kafka's authorized-operations bit set for the resource: the authorizer's
// answer, or every operation of the type without an authorizer.
int32_t authorized_operations(const request_context& ctx, acl::resource_type type, std::string_view name);

// The config resources of Describe/AlterConfigs (Kafka's ConfigResource
// types): TOPIC (2) is checked on the topic, BROKER (4) and BROKER_LOGGER (8)
// on the cluster, GROUP (32) on the group. Returns the error Kafka answers
// on a denial (TOPIC_/CLUSTER_/GROUP_AUTHORIZATION_FAILED), nothing when
// allowed or when the type is none of these (the handler refuses it itself).
std::optional<protocol::error_code> config_resource_denied(const request_context& ctx, int8_t config_type,
                                                           std::string_view name, acl::operation op);

// Denied requests since start, logged or left out by the rate limit (checks
// that only filter a listing are not counted).
uint64_t authorization_denials();

}  // namespace samsa::broker
