#include "store/database_url.h"

#include "store/postgres_database.h"
#include "store/sqlite_database.h"

namespace amapiano::store {
namespace {

constexpr std::string_view kSqlite = "sqlite://";

std::string PercentEncode(std::string_view text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : text) {
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
            c == '.' || c == '_' || c == '~') {
            out += char(c);
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 15];
        }
    }
    return out;
}

}  // namespace

std::string_view DatabaseUrlScheme(std::string_view url) {
    if (url.starts_with(kSqlite)) return "sqlite";
    if (url.starts_with("postgresql://") || url.starts_with("postgres://")) return "postgresql";
    return "";
}

std::string SqlitePathOf(std::string_view url) {
    return url.starts_with(kSqlite) ? std::string(url.substr(kSqlite.size())) : std::string();
}

Result<std::unique_ptr<Database>> OpenDatabaseUrl(std::string_view url, const DatabaseUrlOptions& options) {
    const std::string_view scheme = DatabaseUrlScheme(url);
    if (scheme == "sqlite") {
        const std::string path = SqlitePathOf(url);
        if (path.empty()) return Error::InvalidArgument("sqlite:// URL without a file path");
        return OpenSqlite(path, {.connections = options.connections});
    }
    if (scheme == "postgresql") {
        return OpenPostgres(std::string(url), {.connections = options.connections,
                                               .connect_timeout_s = options.connect_timeout_s});
    }
    return Error::InvalidArgument("database URL '" + RedactDatabaseUrl(url) +
                                  "' is neither sqlite:///path nor postgresql://user:password@host:port/db");
}

std::string PostgresUrlFromParts(const PostgresParts& parts) {
    std::string url = "postgresql://" + PercentEncode(parts.user.empty() ? "amapiano" : parts.user);
    if (!parts.password.empty()) url += ":" + PercentEncode(parts.password);
    url += "@" + parts.host;
    if (!parts.port.empty()) url += ":" + parts.port;
    url += "/" + PercentEncode(parts.name.empty() ? "amapiano" : parts.name);
    if (!parts.sslmode.empty()) url += "?sslmode=" + PercentEncode(parts.sslmode);
    return url;
}

std::string RedactDatabaseUrl(std::string_view url) {
    const size_t scheme_end = url.find("://");
    if (scheme_end == std::string_view::npos) return std::string(url);
    const size_t authority = scheme_end + 3;
    const size_t at = url.find('@', authority);
    const size_t slash = url.find('/', authority);
    if (at == std::string_view::npos || (slash != std::string_view::npos && slash < at))
        return std::string(url);
    const size_t colon = url.find(':', authority);
    if (colon == std::string_view::npos || colon > at) return std::string(url);
    return std::string(url.substr(0, colon + 1)) + "***" + std::string(url.substr(at));
}

}  // namespace amapiano::store
