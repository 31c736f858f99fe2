// Client quotas: which limit applies to a (user, client id) and the throttle
// time Kafka computes when a client goes over it. Pure and clock-injected:
// the broker passes the time in; nothing here blocks or reads a clock.
//
// Each quota key is resolved on its own along KIP-55's precedence order
// (quota_entity.h). The measured rate belongs to the matched entity with
// `<default>` parts replaced by the client's own names, as Kafka's metric
// tags do: /users/<default> limits each user separately, /users/alice is
// shared by all of alice's client ids.
//
// Memory: one sampled_rate per (key, user, client id) that has a quota and
// recorded within the last samples * window; an entity idle that long has no
// sample left that counts, so forgetting it changes nothing.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>

#include "quota/quota_entity.h"
#include "quota/sampled_rate.h"

namespace samsa::quota {

using quota_values = std::map<std::string, double>;  // key -> value
using quota_table = std::map<entity, quota_values>;

struct resolved_quota {
  entity matched;   // the configured entity that supplied the value
  double limit = 0;
};

// The quota of `key` for (user, client id), if any entity sets one.
std::optional<resolved_quota> resolve(const quota_table& table, quota_key key, const std::string& user,
                                      const std::string& client_id);

// What clients can make the tracking hold. Under a <default> client-id
// quota every client id has a rate of its own, and a client may send a new
// id, up to 32 KiB long, with every request: so a long id is kept as a
// prefix and a digest, and at most max_tracked_rates rates are kept (Kafka
// bounds neither; its per-client sensors live an hour). Past the bound, the
// clients without a rate share one per quota key, throttled together, until
// idle rates expire (samples * window after their last record).
inline constexpr size_t default_max_tracked_rates = 100'000;
inline constexpr size_t max_rate_key_client_bytes = 256;

class quota_manager {
 public:
  explicit quota_manager(window_config config = {}, size_t max_tracked_rates = default_max_tracked_rates)
      : config_(config), max_tracked_rates_(max_tracked_rates) {}

  void set_quotas(quota_table table) { table_ = std::move(table); }
  const quota_table& quotas() const { return table_; }

  // Records `value` (bytes, or request-time percent) for the client and
  // returns the throttle time in ms: 0 under the quota or without one,
  // otherwise the time until the rate is back at the quota,
  // (rate - limit) / limit * span; for request_percentage at most one
  // window (Kafka bounds only that one).
  int64_t record(quota_key key, const std::string& user, const std::string& client_id, double value,
                 int64_t now_ms);
  // Takes back a value record() counted, as Kafka does for a Fetch it
  // answers empty because of the throttle: bytes never sent do not count.
  void unrecord(quota_key key, const std::string& user, const std::string& client_id, double value, int64_t now_ms);

  // The limit of `key` for the client, if a quota applies.
  std::optional<double> limit(quota_key key, const std::string& user, const std::string& client_id) const;
  const window_config& windows() const { return config_; }

  // Rates currently tracked (memory bound: see above), and how many of them
  // are the shared rates of clients past max_tracked_rates.
  size_t tracked() const { return rates_.size() + overflow_.size(); }
  size_t shared() const { return overflow_.size(); }
  // Bytes of user and client names the tracked rates hold (tests).
  size_t key_bytes() const;

 private:
  using rate_id = std::tuple<quota_key, std::string, std::string>;
  void expire_idle(int64_t now_ms);
  // The rate `id` records into: its own, a new one while there is room, else
  // the shared rate of its key. nullptr only when `create` is false and it
  // has none.
  sampled_rate* rate_for(const rate_id& id, quota_key key, bool create, int64_t now_ms);
  rate_id rate_of(quota_key key, const std::string& user, const std::string& client_id,
                                 const resolved_quota& quota) const;

  window_config config_;
  quota_table table_;
  size_t max_tracked_rates_;
  std::map<rate_id, sampled_rate> rates_;
  std::map<quota_key, sampled_rate> overflow_;  // clients past max_tracked_rates_, one rate per key
  int64_t last_expiry_ms_ = 0;
  int64_t last_overflow_log_ms_ = -1;
};

}  // namespace samsa::quota
