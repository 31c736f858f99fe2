#include "proxy/schema_encoder.h"

#include <chrono>
#include <span>

#include "registry/schema.h"
#include "registry/schema_codec.h"
#include "registry/rest_client.h"

namespace samsa::proxy {

namespace {

registry::schema_type type_of(format f) {
  switch (f) {
    case format::jsonschema: return registry::schema_type::json;
    case format::protobuf: return registry::schema_type::protobuf;
    default: return registry::schema_type::avro;
  }
}

problem registry_refused(const std::string& why) {
  return problem{403, codes::forbidden, "The schema registry refused the request's credentials: " + why};
}

}  // namespace

schema_encoder::schema_encoder(std::string registry_url, const registry_credentials& credentials)
    : url_(std::move(registry_url)),
      pass_callers_on_(credentials.pass_callers_on),
      codecs_(url_, max_codecs, codec_lifetime, codec_text_bytes),
      pool_(2) {
  if (!credentials.user_info.empty()) {
    const auto& info = credentials.user_info;
    fixed_authorization_ = registry::basic_authorization(info);
  }
}

std::string schema_encoder::authorization_for(const http::request& req) const {
  if (!fixed_authorization_.empty()) return fixed_authorization_;
  return pass_callers_on_ ? req.authorization : std::string();
}

boost::asio::awaitable<outcome<encoded_side>> schema_encoder::encode(schema_side side, std::string authorization) {
  if (url_.empty())
    co_return problem{408, codes::schema_registry_error, "no schema registry: set schema.registry.url"};
  auto job = [this, &side, &authorization]() -> outcome<encoded_side> {
    auto slot = codecs_.get(authorization);
    std::lock_guard lock(slot->mu);
    registry::schema_codec& codec = slot->codec;
    encoded_side out;
    out.schema_id = side.schema_id;
    if (side.schema_text) {
      auto id = codec.register_schema(side.subject, type_of(side.embedded.value_or(format::avro)), *side.schema_text);
      if (!id && id.err().code == std::errc::permission_denied) return registry_refused(id.err().message);
      // The registry found the schema text invalid: the caller's mistake, as
      // when Confluent's proxy fails to parse it, not a registry failure.
      if (!id && id.err().code == std::errc::invalid_argument)
        return problem{422, codes::invalid_schema, "Invalid schema: " + id.err().message};
      if (!id) return problem{408, codes::schema_registry_error, "Schema registration or lookup failed: " + id.err().message};
      out.schema_id = *id;
    }
    for (size_t i = 0; i < side.values.size(); ++i) {
      if (!side.values[i]) {
        out.values.emplace_back();
        continue;
      }
      if (!out.schema_id)
        return problem{422, codes::value_schema_missing, "record " + std::to_string(i) + " has data but no schema"};
      auto bytes = codec.encode(*out.schema_id, *side.values[i]);
      if (!bytes) {
        auto e = bytes.err();
        if (e.code == std::errc::permission_denied) return registry_refused(e.message);
        // The registry unreachable or the id unknown is a lookup failure;
        // anything else is the value not fitting its schema.
        bool lookup = e.code == std::errc::connection_refused || e.code == std::errc::timed_out ||
                      e.code == std::errc::no_such_file_or_directory || e.message.starts_with("schema registry");
        if (lookup) return problem{408, codes::schema_registry_error, "Schema registration or lookup failed: " + e.message};
        return problem{422, codes::json_conversion,
                       "Conversion of JSON to the schema's format failed (record " + std::to_string(i) + "): " + e.message};
      }
      out.values.emplace_back(std::move(*bytes));
    }
    return out;
  };
  outcome<encoded_side> result = co_await pool_.run(job);
  co_return result;
}

boost::asio::awaitable<decoded_blobs> schema_encoder::decode(std::vector<std::optional<std::string>> blobs,
                                                             std::string authorization) {
  decoded_blobs out;
  if (url_.empty()) {
    out.failed_at = 0;
    out.error = "no schema registry: set schema.registry.url";
    co_return out;
  }
  auto job = [this, &blobs, &out, &authorization] {
    auto slot = codecs_.get(authorization);
    std::lock_guard lock(slot->mu);
    registry::schema_codec& codec = slot->codec;
    for (size_t i = 0; i < blobs.size(); ++i) {
      if (!blobs[i]) {
        out.texts.emplace_back();
        continue;
      }
      const auto& b = *blobs[i];
      auto text = codec.decode(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(b.data()), b.size()));
      if (!text) {
        out.failed_at = i;
        out.error = text.err().message;
        out.refused = text.err().code == std::errc::permission_denied;
        return;
      }
      out.texts.emplace_back(std::move(*text));
    }
  };
  co_await pool_.run(job);
  co_return out;
}

}  // namespace samsa::proxy
