#include "server/multipart.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <span>

#include "core/atomic_file.h"
#include "core/text.h"

namespace amapiano::server {
namespace {

// The value of `name=` in a header's parameters (quoted or not).
std::string Parameter(std::string_view header, std::string_view name) {
    const std::string lower = AsciiLower(header);
    size_t at = 0;
    while ((at = lower.find(std::string(name) + "=", at)) != std::string::npos) {
        if (at == 0 || lower[at - 1] == ';' || lower[at - 1] == ' ' || lower[at - 1] == '\t') break;
        at += name.size();
    }
    if (at == std::string::npos) return {};
    std::string_view v = header.substr(at + name.size() + 1);
    if (!v.empty() && v[0] == '"') {
        const size_t end = v.find('"', 1);
        return std::string(v.substr(1, end == std::string_view::npos ? std::string_view::npos : end - 1));
    }
    return std::string(v.substr(0, v.find(';')));
}

// A read-only mapping of a whole file (empty for an empty file).
class MappedFile final {
public:
    explicit MappedFile(const std::filesystem::path& path) {
        fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd_ < 0) return;
        struct stat st {};
        if (::fstat(fd_, &st) != 0) return;
        size_ = size_t(st.st_size);
        if (size_ == 0) {
            ok_ = true;
            return;
        }
        void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd_, 0);
        if (p == MAP_FAILED) return;
        data_ = static_cast<const char*>(p);
        ok_ = true;
    }
    ~MappedFile() {
        if (data_) ::munmap(const_cast<char*>(data_), size_);
        if (fd_ >= 0) ::close(fd_);
    }
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;
    bool ok() const { return ok_; }
    std::string_view view() const { return data_ ? std::string_view(data_, size_) : std::string_view(); }

private:
    int fd_ = -1;
    const char* data_ = nullptr;
    size_t size_ = 0;
    bool ok_ = false;
};

}  // namespace

Result<MultipartFile> ExtractMultipartFile(std::string_view content_type, const std::filesystem::path& body,
                                           std::string_view field, const std::filesystem::path& destination) {
    const std::string boundary = Parameter(content_type, "boundary");
    if (boundary.empty() || boundary.size() > 200) {
        return Error::InvalidArgument("multipart/form-data needs a boundary parameter");
    }
    const MappedFile mapped(body);
    if (!mapped.ok()) return Error::Io("cannot read the uploaded body");
    const std::string_view data = mapped.view();
    const std::string delimiter = "--" + boundary;
    size_t pos = data.find(delimiter);
    while (pos != std::string::npos) {
        pos += delimiter.size();
        if (data.substr(pos, 2) == "--") break;  // the closing delimiter
        if (data.substr(pos, 2) != "\r\n") break;
        const size_t headers_start = pos + 2;
        const size_t headers_end = data.find("\r\n\r\n", headers_start);
        if (headers_end == std::string::npos) break;
        const std::string_view headers(data.data() + headers_start, headers_end - headers_start);
        const size_t content_start = headers_end + 4;
        const size_t next = data.find("\r\n" + delimiter, content_start);
        if (next == std::string::npos) break;
        std::string disposition;
        for (size_t line = 0; line < headers.size();) {
            size_t eol = headers.find("\r\n", line);
            if (eol == std::string_view::npos) eol = headers.size();
            const std::string_view h = headers.substr(line, eol - line);
            if (AsciiLower(h.substr(0, 20)).rfind("content-disposition:", 0) == 0)
                disposition = std::string(h);
            line = eol + 2;
        }
        if (Parameter(disposition, "name") == field) {
            MultipartFile file;
            file.filename = Parameter(disposition, "filename");
            file.size_bytes = int64_t(next - content_start);
            const std::string_view content = data.substr(content_start, next - content_start);
            if (Status s = WriteFileAtomically(
                    destination, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(content.data()),
                                                          content.size()));
                !s) {
                return s.error();
            }
            return file;
        }
        pos = next + 2;
    }
    return Error::InvalidArgument("the multipart body has no field '" + std::string(field) + "'");
}

}  // namespace amapiano::server
