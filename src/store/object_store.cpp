#include "store/object_store.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/atomic_file.h"
#include "store/checksum.h"

namespace amapiano::store {

Status GetObjectToFile(ObjectStore& store, std::string_view key, const std::filesystem::path& destination) {
    return WriteFileAtomicallyWith(destination, [&](int fd) -> Status {
        return store.Read(key, [&](std::span<const uint8_t> chunk) -> Status {
            size_t done = 0;
            while (done < chunk.size()) {
                const ssize_t n = ::write(fd, chunk.data() + done, chunk.size() - done);
                if (n < 0 && errno == EINTR) continue;
                if (n < 0)
                    return Error::Io("cannot write " + destination.string() + ": " + std::strerror(errno));
                done += size_t(n);
            }
            return {};
        });
    });
}

Result<std::string> Sha256OfObject(ObjectStore& store, std::string_view key) {
    Sha256Hasher sha;
    if (Status s = store.Read(key,
                              [&](std::span<const uint8_t> chunk) -> Status {
                                  sha.Update(chunk);
                                  return {};
                              });
        !s) {
        return s.error();
    }
    return sha.HexDigest();
}

}  // namespace amapiano::store
