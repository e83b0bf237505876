#include "test_support.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace linkwatch::test {
namespace {

std::vector<char*> Argv(const std::vector<std::string>& argv) {
  std::vector<char*> out;
  for (const auto& a : argv) out.push_back(const_cast<char*>(a.c_str()));
  out.push_back(nullptr);
  return out;
}

// In a forked child: wires stdin/stdout/stderr to files and runs `argv`.
[[noreturn]] void ExecChild(const std::vector<std::string>& argv, const std::string& in,
                            const std::string& out, const std::string& err,
                            const std::map<std::string, std::string>& env) {
  for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
  dup2(open(in.c_str(), O_RDONLY), 0);
  dup2(open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600), 1);
  dup2(open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600), 2);
  auto args = Argv(argv);
  execv(args[0], args.data());
  _exit(127);
}

int DecodeStatus(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace

TempDir::TempDir() {
  std::string tmpl = "/tmp/linkwatch-test-XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::permissions(path_, std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::add, ec);
  std::filesystem::remove_all(path_, ec);
}

void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream f(path, std::ios::binary);
  f << content;
}

std::string ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

RunResult Run(const std::vector<std::string>& argv, const std::string& input,
              const std::map<std::string, std::string>& env) {
  TempDir dir;
  const std::string in = dir.File("in"), out = dir.File("out"), err = dir.File("err");
  WriteFile(in, input);
  const pid_t pid = fork();
  if (pid == 0) ExecChild(argv, in, out, err, env);
  int status = 0;
  waitpid(pid, &status, 0);
  return {DecodeStatus(status), ReadFile(out), ReadFile(err)};
}

Child::Child(const std::vector<std::string>& argv, const std::string& log_dir)
    : out_path_(log_dir + "/child.out"), err_path_(log_dir + "/child.err") {
  // Emptied here, before the fork, so that WaitFor never reads an earlier child's log.
  WriteFile(out_path_, "");
  WriteFile(err_path_, "");
  pid_ = fork();
  if (pid_ == 0) ExecChild(argv, "/dev/null", out_path_, err_path_, {});
}

Child::~Child() {
  if (!status_) {
    kill(pid_, SIGKILL);
    Wait();
  }
}

std::optional<std::string> Child::WaitFor(const std::string& needle,
                                          std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    for (const std::string& text : {Stderr(), Stdout()}) {
      const auto at = text.find(needle);
      if (at == std::string::npos) continue;
      const auto start = at + needle.size();
      const auto end = text.find('\n', start);
      if (end != std::string::npos) return text.substr(start, end - start);
    }
    int status = 0;
    if (!status_ && waitpid(pid_, &status, WNOHANG) == pid_) status_ = DecodeStatus(status);
    if (status_) return std::nullopt;  // exited without saying it
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return std::nullopt;
}

std::string Child::Stdout() const { return ReadFile(out_path_); }
std::string Child::Stderr() const { return ReadFile(err_path_); }
void Child::Signal(int sig) { kill(pid_, sig); }

int Child::Wait(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!status_) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      status_ = DecodeStatus(status);
      break;
    }
    if (std::chrono::steady_clock::now() > deadline) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return *status_;
}

HttpResult Http(uint16_t port, const std::string& method, const std::string& target,
                const std::string& body, const std::string& token) {
  namespace beast = boost::beast;
  namespace http = beast::http;
  boost::asio::io_context io;
  beast::tcp_stream stream(io);
  stream.expires_after(std::chrono::seconds(30));
  stream.connect(boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
  http::request<http::string_body> req(http::string_to_verb(method), target, 11);
  req.set(http::field::host, "127.0.0.1");
  if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
  if (!body.empty()) req.set(http::field::content_type, "application/json");
  req.body() = body;
  req.prepare_payload();
  http::write(stream, req);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64u << 20);
  http::read(stream, buffer, parser);
  beast::error_code ec;
  stream.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
  return {static_cast<int>(parser.get().result_int()), parser.get().body()};
}

Daemon StartDaemon(const std::string& binary, const std::string& data_dir,
                   const std::vector<std::string>& extra_args, bool checks) {
  // Links in these tests name hosts on the internet: nothing may fetch them.
  std::vector<std::string> argv = {binary, "--data-dir", data_dir, "--listen", "127.0.0.1:0"};
  if (!checks) argv.push_back("--no-checks");
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  Daemon d;
  // Logs go beside the data directory, which the daemon itself creates.
  d.child = std::make_unique<Child>(argv, std::filesystem::path(data_dir).parent_path().string());
  const auto port = d.child->WaitFor("listening on http://127.0.0.1:");
  if (!port) {
    throw std::runtime_error("daemon did not start: " + d.child->Stderr());
  }
  d.port = static_cast<uint16_t>(std::stoi(*port));
  const std::string out = d.child->Stdout();
  const auto at = out.find("export LINKWATCH_TOKEN=");
  if (at != std::string::npos) {
    const auto start = at + std::string("export LINKWATCH_TOKEN=").size();
    d.first_token = out.substr(start, out.find('\n', start) - start);
  }
  return d;
}

}  // namespace linkwatch::test
