#include "registry/schema_directory.h"

#include "registry/registry_state.h"

namespace samsa::registry {

std::optional<schema_directory::entry> schema_directory::find(int32_t id) const {
  std::lock_guard lock(mutex_);
  if (!state_) return std::nullopt;
  auto view = state_->schema_by_id(id);
  if (!view) return std::nullopt;
  entry e;
  e.id = id;
  e.type = view->type;
  if (const parsed_schema* p = state_->parsed_by_id(id)) e.schema = *p;  // shares the parsed form (shared_ptr)
  if (auto uses = state_->versions_of_id(id, false)) e.subjects = std::move(*uses);
  return e;
}

bool schema_directory::attached() const {
  std::lock_guard lock(mutex_);
  return state_ != nullptr;
}

void schema_directory::attach(const registry_state* state) {
  std::lock_guard lock(mutex_);
  state_ = state;
}

}  // namespace samsa::registry
