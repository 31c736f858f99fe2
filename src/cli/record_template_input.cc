#include "cli/record_template_input.h"

#include <charconv>
#include <map>

#include <fmt/format.h>

#include "cli/record_format.h"
#include "client/kafka_error.h"

namespace samsa::cli {
namespace {

bool is_bytes_field(const std::string& name) { return name == "key" || name == "value" || name == "headers"; }
bool is_number_field(const std::string& name) {
  return name == "partition" || name == "timestamp" || name == "key_length" || name == "value_length";
}

samsa::error usage(const std::string& what, const std::string& hint = "") {
  return client::make_usage_error("--format", what, hint);
}

// Shows a literal the way it is written in a template.
std::string shown(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\n') out += "\\n";
    else if (c == '\t') out += "\\t";
    else if (c == '\r') out += "\\r";
    else out += c;
  }
  return out;
}

std::optional<std::string> from_hex(const std::string& text) {
  if (text.size() % 2) return std::nullopt;
  std::string out;
  for (size_t i = 0; i < text.size(); i += 2) {
    unsigned byte = 0;
    auto [p, ec] = std::from_chars(text.data() + i, text.data() + i + 2, byte, 16);
    if (ec != std::errc() || p != text.data() + i + 2) return std::nullopt;
    out += static_cast<char>(byte);
  }
  return out;
}

std::optional<std::string> decode(const std::string& text, const std::string& modifier) {
  if (modifier == "base64") return from_base64(text);
  if (modifier == "hex") return from_hex(text);
  return text;
}

// Reads one JSON value whose end shows in its own text: an object or array
// (balanced, strings skipped), a string, or a bare scalar.
bool read_json_value(std::istream& in, std::string& out) {
  int c = in.peek();
  if (c == EOF) return false;
  if (c != '{' && c != '[' && c != '"') {
    while ((c = in.peek()) != EOF && (std::isalnum(c) || c == '-' || c == '+' || c == '.')) out += static_cast<char>(in.get());
    return !out.empty();
  }
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  while ((c = in.get()) != EOF) {
    out += static_cast<char>(c);
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
      if (!in_string && depth == 0) return true;  // a bare string ended
      continue;
    }
    if (c == '"') in_string = true;
    else if (c == '{' || c == '[') ++depth;
    else if (c == '}' || c == ']') {
      if (--depth == 0) return true;
    }
  }
  return false;
}

// Reads up to (and consuming) `until`; false when the input ends first
// (`out` then holds the rest).
bool read_until(std::istream& in, const std::string& until, std::string& out) {
  char c;
  while (in.get(c)) {
    out += c;
    if (out.size() >= until.size() && out.compare(out.size() - until.size(), until.size(), until) == 0) {
      out.resize(out.size() - until.size());
      return true;
    }
  }
  return false;
}

}  // namespace

result<record_template_reader> record_template_reader::parse(const std::string& format) {
  record_template_reader reader;
  auto& tokens = reader.tokens_;
  for (size_t i = 0; i < format.size(); ++i) {
    char c = format[i];
    auto add_text = [&](char ch) {
      if (tokens.empty() || !tokens.back().literal) tokens.push_back({true, "", ""});
      tokens.back().text += ch;
    };
    if (c == '\\' && i + 1 < format.size()) {
      char n = format[++i];
      add_text(n == 'n' ? '\n' : n == 't' ? '\t' : n == 'r' ? '\r' : n);
    } else if ((c == '{' || c == '}') && i + 1 < format.size() && format[i + 1] == c) {
      add_text(c);
      ++i;
    } else if (c == '{') {
      auto close = format.find('}', i);
      if (close == std::string::npos)
        return usage("unclosed '{' in \"" + format + "\"", "write e.g. {key}\\t{value}\\n, or {{ for a literal brace");
      std::string inside = format.substr(i + 1, close - i - 1);
      auto colon = inside.find(':');
      token t{false, inside.substr(0, colon), colon == std::string::npos ? "" : inside.substr(colon + 1)};
      if (!is_bytes_field(t.text) && !is_number_field(t.text))
        return usage("{" + t.text + "} cannot be read from input",
                     "produce reads {key} {value} {headers} {partition} {timestamp} {key_length} {value_length}");
      bool modifier_ok = t.modifier.empty() ||
                         (is_bytes_field(t.text) && (t.modifier == "text" || t.modifier == "base64" || t.modifier == "hex")) ||
                         ((t.text == "key" || t.text == "value") && t.modifier == "json") ||
                         (t.text == "timestamp" && (t.modifier == "ms" || t.modifier == "unix"));
      if (!modifier_ok)
        return usage("unknown modifier {" + inside + "}",
                     "key/value/headers take :text :base64 :hex, key/value also :json; timestamp takes :ms :unix");
      tokens.push_back(t);
      i = close;
    } else {
      add_text(c);
    }
  }
  if (tokens.empty()) return usage("the template is empty", "write e.g. {key}\\t{value}\\n");

  // Where a field ends must be decidable from the input alone.
  std::map<std::string, int> seen;
  for (size_t i = 0; i < tokens.size(); ++i) {
    const token& t = tokens[i];
    if (t.literal) continue;
    if (++seen[t.text] > 1) return usage("{" + t.text + "} appears twice in the template");
    if ((t.text == "key_length" && seen.count("key")) || (t.text == "value_length" && seen.count("value")))
      return usage("{" + t.text + "} must come before the field it measures");
    bool next_is_field = i + 1 < tokens.size() && !tokens[i + 1].literal;
    if (!next_is_field) continue;
    bool end_known = t.modifier == "json" || (t.text == "key" && seen.count("key_length")) ||
                     (t.text == "value" && seen.count("value_length"));
    if (is_number_field(t.text) || !end_known)
      return usage("{" + t.text + "} is followed directly by {" + tokens[i + 1].text + "}: where one ends is unknown",
                   "put a separator between them, e.g. {key}\\t{value}");
  }
  return reader;
}

