#include "store/s3_object_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <limits>
#include <optional>
#include <pugixml.hpp>
#include <random>
#include <sstream>
#include <thread>

#include "core/random.h"
#include "store/aws_sigv4.h"
#include "store/checksum.h"
#include "store/http_client.h"

namespace amapiano::store {
namespace {

constexpr int64_t kMinPartSize = int64_t(5) << 20;
constexpr int64_t kMaxPartSize = int64_t(5) << 30;
constexpr int64_t kMaxParts = 10000;
constexpr int64_t kMaxPresignSeconds = 7 * 24 * 3600;
constexpr auto kMaxRetryDelay = std::chrono::seconds(20);
// Error answers and XML documents are small; anything bigger where one is expected is refused.
constexpr size_t kMaxDocumentBytes = size_t(16) << 20;
constexpr size_t kHashBlockBytes = size_t(1) << 20;

using Pairs = std::vector<std::pair<std::string, std::string>>;

std::optional<std::string> Env(const char* name) {
    const char* value = std::getenv(name);
    if (!value || !*value) return std::nullopt;
    return std::string(value);
}

// S3's bucket naming rules (the DNS-compatible ones every region enforces).
bool ValidBucketName(std::string_view name) {
    if (name.size() < 3 || name.size() > 63) return false;
    auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
    if (!alnum(name.front()) || !alnum(name.back())) return false;
    return std::all_of(name.begin(), name.end(), [&](char c) { return alnum(c) || c == '-' || c == '.'; });
}

bool ValidRegion(std::string_view region) {
    return !region.empty() && std::all_of(region.begin(), region.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    });
}

struct BaseUrl {
    std::string scheme{};  // "https"
    std::string host{};    // "127.0.0.1:4568"
};

// "http(s)://host[:port][/]" → its scheme and host. No path, user info, query or fragment.
Result<BaseUrl> ParseBaseUrl(std::string_view url, std::string_view what) {
    auto bad = [&](const std::string& why) {
        return Error::InvalidArgument(std::string(what) + " '" + std::string(url) + "' " + why);
    };
    BaseUrl out;
    if (url.starts_with("https://")) {
        out.scheme = "https";
        url.remove_prefix(8);
    } else if (url.starts_with("http://")) {
        out.scheme = "http";
        url.remove_prefix(7);
    } else {
        return bad("does not start with http:// or https://");
    }
    if (url.ends_with('/')) url.remove_suffix(1);
    if (url.empty()) return bad("has no host");
    if (url.find_first_of("/?#@ \t") != std::string_view::npos)
        return bad("must be scheme://host[:port] only");
    out.host = std::string(url);
    return out;
}

struct S3ErrorBody {
    std::string code{};
    std::string message{};
};

S3ErrorBody ParseError(const std::string& body) {
    pugi::xml_document doc;
    if (body.empty() || !doc.load_buffer(body.data(), body.size())) return {};
    const pugi::xml_node error = doc.child("Error");
    return {error.child_value("Code"), error.child_value("Message")};
}

std::string Describe(const HttpResponse& response) {
    const S3ErrorBody e = ParseError(response.body);
    std::string out = "HTTP " + std::to_string(response.status);
    if (!e.code.empty()) out += " " + e.code;
    if (!e.message.empty()) out += ": " + e.message;
    return out;
}

bool Ok(const HttpResponse& response) { return response.status >= 200 && response.status < 300; }

bool RetryableStatus(long status) {
    return status == 500 || status == 502 || status == 503 || status == 504 || status == 429;
}

bool Retryable(const Result<HttpResponse>& result) {
    if (!result) return result.error().code == ErrorCode::kUnavailable;
    return RetryableStatus(result->status);
}

// One pass over the file: the SHA-256 of all of it, and of each `part_size` part (when part_size > 0).
struct FileHashes {
    std::string whole{};
    std::vector<std::string> parts{};
};

Result<FileHashes> HashFile(const std::filesystem::path& path, int64_t size, int64_t part_size) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Error::Io("cannot open " + path.string() + ": " + std::strerror(errno));
    Sha256Hasher whole;
    std::optional<Sha256Hasher> part;
    int64_t in_part = 0;
    FileHashes out;
    std::vector<uint8_t> block(kHashBlockBytes);
    int64_t done = 0;
    while (done < size) {
        size_t want = size_t(std::min<int64_t>(int64_t(block.size()), size - done));
        if (part_size > 0) want = size_t(std::min<int64_t>(int64_t(want), part_size - in_part));
        const ssize_t n = ::read(fd, block.data(), want);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            const int err = errno;
            ::close(fd);
            return Error::Io("cannot read " + path.string() + ": " +
                             (n == 0 ? std::string("it shrank while being read") : std::strerror(err)));
        }
        const std::span<const uint8_t> chunk(block.data(), size_t(n));
        whole.Update(chunk);
        if (part_size > 0) {
            if (!part) part.emplace();
            part->Update(chunk);
            in_part += n;
            if (in_part == part_size || done + n == size) {
                out.parts.push_back(part->HexDigest());
                part.reset();
                in_part = 0;
            }
        }
        done += n;
    }
    ::close(fd);
    out.whole = whole.HexDigest();
    return out;
}

