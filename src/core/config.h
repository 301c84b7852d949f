// Config: settings resolved in one order everywhere — command-line flag > environment > default.
//
// The CLI fills flags it parsed; everything else asks Config, so an operator can set
// AMAPIANO_LOG_LEVEL=debug or AMAPIANO_DATA_DIR=/var/lib/amapiano without code changes. Later issues
// add a config file layer between environment and defaults.
//
//   Config config = Config::FromEnvironment();
//   config.SetFlag("log_level", "debug");
//   std::string level = config.Get("log_level", "info");
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace amapiano {

class Config final {
public:
    // Reads environment variables through `getenv` (injectable for tests).
    using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;

    static Config FromEnvironment();
    explicit Config(EnvLookup env);

    // A value given on the command line; wins over everything else.
    void SetFlag(std::string_view key, std::string value);

    // The value of `key` ("log_level"), looked up as a flag, then as the environment variable named
    // by EnvName(key) ("AMAPIANO_LOG_LEVEL"), else nullopt.
    std::optional<std::string> Find(std::string_view key) const;
    std::string Get(std::string_view key, std::string_view fallback) const;

    // "log_level" -> "AMAPIANO_LOG_LEVEL". Keys with their own conventional variable
    // (port -> PORT, database_url -> DATABASE_URL) map to that instead.
    static std::string EnvName(std::string_view key);

private:
    EnvLookup env_;
    std::map<std::string, std::string, std::less<>> flags_;
};

}  // namespace amapiano
