#include "security/sasl/jaas.h"

namespace samsa::sasl {
namespace {

error bad_jaas(std::string what) { return make_error(std::errc::invalid_argument, "JAAS config: " + std::move(what)); }

bool word_char(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '$' ||
         c == '-' || c == '.' || c >= 0x80;
}

struct token {
  enum class kind { word, quoted, symbol, end } what;
  std::string text;
  size_t at;
};

class tokenizer {
 public:
  explicit tokenizer(std::string_view s) : s_(s) {}

  result<token> next() {
    if (auto s = skip_space_and_comments(); !s) return s.err();
    if (pos_ >= s_.size()) return token{token::kind::end, {}, pos_};
    size_t at = pos_;
    char c = s_[pos_];
    if (c == '"' || c == '\'') return quoted(c);
    if (word_char(static_cast<unsigned char>(c))) {
      while (pos_ < s_.size() && word_char(static_cast<unsigned char>(s_[pos_]))) ++pos_;
      return token{token::kind::word, std::string(s_.substr(at, pos_ - at)), at};
    }
    ++pos_;
    return token{token::kind::symbol, std::string(1, c), at};
  }

 private:
  status skip_space_and_comments() {
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
        ++pos_;
      } else if (s_.substr(pos_, 2) == "//") {
        while (pos_ < s_.size() && s_[pos_] != '\n' && s_[pos_] != '\r') ++pos_;
      } else if (s_.substr(pos_, 2) == "/*") {
        size_t end = s_.find("*/", pos_ + 2);
        if (end == std::string_view::npos) return bad_jaas("unterminated comment at offset " + std::to_string(pos_));
        pos_ = end + 2;
      } else {
        break;
      }
    }
    return {};
  }

  result<token> quoted(char quote) {
    size_t at = pos_++;
    std::string out;
    while (pos_ < s_.size()) {
      char c = s_[pos_++];
      if (c == quote) return token{token::kind::quoted, std::move(out), at};
      if (c == '\n' || c == '\r') break;  // Java's tokenizer ends a quoted string at a line end
      if (c != '\\') {
        out.push_back(c);
        continue;
      }
      if (pos_ >= s_.size()) break;
      char e = s_[pos_++];
      switch (e) {
        case 'n': out.push_back('\n'); break;
        case 't': out.push_back('\t'); break;
        case 'r': out.push_back('\r'); break;
        case 'b': out.push_back('\b'); break;
        case 'f': out.push_back('\f'); break;
        case 'a': out.push_back('\a'); break;
        case 'v': out.push_back('\v'); break;
        default:
          if (e >= '0' && e <= '7') {
            // Up to three octal digits, at most \377.
            int v = e - '0';
            int max_digits = e <= '3' ? 3 : 2;
            for (int d = 1; d < max_digits && pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '7'; ++d)
              v = v * 8 + (s_[pos_++] - '0');
            out.push_back(static_cast<char>(v));
          } else {
            out.push_back(e);  // \" \' \\ and any other character stand for themselves
          }
      }
    }
    return bad_jaas("unterminated quoted string starting at offset " + std::to_string(at));
  }

  std::string_view s_;
  size_t pos_ = 0;
};

bool known_flag(const std::string& f) {
  return f == "required" || f == "requisite" || f == "sufficient" || f == "optional";
}

}  // namespace

result<std::vector<jaas_login_module>> parse_jaas_config(std::string_view text) {
  tokenizer t(text);
  std::vector<jaas_login_module> out;
  while (true) {
    auto tok = t.next();
    if (!tok) return tok.err();
    if (tok->what == token::kind::end) break;
    if (tok->what != token::kind::word)
      return bad_jaas("expected a login module class name at offset " + std::to_string(tok->at));
    jaas_login_module m;
    m.class_name = tok->text;
    auto flag = t.next();
    if (!flag) return flag.err();
    if (flag->what != token::kind::word || !known_flag(flag->text))
      return bad_jaas("login module " + m.class_name + ": expected control flag required, requisite, sufficient or optional");
    m.flag = flag->text;
    while (true) {
      auto name = t.next();
      if (!name) return name.err();
      if (name->what == token::kind::symbol && name->text == ";") break;
      if (name->what != token::kind::word)
        return bad_jaas("login module " + m.class_name + ": expected an option name or ';' at offset " +
                   std::to_string(name->at));
      auto eq = t.next();
      if (!eq) return eq.err();
      if (eq->what != token::kind::symbol || eq->text != "=")
        return bad_jaas("option " + name->text + ": expected '=' at offset " + std::to_string(eq->at));
      auto value = t.next();
      if (!value) return value.err();
      if (value->what != token::kind::word && value->what != token::kind::quoted)
        return bad_jaas("option " + name->text + ": expected a value at offset " + std::to_string(value->at));
      m.options[name->text] = value->text;
    }
    out.push_back(std::move(m));
  }
  return out;
}

result<jaas_login_module> parse_jaas_property(std::string_view text) {
  auto modules = parse_jaas_config(text);
  if (!modules) return modules.err();
  if (modules->size() != 1)
    return bad_jaas("the property holds " + std::to_string(modules->size()) + " login modules, it must hold exactly 1");
  return std::move(modules->front());
}

}  // namespace samsa::sasl
