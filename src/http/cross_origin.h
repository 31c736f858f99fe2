// Whether a browser sent a request on behalf of a page of another origin.
//
// The HTTP listeners (console, Schema Registry, REST proxy, webhook source)
// never grant CORS, so no other site can read their answers; but a browser
// still sends a page's "simple" requests to another origin without asking
// first: a POST with no Content-Type or a form's type (text/plain,
// urlencoded, multipart), or a GET from an <img> or a no-cors fetch. The
// page never sees the answer, yet the write (a registered schema, a REST
// proxy consumer, an offset commit) happens. Browsers name the page's origin
// in an Origin header on every such POST, and in Sec-Fetch-Site on every
// request since 2020-2023, so the server refuses what carries another
// origin's name. Clients that are not browsers send neither header and are
// not affected; a user following a link to the console (a navigation) is not
// either.
#pragma once

#include <string_view>

namespace samsa::http {

// The request headers that tell where a browser request comes from, as sent
// (empty when absent).
struct request_provenance {
  std::string_view method;          // "POST"
  std::string_view host;            // Host: "127.0.0.1:8081"
  std::string_view origin;          // Origin: "http://127.0.0.1:8080", or "null"
  std::string_view sec_fetch_site;  // "same-origin", "same-site", "cross-site" or "none"
  std::string_view sec_fetch_mode;  // "navigate", "cors", "no-cors", ...
};

// True when the request came from a page of another origin than the one it
// is addressed to, unless it is a preflight (OPTIONS, answered without CORS
// headers, which the browser takes as a refusal) or a GET/HEAD navigation.
// Another origin: an Origin header that is neither "http://<host>" nor
// "https://<host>" (compared without regard to case; "null", a sandboxed or
// file page's origin, is always another), or, with no Origin, a
// Sec-Fetch-Site of "cross-site" or "same-site" (a page on another port of
// the same host is another origin).
bool from_other_origin(const request_provenance& r);

}  // namespace samsa::http
