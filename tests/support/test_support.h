// Helpers shared by tests: temporary directories, child processes, an HTTP client.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace linkwatch::test {

// A fresh directory under /tmp, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

void WriteFile(const std::string& path, const std::string& content);
std::string ReadFile(const std::string& path);

// Runs a program to completion; stdin is fed from `input`.
struct RunResult {
  int exit_code = -1;  // or 128+signal
  std::string out;
  std::string err;
};
RunResult Run(const std::vector<std::string>& argv, const std::string& input = {},
              const std::map<std::string, std::string>& env = {});

// A long-running child (the daemon) whose stdout and stderr go to files.
class Child {
 public:
  Child(const std::vector<std::string>& argv, const std::string& log_dir);
  ~Child();  // SIGKILLs the child if still running
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  // Waits until stderr or stdout contains `needle`; returns the text after it up to the line end.
  std::optional<std::string> WaitFor(const std::string& needle,
                                     std::chrono::milliseconds timeout = std::chrono::seconds(20));
  std::string Stdout() const;
  std::string Stderr() const;
  void Signal(int sig);
  // Waits for exit; returns the exit code, 128+signal, or -1 on timeout.
  int Wait(std::chrono::milliseconds timeout = std::chrono::seconds(20));
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  std::string out_path_, err_path_;
  std::optional<int> status_;
};

struct HttpResult {
  int status = 0;
  std::string body;
};

// One HTTP/1.1 request to 127.0.0.1:port (a new connection each time).
HttpResult Http(uint16_t port, const std::string& method, const std::string& target,
                const std::string& body = {}, const std::string& token = {});

// Starts the daemon binary on a free port with its data in `data_dir`. Unless
// `checks`, it runs with --no-checks (API only: nothing is fetched).
struct Daemon {
  std::unique_ptr<Child> child;
  uint16_t port = 0;
  std::string first_token;  // empty unless this start created it
};
Daemon StartDaemon(const std::string& binary, const std::string& data_dir,
                   const std::vector<std::string>& extra_args = {}, bool checks = false);

}  // namespace linkwatch::test
