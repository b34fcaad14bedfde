// The floor a loader's --dry-run is measured against: read each file once with read(2)
// into a reused buffer and hash it with OpenSSL, nothing else.
// Usage: kexkit-readhash FILE... ; prints one sha256 per file.
#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <cstdio>
#include <vector>

int main(int argc, char** argv) {
  std::vector<unsigned char> buf(1 << 20);
  for (int i = 1; i < argc; ++i) {
    const int fd = open(argv[i], O_RDONLY);
    if (fd < 0) {
      std::perror(argv[i]);
      return 1;
    }
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
    ssize_t n;
    while ((n = read(fd, buf.data(), buf.size())) > 0) EVP_DigestUpdate(ctx, buf.data(), n);
    close(fd);
    unsigned char out[32];
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx, out, &len);
    EVP_MD_CTX_free(ctx);
    for (unsigned k = 0; k < len; ++k) std::printf("%02x", out[k]);
    std::printf("  %s\n", argv[i]);
  }
  return 0;
}
