// SHA-256 digests (OpenSSL) and random tokens. All functions are thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace linkwatch {

// Lower-case hex SHA-256 of `data` (64 characters).
std::string Sha256Hex(std::string_view data);

// Incremental hashing for data that arrives in pieces.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void Update(std::string_view data);
  // Returns the hex digest; the object must not be updated afterwards.
  std::string FinishHex();

 private:
  void* ctx_;  // EVP_MD_CTX*, kept out of this header
};

// `bytes` cryptographically random bytes as lower-case hex.
std::string RandomHex(size_t bytes);

}  // namespace linkwatch
