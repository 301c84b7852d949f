#include "store/local_object_store.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <system_error>

#include "core/atomic_file.h"

namespace amapiano::store {
namespace {

constexpr size_t kMaxKeyBytes = 1024;

bool SegmentChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
}

class LocalObjectStore final : public ObjectStore {
public:
    explicit LocalObjectStore(std::filesystem::path root) : root_(std::move(root)) {}

    std::string_view Scheme() const override { return "file"; }

    Status Put(std::string_view key, std::span<const uint8_t> bytes) override {
        auto path = Prepare(key);
        if (!path) return path.error();
        return WriteFileAtomically(*path, bytes);
    }

    Status PutFile(std::string_view key, const std::filesystem::path& source) override {
        auto path = Prepare(key);
        if (!path) return path.error();
        return CopyFileAtomically(source, *path);
    }

    Result<std::vector<uint8_t>> Get(std::string_view key) override {
        auto info = Stat(key);
        if (!info) return info.error();
        return GetRange(key, 0, info->size_bytes);
    }

    Result<std::vector<uint8_t>> GetRange(std::string_view key, int64_t offset, int64_t length) override {
        if (Status s = ValidateObjectKey(key); !s) return s.error();
        if (offset < 0 || length < 0) return Error::InvalidArgument("a byte range cannot be negative");
        const std::filesystem::path path = root_ / std::string(key);
        const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) return OpenError(key, errno);
        const off_t size = ::lseek(fd, 0, SEEK_END);
        if (size < 0 || (offset > size) || (offset == size && size > 0 && length > 0)) {
            ::close(fd);
            return Error::InvalidArgument("byte " + std::to_string(offset) + " is past the end of '" +
                                          std::string(key) + "' (" + std::to_string(size) + " bytes)");
        }
        std::vector<uint8_t> out(size_t(std::min<int64_t>(length, size - offset)));
        size_t got = 0;
        while (got < out.size()) {
            const ssize_t n = ::pread(fd, out.data() + got, out.size() - got, off_t(offset + int64_t(got)));
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                const int err = errno;
                ::close(fd);
                return Error::Io("cannot read object '" + std::string(key) +
                                 "': " + (n == 0 ? "it shrank while being read" : std::strerror(err)));
            }
            got += size_t(n);
        }
        ::close(fd);
        return out;
    }

    Result<ObjectInfo> Stat(std::string_view key) override {
        if (Status s = ValidateObjectKey(key); !s) return s.error();
        std::error_code ec;
        const std::filesystem::path path = root_ / std::string(key);
        const auto status = std::filesystem::status(path, ec);
        if (ec || !std::filesystem::is_regular_file(status)) {
            return Error::NotFound("no object '" + std::string(key) + "'");
        }
        const auto size = std::filesystem::file_size(path, ec);
        if (ec)
            return Error::Io("cannot read the size of object '" + std::string(key) + "': " + ec.message());
        return ObjectInfo{std::string(key), int64_t(size), {}};
    }

    Status Delete(std::string_view key) override {
        if (Status s = ValidateObjectKey(key); !s) return s;
        const std::filesystem::path path = root_ / std::string(key);
        if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
            return Error::Io("cannot delete object '" + std::string(key) + "': " + std::strerror(errno));
        }
        return {};
    }

    Result<std::vector<ObjectInfo>> List(std::string_view prefix) override {
        std::vector<ObjectInfo> out;
        std::error_code ec;
        auto it = std::filesystem::recursive_directory_iterator(root_, ec);
        if (ec) return Error::Io("cannot list '" + root_.string() + "': " + ec.message());
        for (; it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
            if (ec) return Error::Io("cannot list '" + root_.string() + "': " + ec.message());
            const std::string name = it->path().filename().string();
            if (!name.empty() && name.front() == '.') {  // temporary files (and anything hidden)
                if (it->is_directory()) it.disable_recursion_pending();
                continue;
            }
            if (!it->is_regular_file()) continue;
            const std::string key = it->path().lexically_relative(root_).generic_string();
            if (key.rfind(prefix, 0) != 0 || !ValidateObjectKey(key)) continue;
            out.push_back({key, int64_t(it->file_size()), {}});
        }
        std::sort(out.begin(), out.end(),
                  [](const ObjectInfo& a, const ObjectInfo& b) { return a.key < b.key; });
        return out;
    }

    Status Read(std::string_view key, const ObjectSink& sink) override {
        if (Status s = ValidateObjectKey(key); !s) return s;
        const std::filesystem::path path = root_ / std::string(key);
        const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) return OpenError(key, errno);
        std::vector<uint8_t> block(size_t(1) << 20);
        Status status;
        while (true) {
            const ssize_t n = ::read(fd, block.data(), block.size());
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) {
                status = Error::Io("cannot read object '" + std::string(key) + "': " + std::strerror(errno));
                break;
            }
            if (n == 0) break;
            if (status = sink(std::span<const uint8_t>(block.data(), size_t(n))); !status) break;
        }
        ::close(fd);
        return status;
    }

    Result<std::string> DirectUrl(std::string_view, std::chrono::seconds) override {
        return Error::Unsupported("a local object store has no direct download URLs");
    }

    Status Probe() override {
        if (::access(root_.c_str(), R_OK | W_OK | X_OK) != 0) {
            return Error::Unavailable("the object directory '" + root_.string() +
                                      "' is not usable: " + std::strerror(errno));
        }
        return {};
    }

