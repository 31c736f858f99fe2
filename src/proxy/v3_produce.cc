#include "proxy/v3_produce.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <deque>
#include <nlohmann/json.hpp>

#include "base/kafka_error_codes.h"
#include "proxy/proxy_http.h"
#include "proxy/record_splitter.h"

namespace samsa::proxy {

namespace asio = boost::asio;
using json = nlohmann::json;

namespace {

// Wakes whoever waits on it; each waiter checks its own condition again (all
// three coroutines run on one thread, so none misses a change).
class wakeup {
 public:
  explicit wakeup(asio::any_io_executor ex) : timer_(ex, asio::steady_timer::time_point::max()) {}
  asio::awaitable<void> wait() { co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable)); }
  void notify() { timer_.cancel(); }

 private:
  asio::steady_timer timer_;
};

struct slot {
  bool ready = false;
  bool ends_stream = false;
  std::optional<problem> refusal;  // an error answer (kept for a refusal that is the whole answer)
  std::string answer;              // the JSON line, once ready
  size_t charge = 0;               // bytes counted against the buffer
  // Until produced:
  std::optional<v3_record> record;
  outgoing_record out;
};

std::string error_line(const problem& p) { return error_text(p.code, p.message) + "\n"; }

class session {
 public:
  session(const http::request& req, http::body_exchange& io, v3_target target, record_producer& producer,
          schema_encoder& encoder, v3_stream_limits limits, asio::any_io_executor ex)
      : req_(req), io_(io), target_(std::move(target)), producer_(producer), encoder_(encoder), limits_(limits),
        splitter_(limits.max_record_bytes, limits.max_depth), wake_(ex) {}

  asio::awaitable<std::optional<http::response>> run() {
    // The producer and the writer on their own coroutines, the reader on
    // this one; the session ends when all three have. (co_spawn, not the
    // awaitable operators: those are coroutines taking temporaries, which
    // GCC 12 may destroy twice.)
    auto ex = co_await asio::this_coro::executor;
    int running = 2;
    auto finished = [this, &running](std::exception_ptr e) {
      if (e) over_ = true;  // cannot happen short of bad_alloc; end the stream rather than hang
      --running;
      wake_.notify();
    };
    asio::co_spawn(ex, produce_loop(), finished);
    asio::co_spawn(ex, write_loop(), finished);
    co_await read_loop();
    while (running > 0) co_await wake_.wait();
    // No record at all (an empty body, only whitespace, a bare last chunk):
    // nothing was streamed, so the answer is a whole one, not a missing one.
    if (!whole_answer_ && !io_.started() && first_seq_ == 0) {
      co_return error_answer(problem{400, codes::bad_request, "the body holds no record"});
    }
    co_return std::move(whole_answer_);
  }

 private:
  slot& at(uint64_t seq) { return slots_[seq - first_seq_]; }

  bool backpressured() const {
    return buffered_ >= limits_.buffer_bytes || slots_.size() >= limits_.max_in_flight;
  }

  void charge(slot& s, size_t bytes) {
    buffered_ -= s.charge;
    s.charge = bytes;
    buffered_ += bytes;
  }

  void answer(slot& s, std::string line) {
    s.answer = std::move(line);
    s.ready = true;
    s.record.reset();
    s.out = outgoing_record{};
    charge(s, s.answer.size());
  }

  void refuse(slot& s, problem p) {
    std::string line = error_line(p);
    s.refusal = std::move(p);
    answer(s, std::move(line));
  }

  void add_record(std::string_view text) {
    slots_.emplace_back();
    const uint64_t seq = first_seq_ + slots_.size() - 1;
    slot& s = slots_.back();
    charge(s, text.size() * 2);  // the text is parsed into a record of about its size, held until produced
    auto r = parse_v3_record(text);
    if (!r) return refuse(s, problem{400, codes::bad_request, r.error().message});
    if (r->partition && *r->partition >= target_.partitions)
      return refuse(s, problem{404, 404,
                               "Partition " + std::to_string(*r->partition) + " of " + target_.topic + " not found."});
    s.out.partition = r->partition;
    s.out.timestamp_ms = r->timestamp_ms;
    for (const auto& h : r->headers) {
      s.out.headers.push_back(
          {h.name, h.value ? std::optional<record::bytes>(record::bytes(h.value->begin(), h.value->end()))
                           : std::nullopt});
    }
    s.out.key = r->key ? r->key->bytes : std::nullopt;
    s.out.value = r->value ? r->value->bytes : std::nullopt;
    s.record = std::move(*r);
    to_produce_.push_back(seq);
  }

  void end_stream(const problem& p) {
    slots_.emplace_back();
    refuse(slots_.back(), p);
    slots_.back().ends_stream = true;
  }

  asio::awaitable<void> read_loop() {
    for (;;) {
      while (!over_ && backpressured()) co_await wake_.wait();
      if (over_) break;
      auto piece = co_await io_.read();
      if (!piece.error.empty()) break;  // the client left or stalled: what it sent whole is still answered
      if (piece.end) {
        if (!splitter_.finish()) end_stream(splitter_.error());
        break;
      }
      bool ok = splitter_.feed(piece.bytes, [this](std::string_view text) { add_record(text); });
      if (!ok) end_stream(splitter_.error());
      wake_.notify();
      if (!ok) break;
    }
    input_done_ = true;
    wake_.notify();
  }

