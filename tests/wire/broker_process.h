// A real `samsa serve` child process for wire-level tests: its own temporary
// data directory, a port chosen by the kernel (read back from --port-file),
// SIGTERM or SIGKILL to stop it.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>

namespace samsa::wire_test {

class broker_process {
 public:
  // `settings` are Kafka property names passed as --set key=value.
  explicit broker_process(std::map<std::string, std::string> settings = {});
  ~broker_process();
  broker_process(const broker_process&) = delete;
  broker_process& operator=(const broker_process&) = delete;

  // Starts (or restarts on the same port and data) and waits until it listens;
  // throws std::runtime_error with the log's tail when it does not.
  void start();
  void stop_gracefully();
  void kill_hard();

  // The first listener's port.
  uint16_t port() const { return port_; }
  // The bound port of the listener named `listener` (as in `listeners`).
  uint16_t port_of(const std::string& listener) const;
  // The whole broker log so far.
  std::string log_text() const;
  // The running process (for tests that change its resource limits), or -1.
  pid_t pid() const { return pid_; }
  // The broker's log.dirs.
  std::string data_dir() const { return work_dir_ + "/data"; }
  std::string log_tail(size_t bytes = 4000) const;

 private:
  void wait_exit();

  std::map<std::string, std::string> settings_;
  std::string work_dir_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
};

}  // namespace samsa::wire_test
