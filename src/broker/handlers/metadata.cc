// Metadata: v0-13. This broker is the only broker, the controller and the
// leader of every partition. v0 asks for all topics with an empty list, v1+
// with null. Unknown topics are created when auto.create.topics.enable is on
// and the request allows it (v4+ says so itself; older versions always allow).
// The broker's address is that of the listener the client connected to.
//
// With an authorizer, as in Kafka: a listing of all topics shows only those
// the principal may DESCRIBE (silently, no audit line); a topic asked by name
// without DESCRIBE answers TOPIC_AUTHORIZATION_FAILED with no id, whether it
// exists or not, so names outside the principal's rights reveal nothing; a
// topic that would be auto-created needs CREATE on the cluster or on the
// topic (else TOPIC_AUTHORIZATION_FAILED). An id asked for (v12+) whose
// topic may not be described answers TOPIC_AUTHORIZATION_FAILED with the id
// and no name. Authorized operations come from the authorizer when asked
// (the cluster's only with DESCRIBE on it, else 0). A topic named more than
// once is answered once, at its first place (Kafka reads the names into a
// set), so a request cannot ask for one large topic many times.
#include "broker/advertised_listener.h"
#include "broker/api_table.h"
#include "broker/authorization.h"
#include "broker/broker_state.h"
#include "broker/group_service.h"
#include "broker/handlers/first_of_each.h"
#include "broker/handlers/handlers.h"
#include "broker/topic_names.h"
#include "broker/topic_registry.h"
#include "protocol/api_keys.h"
#include "protocol/error_code.h"
#include "protocol/messages.h"

namespace samsa::broker {

namespace {
namespace file_metadata {

using response_t = protocol::metadata_response_data;
using topic_t = response_t::metadata_response_topic;

topic_t describe_topic(const request_context& ctx, const topic_entry& topic, bool include_operations) {
  topic_t out;
  out.name = topic.name;
  out.topic_id = topic.id;
  out.is_internal = topic.internal;
  out.topic_authorized_operations =
      include_operations ? authorized_operations(ctx, acl::resource_type::topic, topic.name) : INT32_MIN;
  int32_t node = ctx.broker.config().node_id;
  for (int32_t p = 0; p < static_cast<int32_t>(topic.partitions.size()); ++p) {
    response_t::metadata_response_topic::metadata_response_partition part;
    part.partition_index = p;
    part.leader_id = node;
    part.leader_epoch = 0;
    part.replica_nodes = {node};
    part.isr_nodes = {node};
    out.partitions.push_back(std::move(part));
  }
  return out;
}

topic_t topic_error(std::optional<std::string> name, protocol::uuid id, protocol::error_code code) {
  topic_t out;
  out.name = std::move(name);
  out.topic_id = id;
  out.error_code = protocol::to_int(code);
  return out;
}

boost::asio::awaitable<response_t> handle(request_context& ctx, protocol::metadata_request_data& request) {
  broker_state& broker = ctx.broker;
  topic_registry& topics = broker.topics();
  response_t response;
  if (const listener_address* a = advertised_for(broker.advertised_listeners(), ctx.client.listener_name)) {
    response_t::metadata_response_broker b;
    b.node_id = broker.config().node_id;
    b.host = a->host;
    b.port = a->port;
    response.brokers.push_back(std::move(b));
  }
  response.cluster_id = broker.cluster_id();
  response.controller_id = broker.config().node_id;
  bool include_ops = request.include_topic_authorized_operations;
  if (request.include_cluster_authorized_operations) {
    response.cluster_authorized_operations = authorized_on_cluster(ctx, acl::operation::describe)
                                                 ? authorized_operations(ctx, acl::resource_type::cluster,
                                                                         acl::cluster_resource_name)
                                                 : 0;
  }
  auto may_describe = [&](const std::string& name, bool log_denial) {
    return authorized(ctx, acl::operation::describe, acl::resource_type::topic, name, log_denial);
  };

  bool all_topics = !request.topics.has_value() || (ctx.api_version == 0 && request.topics->empty());
  if (all_topics) {
    for (const topic_entry* t : topics.list()) {
      if (may_describe(t->name, false)) response.topics.push_back(describe_topic(ctx, *t, include_ops));
    }
    co_return response;
  }

  // Each topic is answered once, however often it is named (as Kafka).
  keep_first_of_each(*request.topics, [](const protocol::metadata_request_data::metadata_request_topic& t) {
    if (t.name) return "n" + *t.name;
    return "i" + std::string(t.topic_id.bytes.begin(), t.topic_id.bytes.end());
  });
  bool may_create = broker.config().auto_create_topics_enable &&
                    (ctx.api_version < 4 || request.allow_auto_topic_creation);
  for (const auto& wanted : *request.topics) {
    if (!wanted.name) {
      const topic_entry* t = topics.find(wanted.topic_id);
      if (!t) {
        response.topics.push_back(topic_error(std::nullopt, wanted.topic_id, protocol::error_code::unknown_topic_id));
      } else if (!may_describe(t->name, true)) {
        // Kafka does not count topic ids as secret: the id is echoed, the name is not.
        response.topics.push_back(
            topic_error(std::nullopt, wanted.topic_id, protocol::error_code::topic_authorization_failed));
      } else {
        response.topics.push_back(describe_topic(ctx, *t, include_ops));
      }
      continue;
    }
    const std::string& name = *wanted.name;
    if (!may_describe(name, true)) {
      // Checked before existence: an unauthorized name answers the same
      // whether the topic exists or not.
      response.topics.push_back(topic_error(name, {}, protocol::error_code::topic_authorization_failed));
      continue;
    }
    if (const topic_entry* t = topics.find(name)) {
      response.topics.push_back(describe_topic(ctx, *t, include_ops));
      continue;
    }
    if (may_create && !authorized_on_cluster(ctx, acl::operation::create, false) &&
        !authorized(ctx, acl::operation::create, acl::resource_type::topic, name)) {
      topic_t refused = topic_error(name, {}, protocol::error_code::topic_authorization_failed);
      refused.is_internal = is_internal_topic_name(name);
      response.topics.push_back(std::move(refused));
      continue;
    }
    if (topic_name_problem(name)) {
      response.topics.push_back(topic_error(name, {}, protocol::error_code::invalid_topic_exception));
      continue;
    }
    if (!may_create) {
      response.topics.push_back(topic_error(name, {}, protocol::error_code::unknown_topic_or_partition));
      continue;
    }
    // The broker's own topics are created with their own settings, never as
    // an ordinary auto-created topic.
    admin_result created;
    if (name == offsets_topic_name) {
      created = co_await broker.groups().offsets_topic().ensure();
    } else if (is_internal_topic_name(name)) {
      created = admin_result::fail(protocol::error_code::unknown_topic_or_partition, "not created by clients");
    } else {
      created = co_await topics.create_async(broker.workers(), name, broker.config().num_partitions,
                                             broker.config().default_replication_factor, {});
    }
    const topic_entry* t = topics.find(name);
    if (!created.ok() || !t) {
      response.topics.push_back(topic_error(name, {}, created.ok() ? protocol::error_code::unknown_server_error
                                                                   : created.code));
      continue;
    }
    response.topics.push_back(describe_topic(ctx, *t, include_ops));
  }
  co_return response;
}

}  // namespace file_metadata
}  // namespace

void register_metadata(api_table& apis) {
  using namespace file_metadata;
  apis.add<protocol::metadata_request_data, response_t>(static_cast<int16_t>(protocol::api_key::metadata), 0,
                                                         13, handle);
}

}  // namespace samsa::broker