bool record_template_reader::has_field(const std::string& name) const {
  for (const auto& t : tokens_)
    if (!t.literal && t.text == name) return true;
  return false;
}

result<bool> record_template_reader::next(std::istream& in, client::outgoing_message& out) {
  if (in.peek() == EOF) return false;
  uint64_t record = ++records_;
  auto bad = [&](const std::string& what) -> samsa::error {
    return usage(fmt::format("record {}: {}", record, what), "the input must follow the --format template");
  };
  std::map<std::string, int64_t> lengths;
  bool literal_consumed = false;  // a field read up to the literal after it
  for (size_t i = 0; i < tokens_.size(); ++i) {
    const token& t = tokens_[i];
    bool last = i + 1 == tokens_.size();
    if (t.literal) {
      if (literal_consumed) {
        literal_consumed = false;
        continue;
      }
      if (last && in.peek() == EOF) break;  // the final separator may be missing at the very end
      std::string got(t.text.size(), '\0');
      in.read(got.data(), static_cast<std::streamsize>(got.size()));
      got.resize(static_cast<size_t>(in.gcount()));
      if (got != t.text) return bad(fmt::format("expected \"{}\", found \"{}\"", shown(t.text), shown(got)));
      continue;
    }
    std::string text;
    bool null_field = false;
    auto length = lengths.find(t.text + "_length");
    if (length != lengths.end()) {
      if (length->second < 0) {
        null_field = true;
      } else {
        // The length counts the record's bytes, as consume prints it; encoded
        // text is longer.
        int64_t n = length->second;
        int64_t chars = t.modifier == "base64" ? (n + 2) / 3 * 4 : t.modifier == "hex" ? 2 * n : n;
        text.resize(static_cast<size_t>(chars));
        in.read(text.data(), chars);
        if (in.gcount() != chars)
          return bad(fmt::format("{{{}}} should have {} characters, the input ended after {}", t.text, chars,
                                 in.gcount()));
      }
    } else if (t.modifier == "json") {
      if (!read_json_value(in, text)) return bad(fmt::format("{{{}:json}} is not a complete JSON value", t.text));
    } else if (is_number_field(t.text)) {
      int c;
      while ((c = in.peek()) != EOF && (std::isdigit(c) || (text.empty() && c == '-'))) text += static_cast<char>(in.get());
    } else if (!last) {
      const token& after = tokens_[i + 1];
      bool found = read_until(in, after.text, text);
      if (!found && i + 2 < tokens_.size())
        return bad(fmt::format("the input ended before \"{}\" after {{{}}}", shown(after.text), t.text));
      literal_consumed = true;
      if (!found) {
        // The final separator is missing at the end of the input: the record ends here.
        literal_consumed = false;
        ++i;
      }
    } else {
      text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }

    if (is_number_field(t.text)) {
      int64_t n = 0;
      auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
      if (text.empty() || ec != std::errc() || p != text.data() + text.size())
        return bad(fmt::format("{{{}}} is \"{}\", not a number", t.text, shown(text)));
      if (t.text == "partition") {
        if (n < 0 || n > INT32_MAX) return bad(fmt::format("partition {} is out of range", n));
        out.partition = static_cast<int32_t>(n);
      } else if (t.text == "timestamp") {
        out.timestamp_ms = t.modifier == "unix" ? n * 1000 : n;
      } else {
        lengths[t.text] = n;
      }
      continue;
    }
    if (t.text == "headers") {
      size_t start = 0;
      while (start < text.size()) {
        size_t comma = text.find(',', start);
        std::string pair = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        start = comma == std::string::npos ? text.size() : comma + 1;
        auto eq = pair.find('=');
        if (eq == std::string::npos || eq == 0)
          return bad(fmt::format("header \"{}\" is not name=value", shown(pair)));
        auto value = decode(pair.substr(eq + 1), t.modifier);
        if (!value) return bad(fmt::format("header {} is not {}", pair.substr(0, eq), t.modifier));
        out.headers.push_back({pair.substr(0, eq), *value});
      }
      continue;
    }
    std::optional<std::string> bytes;
    if (!null_field) {
      bytes = decode(text, t.modifier);
      if (!bytes) return bad(fmt::format("{{{}}} is not {}", t.text, t.modifier));
    }
    if (t.text == "key") out.key = bytes && !bytes->empty() ? bytes : std::nullopt;
    else out.value = bytes;
  }
  return true;
}

}  // namespace samsa::cli
