// Schema-registry formats for the proxy (v2 avro/jsonschema/protobuf, v3
// AVRO/JSONSCHEMA/PROTOBUF), both ways. Producing: registers a schema given as text under the
// topic's subject (TopicNameStrategy: "<topic>-key" / "<topic>-value") and
// encodes each JSON value into Confluent's wire format with
// registry::schema_codec, which validates it against the schema.
// Consuming (v2 consumer instances in those formats): decodes each record's
// key and value back to JSON with the same codec. The codec is a blocking
// REST client, so it runs on the proxy's own small thread pool, never on the
// HTTP thread nor on the broker's workers (the embedded registry's own reads
// need those).
//
// Codecs are kept between requests (codec_cache.h), one per Authorization
// sent, so a schema id is fetched once, not once per record of a v3 stream
// (each fetch is a registry round trip: streaming Avro by id ran at ~1,000
// records/s against ~30,000 for STRING records). Confluent's clients keep
// schemas by id for good; here a codec is made again after a minute.
//
// Credentials, for a registry that requires them (an authorizer is on):
// schema.registry.basic.auth.user.info when set; otherwise, when the
// registry is the broker's own, the caller's Authorization header, so the
// registry judges the caller as the proxy did (WRITE on the topic to
// register its subject's schema, DESCRIBE to use one). A registry that
// refuses them answers the caller 403 / 40301.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "broker/worker_pool.h"
#include "http/server.h"
#include "proxy/codec_cache.h"
#include "proxy/proxy_body.h"
#include "proxy/proxy_settings.h"

namespace samsa::proxy {

// One side (keys or values) of a request.
struct schema_side {
  std::string subject;                     // "<topic>-value"
  std::optional<std::string> schema_text;  // registered first when given
  std::optional<int32_t> schema_id;
  std::optional<format> embedded;          // the schema type a text is registered as
  // The JSON texts to encode; nullopt entries stay null.
  std::vector<std::optional<std::string>> values;
};

struct encoded_side {
  std::optional<int32_t> schema_id;
  std::vector<std::optional<std::string>> values;
};

// Record keys / values in the wire format decoded back to JSON texts, in
// order; decoding stops at the first blob that is not in the wire format or
// names a schema the registry cannot give (`failed_at` is its index, `error`
// says why), as Kafka's deserializer fails the poll at that record.
struct decoded_blobs {
  std::vector<std::optional<std::string>> texts;  // nullopt stays null
  std::optional<size_t> failed_at;
  std::string error;
  bool refused = false;  // the registry refused the caller's credentials
};

class schema_encoder {
 public:
  schema_encoder(std::string registry_url, const registry_credentials& credentials);
  ~schema_encoder() { pool_.stop(); }

  // The Authorization header the registry gets for `req` ("" for none).
  std::string authorization_for(const http::request& req) const;

  // Registration or lookup failures: 408 / 40801; the registry refusing the
  // credentials: 403 / 40301; a schema text the registry finds invalid:
  // 422 / 42205; a value the schema refuses: 422 / 42203.
  boost::asio::awaitable<outcome<encoded_side>> encode(schema_side side, std::string authorization);
  // For consumer instances in a schema format; on the same threads as encode().
  boost::asio::awaitable<decoded_blobs> decode(std::vector<std::optional<std::string>> blobs,
                                               std::string authorization);
  const std::string& url() const { return url_; }
  void stop() { pool_.stop(); }

  // Kept codecs: at most max_codecs x codec_text_bytes of schema text in all.
  static constexpr size_t max_codecs = 16;
  static constexpr size_t codec_text_bytes = size_t{4} << 20;
  static constexpr std::chrono::seconds codec_lifetime{60};

 private:
  std::string url_;
  std::string fixed_authorization_;  // from user_info
  bool pass_callers_on_;
  codec_cache codecs_;
  broker::worker_pool pool_;
};

}  // namespace samsa::proxy
