#include "record/errc.h"

namespace samsa::record {
namespace {

class category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "record"; }
  std::string message(int value) const override {
    switch (static_cast<errc>(value)) {
      case errc::compression_failed: return "compression failed";
      case errc::corrupt_message: return "corrupt message";
      case errc::message_too_large: return "message too large";
      case errc::invalid_timestamp: return "invalid timestamp";
      case errc::unsupported_for_message_format: return "unsupported for message format";
      case errc::unsupported_compression_type: return "unsupported compression type";
      case errc::invalid_record: return "invalid record";
    }
    return "unknown record error " + std::to_string(value);
  }
};

}  // namespace

const std::error_category& record_category() noexcept {
  static const category instance;
  return instance;
}

int16_t kafka_error_code(const std::error_code& code) noexcept {
  if (!code) return 0;
  if (code.category() != record_category()) return -1;
  return static_cast<int16_t>(code.value());
}

}  // namespace samsa::record