// One S3 request before signing.
struct S3Call {
    std::string method = "GET";
    std::string path;  // raw, from the host's root: "/bucket/prefix/key" (path style) or "/prefix/key"
    Pairs query{};
    Pairs headers{};
    std::span<const uint8_t> body{};
    std::filesystem::path body_file{};
    int64_t body_offset = 0;
    int64_t body_length = 0;
    std::string payload_sha256 = std::string(kEmptyPayloadSha256);
    const ObjectSink* sink = nullptr;
    long stream_status = 200;
    std::function<Status(const HttpResponse&)> on_stream_start{};
    size_t max_memory_body_bytes = kMaxDocumentBytes;
};

class S3ObjectStore final : public ObjectStore {
public:
    S3ObjectStore(S3Options options, BaseUrl base, std::string bucket_path)
        : options_(std::move(options)), base_(std::move(base)), bucket_path_(std::move(bucket_path)) {}

    std::string_view Scheme() const override { return "s3"; }

    Status Put(std::string_view key, std::span<const uint8_t> bytes) override {
        if (Status s = ValidateObjectKey(key); !s) return s;
        const std::string sha = Sha256Hex(bytes);
        S3Call call{.method = "PUT", .path = ObjectPath(key)};
        call.headers = {{"Content-Type", "application/octet-stream"}, {"x-amz-meta-sha256", sha}};
        call.body = bytes;
        call.payload_sha256 = sha;
        return Check(Send(call), call, key);
    }

    Status PutFile(std::string_view key, const std::filesystem::path& source) override {
        if (Status s = ValidateObjectKey(key); !s) return s;
        std::error_code ec;
        if (!std::filesystem::is_regular_file(source, ec))
            return Error::NotFound("no file " + source.string());
        const int64_t size = int64_t(std::filesystem::file_size(source, ec));
        if (ec) return Error::Io("cannot read the size of " + source.string() + ": " + ec.message());
        if (size <= options_.multipart_threshold) {
            Result<FileHashes> hashes = HashFile(source, size, 0);
            if (!hashes) return hashes.error();
            S3Call call{.method = "PUT", .path = ObjectPath(key)};
            call.headers = {{"Content-Type", "application/octet-stream"},
                            {"x-amz-meta-sha256", hashes->whole}};
            call.body_file = source;
            call.body_length = size;
            call.payload_sha256 = hashes->whole;
            return Check(Send(call), call, key);
        }
        return PutMultipart(key, source, size);
    }

    Result<std::vector<uint8_t>> Get(std::string_view key) override {
        if (Status s = ValidateObjectKey(key); !s) return s.error();
        S3Call call{.method = "GET", .path = ObjectPath(key)};
        call.max_memory_body_bytes = std::numeric_limits<size_t>::max();
        Result<HttpResponse> response = Send(call);
        if (Status s = Check(response, call, key); !s) return s.error();
        return std::vector<uint8_t>(response->body.begin(), response->body.end());
    }

