// Describe requests name the things they ask about (topics, groups,
// transactional ids, partitions), and nothing stops a client from naming one
// thing many times. A name costs the client a few bytes while its description
// may cost the broker megabytes: a 30 KB Metadata request naming a
// 10,000-partition topic 10,000 times asks for 10^8 partition entries. Kafka's
// Metadata answers each topic once; the describe handlers here do the same, so
// that an answer is bounded by what the broker holds, not by how often a
// request repeats itself.
#pragma once

#include <cstddef>
#include <iterator>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace samsa::broker {

// Keeps the entries whose flag is set, in order; returns how many went.
template <class T>
size_t keep_flagged(std::vector<T>& entries, const std::vector<bool>& keep) {
  size_t kept = 0;
  for (size_t i = 0; i < entries.size(); ++i) {
    if (!keep[i]) continue;
    if (kept != i) entries[kept] = std::move(entries[i]);
    ++kept;
  }
  const size_t dropped = entries.size() - kept;
  entries.erase(entries.begin() + static_cast<std::ptrdiff_t>(kept), entries.end());
  return dropped;
}

// Keeps the first entry of each key, in the request's order, and returns how
// many entries were dropped. `key_of(entry)` may return a view into the entry:
// every key is taken before any entry moves.
template <class T, class KeyOf>
size_t keep_first_of_each(std::vector<T>& entries, KeyOf key_of) {
  std::vector<bool> first(entries.size());
  {
    std::unordered_set<std::decay_t<decltype(key_of(entries.front()))>> seen;
    seen.reserve(entries.size());
    for (size_t i = 0; i < entries.size(); ++i) first[i] = seen.insert(key_of(entries[i])).second;
  }
  return keep_flagged(entries, first);
}

// For requests that list groups, each with its topics or null for all of
// them (OffsetFetch v8+, DescribeShareGroupOffsets): a group asked for all
// its partitions more than once is answered once, at its first such entry,
// since each such entry repeats every partition of the group for a few bytes
// of request. Entries that list their topics cost the answer what they cost
// the request, and stay.
template <class Group>
void keep_first_ask_for_all_of_each_group(std::vector<Group>& groups) {
  std::vector<bool> keep(groups.size(), true);
  {
    std::unordered_set<std::string_view> asked_all;
    for (size_t i = 0; i < groups.size(); ++i) {
      if (!groups[i].topics) keep[i] = asked_all.insert(groups[i].group_id).second;
    }
  }
  keep_flagged(groups, keep);
}

// For requests that list topics with their partitions: a topic listed again
// is folded into its first entry, and a partition listed again is dropped,
// so each (topic, partition) is answered once, where it was first named.
// `partitions_of(topic)` returns the entry's vector of partition indexes.
template <class Topic, class PartitionsOf>
void keep_first_of_each_partition(std::vector<Topic>& topics, PartitionsOf partitions_of) {
  std::vector<Topic> folded;
  std::unordered_map<std::string, size_t> first_entry;
  for (auto& t : topics) {
    auto [at, fresh] = first_entry.try_emplace(t.name, folded.size());
    if (fresh) {
      folded.push_back(std::move(t));
      continue;
    }
    auto& into = partitions_of(folded[at->second]);
    auto& more = partitions_of(t);
    into.insert(into.end(), more.begin(), more.end());
  }
  for (auto& t : folded) keep_first_of_each(partitions_of(t), [](int32_t partition) { return partition; });
  topics = std::move(folded);
}

}  // namespace samsa::broker
