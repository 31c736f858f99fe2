#include "base/log_format.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/spdlog.h>

#include <memory>

namespace samsa::logging {
namespace {

template <typename Out>
void escape_into(std::string_view text, Out&& put) {
  static constexpr char hex[] = "0123456789abcdef";
  size_t plain = 0;  // start of the run of characters copied as they are
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != 0x7f) continue;
    put(text.substr(plain, i - plain));
    switch (c) {
      case '\n': put("\\n"); break;
      case '\r': put("\\r"); break;
      case '\t': put("\\t"); break;
      default: {
        const char escaped[4] = {'\\', 'x', hex[c >> 4], hex[c & 0xf]};
        put(std::string_view(escaped, 4));
      }
    }
    plain = i + 1;
  }
  put(text.substr(plain));
}

// The %v of the pattern, escaped: spdlog hands the message as it was formatted.
class escaped_message final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    escape_into(std::string_view(msg.payload.data(), msg.payload.size()),
                [&](std::string_view part) { dest.append(part.data(), part.data() + part.size()); });
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<escaped_message>(); }
};

}  // namespace

std::string escape_control(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  escape_into(text, [&](std::string_view part) { out.append(part); });
  return out;
}

void use_line_format() {
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  formatter->add_flag<escaped_message>('V').set_pattern("%Y-%m-%d %H:%M:%S.%e %^%l%$ %V");
  spdlog::set_formatter(std::move(formatter));
}

}  // namespace samsa::logging
