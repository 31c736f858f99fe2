#include "raw_produce.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>
#include <map>

#include "frame_bytes.h"
#include "record/crc32c.h"

namespace samsa::bench {

namespace {

int32_t get32(const char* p) {
  uint32_t n;
  std::memcpy(&n, p, 4);
  return static_cast<int32_t>(ntohl(n));
}

int16_t get16(const char* p) {
  uint16_t n;
  std::memcpy(&n, p, 2);
  return static_cast<int16_t>(ntohs(n));
}

// A RecordBatch v2 of `records` uncompressed records (no key, no headers).
std::string build_batch(const payload_pool& pool, int32_t records, int64_t now_ms) {
  std::string body;  // from attributes to the end: what the CRC covers
  put16(body, 0);    // attributes: no compression, create time
  put32(body, records - 1);  // last offset delta
  put64(body, now_ms);       // base timestamp
  put64(body, now_ms);       // max timestamp
  put64(body, -1);           // producer id: none
  put16(body, -1);           // producer epoch
  put32(body, -1);           // base sequence
  put32(body, records);
  std::string rec;
  for (int32_t i = 0; i < records; ++i) {
    rec.clear();
    put8(rec, 0);         // attributes
    put_varint(rec, 0);   // timestamp delta
    put_varint(rec, i);   // offset delta
    put_varint(rec, -1);  // no key
    put_varint(rec, static_cast<int64_t>(pool.size()));
    rec.append(pool.at(static_cast<uint64_t>(i)), pool.size());
    put_varint(rec, 0);  // no headers
    put_varint(body, static_cast<int64_t>(rec.size()));
    body += rec;
  }
  uint32_t crc = record::crc32c({reinterpret_cast<const uint8_t*>(body.data()), body.size()});
  std::string batch;
  put64(batch, 0);  // base offset: the broker assigns it
  put32(batch, static_cast<int32_t>(4 + 1 + 4 + body.size()));  // batch length: after this field
  put32(batch, -1);  // partition leader epoch
  put8(batch, 2);    // magic
  put32(batch, static_cast<int32_t>(crc));
  return batch + body;
}

// A whole Produce v3 request (size prefix included) carrying `batch` for one partition.
std::string produce_request(const std::string& topic, int32_t partition, int16_t acks, int32_t timeout_ms,
                            const std::string& batch) {
  static const std::string client = "samsa-load-raw";
  std::string frame;
  put16(frame, 0);  // Produce
  put16(frame, 3);
  put32(frame, 0);  // correlation id: patched per send
  put16(frame, static_cast<int16_t>(client.size()));
  frame += client;
  put16(frame, -1);  // no transactional id
  put16(frame, acks);
  put32(frame, timeout_ms);
  put32(frame, 1);  // one topic
  put16(frame, static_cast<int16_t>(topic.size()));
  frame += topic;
  put32(frame, 1);  // one partition
  put32(frame, partition);
  put32(frame, static_cast<int32_t>(batch.size()));
  frame += batch;
  std::string out;
  put32(out, static_cast<int32_t>(frame.size()));
  return out + frame;
}

int connect_to(const std::string& bootstrap) {
  auto colon = bootstrap.rfind(':');
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  if (colon == std::string::npos || ::inet_pton(AF_INET, bootstrap.substr(0, colon).c_str(), &addr.sin_addr) != 1)
    fatal("raw-produce needs a numeric IPv4 bootstrap address, got " + bootstrap);
  addr.sin_port = htons(static_cast<uint16_t>(std::atoi(bootstrap.c_str() + colon + 1)));
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0)
    fatal("raw-produce: connect " + bootstrap + ": " + std::strerror(errno));
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  timeval tv{};
  tv.tv_sec = 30;  // a broker that stops answering ends the run instead of hanging it
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

void write_all(int fd, const std::string& data) {
  const char* p = data.data();
  size_t n = data.size();
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) fatal(std::string("raw-produce: send: ") + std::strerror(errno));
    p += w;
    n -= static_cast<size_t>(w);
  }
}

void read_full(int fd, char* p, size_t n) {
  while (n > 0) {
    ssize_t r = ::read(fd, p, n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) fatal(r == 0 ? "raw-produce: the broker closed the connection"
                             : std::string("raw-produce: receive: ") + std::strerror(errno));
    p += r;
    n -= static_cast<size_t>(r);
  }
}

