// Unguessable identifiers and secrets from the kernel's CSPRNG (getrandom).
//
//   std::string id = NewId();                 // "k7q2...": 26 characters, 128 random bits, base32
//   std::string token = RandomToken(32);      // 32 random bytes, base64url without padding (43 chars)
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace amapiano {

// `n` bytes from getrandom(2); aborts the process if the kernel cannot supply them (never expected).
std::vector<uint8_t> RandomBytes(size_t n);

// 128 random bits as 26 lowercase base32 characters (a-z, 2-7): safe in URLs, paths and object keys.
std::string NewId();

// `bytes` random bytes as base64url without padding.
std::string RandomToken(size_t bytes);

}  // namespace amapiano
