#include "server/http_server.h"

// Boost.Asio's awaitable.hpp uses std::exchange without including <utility> (Boost 1.74).
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <cmath>
#include <deque>
#include <limits>
#include <map>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "core/ids.h"
#include "core/text.h"
#include "server/url_codec.h"

namespace amapiano::server {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using asio::use_awaitable;

bool SaneRequestId(std::string_view id) {
    if (id.empty() || id.size() > 64) return false;
    for (char c : id) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') return false;
    }
    return true;
}

// Counts a request in flight for as long as it lives.
struct InFlight final {
    std::atomic<int>& count;
    explicit InFlight(std::atomic<int>& c) : count(c) { ++count; }
    ~InFlight() { --count; }
};

struct RemoveFile final {
    std::filesystem::path path;
    ~RemoveFile() {
        std::error_code ec;
        if (!path.empty()) std::filesystem::remove(path, ec);
    }
};

// A WebSocket to /api/v1/events: job events for one user, queued by any thread, written on the
// connection's strand.
struct EventSocket final : std::enable_shared_from_this<EventSocket> {
    websocket::stream<beast::tcp_stream> ws;
    asio::steady_timer signal;
    std::deque<std::string> outbox;
    bool closing = false;  // the server is draining: close with 1001
    bool closed = false;   // the peer went away
    explicit EventSocket(beast::tcp_stream&& stream)
        : ws(std::move(stream)), signal(ws.get_executor(), asio::steady_timer::time_point::max()) {}
};

}  // namespace

struct HttpServer::Impl final {
    Api& api;
    Metrics& metrics;
    jobs::JobEvents& events;
    Logger& log;
    HttpServerOptions options;
    asio::io_context io;
    tcp::acceptor acceptor{io};
    std::vector<std::thread> threads;
    std::atomic<int> in_flight{0};
    std::atomic<bool> draining{false};
    std::mutex sockets_mutex;
    std::map<uint64_t, std::weak_ptr<EventSocket>> sockets;
    uint64_t next_socket = 0;

    Impl(Api& a, Metrics& m, jobs::JobEvents& e, Logger& l, const HttpServerOptions& o)
        : api(a), metrics(m), events(e), log(l), options(o) {}

    asio::awaitable<void> Accept();
    asio::awaitable<void> Session(tcp::socket socket);
    asio::awaitable<void> Events(beast::tcp_stream stream, http::request<http::empty_body> upgrade,
                                 User user);
    asio::awaitable<void> LingeringClose(beast::tcp_stream& stream, beast::flat_buffer& buffer);
    void Record(const ApiRequest& request, const ApiResponse& response,
                std::chrono::steady_clock::time_point start);
};

HttpServer::HttpServer(Api& api, Metrics& metrics, jobs::JobEvents& events, Logger& log,
                       const HttpServerOptions& options)
    : impl_(std::make_unique<Impl>(api, metrics, events, log, options)) {}

HttpServer::~HttpServer() { Stop(); }

Result<int> HttpServer::Listen() {
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(impl_->options.host, ec);
    if (ec) return Error::InvalidArgument("not an IP address to listen on: '" + impl_->options.host + "'");
    const tcp::endpoint endpoint(address, static_cast<unsigned short>(impl_->options.port));
    impl_->acceptor.open(endpoint.protocol(), ec);
    if (!ec) impl_->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) impl_->acceptor.bind(endpoint, ec);
    if (!ec) impl_->acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
        return Error::Unavailable("cannot listen on " + impl_->options.host + ":" +
                                  std::to_string(impl_->options.port) + ": " + ec.message());
    }
    return int(impl_->acceptor.local_endpoint().port());
}

void HttpServer::Start() {
    asio::co_spawn(impl_->acceptor.get_executor(), impl_->Accept(), asio::detached);
    for (int i = 0; i < std::max(1, impl_->options.threads); ++i) {
        impl_->threads.emplace_back([this] { impl_->io.run(); });
    }
}

