#include "storage/checkpoint.h"

#include <charconv>
#include <cstdio>
#include <sstream>

#include "storage/batch_ops.h"
#include "storage/errc.h"

namespace samsa::storage {
namespace {

uint32_t text_crc(const std::string& s) {
  return crc32c(std::span(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
}

}  // namespace

status write_checkpoint(file_system& fs, const std::string& path, const checkpoint_entries& entries) {
  std::string body = "0\n" + std::to_string(entries.size()) + "\n";
  for (auto& [k, v] : entries) body += (k.empty() ? std::string("-") : k) + " " + std::to_string(v) + "\n";
  char crc[32];
  std::snprintf(crc, sizeof crc, "crc %08x\n", text_crc(body));
  body += crc;
  return write_file_atomic(fs, path, std::span(reinterpret_cast<const uint8_t*>(body.data()), body.size()));
}

result<checkpoint_entries> read_checkpoint(file_system& fs, const std::string& path) {
  if (!fs.exists(path)) return checkpoint_entries{};
  auto data = read_whole_file(fs, path);
  if (!data) return data.err();
  std::string text(data->begin(), data->end());
  auto bad = [&](const std::string& why) { return make_storage_error(errc::corrupt, path + ": " + why); };
  auto crc_at = text.rfind("crc ");
  if (crc_at == std::string::npos) return bad("no crc line");
  std::string body = text.substr(0, crc_at);
  unsigned stored = 0;
  if (std::sscanf(text.c_str() + crc_at, "crc %8x", &stored) != 1 || stored != text_crc(body))
    return bad("crc mismatch");
  std::istringstream in(body);
  int version = -1;
  size_t count = 0;
  if (!(in >> version >> count) || version != 0) return bad("bad header");
  checkpoint_entries out;
  for (size_t i = 0; i < count; ++i) {
    std::string key;
    long long v = 0;
    // Keys may contain spaces ("topic 3"): the offset is the last field of the line.
    std::string line;
    if (i == 0) std::getline(in, line);
    if (!std::getline(in, line)) return bad("short file");
    auto sp = line.rfind(' ');
    if (sp == std::string::npos) return bad("bad line");
    key = line.substr(0, sp);
    auto [p, ec] = std::from_chars(line.data() + sp + 1, line.data() + line.size(), v);
    if (ec != std::errc()) return bad("bad offset");
    out.emplace_back(key == "-" ? std::string() : key, static_cast<int64_t>(v));
  }
  return out;
}

}  // namespace samsa::storage
