// A throwaway S3-compatible server for tests: s3rver (@20minutes/s3rver from npm, installed into
// tests/support/s3rver/node_modules by scripts/install-peers.sh) run with Node.js on a free loopback
// port with a temporary data folder and one bucket, stopped and deleted at the end. It checks SigV4
// signatures of signed requests — the Authorization header and presigned URLs, including their expiry —
// for its one key pair, S3RVER / S3RVER. `Endpoint()` is empty when no server could be started;
// `Why()` says why.
//
// The command line (tests/support/s3rver is found beside this header):
//   node --openssl-legacy-provider -e <load lib/cli.js> -- -d <tmp>/data -a 127.0.0.1 -p 0
//        --configure-bucket amapiano-test
// --openssl-legacy-provider: s3rver encrypts ListObjectsV2 continuation tokens with DES, which
// OpenSSL 3 only has in its legacy provider. The package ships no bin/ script, hence `-e`.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/temp_dir.h"

namespace amapiano::testing_support {

class S3Server final {
public:
    S3Server() {
        const std::filesystem::path package = std::filesystem::path(__FILE__).parent_path() / "s3rver";
        const std::filesystem::path cli =
            package / "node_modules" / "@20minutes" / "s3rver" / "lib" / "cli.js";
        std::error_code ec;
        if (!std::filesystem::exists(cli, ec)) {
            why_ = "s3rver is not installed in " + package.string() + " (run scripts/install-peers.sh)";
            return;
        }
        const std::string node = FindNode();
        if (node.empty()) {
            why_ = "no node on PATH (Node.js runs s3rver)";
            return;
        }
        log_ = dir_ / "s3rver.log";
        const std::string script =
            "const [cli, ...args] = process.argv.slice(1);"
            "require(cli).parseAsync(['node', 's3rver', ...args]).catch((e) => { console.error(e); "
            "process.exit(1); });";
        std::vector<std::string> args = {node,
                                         "--openssl-legacy-provider",
                                         "-e",
                                         script,
                                         "--",
                                         cli.string(),
                                         "-d",
                                         (dir_ / "data").string(),
                                         "-a",
                                         "127.0.0.1",
                                         "-p",
                                         "0",
                                         "--configure-bucket",
                                         Bucket()};
        std::vector<char*> argv;
        for (std::string& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        const std::string log_path = log_.string();
        pid_ = ::fork();
        if (pid_ == 0) {
            // Only async-signal-safe calls between fork and exec.
            const int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            if (fd >= 0) {
                ::dup2(fd, STDOUT_FILENO);
                ::dup2(fd, STDERR_FILENO);
            }
            ::execv(argv[0], argv.data());
            ::_exit(127);
        }
        if (pid_ < 0) {
            why_ = "cannot fork to start s3rver";
            return;
        }
        // s3rver prints "S3rver listening on 127.0.0.1:<port>" once it accepts connections.
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
        while (std::chrono::steady_clock::now() < deadline) {
            const std::string log = Log();
            const size_t at = log.find("S3rver listening on ");
            const size_t end = at == std::string::npos ? at : log.find('\n', at);
            if (end != std::string::npos) {
                const std::string line = log.substr(at, end - at);
                endpoint_ = "http://127.0.0.1:" + line.substr(line.rfind(':') + 1);
                return;
            }
            int status = 0;
            if (::waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1;
                why_ = "s3rver exited at start: " + log;
                return;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        why_ = "s3rver did not start within 60 s: " + Log();
    }
    ~S3Server() {
        if (pid_ <= 0) return;
        ::kill(pid_, SIGTERM);
        for (int i = 0; i < 100; ++i) {
            if (::waitpid(pid_, nullptr, WNOHANG) == pid_) return;
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
    }
    S3Server(const S3Server&) = delete;
    S3Server& operator=(const S3Server&) = delete;

    const std::string& Endpoint() const { return endpoint_; }  // "http://127.0.0.1:<port>"
    std::string Bucket() const { return "amapiano-test"; }
    std::string AccessKey() const { return "S3RVER"; }
    std::string SecretKey() const { return "S3RVER"; }
    const std::string& Why() const { return why_; }
    // What the server printed so far (one line per request it handled).
    std::string Log() const {
        std::ifstream in(log_);
        std::stringstream text;
        text << in.rdbuf();
        return text.str();
    }

private:
    static std::string FindNode() {
        const char* path = std::getenv("PATH");
        std::stringstream dirs(path ? path : "/usr/local/bin:/usr/bin:/bin");
        std::string dir;
        while (std::getline(dirs, dir, ':')) {
            const std::filesystem::path candidate = std::filesystem::path(dir) / "node";
            if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
        }
        return {};
    }

    TempDir dir_;
    std::filesystem::path log_;
    std::string endpoint_;
    std::string why_;
    pid_t pid_ = -1;
};

}  // namespace amapiano::testing_support
