#include "registry/rest_client.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <optional>

#include "base/base64.h"


namespace samsa::registry {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;

namespace {
struct host_port {
  std::string host;
  uint16_t port = 0;
  std::string user_info;  // "user:password" from the URL, percent-decoded
};

}  // namespace

std::string basic_authorization(const std::string& user_info) { return "Basic " + base64::encode(user_info); }

std::string without_password(const std::string& url) {
  size_t at = url.rfind('@');
  size_t start = url.find("://");
  if (at == std::string::npos || start == std::string::npos || at < start) return url;
  size_t colon = url.find(':', start + 3);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon + 1) + "***" + url.substr(at);
}

namespace {

std::optional<std::string> percent_decoded(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size() || !std::isxdigit(static_cast<unsigned char>(text[i + 1])) ||
        !std::isxdigit(static_cast<unsigned char>(text[i + 2])))
      return std::nullopt;
    out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
    i += 2;
  }
  return out;
}

result<host_port> parse_base_url(const std::string& url) {
  auto refuse = [&] {
    return make_error(std::errc::invalid_argument,
                      "registry URL '" + without_password(url) + "' is not http://[USER:PASSWORD@]HOST:PORT");
  };
  constexpr std::string_view scheme = "http://";
  if (url.rfind(scheme, 0) != 0) return refuse();
  std::string rest = url.substr(scheme.size());
  while (!rest.empty() && rest.back() == '/') rest.pop_back();
  // Credentials in the URL (Confluent's basic.auth.credentials.source=URL).
  std::string user_info;
  if (size_t at = rest.rfind('@'); at != std::string::npos) {
    auto decoded = percent_decoded(std::string_view(rest).substr(0, at));
    if (!decoded || decoded->find(':') == std::string::npos) return refuse();
    user_info = std::move(*decoded);
    rest = rest.substr(at + 1);
  }
  size_t colon = rest.rfind(':');
  if (colon == std::string::npos || colon == 0 || rest.find('/') != std::string::npos) return refuse();
  int port = 0;
  for (char c : rest.substr(colon + 1)) {
    if (!std::isdigit(static_cast<unsigned char>(c)) || port > 65535) return refuse();
    port = port * 10 + (c - '0');
  }
  if (port < 1 || port > 65535) return refuse();
  std::string host = rest.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  return host_port{host, static_cast<uint16_t>(port), std::move(user_info)};
}
}  // namespace

std::string encode_path_segment(const std::string& text) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

result<rest_answer> rest_call(const std::string& base_url, const std::string& method, const std::string& target,
                              const std::string& body, std::chrono::milliseconds timeout,
                              const std::string& authorization) {
  auto address = parse_base_url(base_url);
  if (!address) return address.err();
  asio::io_context io(1);
  std::optional<result<rest_answer>> outcome;
  auto exchange = [&]() -> asio::awaitable<void> {
    try {
      asio::ip::tcp::resolver resolver(io);
      auto endpoints = co_await resolver.async_resolve(address->host, std::to_string(address->port), asio::use_awaitable);
      beast::tcp_stream stream(io);
      co_await stream.async_connect(endpoints, asio::use_awaitable);
      bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(method), target, 11};
      req.set(bhttp::field::host, address->host);
      req.set(bhttp::field::user_agent, "samsa");
      req.set(bhttp::field::accept, "application/vnd.schemaregistry.v1+json");
      if (!authorization.empty())
        req.set(bhttp::field::authorization, authorization);
      else if (!address->user_info.empty())
        req.set(bhttp::field::authorization, basic_authorization(address->user_info));
      if (!body.empty()) {
        req.set(bhttp::field::content_type, "application/vnd.schemaregistry.v1+json");
        req.body() = body;
      }
      req.prepare_payload();
      co_await bhttp::async_write(stream, req, asio::use_awaitable);
      beast::flat_buffer buffer;
      bhttp::response_parser<bhttp::string_body> parser;
      parser.body_limit(max_answer_bytes);
      co_await bhttp::async_read(stream, buffer, parser, asio::use_awaitable);
      outcome = rest_answer{static_cast<int>(parser.get().result_int()), parser.get().body()};
    } catch (const boost::system::system_error& e) {
      // An answer that is not HTTP (or too large) is the registry's fault, not the network's.
      bool malformed = e.code().category() == bhttp::make_error_code(bhttp::error::body_limit).category();
      std::string why = e.code() == bhttp::error::body_limit
                            ? "the answer is larger than " + std::to_string(max_answer_bytes >> 20) + " MiB"
                            : e.code().message();
      if (malformed) outcome = make_error(std::errc::bad_message, "schema registry at " + without_password(base_url) + ": " + why);
      else outcome = error(e.code(), "schema registry at " + without_password(base_url) + ": " + why);
    } catch (const std::exception& e) {  // e.g. an unknown method name: an error, not a crash
      outcome = make_error(std::errc::bad_message, "schema registry at " + without_password(base_url) + ": " + e.what());
    }
  };
  asio::co_spawn(io, exchange(), asio::detached);
  io.run_for(timeout);
  if (!outcome) return make_error(std::errc::timed_out, "schema registry at " + without_password(base_url) + " did not answer in time");
  return std::move(*outcome);
}

}  // namespace samsa::registry
