#include "core/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

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

Status WriteFileAtomically(const std::filesystem::path& destination, std::span<const uint8_t> bytes) {
    const std::filesystem::path temp = TemporaryPathFor(destination);
    int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0) {
        return Error::Io("cannot create '" + temp.string() + "': " + OsReason(errno));
    }
    size_t written = 0;
    while (written < bytes.size()) {
        ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
        if (n < 0) {
            if (errno == EINTR) continue;
            const int err = errno;
            ::close(fd);
            ::unlink(temp.c_str());
            return Error::Io("cannot write '" + destination.string() + "': " + OsReason(err));
        }
        written += static_cast<size_t>(n);
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
    return Status::Ok();
}

}  // namespace amapiano