  // Encodes a schema-typed side in place; a refusal answers the record.
  asio::awaitable<bool> encode(slot& s) {
    for (bool is_key : {true, false}) {
      const auto& d = is_key ? s.record->key : s.record->value;
      if (!d || !d->bytes || !d->schema_id) continue;
      schema_side side;
      side.subject = target_.topic + (is_key ? "-key" : "-value");
      side.schema_id = d->schema_id;
      side.values.push_back(d->bytes);
      auto encoded = co_await encoder_.encode(std::move(side), encoder_.authorization_for(req_));
      if (!encoded) {
        refuse(s, problem{encoded.error().status, encoded.error().status, encoded.error().message});
        co_return false;
      }
      (is_key ? s.out.key : s.out.value) = encoded->values.front();
    }
    co_return true;
  }

  std::string success_line(const slot& s, const produced_record& p) {
    auto side = [](const std::optional<v3_data>& d, const std::optional<std::string>& bytes) -> json {
      if (!d) return nullptr;
      return json{{"type", d->type.empty() ? "JSONSCHEMA" : d->type}, {"size", bytes ? bytes->size() : 0}};
    };
    json j{{"error_code", 200},
           {"cluster_id", target_.cluster_id},
           {"topic_name", target_.topic},
           {"partition_id", p.partition},
           {"offset", p.offset},
           {"timestamp", format_iso8601_utc(p.timestamp_ms)},
           {"key", side(s.record->key, s.out.key)},
           {"value", side(s.record->value, s.out.value)}};
    return dump_json(j) + "\n";
  }

  asio::awaitable<void> produce_loop() {
    for (;;) {
      while (!over_ && to_produce_.empty() && !input_done_) co_await wake_.wait();
      if (over_ || to_produce_.empty()) break;
      // Everything read so far, in one Produce request: a round per answer the broker gives.
      std::vector<uint64_t> round;
      while (!to_produce_.empty() && round.size() < limits_.max_in_flight) {
        round.push_back(to_produce_.front());
        to_produce_.pop_front();
      }
      std::vector<uint64_t> sent;
      std::vector<outgoing_record> out;
      for (uint64_t seq : round) {
        const slot& s = at(seq);
        bool schema = (s.record->key && s.record->key->schema_id) || (s.record->value && s.record->value->schema_id);
        bool encoded = true;
        if (schema) encoded = co_await encode(at(seq));  // not inside a condition: GCC 12 mis-destroys temporaries there
        if (!encoded) continue;
        sent.push_back(seq);
        out.push_back(at(seq).out);
      }
      if (!out.empty()) {
        auto produced = co_await producer_.produce(target_.topic, out, req_);
        for (size_t i = 0; i < sent.size(); ++i) {
          slot& s = at(sent[i]);
          if (!produced) {
            refuse(s, problem{produced.error().status, produced.error().status, produced.error().message});
            continue;
          }
          const auto& p = (*produced)[i];
          if (p.error_code != 0) {
            auto code = static_cast<kafka::error_code>(p.error_code);
            int status = kafka::is_retriable(code) ? 500 : 400;
            refuse(s, problem{status, status, p.message});
          } else {
            answer(s, success_line(s, p));
          }
        }
      }
      wake_.notify();
    }
    wake_.notify();
  }

  asio::awaitable<void> write_loop() {
    for (;;) {
      while (!over_ && (slots_.empty() || !slots_.front().ready) && !(input_done_ && slots_.empty()))
        co_await wake_.wait();
      if (over_ || slots_.empty()) break;
      // The refusal of a body that could not be framed at all is the whole answer, with its status.
      if (!io_.started() && slots_.front().ends_stream) {
        whole_answer_ = error_answer(*slots_.front().refusal);
        over_ = true;
        break;
      }
      std::string chunk;
      bool ended = false;
      while (!slots_.empty() && slots_.front().ready && chunk.size() < 64 * 1024) {
        chunk += slots_.front().answer;
        ended = slots_.front().ends_stream;
        buffered_ -= slots_.front().charge;
        slots_.pop_front();
        ++first_seq_;
        if (ended) break;
      }
      wake_.notify();  // room again for the reader
      const bool written = co_await io_.write(chunk);
      if (!written || ended) {
        over_ = true;  // the client is gone or too slow, or the stream broke: stop reading and producing
        break;
      }
    }
    over_ = true;
    wake_.notify();
  }

  const http::request& req_;
  http::body_exchange& io_;
  v3_target target_;
  record_producer& producer_;
  schema_encoder& encoder_;
  v3_stream_limits limits_;
  record_splitter splitter_;
  wakeup wake_;
  std::deque<slot> slots_;      // read, not yet written; slots_[0] has sequence number first_seq_
  uint64_t first_seq_ = 0;
  std::deque<uint64_t> to_produce_;
  size_t buffered_ = 0;
  bool input_done_ = false;
  bool over_ = false;  // the writer stopped: nothing more is read, produced or written
  std::optional<http::response> whole_answer_;
};

}  // namespace

asio::awaitable<std::optional<http::response>> stream_v3_produce(const http::request& req, http::body_exchange& io,
                                                                 v3_target target, record_producer& producer,
                                                                 schema_encoder& encoder, v3_stream_limits limits) {
  auto ex = co_await asio::this_coro::executor;
  session s(req, io, std::move(target), producer, encoder, limits, ex);
  std::optional<http::response> whole = co_await s.run();
  co_return whole;
}

}  // namespace samsa::proxy
