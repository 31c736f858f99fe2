// The broker's Kafka API as an in-process caller (the console, the REST
// proxy, the embedded Schema Registry) reaches it: the api table, and the
// handler thread's context where every request to it runs. The callers get
// this, not the broker_state, for their writes (http/internal_client.h).
#pragma once

#include <boost/asio/io_context.hpp>

namespace samsa::broker {
class api_table;
}  // namespace samsa::broker

namespace samsa::http {

struct broker_api {
  boost::asio::io_context& handler_io;
  broker::api_table& apis;
};

}  // namespace samsa::http