void HttpServer::BeginDrain() {
    impl_->draining = true;
    asio::post(impl_->acceptor.get_executor(), [impl = impl_.get()] {
        boost::system::error_code ec;
        impl->acceptor.close(ec);
    });
    std::lock_guard lock(impl_->sockets_mutex);
    for (auto& [id, weak] : impl_->sockets) {
        if (auto socket = weak.lock()) {
            asio::post(socket->ws.get_executor(), [socket] {
                socket->closing = true;
                socket->signal.cancel();
            });
        }
    }
}

bool HttpServer::WaitIdle(std::chrono::steady_clock::time_point deadline) {
    while (impl_->in_flight.load() > 0) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return true;
}

void HttpServer::Stop() {
    impl_->io.stop();
    for (std::thread& t : impl_->threads) {
        if (t.joinable()) t.join();
    }
    impl_->threads.clear();
}

asio::awaitable<void> HttpServer::Impl::Accept() {
    while (acceptor.is_open()) {
        boost::system::error_code ec;
        tcp::socket socket =
            co_await acceptor.async_accept(asio::make_strand(io), asio::redirect_error(use_awaitable, ec));
        if (ec) {
            if (ec == asio::error::operation_aborted || !acceptor.is_open()) break;
            log.Warn("accept_failed", {{"error", ec.message()}});
            continue;
        }
        auto executor = socket.get_executor();
        asio::co_spawn(executor, Session(std::move(socket)), asio::detached);
    }
}

void HttpServer::Impl::Record(const ApiRequest& request, const ApiResponse& response,
                              std::chrono::steady_clock::time_point start) {
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    metrics.ObserveRequest(request.method, response.route, response.status, seconds);
    log.Info("request", {{"request_id", request.request_id},
                         {"method", request.method},
                         {"route", response.route},
                         {"status", response.status},
                         {"duration_ms", std::round(seconds * 1e5) / 100},
                         {"user_id", response.user_id.empty() ? nlohmann::json(nullptr)
                                                              : nlohmann::json(response.user_id)},
                         {"remote", request.remote_address}});
}

// After refusing a request whose body was not read: stop sending, swallow what the client still
// sends for a moment (so closing does not reset the connection before it reads the answer), close.
asio::awaitable<void> HttpServer::Impl::LingeringClose(beast::tcp_stream& stream,
                                                       beast::flat_buffer& buffer) {
    boost::system::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    std::vector<char> sink(64 * 1024);
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    size_t swallowed = 0;
    buffer.clear();
    while (!ec && std::chrono::steady_clock::now() < until && swallowed < (size_t(16) << 20)) {
        stream.expires_at(until);
        const size_t n =
            co_await stream.async_read_some(asio::buffer(sink), asio::redirect_error(use_awaitable, ec));
        swallowed += n;
    }
    stream.socket().close(ec);
}

