// The JAAS configuration text Kafka takes in sasl.jaas.config properties:
//   org.apache.kafka.common.security.plain.PlainLoginModule required
//     user_alice="alice-secret" user_bob="bob \"secret\"";
// A login module class, a control flag, options as name=value (value a bare
// word or a quoted string with backslash escapes), then ';'. Comments in
// // and /* */ form are skipped, as Java's tokenizer does.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace samsa::sasl {

struct jaas_login_module {
  std::string class_name;
  std::string flag;  // required, requisite, sufficient, optional
  std::map<std::string, std::string> options;
};

result<std::vector<jaas_login_module>> parse_jaas_config(std::string_view text);
// A sasl.jaas.config property holds exactly one module (as in Kafka).
result<jaas_login_module> parse_jaas_property(std::string_view text);

}  // namespace samsa::sasl
