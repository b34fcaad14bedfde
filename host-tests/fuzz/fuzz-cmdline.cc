// libFuzzer target: command-line assembly. Input: NUL-separated words; the first is the
// running kernel's /proc/cmdline text, the rest are argv[1..]. ParseCommandLine, then
// (with the /proc/cmdline copy in a scratch file) ComposeCmdline and the x86 serial
// console choice on the result. A second, fixed parse after each input checks that no
// getopt state leaks from one call into the next. Seeds (seeds.sh): typical kexec-tools
// command lines.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "arch/x86/x86-loader.h"
#include "fuzz/fuzz-common.h"
#include "loader/load.h"
#include "loader/options.h"

using namespace kexkit;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> words;
  while (words.size() < 64) {
    const size_t z = in.find('\0');
    words.emplace_back(in.substr(0, z));
    if (z == std::string_view::npos) break;
    in.remove_prefix(z + 1);
  }
  const std::string proc = kkfuzz::ScratchDir() + "/proc-cmdline";
  kkfuzz::WriteWhole(proc, words[0]);
  std::vector<std::string> args{"kexkit"};
  args.insert(args.end(), words.begin() + 1, words.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  auto opt = load::ParseCommandLine(static_cast<int>(args.size()), argv.data());
  if (opt) {
    opt->proc_cmdline = proc;  // never let fuzz data name a file to read
    auto cmdline = load::ComposeCmdline(*opt);
    if (cmdline) {
      uint64_t port;
      uint32_t divisor;
      bool program;
      (void)x86::ChooseSerialConsole(*opt, *cmdline, &port, &divisor, &program);
    }
  }
  std::string a0 = "kexkit", a1 = "-l", a2 = "--append=x", a3 = "vmlinuz";
  char* fixed[] = {a0.data(), a1.data(), a2.data(), a3.data(), nullptr};
  auto again = load::ParseCommandLine(4, fixed);
  if (!again || again->kernel != "vmlinuz" || again->append != "x") __builtin_trap();
  return 0;
}
