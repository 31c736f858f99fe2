// Every REST proxy body parser over any bytes: the first byte picks the
// parser (and the v2 format), the rest is the body. None may crash, loop or
// hold more than the limits allow.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "proxy/proxy_body.h"
#include "proxy/record_splitter.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  using namespace samsa::proxy;
  const uint8_t pick = data[0];
  std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  body_limits limits;
  limits.max_records = 50;
  limits.max_topics = 50;
  limits.max_offsets = 50;
  switch (pick % 8) {
    case 0: (void)parse_v2_produce(body, static_cast<format>((pick / 8) % 5), limits); break;
    case 1: {
      // The streamed v3 produce path: framed by the splitter, each record parsed.
      record_splitter splitter(1 << 20, 64);
      if (splitter.feed(body, [](std::string_view record) { (void)parse_v3_record(record); })) (void)splitter.finish();
      break;
    }
    case 2: (void)parse_consumer_create(body); break;
    case 3: (void)parse_subscription(body, limits); break;
    case 4: (void)parse_commit(body, limits); break;
    case 5: (void)parse_partitions(body, limits); break;
    case 6: (void)v2_produce_format(body); (void)v2_plain_type(body); break;
    case 7: {
      auto ms = parse_iso8601_utc(body);
      if (ms) (void)format_iso8601_utc(*ms);
      break;
    }
  }
  return 0;
}
