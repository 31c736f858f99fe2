// Kafka's topic-name rules: 1-249 characters from [a-zA-Z0-9._-], not "." or
// "..", and names that differ only by '.' vs '_' collide (their metric names
// would be the same in Kafka, and clients rely on the same rule).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace samsa::broker {

constexpr size_t max_topic_name_length = 249;

// Returns why `name` is not a legal topic name, or nothing when it is.
std::optional<std::string> topic_name_problem(std::string_view name);

// Topics the broker itself owns (the groups' offsets; transactions' state):
// clients may read them but not delete them or write to them. Other names
// that start with "__" are ordinary user topics, as in Kafka.
bool is_internal_topic_name(std::string_view name);

// The internal topic `name` collides with ('.' and '_' alike) without being
// it, e.g. "__consumer.offsets"; nothing when there is none. Such names are
// refused even before the internal topic exists, or they would block it.
std::optional<std::string_view> colliding_internal_topic(std::string_view name);

// The form under which '.' and '_' collide: every '.' replaced by '_'.
std::string topic_collision_key(std::string_view name);

}  // namespace samsa::broker
