// SHA-256 checksums (OpenSSL libcrypto) as lowercase hex: of text, of bytes, and of a file read in blocks.
// Stored with every asset and compared by the migration tools; also how session tokens are kept.
//
//   std::string digest = Sha256Hex("abc");   // "ba7816bf..."
//   Result<std::string> file_digest = Sha256OfFile("mix.wav");
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "core/error.h"

typedef struct evp_md_ctx_st EVP_MD_CTX;

namespace amapiano::store {

// Incremental SHA-256: Update with the bytes in order, then HexDigest once.
class Sha256Hasher final {
public:
    Sha256Hasher();
    void Update(const void* data, size_t n);
    void Update(std::span<const uint8_t> bytes) { Update(bytes.data(), bytes.size()); }
    std::string HexDigest();

private:
    std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx_;
};

std::string Sha256Hex(std::span<const uint8_t> bytes);
std::string Sha256Hex(std::string_view text);
// Errors: kNotFound, kIo.
Result<std::string> Sha256OfFile(const std::filesystem::path& path);

}  // namespace amapiano::store
