// ServiceClient: a small typed client of a running amapiano service's HTTP API, for the operator tools
// that check a deployment from outside (`amapiano smoke`, `amapiano loadtest`). It sits on
// store::PerformHttp (libcurl, one kept-alive connection per thread) and adds a base URL with an
// optional path prefix, a bearer token, JSON bodies, uploads, ranged downloads, one redirect followed
// without credentials, and the time each request took.
//
//   auto client = ServiceClient::Create("https://api.example.com", {{"Host", "amapiano.example.com"}});
//   if (!client) return client.error();                      // kInvalidArgument: not an http(s) URL
//   auto r = client->PostJson("/api/v1/auth/login", {{"email", e}, {"password", p}});
//   if (!r) return r.error();                                // kUnavailable: the service was not reached
//   if (r->status == 200) client->SetToken(r->Json()["token"]);   // any HTTP status is a response
//   auto wav = client->Send({.path = asset_url, .range = "bytes=0-99", .follow_redirect = true});
//
// Paths starting with "/" are appended to the base URL (so a prefix like https://host/amapiano is
// kept); absolute http(s) URLs are used as they are. The token and the extra headers go only to the
// service: a followed redirect (e.g. 302 to a presigned S3 or CloudFront URL) is fetched with nothing
// but the Range header, since S3 refuses a request that carries a second form of authorisation.
//
// Thread-safe for concurrent Send calls once the token is set (each thread uses its own connection).
#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"

namespace amapiano::ops {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct ClientRequest final {
    std::string method = "GET";
    std::string path{};                    // "/api/v1/..." under the base URL, or an absolute http(s) URL
    std::optional<nlohmann::json> json{};  // sent as application/json when set
    std::string body{};                    // raw body (an upload) when json is unset
    std::string content_type{};            // of the raw body
    std::string range{};                   // "bytes=0-99" -> a Range header
    bool authorize = true;                 // send the token (when one is set)
    bool follow_redirect = false;          // follow one 301/302/303/307/308 with a Location
};

struct ClientResponse final {
    long status = 0;
    HttpHeaders headers{};  // of the final response; names lowercased
    std::string body{};
    std::chrono::microseconds elapsed{};  // the whole exchange, redirect included
    std::string redirected_to{};          // the Location followed (empty when none was)

    // The first value of header `lowercase_name`, or nullptr.
    const std::string* Header(std::string_view lowercase_name) const;
    // The body as JSON; a discarded value (is_discarded()) when it is not JSON.
    nlohmann::json Json() const;
    // The error code of a {"error":{"code",...}} body, or "".
    std::string ErrorCode() const;
    // "403 invalid_signature: this download link is not valid" (or the start of a non-JSON body), for
    // one-line reports.
    std::string Describe() const;
    // How long a 429 asks to wait: its Retry-After in whole seconds, 1 to 30 (1 when absent).
    std::chrono::seconds RetryAfter() const;
};

struct ClientOptions final {
    std::chrono::milliseconds connect_timeout = std::chrono::seconds(10);
    // A transfer slower than 1 byte/s for this long fails (kUnavailable): no request hangs for ever.
    std::chrono::seconds stall_timeout = std::chrono::seconds(30);
};

class ServiceClient final {
public:
    // `base_url` is http[s]://host[:port][/prefix] (a trailing "/" is dropped; no query or fragment);
    // `headers` go with every request to the service (e.g. a Host header when the URL names an IP).
    static Result<ServiceClient> Create(std::string_view base_url, HttpHeaders headers = {},
                                        ClientOptions options = {});

    const std::string& base_url() const { return base_url_; }
    void SetToken(std::string token) { token_ = std::move(token); }
    const std::string& token() const { return token_; }

    // The URL a request path names: base URL + path, or the path itself when it is absolute.
    std::string Resolve(std::string_view path) const;

    // Errors: kUnavailable when the service (or the redirect's target) was not reached or the transfer
    // broke, with curl's reason; kInvalidArgument for a malformed URL. Every HTTP status is a response.
    Result<ClientResponse> Send(const ClientRequest& request) const;

    Result<ClientResponse> Get(std::string_view path) const { return Send({.path = std::string(path)}); }
    Result<ClientResponse> Delete(std::string_view path) const {
        return Send({.method = "DELETE", .path = std::string(path)});
    }
    Result<ClientResponse> PostJson(std::string_view path, nlohmann::json body) const {
        return Send({.method = "POST", .path = std::string(path), .json = std::move(body)});
    }

private:
    ServiceClient(std::string base_url, HttpHeaders headers, ClientOptions options)
        : base_url_(std::move(base_url)), headers_(std::move(headers)), options_(options) {}

    std::string base_url_;
    HttpHeaders headers_;
    ClientOptions options_;
    std::string token_;
};

// "Name: value" (as curl -H takes it) -> {"Name", "value"}; kInvalidArgument without a name and colon.
Result<std::pair<std::string, std::string>> ParseHeader(std::string_view text);

// The string field `key` of a JSON object (an answer's body), or "" when it is missing or not a string.
std::string StringAt(const nlohmann::json& object, std::string_view key);

// The scheme://host[:port] of an absolute URL ("" when it has none).
std::string UrlOrigin(std::string_view url);

}  // namespace amapiano::ops
