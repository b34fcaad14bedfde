// kexkit: the command-line front end. RunKexkit (run.h) does the work, against the real
// kexec system calls; the tests run the same function with a recording KexecSys.
#include <cstdio>

#include "loader/run.h"

int main(int argc, char** argv) {
  auto sys = kexkit::load::MakeSystemKexec();
  return kexkit::load::RunKexkit(argc, argv, *sys, stdout, stderr);
}
