#include "ops/service_client.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "core/text.h"
#include "store/http_client.h"

namespace amapiano::ops {
namespace {

bool IsAbsolute(std::string_view url) {
    const std::string lower = AsciiLower(url.substr(0, 8));
    return lower.starts_with("http://") || lower.starts_with("https://");
}

bool IsRedirect(long status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

Result<store::HttpResponse> Perform(std::string method, std::string url, HttpHeaders headers,
                                    std::string_view body, const ClientOptions& options) {
    store::HttpRequest request{
        .method = std::move(method), .url = std::move(url), .headers = std::move(headers)};
    request.body = std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(body.data()), body.size());
    request.connect_timeout = options.connect_timeout;
    request.low_speed_time = options.stall_timeout;
    return store::PerformHttp(request);
}

}  // namespace

std::string UrlOrigin(std::string_view url) {
    const size_t scheme_end = url.find("://");
    if (scheme_end == std::string_view::npos) return {};
    const size_t path_start = url.find_first_of("/?#", scheme_end + 3);
    return std::string(url.substr(0, path_start));
}

Result<std::pair<std::string, std::string>> ParseHeader(std::string_view text) {
    const size_t colon = text.find(':');
    const std::string name(colon == std::string_view::npos ? text : text.substr(0, colon));
    if (colon == std::string_view::npos || name.empty() ||
        name.find_first_of(" \t\r\n") != std::string::npos) {
        return Error::InvalidArgument("'" + std::string(text) + "' is not a header; give NAME:VALUE");
    }
    std::string value(text.substr(colon + 1));
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.erase(0, 1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.pop_back();
    if (value.find_first_of("\r\n") != std::string::npos) {
        return Error::InvalidArgument("the value of header '" + name + "' has a line break");
    }
    return std::pair{name, value};
}

const std::string* ClientResponse::Header(std::string_view lowercase_name) const {
    for (const auto& [name, value] : headers) {
        if (name == lowercase_name) return &value;
    }
    return nullptr;
}

nlohmann::json ClientResponse::Json() const { return nlohmann::json::parse(body, nullptr, false); }

std::string ClientResponse::ErrorCode() const {
    const nlohmann::json j = Json();
    if (j.is_object() && j.contains("error") && j["error"].is_object() && j["error"].contains("code") &&
        j["error"]["code"].is_string()) {
        return j["error"]["code"].get<std::string>();
    }
    return {};
}

std::chrono::seconds ClientResponse::RetryAfter() const {
    const std::string* value = Header("retry-after");
    const long seconds = value ? std::strtol(value->c_str(), nullptr, 10) : 1;
    return std::chrono::seconds(std::clamp<long>(seconds, 1, 30));
}

std::string ClientResponse::Describe() const {
    std::string out = std::to_string(status);
    const nlohmann::json j = Json();
    if (j.is_object() && j.contains("error") && j["error"].is_object()) {
        const nlohmann::json& e = j["error"];
        if (e.contains("code") && e["code"].is_string()) out += " " + e["code"].get<std::string>();
        if (e.contains("message") && e["message"].is_string()) out += ": " + e["message"].get<std::string>();
        return out;
    }
    std::string text = body.substr(0, 120);
    std::replace_if(
        text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; }, ' ');
    if (!text.empty()) out += ": " + text;
    return out;
}

Result<ServiceClient> ServiceClient::Create(std::string_view base_url, HttpHeaders headers,
                                            ClientOptions options) {
    std::string url(base_url);
    const std::string lower = AsciiLower(url);
    const size_t scheme_end = lower.find("://");
    const std::string scheme = scheme_end == std::string::npos ? "" : lower.substr(0, scheme_end);
    if (scheme != "http" && scheme != "https") {
        return Error::InvalidArgument("'" + url + "' is not an http:// or https:// URL");
    }
    const size_t host_start = scheme_end + 3;
    const size_t host_end = url.find_first_of("/?#", host_start);
    const std::string host =
        url.substr(host_start, host_end == std::string::npos ? host_end : host_end - host_start);
    if (host.empty() || host.find('@') != std::string::npos ||
        std::any_of(host.begin(), host.end(), [](unsigned char c) { return std::isspace(c) || c < 0x20; })) {
        return Error::InvalidArgument("'" + url + "' names no host (http[s]://host[:port][/prefix])");
    }
    if (url.find_first_of("?#") != std::string::npos) {
        return Error::InvalidArgument("'" + url +
                                      "' has a query or fragment; give http[s]://host[:port][/prefix]");
    }
    while (url.size() > host_start + host.size() && url.back() == '/') url.pop_back();
    for (const auto& [name, value] : headers) {
        if (name.empty() || name.find_first_of(": \t\r\n") != std::string::npos ||
            value.find_first_of("\r\n") != std::string::npos) {
            return Error::InvalidArgument("'" + name + "' is not a usable header name");
        }
    }
    return ServiceClient(std::move(url), std::move(headers), options);
}

std::string ServiceClient::Resolve(std::string_view path) const {
    if (IsAbsolute(path)) return std::string(path);
    if (path.empty() || path.front() != '/') return base_url_ + "/" + std::string(path);
    return base_url_ + std::string(path);
}

Result<ClientResponse> ServiceClient::Send(const ClientRequest& request) const {
    const auto start = std::chrono::steady_clock::now();
    const std::string url = Resolve(request.path);
    HttpHeaders headers = headers_;
    if (request.authorize && !token_.empty()) headers.emplace_back("Authorization", "Bearer " + token_);
    std::string json_body;
    std::string_view body = request.body;
    if (request.json) {
        json_body = request.json->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        body = json_body;
        headers.emplace_back("Content-Type", "application/json");
    } else if (!request.content_type.empty()) {
        headers.emplace_back("Content-Type", request.content_type);
    }
    if (!request.range.empty()) headers.emplace_back("Range", request.range);

    auto response = Perform(request.method, url, std::move(headers), body, options_);
    if (!response) return response.error();
    ClientResponse out;
    if (request.follow_redirect && IsRedirect(response->status)) {
        const std::string* location = response->Header("location");
        if (location && !location->empty()) {
            // Absolute (S3, CloudFront), or a path on the host just asked.
            const std::string next = IsAbsolute(*location)      ? *location
                                     : location->front() == '/' ? UrlOrigin(url) + *location
                                                                : std::string();
            if (!next.empty()) {
                // Only the Range: neither our token nor the caller's headers (a Host meant for the
                // service) may reach another host, and S3 refuses a second Authorization.
                HttpHeaders hop;
                if (!request.range.empty()) hop.emplace_back("Range", request.range);
                const bool keep_method = response->status == 307 || response->status == 308;
                const std::string method = keep_method ? request.method : std::string("GET");
                response =
                    Perform(method, next, std::move(hop), keep_method ? body : std::string_view(), options_);
                if (!response) return response.error();
                out.redirected_to = next;
            }
        }
    }
    out.status = response->status;
    out.headers = std::move(response->headers);
    out.body = std::move(response->body);
    out.elapsed =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start);
    return out;
}

std::string StringAt(const nlohmann::json& object, std::string_view key) {
    if (!object.is_object()) return {};
    auto it = object.find(key);
    return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace amapiano::ops
