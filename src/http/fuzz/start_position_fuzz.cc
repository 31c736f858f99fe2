// A search's or a tail's start comes from a URL's query: any bytes, split at
// NUL into name/value pairs, must parse or be refused, never crash.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "http/start_position.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::map<std::string, std::string> query;
  std::string name;
  bool have_name = false;
  size_t start = 0;
  while (start <= in.size()) {
    size_t nul = in.find('\0', start);
    std::string_view part = in.substr(start, nul == std::string_view::npos ? std::string_view::npos : nul - start);
    if (!have_name) {
      name = std::string(part);
      have_name = true;
    } else {
      query[name] = std::string(part);
      have_name = false;
    }
    if (nul == std::string_view::npos) break;
    start = nul + 1;
  }
  samsa::http::start_position fallback{samsa::http::start_position::kind::latest, 0};
  auto p = samsa::http::parse_start_position(query, fallback);
  if (p && p->what != samsa::http::start_position::kind::latest && p->what != samsa::http::start_position::kind::earliest &&
      p->value < 0)
    __builtin_trap();  // offsets and timestamps are never negative
  return 0;
}
