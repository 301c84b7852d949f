#include "server/multipart.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <iterator>

namespace amapiano::server {
namespace {

std::string Lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    return out;
}

// The value of `name=` in a header's parameters (quoted or not).
std::string Parameter(std::string_view header, std::string_view name) {
    const std::string lower = Lower(header);
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

}  // namespace

Result<MultipartFile> ExtractMultipartFile(std::string_view content_type, const std::filesystem::path& body,
                                           std::string_view field) {
    const std::string boundary = Parameter(content_type, "boundary");
    if (boundary.empty() || boundary.size() > 200) {
        return Error::InvalidArgument("multipart/form-data needs a boundary parameter");
    }
    std::ifstream in(body, std::ios::binary);
    if (!in) return Error::Io("cannot read the uploaded body");
    const std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::string delimiter = "--" + boundary;
    size_t pos = data.find(delimiter);
    while (pos != std::string::npos) {
        pos += delimiter.size();
        if (data.compare(pos, 2, "--") == 0) break;  // the closing delimiter
        if (data.compare(pos, 2, "\r\n") != 0) break;
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
            if (Lower(h.substr(0, 20)).rfind("content-disposition:", 0) == 0) disposition = std::string(h);
            line = eol + 2;
        }
        if (Parameter(disposition, "name") == field) {
            MultipartFile file;
            file.filename = Parameter(disposition, "filename");
            file.bytes.assign(data.begin() + std::ptrdiff_t(content_start),
                              data.begin() + std::ptrdiff_t(next));
            return file;
        }
        pos = next + 2;
    }
    return Error::InvalidArgument("the multipart body has no field '" + std::string(field) + "'");
}

}  // namespace amapiano::server
