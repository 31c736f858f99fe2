// The REST proxy's request bodies (Confluent REST Proxy v2 produce and
// consumer requests, v3 produce records), parsed into plain structs before
// anything reaches the broker. Bytes from outside: every field is checked
// for type and range, counts are bounded, and a refusal carries the HTTP
// status and Confluent's error code. No broker types here, so the libFuzzer
// target (fuzz/proxy_body_fuzz.cc) links only this.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace samsa::proxy {

// Confluent's error codes (HTTP status * 100 + a sub-code; plain statuses
// for HTTP-level refusals).
namespace codes {
inline constexpr int bad_request = 400;
inline constexpr int unauthorized = 40101;
inline constexpr int forbidden = 40301;
inline constexpr int topic_not_found = 40401;
inline constexpr int partition_not_found = 40402;
inline constexpr int consumer_instance_not_found = 40403;
inline constexpr int format_mismatch = 40601;
inline constexpr int already_subscribed = 40901;
inline constexpr int consumer_already_exists = 40902;
inline constexpr int illegal_state = 40903;
inline constexpr int payload_too_large = 413;
inline constexpr int unsupported_media_type = 415;
inline constexpr int unprocessable = 422;
inline constexpr int key_schema_missing = 42201;
inline constexpr int value_schema_missing = 42202;
inline constexpr int json_conversion = 42203;
inline constexpr int invalid_consumer_config = 42204;
inline constexpr int invalid_schema = 42205;
inline constexpr int too_many_requests = 42901;
inline constexpr int kafka_error = 50002;
inline constexpr int kafka_retriable = 50003;
inline constexpr int schema_registry_error = 40801;  // registration or lookup failed (status 408)
}  // namespace codes

// Why a body (or a request) is refused: the HTTP status, Confluent's code, a message.
struct problem {
  int status = 400;
  int code = codes::bad_request;
  std::string message;
};

template <typename T>
class outcome {
 public:
  outcome(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design, like result<T>
  outcome(problem p) : v_(std::move(p)) {}    // NOLINT
  explicit operator bool() const { return std::holds_alternative<T>(v_); }
  T& operator*() { return std::get<T>(v_); }
  const T& operator*() const { return std::get<T>(v_); }
  T* operator->() { return &std::get<T>(v_); }
  const T* operator->() const { return &std::get<T>(v_); }
  const problem& error() const { return std::get<problem>(v_); }

 private:
  std::variant<T, problem> v_;
};

// The embedded format of a v2 content type (application/vnd.kafka.<f>.v2+json).
enum class format { binary, json, avro, jsonschema, protobuf };
std::string_view format_name(format f);
std::optional<format> parse_format_name(std::string_view name);
bool uses_schema(format f);

// "application/vnd.kafka.binary.v2+json; charset=utf-8" -> binary. nullopt
// for anything else (a 415 for the client, as Confluent answers).
std::optional<format> v2_produce_format(std::string_view content_type);
// Whether a body type is one of the v2 "no embedded data" types
// (application/vnd.kafka.v2+json, application/json, or none at all).
bool v2_plain_type(std::string_view content_type);
// Whether a v3 body is application/json (any case, any parameters); v3 takes
// nothing else, not even a missing type, as Confluent's proxy.
bool v3_json_type(std::string_view content_type);

struct body_limits {
  size_t max_records = 1000;  // records in one produce request
  size_t max_topics = 1000;   // topics in one subscription
  size_t max_offsets = 10000; // partitions in one commit
};

// ---- v2 produce: POST /topics/{t}, POST /topics/{t}/partitions/{p} ----

struct v2_record {
  // binary: the decoded bytes; json: the JSON text; schema formats: the JSON
  // text to encode with the schema. nullopt: null (or absent).
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::optional<int32_t> partition;
};

// A schema given with the request: its text, or the id of a registered one.
struct v2_schema {
  std::optional<std::string> text;
  std::optional<int32_t> id;
  bool given() const { return text || id; }
};

struct v2_produce_body {
  std::vector<v2_record> records;
  v2_schema key_schema;
  v2_schema value_schema;
};

outcome<v2_produce_body> parse_v2_produce(std::string_view body, format f, const body_limits& limits);

// ---- v3 produce: POST /v3/clusters/{c}/topics/{t}/records ----

// One of "key" / "value": {"type": "BINARY"|"JSON"|"STRING"|"AVRO"|"JSONSCHEMA"|"PROTOBUF", "data": ...,
// "schema_id": N}. Without "type" and without a schema, JSON.
struct v3_data {
  std::string type;                 // upper case, as Confluent names it
  std::optional<std::string> bytes; // BINARY/STRING: the bytes; JSON and schema types: JSON text; nullopt: null
  std::optional<int32_t> schema_id; // schema types
  size_t size() const { return bytes ? bytes->size() : 0; }
};

struct v3_header {
  std::string name;
  std::optional<std::string> value;  // base64-decoded
};

struct v3_record {
  std::optional<int32_t> partition;
  std::vector<v3_header> headers;
  std::optional<v3_data> key;
  std::optional<v3_data> value;
  std::optional<int64_t> timestamp_ms;
};

outcome<v3_record> parse_v3_record(std::string_view text);

// "2026-12-04T01:02:03.456Z" (or +00:00) -> milliseconds since the epoch;
// and back (always UTC, millisecond precision).
std::optional<int64_t> parse_iso8601_utc(std::string_view text);
std::string format_iso8601_utc(int64_t ms);

// ---- v2 consumers ----

struct consumer_config {
  std::optional<std::string> name;
  format embedded = format::binary;
  bool reset_earliest = false;  // auto.offset.reset: latest (Confluent's default) or earliest
  bool auto_commit = true;      // auto.commit.enable
};

outcome<consumer_config> parse_consumer_create(std::string_view body);
// {"topics": [...]}; a topic_pattern is refused (not supported).
outcome<std::vector<std::string>> parse_subscription(std::string_view body, const body_limits& limits);

struct partition_offset {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  std::optional<std::string> metadata;
};
// {"offsets": [{"topic", "partition", "offset"}]}; an empty body: nullopt
// (commit what the instance has consumed).
outcome<std::optional<std::vector<partition_offset>>> parse_commit(std::string_view body, const body_limits& limits);

struct topic_partition {
  std::string topic;
  int32_t partition = 0;
};
// {"partitions": [{"topic", "partition"}]} (GET .../offsets)
outcome<std::vector<topic_partition>> parse_partitions(std::string_view body, const body_limits& limits);

// Group, instance and topic names in paths: Kafka's topic alphabet, 1..249 bytes.
bool valid_name(std::string_view name);

}  // namespace samsa::proxy
