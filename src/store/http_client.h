// A small HTTP/1.1 client over libcurl's easy interface, for the S3 backend and the credentials
// endpoint. Bodies go out from memory or from a byte range of a file (streamed, never loaded whole);
// responses come back in memory or stream to an ObjectSink. Each thread keeps one easy handle, so
// connections to the same host are reused (keep-alive) without locks.
//
//   HttpRequest request{.method = "GET", .url = "http://127.0.0.1:4568/bucket/key"};
//   Result<HttpResponse> response = PerformHttp(request);
//   if (!response) return response.error();            // kUnavailable: the server was not reached
//   if (response->status == 200) Use(response->body);   // any HTTP status is a response, not an error
//
// Thread-safe: requests on different threads run in parallel; one thread runs one at a time.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"
#include "store/object_store.h"

namespace amapiano::store {

struct HttpResponse;

struct HttpRequest final {
    std::string method = "GET";  // GET, HEAD, PUT, POST, DELETE, ...
    std::string url{};
    std::vector<std::pair<std::string, std::string>> headers{};  // sent as they are, in order

    // The body: `body` bytes (which must outlive the call), or when `body_file` is set the
    // `body_length` bytes of that file from `body_offset`. No body when both are empty.
    std::span<const uint8_t> body{};
    std::filesystem::path body_file{};
    int64_t body_offset = 0;
    int64_t body_length = 0;

    // When set, the body of a response whose status is `stream_status` is passed to `sink` in chunks
    // as it arrives instead of being kept in HttpResponse::body (other statuses — errors — are kept).
    const ObjectSink* sink = nullptr;
    long stream_status = 200;
    // Called once with the status and headers just before the first streamed chunk; an error stops
    // the transfer (for checking a Content-Range, or noting an ETag, before any byte is delivered).
    std::function<Status(const HttpResponse& head)> on_stream_start{};
    // Bodies kept in memory beyond this size fail the request (kIo); guards against a huge answer
    // where a small one was expected.
    size_t max_memory_body_bytes = size_t(1) << 31;

    std::chrono::milliseconds connect_timeout = std::chrono::seconds(10);
    // The transfer fails (kUnavailable) when slower than 1 byte/s for this long.
    std::chrono::seconds low_speed_time = std::chrono::seconds(60);
};

struct HttpResponse final {
    long status = 0;
    std::vector<std::pair<std::string, std::string>> headers{};  // names lowercased, values trimmed
    std::string body{};

    // The first value of header `lowercase_name`, or nullptr.
    const std::string* Header(std::string_view lowercase_name) const;
};

// Errors: kUnavailable when the server cannot be reached or the connection breaks (including a
// timeout), with curl's reason; the sink's own error when it stops the transfer; kIo when the body
// file cannot be read or a kept body is too large; kInvalidArgument for a malformed URL.
Result<HttpResponse> PerformHttp(const HttpRequest& request);

}  // namespace amapiano::store
