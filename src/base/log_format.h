// The one log line format of the broker and the CLI's servers. Log lines
// quote what clients send (group, member, client and transactional ids,
// topic names), and Kafka's strings may hold any character: a newline in a
// client id would otherwise start a line of the client's making in the log,
// and an escape sequence would reach the operator's terminal. So every
// control character of a message is written as an escape instead.
#pragma once

#include <string>
#include <string_view>

namespace samsa::logging {

// `text` with each control character (U+0000-U+001F and U+007F) written as
// \n, \r, \t or \xNN; everything else, UTF-8 included, as it is.
std::string escape_control(std::string_view text);

// Makes spdlog's default logger write "time level message", the message
// through escape_control.
void use_line_format();

}  // namespace samsa::logging
