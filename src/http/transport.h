#pragma once

// One HTTP connection's byte stream, plain TCP or TLS, behind a single type.
//
// Why: the exchange in server.cc (Beast's header, body and message readers
// and writers, all coroutine frames) used to be a template over the stream,
// so the compiler generated and optimised every Beast operation twice, once
// for beast::tcp_stream and once for the TLS stream. That doubled the
// costliest translation unit of the build (the quick start compiles it
// cold). Behind this type the exchange is compiled once; each read or write
// costs one virtual call and one type-erased handler, which the console's
// request rates never notice.
//
// It meets Asio's AsyncReadStream and AsyncWriteStream requirements, so
// Beast's algorithms take it as they took the concrete streams.

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/system/error_code.hpp>
#include <array>
#include <chrono>
#include <cstddef>
#include <utility>

namespace samsa::http {

// The first buffers of a sequence, copied so they cross the virtual call by
// value. A read or write may move fewer bytes than offered; Beast's and
// Asio's composed operations already loop until they are done, so handing
// the stream at most 16 pieces at a time changes nothing they can see.
template <typename Buffer>
struct buffer_run {
  using value_type = Buffer;
  using const_iterator = const Buffer*;
  static constexpr size_t capacity = 16;

  template <typename Sequence>
  static buffer_run first_of(const Sequence& sequence) {
    buffer_run run;
    for (auto it = boost::asio::buffer_sequence_begin(sequence);
         it != boost::asio::buffer_sequence_end(sequence) && run.count < capacity; ++it) {
      Buffer piece(*it);
      if (piece.size() > 0) run.parts[run.count++] = piece;
    }
    return run;
  }

  const Buffer* begin() const { return parts.data(); }
  const Buffer* end() const { return parts.data() + count; }

  std::array<Buffer, capacity> parts{};
  size_t count = 0;
};

using io_handler = boost::asio::any_completion_handler<void(boost::system::error_code, size_t)>;

class transport {
 public:
  using executor_type = boost::asio::any_io_executor;

  virtual ~transport() = default;

  virtual executor_type get_executor() = 0;
  // The deadline of the operations started from now on (beast::tcp_stream's timer).
  virtual void expires_after(std::chrono::milliseconds timeout) = 0;
  virtual boost::asio::ip::tcp::socket& socket() = 0;

  template <typename MutableBuffers, typename Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, size_t)>(
        [this](auto handler, buffer_run<boost::asio::mutable_buffer> run) {
          start_read(run, io_handler(std::move(handler)));
        },
        token, buffer_run<boost::asio::mutable_buffer>::first_of(buffers));
  }

  template <typename ConstBuffers, typename Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, size_t)>(
        [this](auto handler, buffer_run<boost::asio::const_buffer> run) {
          start_write(run, io_handler(std::move(handler)));
        },
        token, buffer_run<boost::asio::const_buffer>::first_of(buffers));
  }

 protected:
  virtual void start_read(buffer_run<boost::asio::mutable_buffer> buffers, io_handler handler) = 0;
  virtual void start_write(buffer_run<boost::asio::const_buffer> buffers, io_handler handler) = 0;
};

// A concrete stream (beast::tcp_stream, or a TLS stream over one) as a transport.
template <typename Stream>
class transport_over final : public transport {
 public:
  explicit transport_over(Stream& stream) : stream_(stream) {}

  executor_type get_executor() override { return stream_.get_executor(); }
  void expires_after(std::chrono::milliseconds timeout) override {
    boost::beast::get_lowest_layer(stream_).expires_after(timeout);
  }
  boost::asio::ip::tcp::socket& socket() override { return boost::beast::get_lowest_layer(stream_).socket(); }

 protected:
  // The handler runs on the stream's executor (the server's one thread,
  // where the coroutine that waits for it runs too). Boost 1.81's erased
  // handler alone names an executor Beast's timer cannot post to.
  void start_read(buffer_run<boost::asio::mutable_buffer> buffers, io_handler handler) override {
    stream_.async_read_some(buffers, boost::asio::bind_executor(stream_.get_executor(), std::move(handler)));
  }
  void start_write(buffer_run<boost::asio::const_buffer> buffers, io_handler handler) override {
    stream_.async_write_some(buffers, boost::asio::bind_executor(stream_.get_executor(), std::move(handler)));
  }

 private:
  Stream& stream_;
};

}  // namespace samsa::http
