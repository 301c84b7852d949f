#include "core/config.h"

#include <cctype>
#include <cstdlib>

namespace amapiano {

Config Config::FromEnvironment() {
    return Config([](std::string_view name) -> std::optional<std::string> {
        const char* value = std::getenv(std::string(name).c_str());
        if (value == nullptr) return std::nullopt;
        return std::string(value);
    });
}

Config::Config(EnvLookup env) : env_(std::move(env)) {}

void Config::SetFlag(std::string_view key, std::string value) { flags_[std::string(key)] = std::move(value); }

std::optional<std::string> Config::Find(std::string_view key) const {
    if (auto it = flags_.find(key); it != flags_.end()) return it->second;
    if (env_) {
        if (auto value = env_(EnvName(key)); value && !value->empty()) return value;
    }
    return std::nullopt;
}

std::string Config::Get(std::string_view key, std::string_view fallback) const {
    auto value = Find(key);
    return value ? *value : std::string(fallback);
}

std::string Config::EnvName(std::string_view key) {
    // Variables that operators and platforms already know by their own names.
    static constexpr std::string_view kConventional[] = {
        "port",    "database_url", "s3_bucket", "s3_prefix", "s3_endpoint", "aws_region", "cloudfront_url",
        "db_host", "db_port",      "db_name",   "db_user",   "db_password", "db_sslmode"};
    std::string upper;
    for (char c : key) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    for (std::string_view name : kConventional) {
        if (name == key) return upper;
    }
    return "AMAPIANO_" + upper;
}

}  // namespace amapiano
