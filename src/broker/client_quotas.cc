#include "broker/client_quotas.h"

#include <boost/asio/this_coro.hpp>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "broker/api_table.h"
#include "broker/broker_state.h"
#include "protocol/api_keys.h"
#include "storage/metadata_store.h"

namespace samsa::broker {

namespace {

int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

int64_t parse_setting(const std::map<std::string, std::string>& raw, const char* key, int64_t fallback, int64_t lo,
                      int64_t hi) {
  auto it = raw.find(key);
  if (it == raw.end()) return fallback;
  try {
    size_t used = 0;
    int64_t v = std::stoll(it->second, &used);
    if (used == it->second.size() && v >= lo && v <= hi) return v;
  } catch (const std::exception&) {
  }
  spdlog::warn("{}={} is not a whole number in [{}, {}]; using {}", key, it->second, lo, hi, fallback);
  return fallback;
}

}  // namespace

quota::window_config quota_windows_from(const std::map<std::string, std::string>& raw) {
  quota::window_config w;
  w.samples = static_cast<int>(parse_setting(raw, "quota.window.num", 11, 2, 1000));
  w.window_ms = parse_setting(raw, "quota.window.size.seconds", 1, 1, 3600) * 1000;
  return w;
}

bool to_quota_entity(const std::map<std::string, std::optional<std::string>>& stored, quota::entity& out) {
  out = {};
  for (const auto& [type, name] : stored) {
    quota::entity_part part = name ? quota::entity_part::named_(*name) : quota::entity_part::default_();
    if (type == quota::entity_type_user)
      out.user = part;
    else if (type == quota::entity_type_client_id)
      out.client_id = part;
    else
      return false;
  }
  return !stored.empty();
}

client_quotas::client_quotas(storage::metadata_store& store, quota::window_config windows)
    : store_(store), manager_(windows) {
  reload();
}

void client_quotas::reload() {
  quota::quota_table table;
  // Visited in place: a copy of every entity per change made a burst of
  // AlterClientQuotas cost several times the quotas' own memory.
  store_.for_each_client_quota([&table](const storage::client_quota_entity& stored,
                                        const storage::client_quota_values& values) {
    quota::entity e;
    if (to_quota_entity(stored, e)) table[e] = values;
  });
  std::lock_guard lock(mu_);
  manager_.set_quotas(std::move(table));
  any_.store(!manager_.quotas().empty(), std::memory_order_release);
}

std::string quota_user(const request_context& ctx) { return ctx.client.principal.name; }

namespace {

// Mutes the connection until now + throttle (never shortens a longer mute).
int32_t mute_for(request_context& ctx, int64_t now, int64_t throttle) {
  if (throttle <= 0) return 0;
  // `now` is whole milliseconds, up to one behind the clock: one more keeps
  // the connection muted for at least the throttle time the client is told.
  int64_t until = now + throttle + 1;
  auto& muted = *ctx.client.muted_until_ms;
  int64_t prev = muted.load(std::memory_order_relaxed);
  while (prev < until && !muted.compare_exchange_weak(prev, until, std::memory_order_relaxed)) {
  }
  return static_cast<int32_t>(std::min<int64_t>(throttle, INT32_MAX));
}

}  // namespace

int32_t client_quotas::record_produce(request_context& ctx) {
  if (!any()) return 0;  // no quotas (the usual case): no lock
  std::unique_lock lock(mu_);
  if (manager_.quotas().empty()) return 0;
  const int64_t now = steady_ms();
  int64_t throttle = manager_.record(quota::quota_key::producer_byte_rate, quota_user(ctx), ctx.client_id,
                                     static_cast<double>(ctx.request_bytes), now);
  lock.unlock();
  return mute_for(ctx, now, throttle);
}

int32_t client_quotas::record_fetch(request_context& ctx, size_t response_bytes) {
  if (!any()) return 0;  // no quotas (the usual case): no lock
  std::unique_lock lock(mu_);
  if (manager_.quotas().empty()) return 0;
  const int64_t now = steady_ms();
  const std::string user = quota_user(ctx);
  const double bytes = static_cast<double>(response_bytes);
  int64_t throttle = manager_.record(quota::quota_key::consumer_byte_rate, user, ctx.client_id, bytes, now);
  if (throttle <= 0) return 0;
  // Answered without data: those bytes are never sent, so they do not count.
  manager_.unrecord(quota::quota_key::consumer_byte_rate, user, ctx.client_id, bytes, now);
  lock.unlock();
  return mute_for(ctx, now, throttle);
}

boost::asio::awaitable<int32_t> produce_quota_gate(request_context& ctx) {
  client_quotas* quotas = ctx.broker.quotas();
  if (!quotas) co_return 0;
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
  for (;;) {
    int64_t now = steady_ms();
    int64_t until = ctx.client.muted_until_ms->load(std::memory_order_relaxed);
    if (until <= now) break;
    timer.expires_after(std::chrono::milliseconds(until - now));
    boost::system::error_code ec;
    co_await timer.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
  }
  co_return quotas->record_produce(ctx);
}

bool produce_quota_may_apply(const request_context& ctx) {
  const client_quotas* quotas = ctx.broker.quotas();
  if (quotas && quotas->any()) return true;
  return ctx.client.muted_until_ms->load(std::memory_order_relaxed) > steady_ms();
}

std::optional<int64_t> client_quotas::fetch_max_bytes(const request_context& ctx) const {
  if (!any()) return std::nullopt;
  std::lock_guard lock(mu_);
  if (manager_.quotas().empty()) return std::nullopt;
  auto limit = manager_.limit(quota::quota_key::consumer_byte_rate, quota_user(ctx), ctx.client_id);
  if (!limit) return std::nullopt;
  const auto& w = manager_.windows();
  double bytes = *limit * static_cast<double>(w.samples - 1) * static_cast<double>(w.window_ms) / 1000.0;
  return static_cast<int64_t>(std::min(bytes, static_cast<double>(INT32_MAX)));
}

std::optional<int64_t> fetch_quota_max_bytes(const request_context& ctx) {
  const client_quotas* quotas = ctx.broker.quotas();
  return quotas ? quotas->fetch_max_bytes(ctx) : std::nullopt;
}

int32_t fetch_quota_throttle(request_context& ctx, const std::function<size_t()>& answer_bytes) {
  client_quotas* quotas = ctx.broker.quotas();
  return quotas && quotas->any() ? quotas->record_fetch(ctx, answer_bytes()) : 0;
}

int32_t client_quotas::on_answer(request_context& ctx, size_t /*response_bytes*/,
                                 std::chrono::steady_clock::duration handler_time) {
  if (!any()) return 0;  // no quotas (the usual case): no lock
  std::unique_lock lock(mu_);
  if (manager_.quotas().empty()) return 0;
  const int64_t now = steady_ms();
  const std::string user = quota_user(ctx);
  int64_t throttle = 0;
  // request_percentage: the share of one thread's time, per second, as
  // Kafka counts it (100 = one whole thread). Samsa measures the handler's
  // own span, which includes time a handler spends parked (a long-poll
  // fetch), so Fetch is left out of it.
  if (ctx.api_key != static_cast<int16_t>(protocol::api_key::fetch)) {
    double percent = std::chrono::duration<double>(handler_time).count() * 100.0;
    throttle = std::max(throttle, manager_.record(quota::quota_key::request_percentage, user, ctx.client_id,
                                                  percent, now));
  }
  lock.unlock();
  // Mute: the connection starts nothing more until then (connection.cc).
  return mute_for(ctx, now, throttle);
}

int32_t apply_client_quotas(request_context& ctx, size_t response_bytes, std::chrono::steady_clock::duration took) {
  client_quotas* quotas = ctx.broker.quotas();
  return quotas ? quotas->on_answer(ctx, response_bytes, took) : 0;
}

}  // namespace samsa::broker
