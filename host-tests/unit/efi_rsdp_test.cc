// The RSDP handed to a kexec'd kernel on a UEFI machine comes from the EFI system table
// listing when the boot loader left boot_params.acpi_rsdp_addr at 0.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "arch/x86/x86-loader.h"

namespace {

std::string WriteTemp(const std::string& text) {
  char path[] = "/tmp/kexkit-systab-XXXXXX";
  const int fd = mkstemp(path);
  EXPECT_GE(fd, 0);
  close(fd);
  std::ofstream(path) << text;
  return path;
}

TEST(EfiRsdp, PrefersAcpi20) {
  const std::string p = WriteTemp("SMBIOS3=0x7e8d4000\nACPI=0x7e8fd000\nACPI20=0x7e8fe014\n");
  EXPECT_EQ(kexkit::x86::FindEfiAcpiRsdp(p), 0x7e8fe014u);
  std::remove(p.c_str());
}

TEST(EfiRsdp, FallsBackToAcpi10) {
  const std::string p = WriteTemp("ACPI=0xf5a40\nSMBIOS=0xf5a60\n");
  EXPECT_EQ(kexkit::x86::FindEfiAcpiRsdp(p), 0xf5a40u);
  std::remove(p.c_str());
}

TEST(EfiRsdp, NoneWithoutSystab) {
  EXPECT_EQ(kexkit::x86::FindEfiAcpiRsdp("/nonexistent/systab"), 0u);
}

}  // namespace
