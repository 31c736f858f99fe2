// The SCRAM user operations behind `samsa user` (KIP-554), over
// kafka_connection: DescribeUserScramCredentials and
// AlterUserScramCredentials. The password never leaves this process: it is
// salted and hashed here (PBKDF2 with a fresh random salt), and the broker
// gets the salted password, as Kafka's protocol has it.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"

namespace samsa::cli {

struct user_credential {
  std::string user;
  std::string mechanism;  // "SCRAM-SHA-256" or "SCRAM-SHA-512"
  int32_t iterations = 0;
};

class user_admin {
 public:
  user_admin(std::string bootstrap, std::string client_id, std::chrono::milliseconds timeout)
      : bootstrap_(std::move(bootstrap)), client_id_(std::move(client_id)), timeout_(timeout) {}

  // Creates or replaces the user's credential for each mechanism (one
  // request per mechanism: Kafka refuses two changes of one user in one).
  status create(const std::string& user, const std::string& password, const std::vector<std::string>& mechanisms,
                int32_t iterations);
  // Deletes the given mechanisms' credentials, or every one the user has
  // when `mechanisms` is empty. A user without credentials is not found.
  status remove(const std::string& user, const std::vector<std::string>& mechanisms);
  // Every user's credentials (or only `users`'), sorted by user and mechanism.
  result<std::vector<user_credential>> list(const std::vector<std::string>& users);

 private:
  std::string bootstrap_;
  std::string client_id_;
  std::chrono::milliseconds timeout_;
};

// True when the error says the user (or its credential) does not exist.
bool is_user_not_found(const samsa::error& e);

}  // namespace samsa::cli
