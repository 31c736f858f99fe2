#include "storage/lazy_file.h"

#include "storage/errc.h"

namespace samsa::storage {

lazy_file::lazy_file(file_system& fs, std::string path, std::shared_ptr<file> held)
    : fs_(fs), path_(std::move(path)), held_(std::move(held)), size_(held_->size()) {}

result<std::shared_ptr<lazy_file>> lazy_file::open(file_system& fs, const std::string& path, open_mode mode) {
  auto f = fs.open(path, mode);
  if (!f) return f.err();
  return std::shared_ptr<lazy_file>(new lazy_file(fs, path, std::move(*f)));
}

void lazy_file::release() {
  std::lock_guard lock(mu_);
  held_.reset();
}

void lazy_file::relocate(std::string path) {
  std::lock_guard lock(mu_);
  path_ = std::move(path);
}

result<std::shared_ptr<file>> lazy_file::handle() const {
  if (held_) return held_;
  return fs_.open(path_, open_mode::read_write);
}

status lazy_file::append(std::span<const uint8_t> data) {
  std::lock_guard lock(mu_);
  auto f = handle();
  if (!f) return f.err();
  auto s = (*f)->append(data);
  size_ = (*f)->size();
  return s;
}

result<size_t> lazy_file::read_at(int64_t pos, std::span<uint8_t> out) const {
  std::lock_guard lock(mu_);
  auto f = handle();
  if (!f) return f.err();
  return (*f)->read_at(pos, out);
}

status lazy_file::sync() {
  std::lock_guard lock(mu_);
  auto f = handle();
  // Removed (retention or compaction dropped the segment while a sync that
  // had already listed it was running): nothing of it needs to be durable.
  if (!f && f.err().code == make_error_code(errc::not_found)) return {};
  if (!f) return f.err();
  // fdatasync works on the file, not the descriptor: a fresh one covers
  // everything written through earlier ones.
  return (*f)->sync();
}

status lazy_file::truncate(int64_t size) {
  std::lock_guard lock(mu_);
  auto f = handle();
  if (!f) return f.err();
  auto s = (*f)->truncate(size);
  if (s) size_ = size;
  return s;
}

int64_t lazy_file::size() const {
  std::lock_guard lock(mu_);
  return size_;
}

}  // namespace samsa::storage
