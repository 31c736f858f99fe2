#include "proxy/record_splitter.h"

namespace samsa::proxy {

namespace {
bool is_space(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }
}  // namespace

record_splitter::record_splitter(size_t max_record_bytes, size_t max_depth)
    : max_record_bytes_(max_record_bytes), max_depth_(max_depth) {}

bool record_splitter::fail(int status, int code, std::string message) {
  broken_ = true;
  partial_.clear();
  partial_.shrink_to_fit();
  error_ = problem{status, code, std::move(message)};
  return false;
}

bool record_splitter::feed(std::string_view bytes, const std::function<void(std::string_view)>& on_record) {
  if (broken_) return false;
  size_t start = 0;  // where the current record starts in `bytes` (0 when it began in an earlier piece)
  auto too_large = [this](uint64_t at) {
    return fail(413, codes::payload_too_large,
                "record " + std::to_string(records_ + 1) + " (from byte " + std::to_string(at) + ") exceeds " +
                    std::to_string(max_record_bytes_) + " bytes");
  };
  for (size_t i = 0; i < bytes.size(); ++i) {
    const char c = bytes[i];
    if (!in_record_) {
      if (is_space(c)) continue;
      if (c != '{') {
        return fail(400, codes::bad_request,
                    "expected a JSON object at byte " + std::to_string(offset_ + i) + " of the body (after " +
                        std::to_string(records_) + " records)");
      }
      in_record_ = true;
      start = i;
      closers_ = "}";
      continue;
    }
    // Checked as the record grows, so an endless one is refused before it is held whole.
    if (partial_.size() + (i - start) + 1 > max_record_bytes_) return too_large(offset_ + start - partial_.size());
    if (in_string_) {
      if (escaped_) escaped_ = false;
      else if (c == '\\') escaped_ = true;
      else if (c == '"') in_string_ = false;
      continue;
    }
    if (c == '"') {
      in_string_ = true;
    } else if (c == '{' || c == '[') {
      if (closers_.size() >= max_depth_)
        return fail(400, codes::bad_request,
                    "record " + std::to_string(records_ + 1) + " nests deeper than " + std::to_string(max_depth_) +
                        " levels");
      closers_ += c == '{' ? '}' : ']';
    } else if (c == '}' || c == ']') {
      if (c != closers_.back())
        return fail(400, codes::bad_request,
                    std::string("record ") + std::to_string(records_ + 1) + ": '" + c + "' at byte " +
                        std::to_string(offset_ + i) + " closes a '" + (closers_.back() == '}' ? '{' : '[') + "'");
      closers_.pop_back();
      if (closers_.empty()) {
        in_record_ = false;
        ++records_;
        std::string_view tail = bytes.substr(start, i + 1 - start);
        if (partial_.empty()) {
          on_record(tail);
        } else {
          partial_.append(tail);
          on_record(partial_);
          partial_.clear();
        }
      }
    }
  }
  if (in_record_) partial_.append(bytes.substr(start));
  offset_ += bytes.size();
  return true;
}

bool record_splitter::finish() {
  if (broken_) return false;
  if (in_record_)
    return fail(400, codes::bad_request,
                "the body ended inside record " + std::to_string(records_ + 1) + " (" +
                    std::to_string(partial_.size()) + " bytes of it)");
  return true;
}

}  // namespace samsa::proxy
