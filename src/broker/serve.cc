#include "broker/serve.h"

#include <cstdio>

namespace samsa::broker {

int serve(const serve_options&) {
  std::fprintf(stderr, "samsa serve: the broker is not built yet\n");
  return 1;
}

}  // namespace samsa::broker
