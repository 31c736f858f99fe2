// The broker's ACLs: the authorizer (security/acl) fed from the metadata log
// at start, and the changes CreateAcls / DeleteAcls make. A change is checked
// when its turn comes (one at a time, in arrival order), written to the
// metadata log on the worker pool (it fdatasyncs), and only then applied to
// the in-memory table the checks read. Handler thread only.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "broker/append_turns.h"
#include "broker/authorizer_settings.h"
#include "protocol/error_code.h"
#include "security/acl/authorizer.h"

namespace samsa::storage {
class metadata_store;
}

namespace samsa::broker {

class worker_pool;

class acl_service {
 public:
  acl_service(storage::metadata_store& store, worker_pool& workers, const authorizer_settings& settings);

  // Reads the ACLs the metadata log holds (with the authorizer on). Before the listeners open.
  status load();

  bool enabled() const { return authorizer_ != nullptr; }
  // Null when no authorizer is configured: every request is allowed.
  const acl::authorizer* authorizer() const { return authorizer_.get(); }
  size_t max_acls() const { return max_acls_; }

  struct outcome {
    protocol::error_code code = protocol::error_code::none;
    std::string message;
  };
  struct deletion {
    outcome result;
    std::vector<acl::acl_binding> deleted;
  };

  // One outcome per ACL, in order. Requires enabled().
  boost::asio::awaitable<std::vector<outcome>> create(std::vector<acl::acl_binding> acls);
  // One deletion per filter, in order; all the filters' ACLs go in one change. Requires enabled().
  boost::asio::awaitable<std::vector<deletion>> remove(std::vector<acl::acl_filter> filters);
  // The ACLs a filter matches, or INVALID_REQUEST for a filter with UNKNOWN elements.
  outcome describe(const acl::acl_filter& filter, std::vector<acl::acl_binding>& out) const;

 private:
  storage::metadata_store& store_;
  worker_pool& workers_;
  std::unique_ptr<acl::authorizer> authorizer_;
  size_t max_acls_;
  std::shared_ptr<append_turns> changes_ = std::make_shared<append_turns>();
};

}  // namespace samsa::broker
