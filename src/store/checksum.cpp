#include "store/checksum.h"

#include <sodium.h>

#include <fstream>
#include <vector>

namespace amapiano::store {
namespace {

std::string Hex(const unsigned char* digest, size_t n) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(n * 2);
    for (size_t i = 0; i < n; ++i) {
        out += kHex[digest[i] >> 4];
        out += kHex[digest[i] & 15];
    }
    return out;
}

}  // namespace

std::string Sha256Hex(std::span<const uint8_t> bytes) {
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, bytes.data(), bytes.size());
    return Hex(digest, sizeof(digest));
}

std::string Sha256Hex(std::string_view text) {
    return Sha256Hex(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

Result<std::string> Sha256OfFile(const std::filesystem::path& path) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) return Error::NotFound("no file " + path.string());
    std::ifstream in(path, std::ios::binary);
    if (!in) return Error::Io("cannot read " + path.string());
    crypto_hash_sha256_state state;
    crypto_hash_sha256_init(&state);
    std::vector<char> block(1 << 16);
    while (in) {
        in.read(block.data(), std::streamsize(block.size()));
        const std::streamsize got = in.gcount();
        if (got > 0) {
            crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(block.data()),
                                      static_cast<unsigned long long>(got));
        }
    }
    if (in.bad()) return Error::Io("reading " + path.string() + " failed");
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&state, digest);
    return Hex(digest, sizeof(digest));
}

}  // namespace amapiano::store
