// Helpers shared by every file_system implementation.
#include "storage/file_system.h"

#include "storage/errc.h"

namespace samsa::storage {

std::string join_path(const std::string& dir, const std::string& name) {
  if (dir.empty()) return name;
  if (dir.back() == '/') return dir + name;
  return dir + "/" + name;
}

std::string parent_dir(const std::string& path) {
  auto pos = path.find_last_of('/');
  if (pos == std::string::npos) return ".";
  if (pos == 0) return "/";
  return path.substr(0, pos);
}

result<std::vector<uint8_t>> file_system::read_whole(const std::string& path) {
  auto f = open(path, open_mode::read_write);
  if (!f) return f.err();
  std::vector<uint8_t> data(static_cast<size_t>((*f)->size()));
  auto n = (*f)->read_at(0, data);
  if (!n) return n.err();
  data.resize(*n);
  return data;
}

result<std::vector<uint8_t>> read_all(const file& f) {
  std::vector<uint8_t> data(static_cast<size_t>(f.size()));
  auto n = f.read_at(0, data);
  if (!n) return n.err();
  if (*n != data.size()) return make_storage_error(errc::corrupt, f.path() + ": short read");
  return data;
}

status write_file_atomic(file_system& fs, const std::string& path, std::span<const uint8_t> data) {
  std::string tmp = path + ".tmp";
  {
    auto f = fs.open(tmp, open_mode::create_truncate);
    if (!f) return f.err();
    if (auto s = (*f)->append(data); !s) return s;
    if (auto s = (*f)->sync(); !s) return s;
  }
  if (auto s = fs.rename(tmp, path); !s) return s;
  return fs.sync_dir(parent_dir(path));
}

}  // namespace samsa::storage
