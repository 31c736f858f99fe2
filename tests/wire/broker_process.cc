#include "broker_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

namespace samsa::wire_test {
namespace fs = std::filesystem;

namespace {

std::string samsa_binary() {
  if (const char* path = std::getenv("SAMSA_BIN"); path != nullptr && *path != '\0') return path;
  return SAMSA_DEFAULT_BIN;  // the build's own binary, set by CMake
}

std::string make_work_dir() {
  std::string pattern = (fs::temp_directory_path() / "samsa-wire-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed for " + pattern);
  return pattern;
}

}  // namespace

broker_process::broker_process(std::map<std::string, std::string> settings)
    : settings_(std::move(settings)), work_dir_(make_work_dir()) {}

broker_process::~broker_process() {
  if (pid_ > 0) kill_hard();
  std::error_code ignored;
  fs::remove_all(work_dir_, ignored);
}

void broker_process::start() {
  const std::string port_file = work_dir_ + "/port";
  fs::remove(port_file);
  std::vector<std::string> args = {samsa_binary(), "serve",
                                   "--set", "listeners=PLAINTEXT://127.0.0.1:" + std::to_string(port_),
                                   "--set", "log.dirs=" + work_dir_ + "/data",
                                   "--port-file", port_file};
  // No console unless a test asks: brokers of parallel tests would all try
  // the default HTTP port.
  if (!settings_.count("http.listeners")) {
    args.push_back("--set");
    args.push_back("http.listeners=none");
  }
  // Nor the Schema Registry (port 8081).
  if (!settings_.count("schema.registry.listeners")) {
    args.push_back("--set");
    args.push_back("schema.registry.listeners=none");
  }
  // Nor the REST proxy (port 8082).
  if (!settings_.count("http.proxy.listeners")) {
    args.push_back("--set");
    args.push_back("http.proxy.listeners=none");
  }
  for (const auto& [key, value] : settings_) {
    args.push_back("--set");
    args.push_back(key + "=" + value);
  }
  const std::string log_path = work_dir_ + "/broker.log";
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    int log = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (log >= 0) {
      dup2(log, STDOUT_FILENO);
      dup2(log, STDERR_FILENO);
    }
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("samsa exited during start:\n" + log_tail());
    }
    std::ifstream in(port_file);
    int port = 0;
    if (in >> port && port > 0) {
      port_ = static_cast<uint16_t>(port);
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill_hard();
  throw std::runtime_error("samsa did not start within 20 s:\n" + log_tail());
}

uint16_t broker_process::port_of(const std::string& listener) const {
  std::ifstream in(work_dir_ + "/port." + listener);
  int port = 0;
  if (!(in >> port) || port <= 0) throw std::runtime_error("no port file for listener " + listener);
  return static_cast<uint16_t>(port);
}

std::string broker_process::log_text() const {
  std::ifstream in(work_dir_ + "/broker.log", std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void broker_process::stop_gracefully() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  wait_exit();
}

void broker_process::kill_hard() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  wait_exit();
}

void broker_process::wait_exit() {
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

std::string broker_process::log_tail(size_t bytes) const {
  std::ifstream in(work_dir_ + "/broker.log");
  std::stringstream all;
  all << in.rdbuf();
  std::string text = all.str();
  return text.size() > bytes ? text.substr(text.size() - bytes) : text;
}

}  // namespace samsa::wire_test
