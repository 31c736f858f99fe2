#include "broker/topic_names.h"

namespace samsa::broker {

std::optional<std::string> topic_name_problem(std::string_view name) {
  if (name.empty()) return "topic name is empty";
  if (name == "." || name == "..") return "topic name cannot be '.' or '..'";
  if (name.size() > max_topic_name_length) {
    return "topic name is " + std::to_string(name.size()) + " characters long; the limit is " +
           std::to_string(max_topic_name_length);
  }
  for (char c : name) {
    bool legal = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                 c == '_' || c == '-';
    if (!legal) {
      return "topic name '" + std::string(name) +
             "' contains a character other than ASCII letters, digits, '.', '_' and '-'";
    }
  }
  return std::nullopt;
}

std::string topic_collision_key(std::string_view name) {
  std::string key(name);
  for (char& c : key) {
    if (c == '.') c = '_';
  }
  return key;
}

namespace {
constexpr std::string_view internal_topics[] = {"__consumer_offsets", "__transaction_state"};
}  // namespace

bool is_internal_topic_name(std::string_view name) {
  for (std::string_view internal : internal_topics) {
    if (name == internal) return true;
  }
  return false;
}

std::optional<std::string_view> colliding_internal_topic(std::string_view name) {
  std::string key = topic_collision_key(name);
  for (std::string_view internal : internal_topics) {
    if (name != internal && key == topic_collision_key(internal)) return internal;
  }
  return std::nullopt;
}

}  // namespace samsa::broker