    Result<std::vector<uint8_t>> GetRange(std::string_view key, int64_t offset, int64_t length) override {
        if (Status s = ValidateObjectKey(key); !s) return s.error();
        if (offset < 0 || length < 0) return Error::InvalidArgument("a byte range cannot be negative");
        if (length == 0) {
            // HTTP cannot ask for no bytes; check the offset against the size instead.
            Result<ObjectInfo> info = Stat(key);
            if (!info) return info.error();
            if (offset > info->size_bytes) return PastEnd(key, offset);
            return std::vector<uint8_t>();
        }
        S3Call call{.method = "GET", .path = ObjectPath(key)};
        const std::string last = length > std::numeric_limits<int64_t>::max() - offset
                                     ? std::string()
                                     : std::to_string(offset + length - 1);
        call.headers = {{"Range", "bytes=" + std::to_string(offset) + "-" + last}};
        call.max_memory_body_bytes = std::numeric_limits<size_t>::max();
        Result<HttpResponse> response = Send(call);
        if (response && response->status == 416) {
            // An empty object has no byte 0, but a read of it from 0 is a read of nothing.
            if (offset == 0) {
                Result<ObjectInfo> info = Stat(key);
                if (info && info->size_bytes == 0) return std::vector<uint8_t>();
            }
            return PastEnd(key, offset);
        }
        if (Status s = Check(response, call, key); !s) return s.error();
        std::vector<uint8_t> out(response->body.begin(), response->body.end());
        if (response->status == 200) {
            // The server ignored the Range: cut the range out of the whole object.
            if (offset >= int64_t(out.size()) && !(offset == 0 && out.empty())) return PastEnd(key, offset);
            out.erase(out.begin(), out.begin() + offset);
        } else {
            const std::string* range = response->Header("content-range");
            if (range && !range->starts_with("bytes " + std::to_string(offset) + "-")) {
                return Error::Io("S3 answered a read of '" + std::string(key) + "' from byte " +
                                 std::to_string(offset) + " with the range " + *range);
            }
        }
        // Some S3-compatible servers send more than asked (s3rver reads "bytes=0-0" as "bytes=0-").
        if (int64_t(out.size()) > length) out.resize(size_t(length));
        return out;
    }

    Result<ObjectInfo> Stat(std::string_view key) override {
        if (Status s = ValidateObjectKey(key); !s) return s.error();
        S3Call call{.method = "HEAD", .path = ObjectPath(key)};
        Result<HttpResponse> response = Send(call);
        if (Status s = Check(response, call, key); !s) return s.error();
        ObjectInfo info{std::string(key), 0, {}};
        if (const std::string* length = response->Header("content-length")) {
            info.size_bytes = std::strtoll(length->c_str(), nullptr, 10);
        }
        if (const std::string* sha = response->Header("x-amz-meta-sha256")) info.sha256 = *sha;
        return info;
    }

    Status Delete(std::string_view key) override {
        if (Status s = ValidateObjectKey(key); !s) return s;
        S3Call call{.method = "DELETE", .path = ObjectPath(key)};
        Result<HttpResponse> response = Send(call);
        if (response && response->status == 404) return {};
        return Check(response, call, key);
    }

    Result<std::vector<ObjectInfo>> List(std::string_view prefix) override {
        const std::string store_prefix = options_.prefix.empty() ? std::string() : options_.prefix + "/";
        const std::string full_prefix = store_prefix + std::string(prefix);
        std::vector<ObjectInfo> out;
        std::string token;
        while (true) {
            S3Call call{.method = "GET", .path = bucket_path_.empty() ? "/" : bucket_path_};
            call.query = {{"list-type", "2"}, {"max-keys", std::to_string(options_.list_page_size)}};
            if (!full_prefix.empty()) call.query.emplace_back("prefix", full_prefix);
            if (!token.empty()) call.query.emplace_back("continuation-token", token);
            Result<HttpResponse> response = Send(call);
            if (Status s = Check(response, call, full_prefix); !s) return s.error();

            pugi::xml_document doc;
            const pugi::xml_node result = doc.load_buffer(response->body.data(), response->body.size())
                                              ? doc.child("ListBucketResult")
                                              : pugi::xml_node();
            if (!result) {
                return Error::CorruptData("S3 answered a listing of bucket '" + options_.bucket +
                                          "' with something that is not a ListBucketResult");
            }
            for (pugi::xml_node contents : result.children("Contents")) {
                const std::string full_key = contents.child_value("Key");
                if (!full_key.starts_with(full_prefix)) continue;
                std::string key = full_key.substr(store_prefix.size());
                // Objects put there by other tools with keys this store cannot address are skipped,
                // as the local store does.
                if (!ValidateObjectKey(key)) continue;
                out.push_back({std::move(key), std::strtoll(contents.child_value("Size"), nullptr, 10), {}});
            }
            token = result.child_value("NextContinuationToken");
            if (std::string_view(result.child_value("IsTruncated")) != "true") break;
            if (token.empty()) {
                return Error::CorruptData("S3 said a listing of bucket '" + options_.bucket +
                                          "' goes on but gave no continuation token");
            }
        }
        std::sort(out.begin(), out.end(),
                  [](const ObjectInfo& a, const ObjectInfo& b) { return a.key < b.key; });
        return out;
    }

