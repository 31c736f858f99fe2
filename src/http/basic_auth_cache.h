// Remembers HTTP Basic credentials that verified, so that every request of a
// page or a registry client does not cost a PBKDF2 derivation (4096+
// iterations of HMAC). Safe by construction:
// - the key is HMAC-SHA-256 of user and password under a random key made at
//   start, so neither the password nor a plain hash of it is kept;
// - an entry holds the principal and a fingerprint of the user's stored
//   credentials when it verified (each SCRAM mechanism's salt, iterations
//   and StoredKey, the JAAS password's digest): a lookup counts only while
//   the current fingerprint is the same, so a changed or deleted credential
//   is verified afresh (and a stale password refused);
// - only successes are kept (a wrong password always pays the derivation
//   and the failure delay);
// - at most `capacity` entries, each for at most `ttl`; the oldest goes first.
// Thread-safe (the checks run on the worker pool).
#pragma once

#include <chrono>
#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "security/principal.h"

namespace samsa::http {

class basic_auth_cache {
 public:
  using clock = std::chrono::steady_clock;
  basic_auth_cache(size_t capacity, std::chrono::seconds ttl);

  std::optional<security::principal> find(const std::string& user, const std::string& password,
                                          const std::string& fingerprint, clock::time_point now);
  void put(const std::string& user, const std::string& password, const std::string& fingerprint,
           const security::principal& who, clock::time_point now);
  size_t size() const;

 private:
  struct entry {
    std::string key;
    std::string fingerprint;
    security::principal who;
    clock::time_point expires;
  };
  std::string key_of(const std::string& user, const std::string& password) const;

  const size_t capacity_;
  const std::chrono::seconds ttl_;
  const std::vector<uint8_t> secret_;
  mutable std::mutex mu_;
  std::list<entry> order_;  // oldest first
  std::unordered_map<std::string, std::list<entry>::iterator> by_key_;
};

}  // namespace samsa::http
