#include "security/sasl/mechanism.h"

#include <algorithm>
#include <chrono>

namespace samsa::sasl {

int64_t system_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::optional<int64_t> session_lifetime(int64_t max_reauth_ms, std::optional<int64_t> credential_expiry_ms,
                                        int64_t now_ms) {
  bool reauth_set = max_reauth_ms > 0;
  if (!credential_expiry_ms && !reauth_set) return std::nullopt;
  int64_t lifetime;
  if (!credential_expiry_ms) {
    lifetime = max_reauth_ms;
  } else if (!reauth_set) {
    lifetime = *credential_expiry_ms - now_ms;
  } else {
    lifetime = std::min(*credential_expiry_ms - now_ms, max_reauth_ms);
  }
  return std::max<int64_t>(lifetime, 0);
}

std::string invalid_credentials_message(const std::string& mechanism) {
  return "Authentication failed during authentication due to invalid credentials with SASL mechanism " + mechanism;
}

}  // namespace samsa::sasl
