#include "protocol/records.h"

#include <algorithm>

namespace samsa::protocol {

records records::view(std::span<const uint8_t> bytes, std::shared_ptr<const void> owner) {
  records r;
  r.bytes_ = bytes;
  r.owner_ = std::move(owner);
  return r;
}

records records::writable_view(std::span<uint8_t> bytes, std::shared_ptr<const void> owner) {
  records r;
  r.bytes_ = bytes;
  r.writable_ = bytes.data();
  r.owner_ = std::move(owner);
  return r;
}

records records::owned(std::vector<uint8_t> bytes) {
  auto buffer = std::make_shared<std::vector<uint8_t>>(std::move(bytes));
  std::span<uint8_t> view(buffer->data(), buffer->size());  // before the pointer is moved from
  return writable_view(view, std::move(buffer));
}

records records::copy(std::span<const uint8_t> bytes) {
  return owned(std::vector<uint8_t>(bytes.begin(), bytes.end()));
}

records records::file(file_slice slice) {
  records r;
  r.file_ = std::move(slice);
  r.is_file_ = true;
  return r;
}

bool records::operator==(const records& other) const {
  if (is_file_ != other.is_file_) return false;
  if (is_file_) {
    return file_.fd == other.file_.fd && file_.position == other.file_.position &&
           file_.length == other.file_.length;
  }
  return std::equal(bytes_.begin(), bytes_.end(), other.bytes_.begin(), other.bytes_.end());
}

}  // namespace samsa::protocol
