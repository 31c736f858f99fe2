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

lazy_file::lazy_file(file_system& fs, std::string path, int64_t size)
    : fs_(fs), path_(std::move(path)), size_(size) {}

result<std::shared_ptr<lazy_file>> lazy_file::read_whole(file_system& fs, const std::string& path,
                                                         std::vector<uint8_t>& contents) {
  auto data = fs.read_whole(path);
  if (!data && is(data.err(), errc::not_found)) {
    auto f = fs.open(path, open_mode::create);
    if (!f) return f.err();
    contents.clear();
    return std::shared_ptr<lazy_file>(new lazy_file(fs, path, (*f)->size()));
  }
  if (!data) return data.err();
  contents = std::move(*data);
  return std::shared_ptr<lazy_file>(new lazy_file(fs, path, static_cast<int64_t>(contents.size())));
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
  if (auto lent = lent_.lock()) return lent;
  return fs_.open(path_, open_mode::read_write);
}

result<std::shared_ptr<file>> lazy_file::acquire() const {
  std::lock_guard lock(mu_);
  if (held_) return held_;
  if (auto lent = lent_.lock()) return lent;
  auto f = fs_.open(path_, open_mode::read_write);
  if (!f) return f.err();
  lent_ = *f;
  return f;
}

// The descriptor is taken under the lock and used outside it: a sync of the
// active segment's .log (milliseconds) must not hold up appends and reads.
result<std::shared_ptr<file>> lazy_file::current() const {
  std::lock_guard lock(mu_);
  return handle();
}

status lazy_file::append(std::span<const uint8_t> data) {
  auto f = current();
  if (!f) return f.err();
  auto s = (*f)->append(data);
  std::lock_guard lock(mu_);
  size_ = (*f)->size();
  return s;
}

result<size_t> lazy_file::read_at(int64_t pos, std::span<uint8_t> out) const {
  auto f = current();
  if (!f) return f.err();
  return (*f)->read_at(pos, out);
}

status lazy_file::sync() {
  auto f = current();
  // Removed (retention or compaction dropped the segment while a sync that
  // had already listed it was running): nothing of it needs to be durable.
  if (!f && f.err().code == make_error_code(errc::not_found)) return {};
  if (!f) return f.err();
  // fdatasync works on the file, not the descriptor: a fresh one covers
  // everything written through earlier ones.
  return (*f)->sync();
}

status lazy_file::truncate(int64_t size) {
  auto f = current();
  if (!f) return f.err();
  auto s = (*f)->truncate(size);
  std::lock_guard lock(mu_);
  if (s) size_ = size;
  return s;
}

int64_t lazy_file::size() const {
  std::lock_guard lock(mu_);
  return size_;
}

}  // namespace samsa::storage
