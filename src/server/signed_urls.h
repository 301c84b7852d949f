// UrlSigner: time-limited download links. A link carries its expiry (Unix seconds) and an
// HMAC-SHA256 (libsodium) of the method, path and expiry under the service's key, so it works
// without a token (an <audio src> can play it) and any change to path or expiry breaks it.
//
//   UrlSigner signer(key);                                     // 32 secret bytes, shared by replicas
//   std::string url = signer.Sign("/api/v1/assets/t1/mix.wav", expires_unix);  //
//   path?expires=..&signature=.. Status ok = signer.Verify(path, expires_text, signature_hex, now_unix);
//
// Verify tells a forged or altered link (kInvalid) from a genuine one that has expired (kExpired).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace amapiano::server {

enum class SignatureCheck { kValid, kInvalid, kExpired };

class UrlSigner final {
public:
    explicit UrlSigner(std::vector<uint8_t> key) : key_(std::move(key)) {}

    // `path` must not contain a query. Returns "path?expires=E&signature=S".
    std::string Sign(std::string_view path, int64_t expires_unix) const;
    // A forged or altered link is kInvalid, even when it has expired too.
    SignatureCheck Verify(std::string_view path, std::string_view expires, std::string_view signature,
                          int64_t now_unix) const;

private:
    std::string Mac(std::string_view path, std::string_view expires) const;
    std::vector<uint8_t> key_;
};

}  // namespace amapiano::server