asio::awaitable<void> HttpServer::Impl::Session(tcp::socket socket) {
    boost::system::error_code ec;
    std::string remote;
    if (auto endpoint = socket.remote_endpoint(ec); !ec) remote = endpoint.address().to_string();
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    while (true) {
        http::request_parser<http::empty_body> header;
        header.header_limit(16 * 1024);
        header.body_limit(
            std::numeric_limits<std::uint64_t>::max());  // per route, set once the route is known
        stream.expires_after(options.header_timeout);
        co_await http::async_read_header(stream, buffer, header, asio::redirect_error(use_awaitable, ec));
        if (ec) {
            if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::eof ||
                ec == asio::error::connection_reset || ec == asio::error::operation_aborted) {
                break;
            }
            // Malformed request line or headers: say so and close.
            http::response<http::string_body> bad{http::status::bad_request, 11};
            bad.set(http::field::content_type, "application/json");
            bad.body() = ErrorResponse(400, "bad_request", "malformed HTTP request: " + ec.message()).body;
            bad.keep_alive(false);
            bad.prepare_payload();
            co_await http::async_write(stream, bad, asio::redirect_error(use_awaitable, ec));
            break;
        }
        InFlight counted(in_flight);
        const auto start = std::chrono::steady_clock::now();
        const auto& head = header.get();

        ApiRequest request;
        request.method = std::string(head.method_string());
        request.remote_address = remote;
        const auto incoming = head["X-Request-Id"];
        const std::string incoming_id(incoming.data(), incoming.size());
        request.request_id = SaneRequestId(incoming_id) ? incoming_id : NewId();
        for (const auto& field : head) {
            std::string name =
                AsciiLower(std::string_view(field.name_string().data(), field.name_string().size()));
            const std::string value(field.value().data(), field.value().size());
            auto [it, fresh] = request.headers.try_emplace(name, value);
            if (!fresh) it->second += ", " + value;
        }
        if (options.trust_proxy) {
            const std::string forwarded = request.Header("x-forwarded-for");
            const std::string_view last =
                TrimWhitespace(std::string_view(forwarded).substr(forwarded.rfind(',') + 1));
            if (!last.empty() && last.size() <= 64) request.remote_address = std::string(last);
        }
        const bool keep_alive = head.keep_alive();
        const bool has_body = header.content_length().value_or(0) > 0 || header.chunked();

        auto respond = [&](ApiResponse response, bool body_unread) -> asio::awaitable<bool> {
            Record(request, response, start);
            http::response<http::string_body> res{static_cast<http::status>(response.status), head.version()};
            res.set(http::field::server, "amapiano");
            res.set("X-Request-Id", request.request_id);
            if (!response.content_type.empty()) res.set(http::field::content_type, response.content_type);
            for (const auto& [name, value] : response.headers) res.insert(name, value);
            const bool close = response.close || body_unread || draining.load() || !keep_alive;
            res.keep_alive(!close);
            if (response.head_content_length) {
                res.content_length(*response.head_content_length);
            } else {
                res.body() = std::move(response.body);
                res.prepare_payload();
            }
            stream.expires_after(options.body_timeout);
            if (request.method == "HEAD") {
                http::response_serializer<http::string_body> serializer(res);
                co_await http::async_write_header(stream, serializer,
                                                  asio::redirect_error(use_awaitable, ec));
            } else {
                co_await http::async_write(stream, res, asio::redirect_error(use_awaitable, ec));
            }
            if (ec) co_return false;
            if (body_unread) {
                co_await LingeringClose(stream, buffer);
                co_return false;
            }
            co_return !close;
        };

        auto target = ParseTarget(std::string_view(head.target().data(), head.target().size()));
        if (!target) {
            co_await respond(ErrorResponse(400, "bad_request", "the request target cannot be decoded"),
                             has_body);
            break;
        }
        request.path = target->path;
        request.raw_path = target->raw_path;
        request.query = target->query;

        if (websocket::is_upgrade(head) && request.path == "/api/v1/events") {
            auto user = api.AuthenticateEvents(request);
            if (!user) {
                ApiResponse refused = ErrorResponse(user.error());
                refused.route = "/api/v1/events";
                co_await respond(std::move(refused), false);
                break;
            }
            ApiResponse upgraded;
            upgraded.status = 101;
            upgraded.route = "/api/v1/events";
            upgraded.user_id = user->id;
            Record(request, upgraded, start);
            co_await Events(std::move(stream), header.release(), *user);
            co_return;
        }

        const std::optional<uint64_t> length =
            header.content_length() ? std::optional<uint64_t>(*header.content_length()) : std::nullopt;
        Admission admission = api.Admit(request, length);
        if (admission.reject) {
            if (!co_await respond(std::move(*admission.reject), has_body)) break;
            continue;
        }

        RemoveFile upload;
        std::optional<ApiResponse> body_error;
        if (has_body) {
            stream.expires_after(options.body_timeout);
            if (admission.body == BodyKind::kUpload) {
                http::request_parser<http::file_body> parser(std::move(header));
                parser.body_limit(uint64_t(options.max_upload_bytes));
                upload.path = options.scratch_dir / ("upload-" + request.request_id + "-" + NewId());
                parser.get().body().open(upload.path.c_str(), beast::file_mode::write, ec);
                if (ec) {
                    body_error = ErrorResponse(500, "internal", "cannot store the upload");
                } else {
                    co_await http::async_read(stream, buffer, parser,
                                              asio::redirect_error(use_awaitable, ec));
                    parser.get().body().close();
                    request.body_file = upload.path;
                }
            } else {
                http::request_parser<http::string_body> parser(std::move(header));
                parser.body_limit(uint64_t(options.max_json_bytes));
                co_await http::async_read(stream, buffer, parser, asio::redirect_error(use_awaitable, ec));
                if (!ec) request.body = parser.release().body();
            }
            if (!body_error && ec) {
                if (ec == http::error::body_limit) {
                    body_error = ErrorResponse(413, "payload_too_large", "the body is over the limit");
                } else if (ec == http::error::partial_message || ec == http::error::end_of_stream ||
                           ec == asio::error::eof) {
                    body_error =
                        ErrorResponse(400, "truncated_body", "the body ended before its announced length");
                } else if (ec == beast::error::timeout) {
                    body_error = ErrorResponse(408, "request_timeout", "the body took too long to arrive");
                } else {
                    body_error = ErrorResponse(400, "bad_request", "cannot read the body: " + ec.message());
                }
                ec = {};
            }
            if (body_error) {
                body_error->route = admission.route;
                body_error->close = true;
                co_await respond(std::move(*body_error), false);
                break;
            }
        } else if (admission.body == BodyKind::kUpload) {
            request.body_file.clear();
        }

        ApiResponse response = api.Handle(request);
        if (!co_await respond(std::move(response), false)) break;
    }
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream.socket().close(ec);
}

