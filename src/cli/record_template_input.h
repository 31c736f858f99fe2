// Reads records for `samsa produce --format TEMPLATE` (rpk's produce -f): the
// same template language `consume --format` writes, read the other way, so
// what one command prints the other can send back.
//   placeholders: key value headers partition timestamp key_length value_length
//   modifiers:    {key:base64} {value:hex} {headers:base64}; {value:json} (and
//                 {key:json}) read one whole JSON value, braces and all;
//                 {timestamp:unix} (s, default ms)
//   escapes:      \n \t \\ and {{ }} for literal braces
// A field ends where the literal text after it begins; {key_length} before
// {key} (or {value_length} before {value}) reads exactly that many bytes
// (their base64 or hex text with those modifiers), so keys and values may hold
// any byte. Two fields with nothing between them are
// refused unless the first one's end is known (a length or :json).
// An empty key is a null key; {headers} is "name=value,name=value" (names may
// repeat), as consume prints it.
#pragma once

#include <cstdint>
#include <istream>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "client/producer.h"

namespace samsa::cli {

class record_template_reader {
 public:
  // Checks the template; usage errors name the placeholder at fault.
  static result<record_template_reader> parse(const std::string& format);

  // The next record from `in`, or nothing at the end of the input. A record
  // cut short or not matching the template is an error naming the record
  // number and what was expected. Fills key, value, headers, partition and
  // timestamp of `out` where the template has them.
  result<bool> next(std::istream& in, client::outgoing_message& out);

  bool has_field(const std::string& name) const;

 private:
  struct token {
    bool literal = false;
    std::string text;      // literal text, or the placeholder's name
    std::string modifier;  // for placeholders
  };
  std::vector<token> tokens_;
  uint64_t records_ = 0;
};

}  // namespace samsa::cli
