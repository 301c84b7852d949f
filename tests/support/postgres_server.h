// A throwaway PostgreSQL server for tests: initdb into a temporary folder, started on a free loopback
// port with trust authentication, stopped and deleted at the end. Uses Debian's postgresql binaries
// (/usr/lib/postgresql/<version>/bin); as root it runs them as the `postgres` user (initdb refuses
// root). `Url()` is empty when no server could be started; `Why()` says why.
#pragma once

#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "support/temp_dir.h"

namespace amapiano::testing_support {

class PostgresServer final {
public:
    PostgresServer() {
        std::filesystem::path bin;
        std::error_code ec;
        for (const auto& entry : std::filesystem::directory_iterator("/usr/lib/postgresql", ec)) {
            if (std::filesystem::exists(entry.path() / "bin" / "pg_ctl")) bin = entry.path() / "bin";
        }
        if (bin.empty()) {
            why_ = "no PostgreSQL binaries under /usr/lib/postgresql (apt-get install postgresql)";
            return;
        }
        data_ = dir_ / "pgdata";
        std::string as;
        if (::getuid() == 0) {
            passwd* pw = ::getpwnam("postgres");
            if (!pw) {
                why_ = "running as root and there is no postgres user to run the server as";
                return;
            }
            if (std::system(("chown -R postgres " + Quote(dir_.path().string())).c_str()) != 0) {
                why_ = "cannot hand the data folder to the postgres user";
                return;
            }
            as = "runuser -u postgres -- ";
        }
        port_ = FreePort();
        const std::string initdb = as + Quote((bin / "initdb").string()) + " -D " + Quote(data_.string()) +
                                   " -U postgres --auth=trust --no-sync -E UTF8 >" +
                                   Quote((dir_ / "initdb.log").string()) + " 2>&1";
        if (std::system(initdb.c_str()) != 0) {
            why_ = "initdb failed (see " + (dir_ / "initdb.log").string() + ")";
            return;
        }
        pg_ctl_ = as + Quote((bin / "pg_ctl").string()) + " -D " + Quote(data_.string());
        const std::string start = pg_ctl_ + " -w -l " + Quote((dir_ / "server.log").string()) + " -o \"-p " +
                                  std::to_string(port_) + " -k " + dir_.path().string() +
                                  " -c listen_addresses=127.0.0.1 -c fsync=off\" start >/dev/null 2>&1";
        if (std::system(start.c_str()) != 0) {
            why_ = "pg_ctl start failed";
            return;
        }
        running_ = true;
    }
    ~PostgresServer() {
        if (running_) (void)std::system((pg_ctl_ + " -m immediate stop >/dev/null 2>&1").c_str());
    }
    PostgresServer(const PostgresServer&) = delete;
    PostgresServer& operator=(const PostgresServer&) = delete;

    std::string Url() const {
        return running_ ? "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/postgres"
                        : std::string();
    }
    const std::string& Why() const { return why_; }

private:
    static std::string Quote(const std::string& s) { return "'" + s + "'"; }
    static int FreePort() {
        const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = 0;
        socklen_t len = sizeof(addr);
        int port = 0;
        if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
            ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
            port = ntohs(addr.sin_port);
        }
        ::close(fd);
        return port;
    }

    TempDir dir_;
    std::filesystem::path data_;
    std::string pg_ctl_;
    std::string why_;
    int port_ = 0;
    bool running_ = false;
};

}  // namespace amapiano::testing_support
