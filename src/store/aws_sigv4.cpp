#include "store/aws_sigv4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <span>

#include "core/text.h"
#include "store/checksum.h"

namespace amapiano::store {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";

std::string HmacSha256(std::string_view key, std::string_view data) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    HMAC(EVP_sha256(), key.data(), int(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
         data.size(), out, &n);
    return std::string(reinterpret_cast<const char*>(out), n);
}

std::string Lowercase(std::string_view text) {
    std::string out(text);
    for (char& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// Trim the value and collapse each run of spaces inside it to one space (AWS's Trimall).
std::string TrimAll(std::string_view value) {
    auto is_blank = [](char c) { return c == ' ' || c == '\t'; };
    while (!value.empty() && is_blank(value.front())) value.remove_prefix(1);
    while (!value.empty() && is_blank(value.back())) value.remove_suffix(1);
    std::string out;
    out.reserve(value.size());
    bool in_run = false;
    for (char c : value) {
        if (c == ' ') {
            if (!in_run) out += ' ';
            in_run = true;
        } else {
            out += c;
            in_run = false;
        }
    }
    return out;
}

// Headers that proxies and HTTP stacks add or change on the way, so they are never signed.
bool Unsigned(std::string_view lowercase_name) {
    return lowercase_name == "authorization" || lowercase_name == "user-agent" ||
           lowercase_name == "expect" || lowercase_name == "x-amzn-trace-id";
}

bool HasHeader(const AwsRequest& request, std::string_view lowercase_name) {
    return std::any_of(request.headers.begin(), request.headers.end(),
                       [&](const auto& h) { return Lowercase(h.first) == lowercase_name; });
}

void RemoveHeader(AwsRequest& request, std::string_view lowercase_name) {
    std::erase_if(request.headers, [&](const auto& h) { return Lowercase(h.first) == lowercase_name; });
}

struct CanonicalHeaders {
    std::string text;            // "name:value\n" lines
    std::string signed_headers;  // "a;b;c"
};

CanonicalHeaders Canonicalize(const std::vector<std::pair<std::string, std::string>>& headers) {
    // Stable so that repeated headers keep their order when joined.
    std::vector<std::pair<std::string, std::string>> lowered;
    for (const auto& [name, value] : headers) {
        std::string lname = Lowercase(TrimWhitespace(name));
        if (Unsigned(lname)) continue;
        lowered.emplace_back(std::move(lname), TrimAll(value));
    }
    std::stable_sort(lowered.begin(), lowered.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    CanonicalHeaders out;
    for (size_t i = 0; i < lowered.size(); ++i) {
        if (i > 0 && lowered[i].first == lowered[i - 1].first) {
            out.text.pop_back();  // the '\n' of the same header's line
            out.text += "," + lowered[i].second + "\n";
            continue;
        }
        if (!out.signed_headers.empty()) out.signed_headers += ';';
        out.signed_headers += lowered[i].first;
        out.text += lowered[i].first + ":" + lowered[i].second + "\n";
    }
    return out;
}

std::string Scope(std::string_view date, std::string_view region, std::string_view service) {
    return std::string(date) + "/" + std::string(region) + "/" + std::string(service) + "/aws4_request";
}

// Fills string_to_sign, signing_key_hex and signature of `out` from its canonical_request.
void Finish(AwsSignature& out, const AwsCredentials& credentials, std::string_view timestamp,
            std::string_view region, std::string_view service) {
    const std::string date(timestamp.substr(0, 8));
    out.string_to_sign = std::string(kAlgorithm) + "\n" + std::string(timestamp) + "\n" +
                         Scope(date, region, service) + "\n" + Sha256Hex(out.canonical_request);
    const std::string k_date = HmacSha256("AWS4" + credentials.secret_access_key, date);
    const std::string k_region = HmacSha256(k_date, region);
    const std::string k_service = HmacSha256(k_region, service);
    const std::string k_signing = HmacSha256(k_service, "aws4_request");
    out.signing_key_hex = HexEncode(k_signing);
    out.signature = HexEncode(HmacSha256(k_signing, out.string_to_sign));
}

}  // namespace

std::string AwsUriEncode(std::string_view text, bool keep_slash) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size() * 3);
    for (char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                                c == '-' || c == '.' || c == '_' || c == '~';
        if (unreserved || (keep_slash && c == '/')) {
            out += ch;
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 15];
        }
    }
    return out;
}

