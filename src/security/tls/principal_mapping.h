// ssl.principal.mapping.rules: turns a client certificate's subject (RFC 2253
// form, "CN=alice,OU=eng,O=Acme") into the principal's name, with Kafka's
// rule syntax so a Kafka server.properties means the same here:
//   DEFAULT                         the subject unchanged
//   RULE:<pattern>/<replacement>/   the first rule whose pattern matches the
//   RULE:<pattern>/<replacement>/L  whole subject rewrites it ($1.. groups),
//   RULE:<pattern>/<replacement>/U  then L/U lower- or upper-cases the result
// Rules are separated by commas or newlines; a comma inside a pattern belongs
// to the pattern ('/' and '\' are escaped with '\'). No rule matching is an
// error: the connection is refused, as in Kafka.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace re2 {
class RE2;
}

namespace samsa::security::tls {

class principal_mapper {
 public:
  static result<principal_mapper> parse(std::string_view rules);

  principal_mapper(principal_mapper&&) noexcept;
  principal_mapper& operator=(principal_mapper&&) noexcept;
  ~principal_mapper();

  // The principal name for `subject`, or an error naming the subject when no rule applies.
  result<std::string> map(std::string_view subject) const;
  size_t rule_count() const { return rules_.size(); }

 private:
  struct rule {
    bool is_default = false;
    std::shared_ptr<re2::RE2> pattern;
    std::string rewrite;  // RE2 rewrite syntax (\1), converted from Java's ($1)
    char case_fold = 0;   // 'L', 'U' or 0
  };
  principal_mapper() = default;
  std::vector<rule> rules_;
};

}  // namespace samsa::security::tls
