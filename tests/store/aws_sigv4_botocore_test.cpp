// Our SigV4 signer against botocore's (S3SigV4Auth for the Authorization header, S3SigV4QueryAuth for
// presigned URLs) on hundreds of random requests: methods, paths with Unicode, reserved characters,
// doubled slashes and dot segments, repeated and empty query parameters, repeated headers and values
// with runs of spaces, payload hashes, session tokens. tests/support/botocore_sigv4.py does botocore's
// side with Debian's /usr/bin/python3 (python3-botocore); without it the test skips, except under
// CI=true where it fails.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "core/random.h"
#include "store/aws_sigv4.h"
#include "support/temp_dir.h"

namespace amapiano::store {
namespace {

using Clock = std::chrono::system_clock;
using Pairs = std::vector<std::pair<std::string, std::string>>;

constexpr const char* kPython = "/usr/bin/python3";
constexpr int kHeaderCases = 400;
constexpr int kPresignCases = 300;

std::filesystem::path Script() {
    return std::filesystem::path(__FILE__).parent_path().parent_path() / "support" / "botocore_sigv4.py";
}

bool InCi() {
    const char* ci = std::getenv("CI");
    return ci && std::string(ci) == "true";
}

struct Case {
    std::string kind;  // "header" or "presign"
    std::string method;
    std::string scheme;
    std::string host;
    std::string path;
    Pairs query;
    Pairs headers;
    std::string payload_sha256;
    AwsCredentials keys;
    std::string region;
    Clock::time_point time;
    int64_t expires = 0;
};

template <typename T>
const T& Pick(Rng& rng, const std::vector<T>& items) {
    return items[size_t(rng.Int(0, int(items.size()) - 1))];
}

// Text from pieces that stress encoding: unreserved and reserved ASCII, '%', spaces, Unicode.
std::string RandomText(Rng& rng, int min_pieces, int max_pieces, bool allow_slash) {
    static const std::vector<std::string> pieces = {
        "a", "Z", "0", "9",   "-",    "_", ".", "~",       "!",        "*",         "'",  "(",
        ")", ";", ":", "@",   "&",    "=", "+", "$",       ",",        "?",         "#",  "[",
        "]", " ", "%", "%2F", "\"",   "<", ">", "\\",      "^",        "`",         "{",  "|",
        "}", "é", "ß", "ሴ",   "日本", "😀", "ü", "mix.wav", "track-01", "Stem_Bass", "..", "key"};
    std::string out;
    const int n = rng.Int(min_pieces, max_pieces);
    for (int i = 0; i < n; ++i) {
        if (allow_slash && rng.Chance(0.15)) {
            out += rng.Chance(0.2) ? "//" : "/";
        } else {
            out += Pick(rng, pieces);
        }
    }
    return out;
}

std::string RandomHex(Rng& rng, int digits) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (int i = 0; i < digits; ++i) out += kHex[rng.Int(0, 15)];
    return out;
}

std::string RandomFrom(Rng& rng, std::string_view alphabet, int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out += alphabet[size_t(rng.Int(0, int(alphabet.size()) - 1))];
    return out;
}

// Printable ASCII header values with leading, trailing and inner runs of spaces.
std::string RandomHeaderValue(Rng& rng) {
    std::string out;
    const int n = rng.Int(0, 24);
    for (int i = 0; i < n; ++i) {
        if (rng.Chance(0.25)) {
            out += std::string(size_t(rng.Int(1, 4)), ' ');
        } else {
            out += char(rng.Int(33, 126));
        }
    }
    return out;
}

Case RandomCase(Rng& rng, bool presign) {
    static const std::vector<std::string> hosts = {
        "examplebucket.s3.amazonaws.com", "s3.eu-west-1.amazonaws.com",
        "media-prod.s3.us-west-2.amazonaws.com", "127.0.0.1:4568", "minio.internal:9000"};
    static const std::vector<std::string> regions = {"us-east-1", "eu-west-1", "ap-southeast-2", "auto"};
    static const std::vector<std::string> methods = {"GET", "PUT", "POST", "DELETE", "HEAD"};
    static const std::vector<std::string> header_names = {
        "X-Amz-Meta-Sha256", "x-amz-meta-Title", "Content-Type", "Range",     "Cache-Control",
        "X-Custom-Header",   "if-match",         "Content-MD5",  "x-amz-acl", "Content-Disposition"};
    Case c;
    c.kind = presign ? "presign" : "header";
    c.method = presign ? (rng.Chance(0.7) ? "GET" : "PUT") : Pick(rng, methods);
    c.host = Pick(rng, hosts);
    c.scheme = c.host.find(':') == std::string::npos ? "https" : "http";
    c.path = "/" + RandomText(rng, 0, 12, true);
    const int params = rng.Int(0, 4);
    for (int i = 0; i < params; ++i) {
        std::string key = RandomText(rng, 1, 4, true);
        if (presign)
            key = "p" + std::to_string(i) + key;  // unique keys: botocore's presigner keeps one per key
        std::string value = rng.Chance(0.3) ? std::string() : RandomText(rng, 1, 6, true);
        c.query.emplace_back(key, value);
        if (!presign && rng.Chance(0.2))
            c.query.emplace_back(key, RandomText(rng, 0, 3, false));  // repeated key
    }
    if (!presign) {
        const int headers = rng.Int(0, 4);
        for (int i = 0; i < headers; ++i) {
            const std::string name = Pick(rng, header_names);
            c.headers.emplace_back(name, RandomHeaderValue(rng));
            if (rng.Chance(0.15)) c.headers.emplace_back(name, RandomHeaderValue(rng));  // repeated header
        }
        const double p = rng.Uniform();
        c.payload_sha256 = p < 0.2   ? std::string(kUnsignedPayload)
                           : p < 0.4 ? std::string(kEmptyPayloadSha256)
                                     : RandomHex(rng, 64);
    }
    c.keys.access_key_id = "AKIA" + RandomFrom(rng, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16);
    c.keys.secret_access_key =
        RandomFrom(rng, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", 40);
    if (rng.Chance(0.35)) {
        c.keys.session_token = RandomFrom(
            rng, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=", rng.Int(20, 300));
    }
    c.region = Pick(rng, regions);
    // 2015-01-01 .. 2030-12-31, whole seconds.
    c.time = Clock::from_time_t(std::time_t(1420070400 + int64_t(rng.Uniform() * 504921600.0)));
    c.expires = rng.Int(1, 604800);
    return c;
}

nlohmann::json ToJson(const Case& c) {
    nlohmann::json query = nlohmann::json::array(), headers = nlohmann::json::array();
    for (const auto& [k, v] : c.query) query.push_back({k, v});
    for (const auto& [k, v] : c.headers) headers.push_back({k, v});
    return {{"kind", c.kind},
            {"method", c.method},
            {"scheme", c.scheme},
            {"host", c.host},
            {"path", c.path},
            {"query", query},
            {"headers", headers},
            {"payload_sha256", c.payload_sha256},
            {"access_key", c.keys.access_key_id},
            {"secret_key", c.keys.secret_access_key},
            {"token", c.keys.session_token},
            {"region", c.region},
            {"time", AwsTimestamp(c.time)},
            {"expires", c.expires}};
}

AwsRequest ToRequest(const Case& c) {
    AwsRequest request{.method = c.method, .scheme = c.scheme, .host = c.host, .path = c.path};
    request.query = c.query;
    request.headers = c.headers;
    request.payload_sha256 = c.payload_sha256;
    return request;
}

TEST(AwsSigv4Botocore, RandomRequestsSignLikeBotocore) {
    if (std::system((std::string(kPython) + " -c 'import botocore' >/dev/null 2>&1").c_str()) != 0) {
        if (InCi()) FAIL() << kPython << " cannot import botocore (apt-get install python3-botocore)";
        GTEST_SKIP() << kPython << " cannot import botocore (apt-get install python3-botocore)";
    }
    Rng rng(20240611);
    std::vector<Case> cases;
    for (int i = 0; i < kHeaderCases; ++i) cases.push_back(RandomCase(rng, false));
    for (int i = 0; i < kPresignCases; ++i) cases.push_back(RandomCase(rng, true));

    testing_support::TempDir dir;
    {
        std::ofstream in(dir / "requests.jsonl");
        for (const Case& c : cases) in << ToJson(c).dump() << "\n";
    }
    const std::string command =
        std::string(kPython) + " '" + Script().string() + "' < '" + (dir / "requests.jsonl").string() +
        "' > '" + (dir / "signed.jsonl").string() + "' 2> '" + (dir / "errors.txt").string() + "'";
    if (std::system(command.c_str()) != 0) {
        std::ifstream errors(dir / "errors.txt");
        std::stringstream text;
        text << errors.rdbuf();
        FAIL() << "botocore_sigv4.py failed:\n" << text.str();
    }
    std::ifstream out(dir / "signed.jsonl");
    std::string line;
    size_t i = 0, headers_compared = 0, urls_compared = 0;
    for (; std::getline(out, line) && i < cases.size(); ++i) {
        const Case& c = cases[i];
        const nlohmann::json expected = nlohmann::json::parse(line);
        SCOPED_TRACE("case " + std::to_string(i) + ": " + ToJson(c).dump());
        AwsRequest request = ToRequest(c);
        if (c.kind == "header") {
            const AwsSignature ours = SignRequest(request, c.keys, c.region, "s3", c.time);
            EXPECT_EQ(ours.authorization, expected["authorization"].get<std::string>())
                << "ours:\n"
                << ours.canonical_request << "\nbotocore:\n"
                << expected["canonical_request"].get<std::string>();
            ++headers_compared;
        } else {
            const AwsPresignedUrl ours =
                PresignUrl(request, c.keys, c.region, "s3", c.time, std::chrono::seconds(c.expires));
            EXPECT_EQ(ours.signature.signature, expected["signature"].get<std::string>())
                << "ours:\n"
                << ours.signature.canonical_request << "\nbotocore:\n"
                << expected["canonical_request"].get<std::string>();
            EXPECT_EQ(ours.signature.canonical_request, expected["canonical_request"].get<std::string>());
            ++urls_compared;
        }
    }
    EXPECT_EQ(i, cases.size()) << "botocore answered fewer requests than were sent";
    EXPECT_EQ(headers_compared, size_t(kHeaderCases));
    EXPECT_EQ(urls_compared, size_t(kPresignCases));
}

}  // namespace
}  // namespace amapiano::store