std::string AwsTimestamp(std::chrono::system_clock::time_point at) {
    const std::time_t t = std::chrono::system_clock::to_time_t(at);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof(buf), "%Y%m%dT%H%M%SZ", &tm);
    return buf;
}

std::string AwsCanonicalQuery(const std::vector<std::pair<std::string, std::string>>& query) {
    std::vector<std::pair<std::string, std::string>> encoded;
    encoded.reserve(query.size());
    for (const auto& [key, value] : query)
        encoded.emplace_back(AwsUriEncode(key, false), AwsUriEncode(value, false));
    std::sort(encoded.begin(), encoded.end());
    std::string out;
    for (const auto& [key, value] : encoded) {
        if (!out.empty()) out += '&';
        out += key + "=" + value;
    }
    return out;
}

AwsSignature SignRequest(AwsRequest& request, const AwsCredentials& credentials, std::string_view region,
                         std::string_view service, std::chrono::system_clock::time_point now) {
    const std::string timestamp = AwsTimestamp(now);
    RemoveHeader(request, "authorization");
    RemoveHeader(request, "x-amz-date");
    RemoveHeader(request, "x-amz-security-token");
    if (!HasHeader(request, "host")) request.headers.insert(request.headers.begin(), {"Host", request.host});
    request.headers.emplace_back("x-amz-date", timestamp);
    if (!credentials.session_token.empty()) {
        request.headers.emplace_back("x-amz-security-token", credentials.session_token);
    }
    if (service == "s3" && !HasHeader(request, "x-amz-content-sha256")) {
        request.headers.emplace_back("x-amz-content-sha256", request.payload_sha256);
    }

    AwsSignature out;
    const CanonicalHeaders headers = Canonicalize(request.headers);
    out.signed_headers = headers.signed_headers;
    out.canonical_request = request.method + "\n" + AwsUriEncode(request.path, true) + "\n" +
                            AwsCanonicalQuery(request.query) + "\n" + headers.text + "\n" +
                            headers.signed_headers + "\n" + request.payload_sha256;
    Finish(out, credentials, timestamp, region, service);
    out.authorization = std::string(kAlgorithm) + " Credential=" + credentials.access_key_id + "/" +
                        Scope(timestamp.substr(0, 8), region, service) +
                        ", SignedHeaders=" + out.signed_headers + ", Signature=" + out.signature;
    request.headers.emplace_back("Authorization", out.authorization);
    return out;
}

AwsPresignedUrl PresignUrl(const AwsRequest& request, const AwsCredentials& credentials,
                           std::string_view region, std::string_view service,
                           std::chrono::system_clock::time_point now, std::chrono::seconds expires) {
    const std::string timestamp = AwsTimestamp(now);
    std::vector<std::pair<std::string, std::string>> query = request.query;
    query.emplace_back("X-Amz-Algorithm", std::string(kAlgorithm));
    query.emplace_back("X-Amz-Credential",
                       credentials.access_key_id + "/" + Scope(timestamp.substr(0, 8), region, service));
    query.emplace_back("X-Amz-Date", timestamp);
    query.emplace_back("X-Amz-Expires", std::to_string(expires.count()));
    if (!credentials.session_token.empty())
        query.emplace_back("X-Amz-Security-Token", credentials.session_token);
    query.emplace_back("X-Amz-SignedHeaders", "host");
    const std::string canonical_query = AwsCanonicalQuery(query);
    const std::string encoded_path = AwsUriEncode(request.path, true);

    AwsPresignedUrl out;
    out.signature.signed_headers = "host";
    out.signature.canonical_request = request.method + "\n" + encoded_path + "\n" + canonical_query +
                                      "\nhost:" + TrimAll(request.host) + "\n\nhost\n" +
                                      std::string(kUnsignedPayload);
    Finish(out.signature, credentials, timestamp, region, service);
    out.url = request.scheme + "://" + request.host + encoded_path + "?" + canonical_query +
              "&X-Amz-Signature=" + out.signature.signature;
    return out;
}

}  // namespace amapiano::store
