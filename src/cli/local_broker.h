// Starts `samsa serve` as a child process in a temporary directory on a free
// port (used by the tour when no --bootstrap is given); stops it and removes
// the directory on destruction.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>

#include "base/result.h"

namespace samsa::cli {

class local_broker {
 public:
  // `samsa_exe`: path of the samsa binary to run with `serve`.
  [[nodiscard]] static result<local_broker> start(const std::string& samsa_exe);

  local_broker(local_broker&& other) noexcept;
  local_broker& operator=(local_broker&&) = delete;
  ~local_broker();

  const std::string& bootstrap() const { return bootstrap_; }
  const std::string& directory() const { return dir_; }
  // The broker's console (http://127.0.0.1:PORT/), or empty if it has none.
  const std::string& console_url() const { return console_url_; }

 private:
  local_broker() = default;
  pid_t pid_ = -1;
  std::string dir_;
  std::string bootstrap_;
  std::string console_url_;
};

// Path of the running executable (/proc/self/exe resolved), for re-running ourselves.
std::string self_executable(const char* argv0);

}  // namespace samsa::cli