    Status Read(std::string_view key, const ObjectSink& sink) override {
        if (Status s = ValidateObjectKey(key); !s) return s;
        int64_t delivered = 0;
        int64_t total = -1;  // the object's size, once the first answer said it
        std::string etag;
        std::optional<Error> stop;  // from the sink or from a resumed answer that does not fit
        const ObjectSink counting = [&](std::span<const uint8_t> chunk) -> Status {
            Status s = sink(chunk);
            if (!s) {
                stop = s.error();
                return s;
            }
            delivered += int64_t(chunk.size());
            return {};
        };
        for (int attempt = 1;; ++attempt) {
            S3Call call{.method = "GET", .path = ObjectPath(key)};
            call.sink = &counting;
            const int64_t from = delivered;
            if (from > 0) {
                // Resume where the broken transfer stopped, and only if it is still the same object.
                call.headers = {{"Range", "bytes=" + std::to_string(from) + "-"}, {"If-Match", etag}};
                call.stream_status = 206;
            }
            call.on_stream_start = [&](const HttpResponse& head) -> Status {
                if (from == 0) {
                    if (const std::string* tag = head.Header("etag")) etag = *tag;
                    if (const std::string* length = head.Header("content-length")) {
                        total = std::strtoll(length->c_str(), nullptr, 10);
                    }
                    return {};
                }
                const std::string* range = head.Header("content-range");
                if (!range || !range->starts_with("bytes " + std::to_string(from) + "-")) {
                    stop = Error::Unavailable("S3 resumed object '" + std::string(key) +
                                              "' at the wrong place (" +
                                              (range ? *range : std::string("no Content-Range")) + ")");
                    return *stop;
                }
                return {};
            };
            Result<HttpResponse> response = SendOnce(call);
            if (stop) return *stop;
            if (response && response->status == call.stream_status) return {};
            if (response && Ok(*response)) {
                return Error::Io("S3 answered a read of '" + std::string(key) + "' with HTTP " +
                                 std::to_string(response->status) + " instead of " +
                                 std::to_string(call.stream_status));
            }
            if (response && response->status == 412) {
                return Error::Conflict("object '" + std::string(key) + "' changed while it was being read");
            }
            if (!response && response.error().code != ErrorCode::kUnavailable) return response.error();
            if (total >= 0 && delivered == total)
                return {};  // every byte arrived; only the answer's end was lost
            if (!Retryable(response) || attempt >= options_.max_attempts) {
                if (delivered > 0 && !response) {
                    return Error::Unavailable("reading object '" + std::string(key) + "' broke off after " +
                                              std::to_string(delivered) +
                                              " bytes: " + response.error().message);
                }
                return Check(response, call, key);
            }
            if (delivered > 0 && etag.empty()) {
                return Error::Unavailable("reading object '" + std::string(key) + "' broke off after " +
                                          std::to_string(delivered) +
                                          " bytes, and S3 gave no ETag to resume it safely");
            }
            SleepBeforeRetry(attempt);
        }
    }

    Result<std::string> DirectUrl(std::string_view key, std::chrono::seconds ttl) override {
        if (Status s = ValidateObjectKey(key); !s) return s.error();
        if (!options_.cloudfront_url.empty()) {
            return options_.cloudfront_url + "/" + AwsUriEncode(FullKey(key), true);
        }
        if (ttl.count() < 1 || ttl.count() > kMaxPresignSeconds) {
            return Error::InvalidArgument("a presigned S3 URL lives 1 s to 7 days, not " +
                                          std::to_string(ttl.count()) + " s");
        }
        Result<AwsCredentials> credentials = options_.credentials->Get();
        if (!credentials) return credentials.error();
        AwsRequest request{
            .method = "GET", .scheme = base_.scheme, .host = base_.host, .path = ObjectPath(key)};
        return PresignUrl(request, *credentials, options_.region, "s3", std::chrono::system_clock::now(), ttl)
            .url;
    }

