#include "http/cross_origin.h"

#include <cctype>

namespace samsa::http {
namespace {

bool same_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

// "<scheme>://<host>" for either scheme a browser could have loaded a page
// of this listener over. A browser writes both the Origin and the Host
// header without the scheme's default port, so the two compare as text.
bool names_this_host(std::string_view origin, std::string_view host) {
  for (std::string_view scheme : {std::string_view("http://"), std::string_view("https://")}) {
    if (origin.size() == scheme.size() + host.size() && same_ignoring_case(origin.substr(0, scheme.size()), scheme) &&
        same_ignoring_case(origin.substr(scheme.size()), host))
      return true;
  }
  return false;
}

}  // namespace

bool from_other_origin(const request_provenance& r) {
  if (r.method == "OPTIONS") return false;
  if ((r.method == "GET" || r.method == "HEAD") && same_ignoring_case(r.sec_fetch_mode, "navigate")) return false;
  if (!r.origin.empty()) return r.host.empty() || !names_this_host(r.origin, r.host);
  return same_ignoring_case(r.sec_fetch_site, "cross-site") || same_ignoring_case(r.sec_fetch_site, "same-site");
}

}  // namespace samsa::http
