// Bounds on the ids a client hands the coordinators, so that one client
// cannot make every group or member it creates cost tens of kilobytes.
#pragma once

#include <cstddef>
#include <string>

namespace samsa::group {

// The longest group id a request may create a group under (Samsa's own
// bound; Kafka has none, and an ACL names a group in at most 1 KiB too).
// Creating a longer one is INVALID_GROUP_ID; groups already in the log stay
// reachable whatever their id.
inline constexpr size_t max_new_group_id_bytes = 1024;
// A generated member id keeps at most this much of the client id (Kafka
// keeps all of it, up to 32 KiB, in every member and pending member).
inline constexpr size_t max_member_id_client_bytes = 255;
// The longest member or instance id a consumer-protocol member may choose
// (KIP-848 members name themselves; real ones use a 22-character UUID).
inline constexpr size_t max_member_id_bytes = 1024;
// Ids quoted in a log line are cut to this much.
inline constexpr size_t max_logged_id_bytes = 128;

// At most `max` bytes of `s`, cut before a UTF-8 continuation byte so the
// result stays valid text for the clients that decode it.
inline std::string utf8_prefix(const std::string& s, size_t max) {
  if (s.size() <= max) return s;
  size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return s.substr(0, n);
}

}  // namespace samsa::group
