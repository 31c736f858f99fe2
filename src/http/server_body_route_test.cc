// Body routes (server::body_route) over a real socket: the body arrives
// piece by piece (chunked and content-length), the answer goes out chunk by
// chunk while the body is still coming, and a refusal before the body was
// read closes the connection after answering.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "http/server.h"

namespace samsa::http {
namespace {

namespace asio = boost::asio;

class client {
 public:
  explicit client(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    timeval tv{10, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  }
  ~client() { ::close(fd_); }
  bool connected() const { return connected_; }
  void send(const std::string& s) { ASSERT_EQ(::send(fd_, s.data(), s.size(), MSG_NOSIGNAL), static_cast<ssize_t>(s.size())); }
  // Reads until `what` has arrived (or the connection ends / 10 s pass); everything read so far.
  std::string read_until(const std::string& what) {
    char buf[4096];
    while (got_.find(what) == std::string::npos) {
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) break;
      got_.append(buf, static_cast<size_t>(n));
    }
    return got_;
  }
  // Reads to the end of the connection.
  std::string read_all() { return read_until(std::string(1, '\0') + "never"); }

 private:
  int fd_ = -1;
  bool connected_ = false;
  std::string got_;
};

class body_route_test : public ::testing::Test {
 protected:
  void SetUp() override {
    server_limits limits;
    limits.max_body_bytes = 64;  // the whole-body routes' bound; a body route is not held to it
    srv_ = std::make_unique<server>(limits);
    // Echoes each piece as "<bytes>;" as soon as it arrives; a body starting with "no" is refused whole.
    srv_->body_route(
        "POST", [](const std::string& path) { return path.rfind("/echo/", 0) == 0; },
        [](const request&, body_exchange& io) -> asio::awaitable<std::optional<response>> {
          for (;;) {
            auto p = co_await io.read();
            if (!p.error.empty() || p.end) break;
            if (!io.started() && p.bytes.substr(0, 2) == "no")
              co_return response{422, "application/json", "{\"refused\":true}", {}};
            const std::string echo = std::string(p.bytes) + ";";
            const bool written = co_await io.write(echo);
            if (!written) break;
          }
          co_return std::nullopt;
        });
    srv_->route("GET", "/plain", [](const request&) -> asio::awaitable<response> {
      co_return response{200, "text/plain", "plain", {}};
    });
    ASSERT_TRUE(srv_->bind("127.0.0.1", 0));
    srv_->start();
  }
  void TearDown() override { srv_->stop(); }
  std::unique_ptr<server> srv_;
};

TEST_F(body_route_test, chunked_body_is_answered_piece_by_piece_while_it_is_still_coming) {
  client c(srv_->bound_port());
  ASSERT_TRUE(c.connected());
  c.send("POST /echo/x HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n");
  // Each piece is answered before the next is sent: the answer streams while the body is open.
  std::string first = "5\r\nhello\r\n";
  c.send(first);
  std::string got = c.read_until("hello;");
  EXPECT_NE(got.find("HTTP/1.1 200 OK"), std::string::npos) << got;
  EXPECT_NE(got.find("Transfer-Encoding: chunked"), std::string::npos) << got;
  // Far more than max_body_bytes in total: a body route is bounded by what it holds, not by the body.
  for (int i = 0; i < 20; ++i) {
    std::string piece = "piece-" + std::to_string(i) + std::string(20, 'p');
    char size[16];
    std::snprintf(size, sizeof size, "%zx\r\n", piece.size());
    c.send(size + piece + "\r\n");
    got = c.read_until(piece + ";");
    ASSERT_NE(got.find(piece + ";"), std::string::npos) << got;
  }
  c.send("0\r\n\r\n");
  got = c.read_until("\r\n0\r\n\r\n");
  EXPECT_NE(got.find("\r\n0\r\n\r\n"), std::string::npos);
  // Keep-alive: the connection carries another request once the body has ended.
  c.send("GET /plain HTTP/1.1\r\nHost: localhost\r\n\r\n");
  EXPECT_NE(c.read_until("\r\n\r\nplain").find("\r\n\r\nplain"), std::string::npos);
}

TEST_F(body_route_test, content_length_body_is_read_in_pieces_too) {
  client c(srv_->bound_port());
  ASSERT_TRUE(c.connected());
  std::string body(200, 'b');  // over max_body_bytes
  c.send("POST /echo/y HTTP/1.1\r\nHost: localhost\r\nContent-Length: 200\r\nConnection: close\r\n\r\n" +
         body.substr(0, 100));
  EXPECT_NE(c.read_until(std::string(100, 'b') + ";").find("Connection: close"), std::string::npos);
  c.send(body.substr(100));
  std::string got = c.read_all();
  size_t bytes = 0;
  for (char ch : got) bytes += ch == 'b';
  EXPECT_EQ(bytes, 200u);
  EXPECT_NE(got.find("\r\n0\r\n\r\n"), std::string::npos) << got;
}

TEST_F(body_route_test, a_refusal_before_the_body_was_read_answers_and_closes) {
  client c(srv_->bound_port());
  ASSERT_TRUE(c.connected());
  c.send("POST /echo/z HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nnope\r\n");
  std::string got = c.read_all();  // the server closes: read_all returns
  EXPECT_NE(got.find("HTTP/1.1 422"), std::string::npos) << got;
  EXPECT_NE(got.find("{\"refused\":true}"), std::string::npos) << got;
  EXPECT_NE(got.find("Connection: close"), std::string::npos) << got;
}

// Broken framing before anything was answered is the client's error: a 400
// that says what could not be read, not a 500.
TEST_F(body_route_test, a_broken_chunk_before_any_answer_is_a_400) {
  client c(srv_->bound_port());
  ASSERT_TRUE(c.connected());
  c.send("POST /echo/w HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\nzz-not-hex\r\n");
  std::string got = c.read_all();
  EXPECT_NE(got.find("HTTP/1.1 400"), std::string::npos) << got;
  EXPECT_NE(got.find("the body cannot be read"), std::string::npos) << got;
}

// A head that is not valid HTTP gets a 400 before the connection closes.
TEST_F(body_route_test, a_malformed_head_is_a_400) {
  client c(srv_->bound_port());
  ASSERT_TRUE(c.connected());
  c.send("POST /echo/w HTTP/1.1\r\nHost: localhost\r\nContent-Length: 99999999999999999999\r\n\r\n{}");
  std::string got = c.read_all();
  EXPECT_NE(got.find("HTTP/1.1 400"), std::string::npos) << got;
  EXPECT_NE(got.find("malformed request"), std::string::npos) << got;
}

// A whole-body route's chunked body with broken framing: a 400 too.
TEST_F(body_route_test, a_broken_chunk_on_a_whole_body_route_is_a_400) {
  client c(srv_->bound_port());
  ASSERT_TRUE(c.connected());
  c.send("GET /plain HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\nzz-not-hex\r\n");
  std::string got = c.read_all();
  EXPECT_NE(got.find("HTTP/1.1 400"), std::string::npos) << got;
  EXPECT_NE(got.find("malformed request body"), std::string::npos) << got;
}

TEST_F(body_route_test, a_broken_chunk_ends_the_read_with_an_error) {
  client c(srv_->bound_port());
  ASSERT_TRUE(c.connected());
  c.send("POST /echo/w HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\nzz-not-hex\r\n");
  std::string got = c.read_all();
  EXPECT_NE(got.find("abc;"), std::string::npos) << got;
  // No final chunk: the answer was cut short, and the client can tell.
  EXPECT_EQ(got.find("\r\n0\r\n\r\n"), std::string::npos) << got;
}

}  // namespace
}  // namespace samsa::http
