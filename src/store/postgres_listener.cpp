#include "store/postgres_listener.h"

#include <libpq-fe.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <thread>

namespace amapiano::store {
namespace {

std::string LastError(PGconn* conn) {
    std::string message = conn ? PQerrorMessage(conn) : "out of memory";
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
    return message;
}

class PgListener final : public PostgresListener {
public:
    PgListener(std::string url, std::string channel, int wake_fd)
        : url_(std::move(url)), channel_(std::move(channel)), wake_fd_(wake_fd) {}
    ~PgListener() override {
        if (conn_) PQfinish(conn_);
        ::close(wake_fd_);
    }

    Status Connect() {
        if (conn_) PQfinish(conn_);
        last_attempt_ = std::chrono::steady_clock::now();
        const char* keys[] = {"dbname", "connect_timeout", "application_name", nullptr};
        const char* values[] = {url_.c_str(), "10", "amapiano-listener", nullptr};
        conn_ = PQconnectdbParams(keys, values, 1);
        if (!conn_ || PQstatus(conn_) != CONNECTION_OK) {
            return Error::Unavailable("cannot connect to PostgreSQL to listen: " + LastError(conn_));
        }
        PGresult* r = PQexec(conn_, ("LISTEN " + channel_).c_str());
        const bool ok = r && PQresultStatus(r) == PGRES_COMMAND_OK;
        PQclear(r);
        if (!ok) return Error::Unavailable("LISTEN " + channel_ + " failed: " + LastError(conn_));
        return {};
    }

    Result<std::vector<std::string>> Wait(std::chrono::milliseconds timeout) override {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        if (!conn_ || PQstatus(conn_) != CONNECTION_OK) {
            // Reconnect at most once a second; until then just wait out the timeout (interruptibly).
            if (std::chrono::steady_clock::now() - last_attempt_ < std::chrono::seconds(1)) {
                PollFds(-1, deadline);
                return Error::Unavailable("not connected to PostgreSQL");
            }
            if (Status s = Connect(); !s) return s.error();
        }
        std::vector<std::string> out;
        while (true) {
            if (!PQconsumeInput(conn_))
                return Error::Unavailable("lost the LISTEN connection: " + LastError(conn_));
            while (PGnotify* n = PQnotifies(conn_)) {
                out.emplace_back(n->extra ? n->extra : "");
                PQfreemem(n);
            }
            if (!out.empty()) return out;
            const int ready = PollFds(PQsocket(conn_), deadline);
            if (ready == 0) return out;  // timeout or interrupted
        }
    }

    void Interrupt() override {
        const uint64_t one = 1;
        (void)!::write(wake_fd_, &one, sizeof one);
    }

private:
    // Waits for `socket` (if >= 0) to become readable or an Interrupt; 1 when the socket is readable.
    int PollFds(int socket, std::chrono::steady_clock::time_point deadline) {
        pollfd fds[2] = {{wake_fd_, POLLIN, 0}, {socket, POLLIN, 0}};
        while (true) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            const int n = ::poll(fds, socket >= 0 ? 2 : 1, int(std::max<int64_t>(0, left.count())));
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) return 0;
            if (fds[0].revents & POLLIN) {
                uint64_t count = 0;
                (void)!::read(wake_fd_, &count, sizeof count);
                return 0;
            }
            return 1;
        }
    }

    std::string url_;
    std::string channel_;
    int wake_fd_;
    PGconn* conn_ = nullptr;
    std::chrono::steady_clock::time_point last_attempt_{};
};

}  // namespace

Result<std::unique_ptr<PostgresListener>> OpenPostgresListener(const std::string& url,
                                                               const std::string& channel) {
    if (channel.empty() || !std::all_of(channel.begin(), channel.end(), [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
        })) {
        return Error::InvalidArgument("a LISTEN channel must be lowercase letters, digits and '_'");
    }
    const int fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (fd < 0) return Error::Io("eventfd failed");
    auto listener = std::make_unique<PgListener>(url, channel, fd);
    if (Status s = listener->Connect(); !s) return s.error();
    return std::unique_ptr<PostgresListener>(std::move(listener));
}

}  // namespace amapiano::store