asio::awaitable<void> HttpServer::Impl::Events(beast::tcp_stream stream,
                                               http::request<http::empty_body> upgrade, User user) {
    beast::get_lowest_layer(stream).expires_never();
    auto socket = std::make_shared<EventSocket>(std::move(stream));
    socket->ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    boost::system::error_code ec;
    co_await socket->ws.async_accept(upgrade, asio::redirect_error(use_awaitable, ec));
    if (ec) co_return;
    uint64_t id = 0;
    {
        std::lock_guard lock(sockets_mutex);
        id = ++next_socket;
        sockets[id] = socket;
    }
    std::weak_ptr<EventSocket> weak = socket;
    const auto executor = socket->ws.get_executor();
    const uint64_t subscription = events.Subscribe([weak, executor, user_id = user.id](const jobs::Job& job) {
        if (job.user_id != user_id) return;
        std::string message = nlohmann::json{{"type", "job"}, {"job", jobs::JobJson(job)}}.dump();
        asio::post(executor, [weak, message = std::move(message)]() mutable {
            if (auto s = weak.lock()) {
                s->outbox.push_back(std::move(message));
                s->signal.cancel();
            }
        });
    });
    if (draining) socket->closing = true;

    // Reader: notices the peer closing (and answers pings, which Beast does while a read is pending).
    asio::co_spawn(
        executor,
        [socket]() -> asio::awaitable<void> {
            beast::flat_buffer in;
            boost::system::error_code read_ec;
            while (!read_ec) {
                in.clear();
                co_await socket->ws.async_read(in, asio::redirect_error(use_awaitable, read_ec));
            }
            socket->closed = true;
            socket->signal.cancel();
        },
        asio::detached);

    while (!socket->closed) {
        while (!socket->outbox.empty() && !socket->closed) {
            const std::string message = std::move(socket->outbox.front());
            socket->outbox.pop_front();
            socket->ws.text(true);
            co_await socket->ws.async_write(asio::buffer(message), asio::redirect_error(use_awaitable, ec));
            if (ec) socket->closed = true;
        }
        if (socket->closing && !socket->closed) {
            co_await socket->ws.async_close(websocket::close_reason(websocket::close_code::going_away),
                                            asio::redirect_error(use_awaitable, ec));
            break;
        }
        if (socket->closed) break;
        socket->signal.expires_at(asio::steady_timer::time_point::max());
        co_await socket->signal.async_wait(asio::redirect_error(use_awaitable, ec));
    }
    events.Unsubscribe(subscription);
    std::lock_guard lock(sockets_mutex);
    sockets.erase(id);
}

}  // namespace amapiano::server