    Status Probe() override {
        S3Call call{.method = "HEAD", .path = bucket_path_.empty() ? "/" : bucket_path_};
        Result<HttpResponse> response = Send(call);
        if (!response) return response.error();
        if (Ok(*response)) return {};
        const std::string bucket = "'" + options_.bucket + "'";
        switch (response->status) {
            case 403:
                return Error::Unauthenticated("S3 refused the credentials for bucket " + bucket +
                                              " (HTTP 403)");
            case 404: return Error::NotFound("no bucket " + bucket + " at " + base_.host);
            case 301:
            case 307:
            case 400: {
                const std::string* region = response->Header("x-amz-bucket-region");
                if (region && *region != options_.region) {
                    return Error::InvalidArgument("bucket " + bucket + " is in region " + *region + ", not " +
                                                  options_.region);
                }
                break;
            }
            default: break;
        }
        return Check(response, call, "");
    }

private:
    std::string FullKey(std::string_view key) const {
        return options_.prefix.empty() ? std::string(key) : options_.prefix + "/" + std::string(key);
    }
    std::string ObjectPath(std::string_view key) const { return bucket_path_ + "/" + FullKey(key); }

    Result<HttpResponse> SendOnce(const S3Call& call) {
        Result<AwsCredentials> credentials = options_.credentials->Get();
        if (!credentials) return credentials.error();
        AwsRequest request{.method = call.method,
                           .scheme = base_.scheme,
                           .host = base_.host,
                           .path = call.path,
                           .query = call.query,
                           .headers = call.headers,
                           .payload_sha256 = call.payload_sha256};
        SignRequest(request, *credentials, options_.region, "s3", std::chrono::system_clock::now());
        HttpRequest http{.method = call.method,
                         .url = base_.scheme + "://" + base_.host + AwsUriEncode(call.path, true),
                         .headers = std::move(request.headers)};
        if (!call.query.empty()) http.url += "?" + AwsCanonicalQuery(call.query);
        http.body = call.body;
        http.body_file = call.body_file;
        http.body_offset = call.body_offset;
        http.body_length = call.body_length;
        http.sink = call.sink;
        http.stream_status = call.stream_status;
        http.on_stream_start = call.on_stream_start;
        http.max_memory_body_bytes = call.max_memory_body_bytes;
        return PerformHttp(http);
    }

    // SendOnce, again on 5xx, 429 and network errors, up to max_attempts in all. Requests with a sink
    // are not for this (Read resumes instead).
    Result<HttpResponse> Send(const S3Call& call) {
        for (int attempt = 1;; ++attempt) {
            Result<HttpResponse> response = SendOnce(call);
            if (!Retryable(response) || attempt >= options_.max_attempts) return response;
            SleepBeforeRetry(attempt);
        }
    }

    // Exponential backoff with jitter: base·2^(attempt-1), scaled by a random factor in [0.5, 1).
    void SleepBeforeRetry(int attempt) {
        thread_local Rng rng(std::random_device{}());
        const double factor = rng.Uniform(0.5, 1.0) * double(int64_t(1) << std::min(attempt - 1, 20));
        const auto delay = std::min<std::chrono::milliseconds>(
            std::chrono::milliseconds(int64_t(double(options_.retry_base.count()) * factor)), kMaxRetryDelay);
        std::this_thread::sleep_for(delay);
    }

