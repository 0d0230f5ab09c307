#include "util/sha256.h"

#include <openssl/evp.h>

#include <stdexcept>

namespace bulletin {

namespace {

// The SHA-256 implementation, fetched once: EVP_sha256() in EVP_Digest looks
// the algorithm up again in the provider on every call (a lock and a table
// search), which on the ~20,000 small digests of a build cost as much as
// hashing. One context per thread, reset for each digest.
const EVP_MD* sha256_md() {
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md ? md : EVP_sha256();
}

struct Context {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~Context() { EVP_MD_CTX_free(ctx); }
};

}  // namespace

std::string sha256(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  thread_local Context context;
  EVP_MD_CTX* ctx = context.ctx;
  if (!ctx || !EVP_DigestInit_ex(ctx, sha256_md(), nullptr) || !EVP_DigestUpdate(ctx, bytes.data(), bytes.size()) ||
      !EVP_DigestFinal_ex(ctx, digest, &length)) {
    throw std::runtime_error("SHA-256 failed");
  }
  static const char* hex = "0123456789abcdef";
  std::string out = "sha256:";
  for (unsigned int i = 0; i < length; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 0xF];
  }
  return out;
}

}  // namespace bulletin
