#include "server/signed_urls.h"

#include <sodium.h>

#include <charconv>

#include "core/text.h"

namespace amapiano::server {

std::string UrlSigner::Mac(std::string_view path, std::string_view expires) const {
    const std::string message = "GET\n" + std::string(path) + "\n" + std::string(expires);
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state state;
    crypto_auth_hmacsha256_init(&state, key_.data(), key_.size());
    crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(message.data()),
                                  message.size());
    crypto_auth_hmacsha256_final(&state, mac);
    return HexEncode(std::span<const uint8_t>(mac, sizeof(mac)));
}

std::string UrlSigner::Sign(std::string_view path, int64_t expires_unix) const {
    const std::string expires = std::to_string(expires_unix);
    return std::string(path) + "?expires=" + expires + "&signature=" + Mac(path, expires);
}

SignatureCheck UrlSigner::Verify(std::string_view path, std::string_view expires, std::string_view signature,
                                 int64_t now_unix) const {
    int64_t when = 0;
    auto [ptr, ec] = std::from_chars(expires.data(), expires.data() + expires.size(), when);
    if (ec != std::errc() || ptr != expires.data() + expires.size() || expires.empty())
        return SignatureCheck::kInvalid;
    const std::string expected = Mac(path, expires);
    if (signature.size() != expected.size() ||
        sodium_memcmp(signature.data(), expected.data(), expected.size()) != 0) {
        return SignatureCheck::kInvalid;
    }
    return when < now_unix ? SignatureCheck::kExpired : SignatureCheck::kValid;
}

}  // namespace amapiano::server
