// ListTransactions: v0-2 (KIP-664; v1 adds the duration filter, KIP-994; v2
// a transactional id pattern, KIP-1152).
// Every transactional id the coordinator knows, filtered by state names,
// producer ids and (v1) how long the ongoing transaction has run. Filters
// combine with AND; an empty filter matches everything. A state name Kafka
// does not define is echoed in UnknownStateFilters and matches nothing (so
// a request whose every state filter is unknown lists nothing). The
// duration filter keeps only ids whose current transaction has a start time
// and has run longer than it. The pattern (v2), when neither null nor empty,
// keeps the ids it matches whole, as Java's Pattern.matches does (RE2 syntax
// here, as for consumer-group regular expressions); one that does not compile
// answers INVALID_REGULAR_EXPRESSION and lists nothing. Ids being expired
// (Dead) are left out. Only ids the principal may DESCRIBE are listed (as
// Kafka; the others silently, a listing being a filter).
#include <algorithm>
#include <chrono>
#include <optional>
#include <memory>
#include <set>

#include <re2/re2.h>

#include "broker/api_table.h"
#include "broker/authorization.h"
#include "broker/broker_state.h"
#include "broker/handlers/handlers.h"
#include "broker/txn_service.h"
#include "protocol/api_keys.h"
#include "protocol/error_code.h"
#include "protocol/messages.h"
#include "txn/transaction_view.h"

namespace samsa::broker {

namespace {
namespace file_list_transactions {

using request_t = protocol::list_transactions_request_data;
using response_t = protocol::list_transactions_response_data;

constexpr txn::txn_state all_states[] = {
    txn::txn_state::empty,         txn::txn_state::ongoing,         txn::txn_state::prepare_commit,
    txn::txn_state::prepare_abort, txn::txn_state::complete_commit, txn::txn_state::complete_abort,
    txn::txn_state::dead,          txn::txn_state::prepare_epoch_fence,
};

std::optional<txn::txn_state> state_from_name(const std::string& name) {
  for (txn::txn_state s : all_states) {
    if (name == txn::state_name(s)) return s;
  }
  return std::nullopt;
}

int64_t wall_clock_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct filters {
  bool by_state = false;  // the request named states (known or not)
  std::set<txn::txn_state> states;
  std::set<int64_t> producer_ids;
  int64_t min_duration_ms = -1;  // < 0: no duration filter
  int64_t now_ms = 0;
  std::unique_ptr<re2::RE2> pattern;  // v2; null: every id

  bool match(const txn::transaction_view& v) const {
    if (v.state == txn::txn_state::dead) return false;
    if (pattern && !re2::RE2::FullMatch(v.transactional_id, *pattern)) return false;
    if (by_state && !states.contains(v.state)) return false;
    if (!producer_ids.empty() && !producer_ids.contains(v.producer_id)) return false;
    if (min_duration_ms >= 0) {
      // Only a transaction that has started has a duration; it must have
      // run for longer than the filter.
      if (v.start_ms < 0 || now_ms - v.start_ms <= min_duration_ms) return false;
    }
    return true;
  }
};

constexpr int16_t transactional_id_pattern_from = 2;

boost::asio::awaitable<response_t> handle(request_context& ctx, request_t& request) {
  response_t response;
  filters f;
  f.by_state = !request.state_filters.empty();
  for (const auto& name : request.state_filters) {
    if (auto s = state_from_name(name)) {
      f.states.insert(*s);
    } else {
      response.unknown_state_filters.push_back(name);
    }
  }
  f.producer_ids.insert(request.producer_id_filters.begin(), request.producer_id_filters.end());
  if (ctx.api_version >= 1) f.min_duration_ms = request.duration_filter;
  if (ctx.api_version >= transactional_id_pattern_from && request.transactional_id_pattern &&
      !request.transactional_id_pattern->empty()) {
    // RE2's own memory bound (its default max_mem) limits what a pattern may cost.
    f.pattern = std::make_unique<re2::RE2>(*request.transactional_id_pattern, re2::RE2::Quiet);
    if (!f.pattern->ok()) {
      response.error_code = protocol::to_int(protocol::error_code::invalid_regular_expression);
      co_return response;
    }
  }
  f.now_ms = wall_clock_ms();

  std::vector<txn::transaction_view> views = ctx.broker.transactions().list();
  std::sort(views.begin(), views.end(),
            [](const auto& a, const auto& b) { return a.transactional_id < b.transactional_id; });
  for (const auto& v : views) {
    if (!f.match(v)) continue;
    if (!authorized(ctx, acl::operation::describe, acl::resource_type::transactional_id, v.transactional_id,
                    false)) {
      continue;
    }
    auto& out = response.transaction_states.emplace_back();
    out.transactional_id = v.transactional_id;
    out.producer_id = v.producer_id;
    out.transaction_state = txn::state_name(v.state);
  }
  co_return response;
}

}  // namespace file_list_transactions
}  // namespace

// Served up to v2 (Kafka 4.1's newest), pinned like every handler.
constexpr int16_t list_transactions_max_served = 2;

void register_list_transactions(api_table& apis) {
  using namespace file_list_transactions;
  apis.add<request_t, response_t>(static_cast<int16_t>(protocol::api_key::list_transactions), 0,
                                  list_transactions_max_served, handle);
}

}  // namespace samsa::broker