    // Ok for a 2xx answer; otherwise the error, mapped once for every operation.
    Status Check(const Result<HttpResponse>& response, const S3Call& call, std::string_view key) const {
        if (!response) return response.error();
        if (Ok(*response)) return {};
        const std::string what =
            "S3 " + call.method + " of " +
            (key.empty() ? "bucket '" + options_.bucket + "'" : "'" + std::string(key) + "'");
        const std::string detail = Describe(*response);
        const long status = response->status;
        if (status == 404) {
            if (ParseError(response->body).code == "NoSuchBucket") {
                return Error::NotFound("no bucket '" + options_.bucket + "' (" + what + ")");
            }
            return Error::NotFound("no object '" + std::string(key) + "'");
        }
        if (status == 403) return Error::Unauthenticated(what + " was refused: " + detail);
        if (status == 416) return Error::InvalidArgument(what + ": " + detail);
        if (RetryableStatus(status)) {
            return Error::Unavailable(what + " failed after " + std::to_string(options_.max_attempts) +
                                      " attempts: " + detail);
        }
        return Error::Io(what + " failed: " + detail);
    }

    static Error PastEnd(std::string_view key, int64_t offset) {
        return Error::InvalidArgument("byte " + std::to_string(offset) + " is past the end of '" +
                                      std::string(key) + "'");
    }

    Status PutMultipart(std::string_view key, const std::filesystem::path& source, int64_t size) {
        int64_t part_size = options_.part_size;
        while ((size + part_size - 1) / part_size > kMaxParts) part_size *= 2;
        Result<FileHashes> hashes = HashFile(source, size, part_size);
        if (!hashes) return hashes.error();

        S3Call create{.method = "POST", .path = ObjectPath(key)};
        create.query = {{"uploads", ""}};
        create.headers = {{"Content-Type", "application/octet-stream"}, {"x-amz-meta-sha256", hashes->whole}};
        Result<HttpResponse> created = Send(create);
        if (Status s = Check(created, create, key); !s) return s;
        pugi::xml_document doc;
        std::string upload_id;
        if (doc.load_buffer(created->body.data(), created->body.size())) {
            upload_id = doc.child("InitiateMultipartUploadResult").child_value("UploadId");
        }
        if (upload_id.empty()) {
            return Error::CorruptData("S3 started a multipart upload of '" + std::string(key) +
                                      "' but gave no UploadId");
        }

        Status status = UploadParts(key, source, size, part_size, hashes->parts, upload_id);
        if (!status) {
            // Parts of an upload that is neither completed nor aborted are kept (and billed) for ever.
            S3Call abort{.method = "DELETE", .path = ObjectPath(key)};
            abort.query = {{"uploadId", upload_id}};
            (void)Send(abort);
        }
        return status;
    }

    Status UploadParts(std::string_view key, const std::filesystem::path& source, int64_t size,
                       int64_t part_size, const std::vector<std::string>& part_hashes,
                       const std::string& upload_id) {
        std::string complete = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">";
        for (size_t i = 0; i < part_hashes.size(); ++i) {
            const int64_t offset = int64_t(i) * part_size;
            S3Call part{.method = "PUT", .path = ObjectPath(key)};
            part.query = {{"partNumber", std::to_string(i + 1)}, {"uploadId", upload_id}};
            part.body_file = source;
            part.body_offset = offset;
            part.body_length = std::min(part_size, size - offset);
            part.payload_sha256 = part_hashes[i];
            Result<HttpResponse> uploaded = Send(part);
            if (Status s = Check(uploaded, part, key); !s) return s;
            const std::string* etag = uploaded->Header("etag");
            if (!etag || etag->empty()) {
                return Error::CorruptData("S3 stored part " + std::to_string(i + 1) + " of '" +
                                          std::string(key) + "' but gave no ETag");
            }
            pugi::xml_document xml;
            pugi::xml_node node = xml.append_child("Part");
            node.append_child("PartNumber").text().set(std::to_string(i + 1).c_str());
            node.append_child("ETag").text().set(etag->c_str());
            std::ostringstream text;
            xml.save(text, "", pugi::format_raw | pugi::format_no_declaration);
            complete += text.str();
        }
        complete += "</CompleteMultipartUpload>";

        S3Call finish{.method = "POST", .path = ObjectPath(key)};
        finish.query = {{"uploadId", upload_id}};
        finish.headers = {{"Content-Type", "application/xml"}};
        finish.body =
            std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(complete.data()), complete.size());
        finish.payload_sha256 = Sha256Hex(complete);
        for (int attempt = 1;; ++attempt) {
            Result<HttpResponse> finished = Send(finish);
            if (Status s = Check(finished, finish, key); !s) return s;
            // S3 can answer 200 and still fail the completion, with an <Error> document in the body.
            const S3ErrorBody error = ParseError(finished->body);
            if (error.code.empty()) return {};
            if (error.code != "InternalError" && error.code != "SlowDown") {
                return Error::Io("S3 could not complete the upload of '" + std::string(key) +
                                 "': " + error.code + ": " + error.message);
            }
            if (attempt >= options_.max_attempts) {
                return Error::Unavailable("S3 could not complete the upload of '" + std::string(key) +
                                          "' after " + std::to_string(attempt) + " attempts: " + error.code);
            }
            SleepBeforeRetry(attempt);
        }
    }

    const S3Options options_;
    const BaseUrl base_;
    const std::string bucket_path_;  // "/bucket" for path style, "" for virtual-hosted style
};

}  // namespace

