// What each Schema Registry request needs from the broker's ACLs when an
// authorizer is on (docs/schema-registry.md, "Security", has the table and
// the reasons). Kafka's ACLs have no "subject" resource, so a subject is
// checked as the topic it belongs to under TopicNameStrategy ("orders-value"
// and "orders-key" as the topic "orders"; any other subject as a topic of its
// own name, so a PREFIXED ACL covers TopicRecordNameStrategy's
// "orders-com.acme.Order"):
//
//   read a subject (versions, schemas, lookup, compatibility check) DESCRIBE
//   register a schema                                              WRITE
//   delete a subject or version                                    DELETE
//   read / change a subject's config or mode       DESCRIBE_CONFIGS / ALTER_CONFIGS
//   read / change the global config or mode   the same on the cluster
//   read a schema by id                       DESCRIBE on one subject using it
//
// READ on the registry's own topic (`_schemas`) allows every read and WRITE
// on it every change: whoever holds them can do as much by consuming or
// producing that topic directly. Listings are filtered, not refused. A
// request the table does not know is refused (fail closed).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/http_auth.h"
#include "http/route_permissions.h"
#include "http/server.h"

namespace samsa::registry {

// The topic whose ACLs stand for `subject`.
std::string subject_topic(std::string_view subject);

enum class subject_action { read, write, remove, read_config, alter_config };

// What a request needs: it is allowed when any one of `any_of` is; an empty
// list lets every authenticated principal through. `defined` is false for a
// request no entry covers (refused).
struct access_need {
  bool defined = true;
  std::vector<http::resolved_check> any_of;
  std::string what;  // "read subject orders-value", for the refusal's message
};

// The checks that allow `action` on `subject` (the subject's topic first,
// then the registry topic's registry-wide grant).
access_need subject_need(subject_action action, const std::string& subject, const std::string& schemas_topic);
// The same for the global config and mode (read_config / alter_config only).
access_need global_need(subject_action action, const std::string& schemas_topic);

// The need of one request. `subjects_of_id` gives the subjects (soft-deleted
// ones too) whose versions use a schema id.
access_need need_of(const http::request& req, const std::string& schemas_topic,
                    const std::function<std::vector<std::string>(int32_t)>& subjects_of_id);

// How the registry asks the broker's authorizer (set for the embedded
// registry when an authorizer is on; the standalone registry has none).
struct access_control {
  std::string schemas_topic;
  std::function<boost::asio::awaitable<std::vector<http::check_decision>>(const http::request&,
                                                                          std::vector<http::resolved_check>)>
      decide;
  std::function<void(const http::request&, const http::resolved_check&, const std::string&)> audit;
};

// A refusal in Confluent's format: {"error_code": 40101 | 40301, "message"}.
http::response registry_error_body(int status, std::string message);

}  // namespace samsa::registry
