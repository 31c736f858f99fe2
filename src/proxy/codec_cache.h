// The proxy's registry codecs, kept between requests: one per Authorization
// sent to the registry (a caller's own, or the configured one), so a schema
// id is fetched once rather than once per record of a stream. Bounded: at
// most `max_codecs`, each kept `lifetime` (so a change of the registry's
// ACLs reaches a caller within that time) and holding at most
// `text_bytes` of schema text.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "registry/schema_codec.h"

namespace samsa::proxy {

class codec_cache {
 public:
  // A codec and the lock its user holds while using it.
  struct slot {
    std::mutex mu;
    registry::schema_codec codec;
    std::chrono::steady_clock::time_point made;
    slot(const std::string& url, const std::string& authorization, size_t text_bytes);
  };

  codec_cache(std::string registry_url, size_t max_codecs, std::chrono::steady_clock::duration lifetime,
              size_t text_bytes);

  // The codec for `authorization`: the kept one while it is young enough,
  // else a new one (which replaces it; a slot still in use lives on until its
  // user lets it go). Thread-safe.
  std::shared_ptr<slot> get(const std::string& authorization);
  size_t size() const;

 private:
  const std::string url_;
  const size_t max_codecs_;
  const std::chrono::steady_clock::duration lifetime_;
  const size_t text_bytes_;
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<slot>> slots_;  // by the Authorization sent
};

}  // namespace samsa::proxy