S3Options S3OptionsFromEnvironment() {
    S3Options options;
    if (auto v = Env("S3_BUCKET")) options.bucket = *v;
    if (auto v = Env("S3_PREFIX")) options.prefix = *v;
    if (auto v = Env("AWS_REGION")) {
        options.region = *v;
    } else if (auto d = Env("AWS_DEFAULT_REGION")) {
        options.region = *d;
    }
    if (auto v = Env("S3_ENDPOINT")) options.endpoint = *v;
    if (auto v = Env("CLOUDFRONT_URL")) options.cloudfront_url = *v;
    return options;
}

Result<std::unique_ptr<ObjectStore>> OpenS3ObjectStore(S3Options options) {
    auto bad = [](const std::string& why) { return Error::InvalidArgument("S3 options: " + why); };
    if (!ValidBucketName(options.bucket)) {
        return bad(
            "bucket '" + options.bucket +
            "' is not a valid bucket name (3-63 of a-z, 0-9, '.', '-', starting and ending with a letter "
            "or digit)");
    }
    if (!options.prefix.empty()) {
        if (options.prefix.front() == '/' || options.prefix.back() == '/') {
            return bad("prefix '" + options.prefix + "' must not start or end with '/'");
        }
        if (Status s = ValidateObjectKey(options.prefix); !s) return bad("prefix: " + s.error().message);
    }
    if (!ValidRegion(options.region)) return bad("region '" + options.region + "' is not a region name");
    if (options.part_size < kMinPartSize || options.part_size > kMaxPartSize) {
        return bad("part_size must be 5 MiB to 5 GiB, not " + std::to_string(options.part_size) + " bytes");
    }
    if (options.multipart_threshold < 0) return bad("multipart_threshold cannot be negative");
    if (options.max_attempts < 1) return bad("max_attempts must be at least 1");
    if (options.retry_base.count() < 0) return bad("retry_base cannot be negative");
    if (options.list_page_size < 1 || options.list_page_size > 1000)
        return bad("list_page_size must be 1 to 1000");
    if (!options.cloudfront_url.empty()) {
        while (options.cloudfront_url.ends_with('/')) options.cloudfront_url.pop_back();
        Result<BaseUrl> cdn = ParseBaseUrl(options.cloudfront_url, "cloudfront_url");
        if (!cdn) return cdn.error();
    }

    BaseUrl base;
    std::string bucket_path;
    if (options.endpoint.empty()) {
        const std::string domain = options.region.starts_with("cn-") ? ".amazonaws.com.cn" : ".amazonaws.com";
        base.scheme = "https";
        if (options.bucket.find('.') == std::string::npos) {
            base.host = options.bucket + ".s3." + options.region + domain;
        } else {
            // A dotted bucket name breaks the *.s3 TLS certificate's wildcard: use path style.
            base.host = "s3." + options.region + domain;
            bucket_path = "/" + options.bucket;
        }
    } else {
        Result<BaseUrl> parsed = ParseBaseUrl(options.endpoint, "S3 options: endpoint");
        if (!parsed) return parsed.error();
        base = *parsed;
        bucket_path = "/" + options.bucket;
    }
    if (!options.credentials) options.credentials = DefaultCredentialsProvider();
    return std::unique_ptr<ObjectStore>(
        new S3ObjectStore(std::move(options), std::move(base), std::move(bucket_path)));
}

}  // namespace amapiano::store
