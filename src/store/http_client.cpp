#include "store/http_client.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>

#include "core/text.h"

namespace amapiano::store {
namespace {

struct EasyDeleter {
    void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
struct SlistDeleter {
    void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

// One handle per thread: curl_easy_reset keeps its connection cache, so the next request to the same
// host reuses the open connection.
CURL* ThreadHandle() {
    static std::once_flag global_init;
    std::call_once(global_init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    thread_local std::unique_ptr<CURL, EasyDeleter> handle(curl_easy_init());
    if (handle) curl_easy_reset(handle.get());
    return handle.get();
}

struct Transfer {
    const HttpRequest* request = nullptr;
    HttpResponse* response = nullptr;
    CURL* curl = nullptr;

    // Upload state.
    int fd = -1;
    int64_t sent = 0;
    Status read_error{};

    // Download state.
    std::optional<bool> streaming{};  // decided at the first body byte, once the status is known
    Status write_error{};
};

size_t ReadBody(char* buffer, size_t size, size_t count, void* user) {
    auto* t = static_cast<Transfer*>(user);
    const HttpRequest& r = *t->request;
    const int64_t total = r.body_file.empty() ? int64_t(r.body.size()) : r.body_length;
    const size_t want = size_t(std::min<int64_t>(int64_t(size * count), total - t->sent));
    if (want == 0) return 0;
    if (r.body_file.empty()) {
        std::memcpy(buffer, r.body.data() + t->sent, want);
        t->sent += int64_t(want);
        return want;
    }
    while (true) {
        const ssize_t n = ::pread(t->fd, buffer, want, off_t(r.body_offset + t->sent));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            t->read_error =
                Error::Io("cannot read " + r.body_file.string() + ": " +
                          (n == 0 ? std::string("it shrank while being sent") : std::strerror(errno)));
            return CURL_READFUNC_ABORT;
        }
        t->sent += n;
        return size_t(n);
    }
}

// curl rewinds the body when it has to send it again (a redirect, a reused connection that was closed).
int SeekBody(void* user, curl_off_t offset, int origin) {
    auto* t = static_cast<Transfer*>(user);
    if (origin != SEEK_SET) return CURL_SEEKFUNC_CANTSEEK;
    t->sent = offset;
    return CURL_SEEKFUNC_OK;
}

size_t WriteBody(char* data, size_t size, size_t count, void* user) {
    auto* t = static_cast<Transfer*>(user);
    const size_t n = size * count;
    const HttpRequest& r = *t->request;
    if (!t->streaming) {
        long status = 0;
        curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &status);
        t->streaming = r.sink != nullptr && status == r.stream_status;
        if (*t->streaming && r.on_stream_start) {
            t->response->status = status;
            if (Status s = r.on_stream_start(*t->response); !s) {
                t->write_error = s;
                return CURL_WRITEFUNC_ERROR;
            }
        }
    }
    if (*t->streaming) {
        if (Status s = (*r.sink)(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(data), n)); !s) {
            t->write_error = s;
            return CURL_WRITEFUNC_ERROR;
        }
        return n;
    }
    if (t->response->body.size() + n > r.max_memory_body_bytes) {
        t->write_error = Error::Io("the answer from " + r.url + " is larger than the " +
                                   std::to_string(r.max_memory_body_bytes) + " bytes expected");
        return CURL_WRITEFUNC_ERROR;
    }
    t->response->body.append(data, n);
    return n;
}

size_t WriteHeader(char* data, size_t size, size_t count, void* user) {
    auto* t = static_cast<Transfer*>(user);
    const size_t n = size * count;
    const std::string_view line = TrimWhitespace(std::string_view(data, n));
    if (line.starts_with("HTTP/")) {
        // A new response (after "100 Continue" or a redirect): forget the previous one's headers.
        t->response->headers.clear();
        return n;
    }
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) return n;
    std::string name(TrimWhitespace(line.substr(0, colon)));
    for (char& c : name) c = char(std::tolower(static_cast<unsigned char>(c)));
    t->response->headers.emplace_back(std::move(name), std::string(TrimWhitespace(line.substr(colon + 1))));
    return n;
}

}  // namespace

const std::string* HttpResponse::Header(std::string_view lowercase_name) const {
    for (const auto& [name, value] : headers) {
        if (name == lowercase_name) return &value;
    }
    return nullptr;
}

Result<HttpResponse> PerformHttp(const HttpRequest& request) {
    CURL* curl = ThreadHandle();
    if (!curl) return Error::Internal("libcurl could not create a handle");
    HttpResponse response;
    Transfer t{.request = &request, .response = &response, .curl = curl};

    const bool has_file_body = !request.body_file.empty();
    const bool has_body = has_file_body || !request.body.empty();
    if (has_file_body) {
        t.fd = ::open(request.body_file.c_str(), O_RDONLY | O_CLOEXEC);
        if (t.fd < 0) {
            const int err = errno;
            if (err == ENOENT) return Error::NotFound("no file " + request.body_file.string());
            return Error::Io("cannot open " + request.body_file.string() + ": " + std::strerror(err));
        }
    }
    const int64_t body_size = has_file_body ? request.body_length : int64_t(request.body.size());

    std::unique_ptr<curl_slist, SlistDeleter> headers;
    auto add_header = [&](const std::string& line) {
        curl_slist* next = curl_slist_append(headers.get(), line.c_str());
        if (next) {
            (void)headers.release();
            headers.reset(next);
        }
    };
    for (const auto& [name, value] : request.headers) add_header(name + ": " + value);
    // No "Expect: 100-continue" round trip before uploads, and no default form Content-Type on POST.
    add_header("Expect:");
    const bool has_content_type =
        std::any_of(request.headers.begin(), request.headers.end(), [](const auto& h) {
            std::string name = h.first;
            for (char& c : name) c = char(std::tolower(static_cast<unsigned char>(c)));
            return name == "content-type";
        });
    if (!has_content_type) add_header("Content-Type:");

    curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, long(request.connect_timeout.count()));
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, long(request.low_speed_time.count()));
    curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &WriteHeader);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &t);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &WriteBody);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, &ReadBody);
    curl_easy_setopt(curl, CURLOPT_READDATA, &t);
    curl_easy_setopt(curl, CURLOPT_SEEKFUNCTION, &SeekBody);
    curl_easy_setopt(curl, CURLOPT_SEEKDATA, &t);

    if (request.method == "GET") {
        curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
    } else if (request.method == "HEAD") {
        curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    } else if (request.method == "PUT") {
        curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, curl_off_t(body_size));
    } else if (request.method == "POST") {
        curl_easy_setopt(curl, CURLOPT_POST, 1L);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body_size));
    } else {
        curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
        if (has_body) {
            curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
            curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, curl_off_t(body_size));
        }
    }

    const CURLcode code = curl_easy_perform(curl);
    if (t.fd >= 0) ::close(t.fd);
    // Do not leave pointers into this call's state in the thread's handle.
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);

    if (!t.write_error.ok()) return t.write_error.error();
    if (!t.read_error.ok()) return t.read_error.error();
    if (code == CURLE_URL_MALFORMAT || code == CURLE_UNSUPPORTED_PROTOCOL) {
        return Error::InvalidArgument("cannot use the URL '" + request.url +
                                      "': " + curl_easy_strerror(code));
    }
    if (code != CURLE_OK) {
        std::string where = request.url.substr(0, request.url.find('?'));
        return Error::Unavailable(request.method + " " + where + " failed: " + curl_easy_strerror(code));
    }
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
    return response;
}

}  // namespace amapiano::store
