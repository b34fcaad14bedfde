#include <gtest/gtest.h>

#include "linker/object.h"

TEST(Smoke, RejectsNonElf) {
  const uint8_t junk[32] = {1, 2, 3};
  auto r = kexkit::link::RelocatableObject::Parse(junk, "junk.o");
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().Line().find("junk.o: not an ELF file"), std::string::npos);
}
