// The console page's files, compiled into the binary at build time
// (embed_assets.py turns src/http/web/* into a generated .cc), so the broker
// stays one file and the page needs no network.
#pragma once

#include <span>
#include <string_view>

namespace samsa::http {

struct asset {
  std::string_view name;          // "index.html"
  std::string_view content_type;  // "text/html; charset=utf-8"
  std::string_view body;
};

std::span<const asset> embedded_assets();

}  // namespace samsa::http
