#include "core/ids.h"

#include <sys/random.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>

namespace amapiano {

std::vector<uint8_t> RandomBytes(size_t n) {
    std::vector<uint8_t> out(n);
    size_t got = 0;
    while (got < n) {
        const ssize_t r = ::getrandom(out.data() + got, n - got, 0);
        if (r < 0) {
            if (errno == EINTR) continue;
            std::fprintf(stderr, "amapiano: the kernel's random number generator failed\n");
            std::abort();
        }
        got += size_t(r);
    }
    return out;
}

namespace {

// Big-endian bit packing of `bytes` into characters of `alphabet` (2^bits_per_char letters); the
// last character is zero-padded.
std::string Encode(const std::vector<uint8_t>& bytes, const char* alphabet, int bits_per_char) {
    std::string out;
    const uint32_t mask = (1u << bits_per_char) - 1;
    uint32_t buffer = 0;
    int bits = 0;
    for (uint8_t b : bytes) {
        buffer = (buffer << 8) | b;
        bits += 8;
        while (bits >= bits_per_char) {
            out += alphabet[(buffer >> (bits - bits_per_char)) & mask];
            bits -= bits_per_char;
        }
    }
    if (bits > 0) out += alphabet[(buffer << (bits_per_char - bits)) & mask];
    return out;
}

}  // namespace

std::string NewId() { return Encode(RandomBytes(16), "abcdefghijklmnopqrstuvwxyz234567", 5); }

std::string RandomToken(size_t bytes) {
    return Encode(RandomBytes(bytes), "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", 6);
}

}  // namespace amapiano
