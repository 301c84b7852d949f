#include "store/checksum.h"

#include <openssl/evp.h>

#include <fstream>
#include <memory>
#include <vector>

#include "core/text.h"

namespace amapiano::store {
// OpenSSL's SHA-256 uses the CPU's SHA extensions where present (about 4x libsodium's portable code
// on this project's machine), which matters for multi-megabyte audio assets.
Sha256Hasher::Sha256Hasher() : ctx_(EVP_MD_CTX_new(), &EVP_MD_CTX_free) {
    EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr);
}

void Sha256Hasher::Update(const void* data, size_t n) { EVP_DigestUpdate(ctx_.get(), data, n); }

std::string Sha256Hasher::HexDigest() {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_DigestFinal_ex(ctx_.get(), digest, &n);
    return HexEncode(std::span<const uint8_t>(digest, n));
}

std::string Sha256Hex(std::span<const uint8_t> bytes) {
    Sha256Hasher sha;
    sha.Update(bytes.data(), bytes.size());
    return sha.HexDigest();
}

std::string Sha256Hex(std::string_view text) {
    return Sha256Hex(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

Result<std::string> Sha256OfFile(const std::filesystem::path& path) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) return Error::NotFound("no file " + path.string());
    std::ifstream in(path, std::ios::binary);
    if (!in) return Error::Io("cannot read " + path.string());
    Sha256Hasher sha;
    std::vector<char> block(1 << 16);
    while (in) {
        in.read(block.data(), std::streamsize(block.size()));
        const std::streamsize got = in.gcount();
        if (got > 0) sha.Update(block.data(), size_t(got));
    }
    if (in.bad()) return Error::Io("reading " + path.string() + " failed");
    return sha.HexDigest();
}

}  // namespace amapiano::store