private:
    // Validates the key and creates the object's directory.
    Result<std::filesystem::path> Prepare(std::string_view key) {
        if (Status s = ValidateObjectKey(key); !s) return s.error();
        std::filesystem::path path = root_ / std::string(key);
        std::error_code ec;
        std::filesystem::create_directories(path.parent_path(), ec);
        if (ec)
            return Error::Io("cannot create the directory for object '" + std::string(key) +
                             "': " + ec.message());
        if (std::filesystem::is_directory(path, ec)) {
            return Error::Conflict("'" + std::string(key) + "' is a prefix of other objects, not an object");
        }
        return path;
    }

    static Error OpenError(std::string_view key, int err) {
        if (err == ENOENT || err == ENOTDIR || err == EISDIR)
            return Error::NotFound("no object '" + std::string(key) + "'");
        return Error::Io("cannot open object '" + std::string(key) + "': " + std::strerror(err));
    }

    std::filesystem::path root_;
};

}  // namespace

Status ValidateObjectKey(std::string_view key) {
    auto bad = [&](const std::string& why) {
        return Error::InvalidArgument("invalid object key '" + std::string(key.substr(0, 80)) + "': " + why);
    };
    if (key.empty()) return bad("it is empty");
    if (key.size() > kMaxKeyBytes) return bad("longer than " + std::to_string(kMaxKeyBytes) + " bytes");
    size_t start = 0;
    while (true) {
        const size_t slash = key.find('/', start);
        const std::string_view segment =
            key.substr(start, slash == std::string_view::npos ? key.npos : slash - start);
        if (segment.empty()) return bad("empty path segment");
        if (segment.front() == '.') return bad("a segment starts with '.'");
        if (!std::all_of(segment.begin(), segment.end(), SegmentChar)) {
            return bad("only letters, digits, '.', '_', '-' and '/' are allowed");
        }
        if (slash == std::string_view::npos) break;
        start = slash + 1;
    }
    return {};
}

namespace {

// Temporary files of writes cut short by a crash (".<name>.<pid>.<n>.tmp", see core/atomic_file.h)
// whose process is gone: never visible, but they would take space for ever.
void SweepAbandonedTemporaryFiles(const std::filesystem::path& root) {
    std::error_code ec;
    for (auto it = std::filesystem::recursive_directory_iterator(root, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (name.size() < 6 || name.front() != '.' || !name.ends_with(".tmp") || !it->is_regular_file(ec))
            continue;
        const std::string stem = name.substr(0, name.size() - 4);  // ".<name>.<pid>.<n>"
        const size_t counter_dot = stem.rfind('.');
        const size_t pid_dot = counter_dot == std::string::npos || counter_dot == 0
                                   ? std::string::npos
                                   : stem.rfind('.', counter_dot - 1);
        if (pid_dot == std::string::npos) continue;
        const long pid = std::strtol(stem.c_str() + pid_dot + 1, nullptr, 10);
        if (pid <= 0 || (::kill(pid_t(pid), 0) == 0 || errno != ESRCH)) continue;
        std::error_code remove_ec;
        std::filesystem::remove(it->path(), remove_ec);
    }
}

}  // namespace

Result<std::unique_ptr<ObjectStore>> OpenLocalObjectStore(const std::filesystem::path& root) {
    std::error_code ec;
    std::filesystem::create_directories(root, ec);
    if (ec || !std::filesystem::is_directory(root, ec)) {
        return Error::Io("cannot use '" + root.string() + "' as the object directory" +
                         (ec ? ": " + ec.message() : ""));
    }
    SweepAbandonedTemporaryFiles(root);
    return std::unique_ptr<ObjectStore>(new LocalObjectStore(std::filesystem::absolute(root)));
}

}  // namespace amapiano::store
