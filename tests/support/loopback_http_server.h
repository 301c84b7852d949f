// A scripted HTTP/1.1 server on a free 127.0.0.1 port, for tests that need to see exactly what a
// client sends and to answer what a real server rarely does (503 twice, a body cut off halfway). One
// thread serves the connections one after another, one request each ("Connection: close"); the
// handler decides each answer from the request and its number (0, 1, ...).
//
//   LoopbackHttpServer server([](const LoopbackHttpServer::Request& r, int n) {
//       return n < 2 ? LoopbackHttpServer::Reply{.status = 503} : LoopbackHttpServer::Reply{.body = "ok"};
//   });
//   ... point the client at server.Url() ...
//   EXPECT_EQ(server.Requests().size(), 3u);
#pragma once

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace amapiano::testing_support {

class LoopbackHttpServer final {
public:
    struct Request {
        std::string method{};
        std::string target{};                                        // "/bucket/key?x=1"
        std::vector<std::pair<std::string, std::string>> headers{};  // names lowercased
        std::string body{};

        std::string Header(const std::string& lowercase_name) const {
            for (const auto& [name, value] : headers) {
                if (name == lowercase_name) return value;
            }
            return {};
        }
    };
    struct Reply {
        int status = 200;
        std::vector<std::pair<std::string, std::string>> headers{};
        std::string body{};
        // Send the headers (with the full Content-Length) but only this many body bytes, then close:
        // a transfer broken halfway.
        size_t cut_after_bytes = std::string::npos;
    };
    using Handler = std::function<Reply(const Request& request, int number)>;

    explicit LoopbackHttpServer(Handler handler) : handler_(std::move(handler)) {
        listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof(addr);
        if (listener_ < 0 || ::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
            ::listen(listener_, 16) != 0 ||
            ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
            std::abort();  // a test machine without a loopback interface is not one to test on
        }
        port_ = ntohs(addr.sin_port);
        thread_ = std::thread([this] { Serve(); });
    }
    ~LoopbackHttpServer() {
        stop_ = true;
        thread_.join();
        ::close(listener_);
    }
    LoopbackHttpServer(const LoopbackHttpServer&) = delete;
    LoopbackHttpServer& operator=(const LoopbackHttpServer&) = delete;

    int Port() const { return port_; }
    std::string Url() const { return "http://127.0.0.1:" + std::to_string(port_); }
    std::vector<Request> Requests() const {
        std::lock_guard lock(mutex_);
        return requests_;
    }

private:
    void Serve() {
        while (!stop_) {
            pollfd p{listener_, POLLIN, 0};
            if (::poll(&p, 1, 50) <= 0) continue;
            const int fd = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
            if (fd < 0) continue;
            timeval timeout{5, 0};
            ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
            Request request;
            if (ReadRequest(fd, request)) {
                int number = 0;
                {
                    std::lock_guard lock(mutex_);
                    number = int(requests_.size());
                    requests_.push_back(request);
                }
                WriteReply(fd, request, handler_(request, number));
            }
            ::close(fd);
        }
    }

    static bool ReadRequest(int fd, Request& request) {
        std::string data;
        char buf[65536];
        size_t header_end = std::string::npos;
        while ((header_end = data.find("\r\n\r\n")) == std::string::npos) {
            const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
            if (n <= 0) return false;
            data.append(buf, size_t(n));
        }
        const std::string head = data.substr(0, header_end);
        size_t line_end = head.find("\r\n");
        const std::string first = head.substr(0, line_end);
        const size_t sp1 = first.find(' '), sp2 = first.rfind(' ');
        request.method = first.substr(0, sp1);
        request.target = first.substr(sp1 + 1, sp2 - sp1 - 1);
        size_t content_length = 0;
        while (line_end != std::string::npos) {
            const size_t start = line_end + 2;
            line_end = head.find("\r\n", start);
            const std::string line =
                head.substr(start, line_end == std::string::npos ? line_end : line_end - start);
            const size_t colon = line.find(':');
            if (colon == std::string::npos) continue;
            std::string name = line.substr(0, colon);
            std::transform(name.begin(), name.end(), name.begin(),
                           [](unsigned char c) { return std::tolower(c); });
            std::string value = line.substr(colon + 1);
            value.erase(0, value.find_first_not_of(' '));
            if (name == "content-length") content_length = std::strtoull(value.c_str(), nullptr, 10);
            request.headers.emplace_back(std::move(name), std::move(value));
        }
        request.body = data.substr(header_end + 4);
        while (request.body.size() < content_length) {
            const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
            if (n <= 0) return false;
            request.body.append(buf, size_t(n));
        }
        return true;
    }

    static void WriteReply(int fd, const Request& request, const Reply& reply) {
        std::string head = "HTTP/1.1 " + std::to_string(reply.status) + " Scripted\r\nConnection: close\r\n";
        bool has_length = false;
        for (const auto& [name, value] : reply.headers) {
            head += name + ": " + value + "\r\n";
            std::string lower = name;
            std::transform(lower.begin(), lower.end(), lower.begin(),
                           [](unsigned char c) { return std::tolower(c); });
            has_length = has_length || lower == "content-length";
        }
        if (!has_length) head += "Content-Length: " + std::to_string(reply.body.size()) + "\r\n";
        head += "\r\n";
        std::string out = head;
        if (request.method != "HEAD") out += reply.body.substr(0, reply.cut_after_bytes);
        size_t sent = 0;
        while (sent < out.size()) {
            const ssize_t n = ::send(fd, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
            if (n <= 0) return;
            sent += size_t(n);
        }
    }

    Handler handler_;
    int listener_ = -1;
    int port_ = 0;
    std::atomic<bool> stop_{false};
    std::thread thread_;
    mutable std::mutex mutex_;
    std::vector<Request> requests_;
};

}  // namespace amapiano::testing_support
