// Who a connection speaks for. Kafka names principals "Type:name"; Samsa
// uses type "User" for every mechanism (TLS subject, SASL user, token
// subject), as Kafka's default principal builder does, so ACLs written for
// Kafka ("User:alice") mean the same thing here.
#pragma once

#include <string>
#include <tuple>

namespace samsa::security {

struct principal {
  std::string type = "User";
  std::string name = "ANONYMOUS";

  static principal anonymous() { return {}; }
  static principal user(std::string name) { return {"User", std::move(name)}; }

  bool is_anonymous() const { return type == "User" && name == "ANONYMOUS"; }
  std::string to_string() const { return type + ":" + name; }

  friend bool operator==(const principal& a, const principal& b) {
    return std::tie(a.type, a.name) == std::tie(b.type, b.name);
  }
};

}  // namespace samsa::security
