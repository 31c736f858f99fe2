// The streamed v3 record splitter over any bytes cut at any places: the
// first byte picks the piece size, the rest is the body. It may not crash
// or loop, hold more than its record limit, or frame a record that does not
// start with '{' and end with its matching '}' (or disagree with itself when
// the same bytes come in one piece).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "proxy/record_splitter.h"

namespace {
std::vector<std::string> split(std::string_view body, size_t step, bool& ok) {
  samsa::proxy::record_splitter s(256, 16);
  std::vector<std::string> out;
  ok = true;
  for (size_t i = 0; i < body.size() && ok; i += step) {
    ok = s.feed(body.substr(i, step), [&out](std::string_view r) {
      if (r.size() < 2 || r.front() != '{' || r.back() != '}' || r.size() > 256) std::abort();
      out.emplace_back(r);
    });
    if (s.held_bytes() > 256) std::abort();
  }
  if (ok) ok = s.finish();
  return out;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t step = 1 + data[0] % 37;
  std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  bool ok_pieces = false;
  bool ok_whole = false;
  auto pieces = split(body, step, ok_pieces);
  auto whole = split(body, body.size() + 1, ok_whole);
  if (pieces != whole || ok_pieces != ok_whole) std::abort();
  for (const auto& r : pieces) (void)samsa::proxy::parse_v3_record(r);
  return 0;
}
