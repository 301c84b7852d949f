// The service's view of an HTTP exchange, independent of the transport (Boost.Beast in
// http_server.h): handlers take an ApiRequest and return an ApiResponse, so they are tested without
// sockets.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"
#include "server/accounts.h"

namespace amapiano::server {

struct ApiRequest final {
    std::string method;                          // "GET", "POST", ...
    std::string path;                            // percent-decoded, without the query
    std::string raw_path;                        // as sent (signed URLs are checked against it)
    std::map<std::string, std::string> query;    // percent-decoded
    std::map<std::string, std::string> params;   // path parameters of the matched route
    std::map<std::string, std::string> headers;  // names lowercased
    std::string body;                            // JSON requests
    std::filesystem::path body_file;             // uploads, streamed to disk by the transport
    std::string remote_address;
    std::string request_id;
    std::optional<User> user;  // set once authenticated
    std::string token;         // the credential that authenticated `user`

    std::string Header(std::string_view name) const {
        auto it = headers.find(std::string(name));
        return it == headers.end() ? std::string() : it->second;
    }
};

struct ApiResponse final {
    int status = 200;
    std::string content_type = "application/json";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
    bool close = false;                           // close the connection after this response
    std::optional<uint64_t> head_content_length;  // HEAD: the length a GET would send
    // For the request log and metrics (filled by the API).
    std::string route = "unmatched";
    std::string user_id;

    static ApiResponse Json(int status, const nlohmann::json& body);
    static ApiResponse NoContent();
};

// {"error":{"code","message"}} with `status`.
ApiResponse ErrorResponse(int status, std::string_view code, std::string_view message);
// The status and code for an Error from below (kNotFound -> 404 not_found, kConflict -> 409, ...).
ApiResponse ErrorResponse(const Error& error);

}  // namespace amapiano::server
