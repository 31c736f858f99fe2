// What a consumer group's subscriptions add up to, kept as members change, so
// that a heartbeat can tell whether any subscription moved without walking
// every member (a walk per heartbeat made steady heartbeats cost O(members),
// and a group's heartbeats O(members^2) per interval).
#pragma once

#include <cstddef>
#include <cstdint>

namespace samsa::group {

// The sum of the members' subscription hashes (wrapping), and counts. Equal
// tallies mean, up to a 64-bit hash collision, the same subscriptions.
struct subscription_tally {
  uint64_t sum = 0;
  size_t members = 0;
  size_t regex_members = 0;
  bool operator==(const subscription_tally&) const = default;
};

// One member's part of its group's tally, taken back when the member goes.
// As with the memory charge beside it, a copy adds nothing until it is set
// and a move takes the part along.
class subscription_share {
 public:
  subscription_share() = default;
  ~subscription_share() { set(nullptr, 0, false); }
  subscription_share(const subscription_share&) {}
  subscription_share& operator=(const subscription_share&) { return *this; }
  subscription_share(subscription_share&& other) noexcept
      : tally_(other.tally_), hash_(other.hash_), regex_(other.regex_) {
    other.tally_ = nullptr;
  }
  subscription_share& operator=(subscription_share&& other) noexcept {
    if (this != &other) {
      set(nullptr, 0, false);
      tally_ = other.tally_;
      hash_ = other.hash_;
      regex_ = other.regex_;
      other.tally_ = nullptr;
    }
    return *this;
  }

  void set(subscription_tally* tally, uint64_t hash, bool regex) {
    if (tally_ != nullptr) {
      tally_->sum -= hash_;
      --tally_->members;
      if (regex_) --tally_->regex_members;
    }
    tally_ = tally;
    hash_ = hash;
    regex_ = regex;
    if (tally_ != nullptr) {
      tally_->sum += hash_;
      ++tally_->members;
      if (regex_) ++tally_->regex_members;
    }
  }
  bool attached_to(const subscription_tally* tally) const { return tally_ == tally; }

 private:
  subscription_tally* tally_ = nullptr;
  uint64_t hash_ = 0;
  bool regex_ = false;
};

}  // namespace samsa::group
