#include "group/member.h"

namespace samsa::group {

size_t member::cost(const std::string& member_id, const std::optional<std::string>& instance_id,
                    const std::string& client_id, const std::string& client_host, const std::string& protocol_type,
                    const std::vector<protocol_entry>& protocols, size_t assignment_bytes) {
  size_t n = member_overhead_bytes + member_id.size() + (instance_id ? instance_id->size() : 0) + client_id.size() +
             client_host.size() + protocol_type.size() + assignment_bytes;
  for (const auto& p : protocols) n += protocol_overhead_bytes + p.name.size() + p.metadata.size();
  return n;
}

size_t member::cost_with(const std::string& id, const std::vector<protocol_entry>& offered) const {
  return cost(id, group_instance_id, client_id, client_host, protocol_type, offered, assignment_.size());
}

void member::attach(member_usage* usage) {
  if (usage_ != nullptr) {
    usage_->bytes -= bytes_;
    --usage_->members;
  }
  usage_ = usage;
  bytes_ = cost_with(member_id, protocols_);
  if (usage_ != nullptr) {
    usage_->bytes += bytes_;
    ++usage_->members;
  }
}

void member::recount() {
  const size_t now = cost_with(member_id, protocols_);
  if (usage_ != nullptr) usage_->bytes = usage_->bytes - bytes_ + now;
  bytes_ = now;
}

void member::set_protocols(std::vector<protocol_entry> offered) {
  protocols_ = std::move(offered);
  recount();
}

void member::set_assignment(bytes assigned) {
  assignment_ = std::move(assigned);
  recount();
}

const bytes* member::metadata_for(const std::string& protocol) const {
  for (const auto& p : protocols_) {
    if (p.name == protocol) return &p.metadata;
  }
  return nullptr;
}

std::optional<std::string> member::vote(const std::set<std::string>& candidates) const {
  for (const auto& p : protocols_) {
    if (candidates.count(p.name) != 0) return p.name;
  }
  return std::nullopt;
}

}  // namespace samsa::group