// Reads one Produce v3 response; returns its correlation id and the partition's error code.
std::pair<int32_t, int16_t> read_response(int fd, std::string& buf) {
  char head[4];
  read_full(fd, head, 4);
  int32_t size = get32(head);
  if (size < 4 || size > (1 << 20)) fatal("raw-produce: response of " + std::to_string(size) + " bytes");
  buf.resize(static_cast<size_t>(size));
  read_full(fd, buf.data(), buf.size());
  // correlation id, topics [name, partitions [partition, error code, base offset, log append time]], throttle
  const char* p = buf.data();
  const char* end = p + buf.size();
  int32_t correlation = get32(p);
  p += 4;
  if (end - p < 6) fatal("raw-produce: short response");
  p += 4;  // topic count (one)
  int16_t name_len = get16(p);
  p += 2 + std::max<int16_t>(name_len, 0);
  if (end - p < 4 + 4 + 2) fatal("raw-produce: short response");
  p += 4 + 4;  // partition count (one), partition id
  return {correlation, get16(p)};
}

}  // namespace

int run_raw_produce(const common_options& common, const raw_produce_options& opt) {
  if (opt.size == 0 || opt.partitions < 1 || opt.inflight < 1 || opt.batch_bytes < 1)
    fatal("raw-produce needs --size, --partitions, --inflight and --batch-size above 0");
  if (opt.acks != "1" && opt.acks != "all") fatal("raw-produce: --acks must be 1 or all");
  if (opt.count <= 0) fatal("raw-produce needs --count");
  payload_pool pool(opt.size, 64, "text");
  // A record costs its value plus at most 16 bytes of framing; the batch header 61. The whole batch
  // stays within batch_bytes, as librdkafka's batch.size keeps it (and under the broker's 1 MiB limit).
  auto per_batch = static_cast<int32_t>(
      std::max<int64_t>(1, (static_cast<int64_t>(opt.batch_bytes) - 61) / static_cast<int64_t>(opt.size + 16)));
  int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  std::string batch = build_batch(pool, per_batch, now_ms);
  std::vector<std::string> requests;
  for (int32_t p = 0; p < opt.partitions; ++p)
    requests.push_back(produce_request(common.topic, p, opt.acks == "all" ? -1 : 1, opt.timeout_s * 1000, batch));
  int64_t batches = (opt.count + per_batch - 1) / per_batch;

  int fd = connect_to(common.bootstrap);
  std::string buf;
  std::deque<int32_t> outstanding;
  std::map<std::string, int64_t> errors;
  int64_t sent = 0, acked = 0, failed = 0;
  auto start = clock_type::now();
  double start_unix =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  while (acked + failed < batches) {
    while (sent < batches && static_cast<int>(outstanding.size()) < opt.inflight) {
      auto& req = requests[static_cast<size_t>(sent % opt.partitions)];
      auto correlation = static_cast<int32_t>(sent);
      uint32_t n = htonl(static_cast<uint32_t>(correlation));
      std::memcpy(req.data() + 4 + 2 + 2, &n, 4);
      write_all(fd, req);
      outstanding.push_back(correlation);
      ++sent;
    }
    auto [correlation, error] = read_response(fd, buf);
    if (outstanding.empty() || correlation != outstanding.front())
      fatal("raw-produce: response out of order (correlation id " + std::to_string(correlation) + ")");
    outstanding.pop_front();
    if (error == 0) {
      ++acked;
    } else {
      ++failed;
      ++errors[std::to_string(error)];
    }
  }
  auto end = clock_type::now();
  double end_unix = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  ::close(fd);
  double seconds = seconds_between(start, end);
  int64_t delivered = acked * per_batch;
  double bytes = static_cast<double>(delivered) * static_cast<double>(opt.size);
  bool ok = failed == 0;
  emit({{"mode", "raw-produce"},
        {"ok", ok},
        {"topic", common.topic},
        {"partitions", opt.partitions},
        {"size", opt.size},
        {"acks", opt.acks},
        {"records_per_batch", per_batch},
        {"inflight", opt.inflight},
        {"sent", sent * per_batch},
        {"delivered", delivered},
        {"failed_batches", failed},
        {"errors", errors},
        {"bytes", bytes},
        {"seconds", seconds},
        {"start_unix", start_unix},
        {"end_unix", end_unix},
        {"mb_per_s", bytes / seconds / 1e6},
        {"msg_per_s", static_cast<double>(delivered) / seconds}});
  if (!ok) std::fprintf(stderr, "samsa_load raw-produce: %lld of %lld batches failed\n", static_cast<long long>(failed),
                        static_cast<long long>(sent));
  return ok ? 0 : 1;
}

}  // namespace samsa::bench
