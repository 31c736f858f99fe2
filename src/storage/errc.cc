#include "storage/errc.h"

#include <cerrno>
#include <cstring>

namespace samsa::storage {
namespace {

class category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "storage"; }
  std::string message(int c) const override {
    switch (static_cast<errc>(c)) {
      case errc::io_error: return "I/O error";
      case errc::disk_full: return "no space left on device";
      case errc::offset_out_of_range: return "offset out of range";
      case errc::corrupt: return "corrupt data";
      case errc::not_found: return "not found";
      case errc::already_exists: return "already exists";
      case errc::invalid_config: return "invalid config";
      case errc::invalid_argument: return "invalid argument";
      case errc::closed: return "closed";
      case errc::record_too_large: return "record too large";
      case errc::limit_reached: return "limit reached";
    }
    return "unknown storage error";
  }
};

}  // namespace

const std::error_category& storage_category() {
  static const category instance;
  return instance;
}

error errno_error(int err, const std::string& context) {
  errc code = (err == ENOSPC || err == EDQUOT) ? errc::disk_full
              : (err == ENOENT)                 ? errc::not_found
                                                : errc::io_error;
  return make_storage_error(code, context + ": " + std::strerror(err));
}

}  // namespace samsa::storage
