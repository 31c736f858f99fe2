#include "base/json_depth.h"
#include "connect/webhook_records.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>
#include <nlohmann/json.hpp>


namespace samsa::connect {
namespace {

error bad_body(std::string message) { return make_error(std::errc::invalid_argument, std::move(message)); }

result<webhook_record> one_record(const nlohmann::json& item, size_t index, bool in_array,
                                  const std::optional<std::string>& key_field) {
  std::string where = in_array ? fmt::format("record {}", index) : std::string("the body");
  if (!item.is_object()) return bad_body(fmt::format("{} is JSON {}, not an object", where, item.type_name()));
  webhook_record out;
  out.value = item.dump();
  if (!key_field) return out;
  auto it = item.find(*key_field);
  if (it == item.end()) return bad_body(fmt::format("{} has no key field \"{}\"", where, *key_field));
  if (it->is_string()) out.key = it->get<std::string>();
  else if (it->is_number() || it->is_boolean()) out.key = it->dump();
  else return bad_body(fmt::format("{}'s key field \"{}\" is {}, not a string or number", where, *key_field, it->type_name()));
  return out;
}

}  // namespace

result<std::vector<webhook_record>> records_from_body(std::string_view body,
                                                      const std::optional<std::string>& key_field,
                                                      const webhook_limits& limits) {
  if (json_nests_deeper_than(body, limits.max_depth))
    return bad_body(fmt::format("the body nests JSON deeper than {} levels", limits.max_depth));
  nlohmann::json doc = nlohmann::json::parse(body, nullptr, false);
  if (doc.is_discarded()) return bad_body("the body is not JSON");
  std::vector<webhook_record> out;
  if (doc.is_array()) {
    if (doc.empty()) return bad_body("the body is an empty array: nothing to produce");
    if (doc.size() > limits.max_records)
      return bad_body(fmt::format("the body holds {} records; at most {} per request", doc.size(), limits.max_records));
    out.reserve(doc.size());
    for (size_t i = 0; i < doc.size(); ++i) {
      auto r = one_record(doc[i], i, true, key_field);
      if (!r) return r.err();
      out.push_back(std::move(*r));
    }
    return out;
  }
  auto r = one_record(doc, 0, false, key_field);
  if (!r) return r.err();
  out.push_back(std::move(*r));
  return out;
}

bool is_json_content_type(std::string_view content_type) {
  std::string media(content_type.substr(0, content_type.find(';')));
  while (!media.empty() && std::isspace(static_cast<unsigned char>(media.back()))) media.pop_back();
  while (!media.empty() && std::isspace(static_cast<unsigned char>(media.front()))) media.erase(media.begin());
  std::transform(media.begin(), media.end(), media.begin(), [](unsigned char c) { return std::tolower(c); });
  if (media == "application/json") return true;
  return media.rfind("application/", 0) == 0 && media.size() > 17 && media.ends_with("+json");
}

}  // namespace samsa::connect
