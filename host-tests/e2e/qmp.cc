// qmp: sends QMP commands to a running QEMU and prints each reply, so run-vm.sh can
// hot-add CPUs and memory [QEMU's docs/interop/qmp-spec.rst].
//
//   qmp SOCKET JSON...   connect to the unix socket (-qmp unix:SOCKET,server=on,wait=off),
//                        leave capabilities negotiation, then send each JSON command
//                        and print its reply line ({"return": ...} or {"error": ...})
//
// Asynchronous events ({"event": ...}) between replies are skipped. Exit status: 0 every
// command returned, 1 a command answered with an error or the connection failed, 2 usage.
// Host-only and standalone (C++17, libc only), built by run-vm.sh like vmcore-peek.

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

namespace {

constexpr int kReplyTimeoutMs = 30000;

class Connection {
 public:
  ~Connection() {
    if (fd_ >= 0) close(fd_);
  }

  bool Open(const char* path) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (std::strlen(path) >= sizeof addr.sun_path) return Fail("socket path too long");
    std::strcpy(addr.sun_path, path);
    fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return Fail(std::string("socket: ") + std::strerror(errno));
    if (connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      return Fail(std::string("connect ") + path + ": " + std::strerror(errno));
    }
    return true;
  }

  // The next line that is not an event (the greeting, or a command's reply).
  bool ReadReply(std::string* line) {
    for (;;) {
      if (!ReadLine(line)) return false;
      if (line->find("\"event\"") == std::string::npos) return true;
    }
  }

  bool Send(const std::string& json) {
    const std::string msg = json + "\n";
    size_t done = 0;
    while (done < msg.size()) {
      const ssize_t n = write(fd_, msg.data() + done, msg.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return Fail(std::string("write: ") + std::strerror(errno));
      done += static_cast<size_t>(n);
    }
    return true;
  }

  static bool Fail(const std::string& what) {
    std::fprintf(stderr, "qmp: %s\n", what.c_str());
    return false;
  }

 private:
  bool ReadLine(std::string* line) {
    for (;;) {
      const size_t nl = buf_.find('\n');
      if (nl != std::string::npos) {
        *line = buf_.substr(0, nl);
        if (!line->empty() && line->back() == '\r') line->pop_back();
        buf_.erase(0, nl + 1);
        return true;
      }
      pollfd p{fd_, POLLIN, 0};
      const int r = poll(&p, 1, kReplyTimeoutMs);
      if (r < 0 && errno == EINTR) continue;
      if (r == 0) return Fail("no reply within 30 s");
      if (r < 0) return Fail(std::string("poll: ") + std::strerror(errno));
      char chunk[4096];
      const ssize_t n = read(fd_, chunk, sizeof chunk);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Fail(std::string("read: ") + std::strerror(errno));
      if (n == 0) return Fail("QEMU closed the connection");
      buf_.append(chunk, static_cast<size_t>(n));
    }
  }

  int fd_ = -1;
  std::string buf_;
};

bool Command(Connection& c, const std::string& json, bool print) {
  std::string reply;
  if (!c.Send(json) || !c.ReadReply(&reply)) return false;
  if (print) std::printf("%s\n", reply.c_str());
  if (reply.find("\"return\"") == std::string::npos) {
    return Connection::Fail(json + ": " + reply);
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: qmp SOCKET JSON...\n");
    return 2;
  }
  Connection c;
  std::string greeting;
  if (!c.Open(argv[1]) || !c.ReadReply(&greeting)) return 1;
  if (greeting.find("\"QMP\"") == std::string::npos) {
    Connection::Fail("not a QMP greeting: " + greeting);
    return 1;
  }
  if (!Command(c, "{\"execute\": \"qmp_capabilities\"}", false)) return 1;
  for (int i = 2; i < argc; ++i) {
    if (!Command(c, argv[i], true)) return 1;
  }
  std::fflush(stdout);
  return 0;
}
