#include "core/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace amapiano {
namespace {

std::atomic<uint64_t> temp_counter{0};

std::string OsReason(int err) { return std::strerror(err); }

}  // namespace

std::filesystem::path TemporaryPathFor(const std::filesystem::path& destination) {
    // Unique within the process (counter) and across processes (pid); the name only has to avoid
    // collisions, it never reaches the output bytes.
    char suffix[48];
    std::snprintf(suffix, sizeof(suffix), ".%ld.%llu.tmp", static_cast<long>(::getpid()),
                  static_cast<unsigned long long>(temp_counter.fetch_add(1)));
    std::filesystem::path name = "." + destination.filename().string() + suffix;
    return destination.parent_path() / name;
}

namespace {

Status WriteAll(int fd, std::span<const uint8_t> bytes, const std::filesystem::path& destination) {
    size_t written = 0;
    while (written < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
        if (n < 0) {
            if (errno == EINTR) continue;
            return Error::Io("cannot write '" + destination.string() + "': " + OsReason(errno));
        }
        written += static_cast<size_t>(n);
    }
    return Status::Ok();
}

// Makes a rename durable: the directory entry itself is flushed (best effort; some filesystems
// refuse fsync on directories).
void SyncDirectory(const std::filesystem::path& directory) {
    const int fd = ::open(directory.empty() ? "." : directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    (void)::fsync(fd);
    ::close(fd);
}

}  // namespace

Status WriteFileAtomicallyWith(const std::filesystem::path& destination,
                               const std::function<Status(int fd)>& fill) {
    const std::filesystem::path temp = TemporaryPathFor(destination);
    int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0) {
        return Error::Io("cannot create '" + temp.string() + "': " + OsReason(errno));
    }
    if (Status s = fill(fd); !s) {
        ::close(fd);
        ::unlink(temp.c_str());
        return s;
    }
    if (::fsync(fd) != 0) {
        const int err = errno;
        ::close(fd);
        ::unlink(temp.c_str());
        return Error::Io("cannot flush '" + destination.string() + "': " + OsReason(err));
    }
    if (::close(fd) != 0) {
        const int err = errno;
        ::unlink(temp.c_str());
        return Error::Io("cannot close '" + destination.string() + "': " + OsReason(err));
    }
    if (::rename(temp.c_str(), destination.c_str()) != 0) {
        const int err = errno;
        ::unlink(temp.c_str());
        return Error::Io("cannot rename '" + temp.string() + "' to '" + destination.string() +
                         "': " + OsReason(err));
    }
    SyncDirectory(destination.parent_path());
    return Status::Ok();
}

Status WriteFileAtomically(const std::filesystem::path& destination, std::span<const uint8_t> bytes) {
    return WriteFileAtomicallyWith(destination, [&](int fd) { return WriteAll(fd, bytes, destination); });
}

Status CopyFileAtomically(const std::filesystem::path& source, const std::filesystem::path& destination) {
    const int in = ::open(source.c_str(), O_RDONLY | O_CLOEXEC);
    if (in < 0) {
        const int err = errno;
        return Error{err == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIo,
                     "cannot open '" + source.string() + "': " + OsReason(err)};
    }
    const Status s = WriteFileAtomicallyWith(destination, [&](int out) -> Status {
        std::vector<uint8_t> buffer(1 << 20);
        while (true) {
            const ssize_t n = ::read(in, buffer.data(), buffer.size());
            if (n < 0) {
                if (errno == EINTR) continue;
                return Error::Io("cannot read '" + source.string() + "': " + OsReason(errno));
            }
            if (n == 0) return Status::Ok();
            if (Status w = WriteAll(out, std::span(buffer).first(size_t(n)), destination); !w) return w;
        }
    });
    ::close(in);
    return s;
}

}  // namespace amapiano
