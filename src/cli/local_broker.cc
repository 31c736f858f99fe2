#include "cli/local_broker.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "client/kafka_error.h"

namespace samsa::cli {

namespace fs = std::filesystem;

std::string self_executable(const char* argv0) {
  std::error_code ec;
  auto p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string(argv0) : p.string();
}

result<local_broker> local_broker::start(const std::string& samsa_exe) {
  std::string pattern = (fs::temp_directory_path() / "samsa-tour-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr)
    return client::make_usage_error("start a broker for the tour", "cannot create a temporary directory",
                                    "check that $TMPDIR is writable, or pass --bootstrap HOST:PORT");
  local_broker b;
  b.dir_ = pattern;
  std::string data = b.dir_ + "/data";
  std::string port_file = b.dir_ + "/port";
  std::string log = b.dir_ + "/broker.log";
  fs::create_directories(data);
  // The console on a free port too, so the tour never competes with a broker
  // already on 8080; the tour prints where it is.
  std::vector<std::string> args{samsa_exe, "serve", "--set", "listeners=PLAINTEXT://127.0.0.1:0",
                                "--set", "http.listeners=http://127.0.0.1:0", "--set", "log.dirs=" + data,
                                "--port-file", port_file};
  pid_t pid = ::fork();
  if (pid < 0) return client::make_usage_error("start a broker for the tour", "fork failed");
  if (pid == 0) {
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      ::dup2(fd, STDOUT_FILENO);
      ::dup2(fd, STDERR_FILENO);
      ::close(fd);
    }
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(samsa_exe.c_str(), argv.data());
    ::_exit(127);
  }
  b.pid_ = pid;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      b.pid_ = -1;
      std::ifstream in(log);
      std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      return client::make_usage_error("start a broker for the tour",
                                      fmt::format("`samsa serve` exited early: {}", text.substr(0, 600)),
                                      "run `samsa serve` yourself and pass --bootstrap 127.0.0.1:9092");
    }
    std::ifstream in(port_file);
    int port = 0;
    if (in >> port && port > 0) {
      b.bootstrap_ = fmt::format("127.0.0.1:{}", port);
      // Written before the Kafka port file, when the console is up.
      std::ifstream http(port_file + ".http");
      int http_port = 0;
      if (http >> http_port && http_port > 0) b.console_url_ = fmt::format("http://127.0.0.1:{}/", http_port);
      return b;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return client::make_usage_error("start a broker for the tour", "the broker did not report its port in 20s",
                                  fmt::format("see {}", log));
}

local_broker::local_broker(local_broker&& other) noexcept
    : pid_(other.pid_),
      dir_(std::move(other.dir_)),
      bootstrap_(std::move(other.bootstrap_)),
      console_url_(std::move(other.console_url_)) {
  other.pid_ = -1;
  other.dir_.clear();
}

local_broker::~local_broker() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    int status = 0;
    for (int i = 0; i < 100 && ::waitpid(pid_, &status, WNOHANG) == 0; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (::waitpid(pid_, &status, WNOHANG) == 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
    }
  }
  if (!dir_.empty()) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
}

}  // namespace samsa::cli
