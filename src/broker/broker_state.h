// Everything a request handler may touch: configuration, the topic registry
// (partition logs), fetch waiters and sessions, the group, transaction and
// share-group coordinators, producers, ACLs and quotas. Owned by serve(),
// beside the api table that hands it to the handlers. Used on the control
// thread (io()); Produce and Fetch, on the request handler threads, reach
// only the parts that say they are thread-safe (docs/architecture.md,
// "Threads").
#pragma once

#include <boost/asio/io_context.hpp>
#include <memory>
#include <string>

#include "broker/broker_config.h"
#include "broker/fetch_sessions.h"
#include "broker/fetch_waiters.h"
#include "broker/worker_pool.h"

namespace samsa::storage {
class dir_lock;
class log_manager;
class metadata_store;
}  // namespace samsa::storage

namespace samsa::txn {
class producer_budget;
}  // namespace samsa::txn

namespace samsa::broker {

class topic_registry;
class group_service;
class txn_service;
class share_service;
class producer_registry;
class acl_service;
class client_quotas;

class broker_state {
 public:
  broker_state(boost::asio::io_context& io, broker_config config);
  ~broker_state();

  // Opens the data directory: metadata log, partition logs (with recovery)
  // and the topic registry. Must succeed before the listeners start.
  status open_storage();
  // Flushes every log and writes the clean-shutdown marker.
  status close_storage();

  // The control thread's context: every request but Produce and Fetch, the
  // coordinators and their timers run here.
  boost::asio::io_context& io() { return io_; }
  // Blocking file-system work and heavy checks (background.threads).
  worker_pool& workers() { return *workers_; }
  const broker_config& config() const { return config_; }
  topic_registry& topics() { return *topics_; }
  fetch_waiters& waiters() { return waiters_; }
  // Incremental fetch sessions (KIP-227), used under their hold().
  fetch_session_cache& fetch_sessions() { return fetch_sessions_; }
  // Consumer groups; exists once open_storage() succeeded.
  group_service& groups() { return *groups_; }
  // Transactions (the transaction coordinator); exists once open_storage() succeeded.
  txn_service& transactions() { return *transactions_; }
  // Share groups (KIP-932); exists once open_storage() succeeded.
  share_service& shares() { return *shares_; }
  // Idempotent producers; exists once open_storage() succeeded.
  producer_registry& producers() { return *producers_; }
  // Client quotas; null until open_storage() succeeded.
  client_quotas* quotas() { return quotas_.get(); }
  const std::string& cluster_id() const { return cluster_id_; }
  // The metadata log (thread-safe; its writes fsync, so call them on the
  // worker pool); exists once open_storage() succeeded.
  storage::metadata_store& metadata() { return *metadata_; }
  // Producer-table entries of all partitions (max.producer.ids).
  const txn::producer_budget& producer_budget() const { return *producer_budget_; }
  // ACLs and the authorizer (off unless configured); exists once open_storage() succeeded.
  acl_service& acls() { return *acls_; }

  // The listener addresses clients are told to connect to (ports resolved
  // after binding, so port 0 in the config becomes the real port).
  const std::vector<listener_address>& advertised_listeners() const { return advertised_; }
  void set_advertised_listeners(std::vector<listener_address> a) { advertised_ = std::move(a); }

 private:
  boost::asio::io_context& io_;
  broker_config config_;
  fetch_waiters waiters_;
  fetch_session_cache fetch_sessions_;
  std::string cluster_id_;
  std::vector<listener_address> advertised_;
  std::unique_ptr<worker_pool> workers_;
  std::unique_ptr<storage::dir_lock> dir_lock_;  // before the storage it guards: released last
  // Counted into by every partition's producer table: outlives logs_.
  std::unique_ptr<txn::producer_budget> producer_budget_;
  std::unique_ptr<storage::log_manager> logs_;
  std::unique_ptr<storage::metadata_store> metadata_;
  std::unique_ptr<topic_registry> topics_;
  std::unique_ptr<acl_service> acls_;  // uses metadata_, workers_
  std::unique_ptr<producer_registry> producers_;
  std::unique_ptr<group_service> groups_;  // uses topics_
  std::unique_ptr<txn_service> transactions_;  // uses topics_, groups_, producers_
  std::unique_ptr<share_service> shares_;      // uses topics_, waiters_, workers_
  std::unique_ptr<client_quotas> quotas_;      // uses metadata_
};

}  // namespace samsa::broker
