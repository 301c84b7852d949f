// AWS Signature Version 4 (AWS4-HMAC-SHA256) for S3 requests: the Authorization-header form and
// presigned URLs (query-string form). Pure functions of the request, the credentials and the time —
// no I/O — so tests pin them against AWS's published examples and botocore.
//
//   AwsRequest request{.method = "GET", .host = "examplebucket.s3.amazonaws.com", .path = "/test.txt"};
//   request.headers = {{"Range", "bytes=0-9"}};
//   AwsSignature s = SignRequest(request, credentials, "us-east-1", "s3", std::chrono::system_clock::now());
//   // request.headers now also has Host, x-amz-date, x-amz-content-sha256 and Authorization.
//   AwsPresignedUrl url = PresignUrl(request, credentials, "us-east-1", "s3", now, std::chrono::hours(1));
//
// Canonicalisation follows S3's rules (which botocore's S3SigV4Auth also follows): the path is
// URI-encoded once, '/' kept, never normalised ("//a/./b" is signed as it is); query keys and values
// are encoded ('/' too) and sorted by key, then value; header names are lowercased, values trimmed
// with inner runs of spaces collapsed, repeated headers joined with ',' in order.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace amapiano::store {

struct AwsCredentials final {
    std::string access_key_id{};
    std::string secret_access_key{};
    std::string session_token{};  // empty for long-term keys
    // When temporary credentials stop working; nullopt for long-term keys.
    std::optional<std::chrono::system_clock::time_point> expiration{};
};

inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";
// SHA-256 of no bytes: the payload hash of GET, HEAD and DELETE requests.
inline constexpr std::string_view kEmptyPayloadSha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

struct AwsRequest final {
    std::string method = "GET";
    std::string scheme = "https";  // only used to build presigned URLs
    std::string host{};  // as sent in the Host header: "bucket.s3.us-east-1.amazonaws.com", "127.0.0.1:4568"
    std::string path = "/";  // raw (not percent-encoded) bytes, starting with '/'; encoded once when signing
    std::vector<std::pair<std::string, std::string>> query{};    // raw keys and values; repeats allowed
    std::vector<std::pair<std::string, std::string>> headers{};  // sent as they are; all but a few are signed
    // Lowercase hex SHA-256 of the body, or kUnsignedPayload.
    std::string payload_sha256 = std::string(kEmptyPayloadSha256);
};

// The intermediate pieces of one signature (AWS's names), for tests and for debugging a
// SignatureDoesNotMatch.
struct AwsSignature final {
    std::string canonical_request{};
    std::string string_to_sign{};
    std::string signing_key_hex{};
    std::string signed_headers{};  // "host;range;x-amz-content-sha256;x-amz-date"
    std::string signature{};       // lowercase hex
    std::string authorization;     // the Authorization header value (empty for presigned URLs)
};

struct AwsPresignedUrl final {
    std::string url{};  // scheme://host/encoded-path?query&X-Amz-Signature=...
    AwsSignature signature{};
};

// Percent-encodes every byte except A-Z a-z 0-9 '-' '.' '_' '~' (uppercase hex digits); '/' too unless
// `keep_slash`. Paths use keep_slash = true, query keys and values false.
std::string AwsUriEncode(std::string_view text, bool keep_slash);

// "20130524T000000Z" (UTC).
std::string AwsTimestamp(std::chrono::system_clock::time_point at);

// The canonical query string of `query` (encoded, sorted, '&'-joined) — also what goes on the wire.
std::string AwsCanonicalQuery(const std::vector<std::pair<std::string, std::string>>& query);

// Signs `request` in place for `service` in `region` at time `now`: replaces any Authorization,
// x-amz-date and x-amz-security-token headers; adds Host (from request.host) when missing,
// x-amz-date, x-amz-security-token when the credentials have a session token, x-amz-content-sha256
// (= payload_sha256) for service "s3" when missing, and Authorization. Every header is signed except
// Authorization, User-Agent, Expect and X-Amzn-Trace-Id (botocore's rule).
AwsSignature SignRequest(AwsRequest& request, const AwsCredentials& credentials, std::string_view region,
                         std::string_view service, std::chrono::system_clock::time_point now);

// A presigned URL for `request` (its method, host, path and query; its headers and payload hash are
// ignored: only Host is signed and the payload is UNSIGNED-PAYLOAD), valid for `expires` from `now`.
// S3 accepts 1 s to 7 days (604800 s); the caller checks the range.
AwsPresignedUrl PresignUrl(const AwsRequest& request, const AwsCredentials& credentials,
                           std::string_view region, std::string_view service,
                           std::chrono::system_clock::time_point now, std::chrono::seconds expires);

}  // namespace amapiano::store
