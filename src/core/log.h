// JSON logging: one JSON object per line on stderr (or any stream), for people and log pipelines
// (CloudWatch, jq) alike.
//
//   Logger log(std::cerr, LogLevel::kInfo);
//   log.Info("render_done", {{"duration_s", 1.2}, {"stems", 10}});
//   // {"ts":"2026-11-26T17:00:00.123Z","level":"info","event":"render_done","duration_s":1.2,"stems":10}
//
// Thread-safe: a mutex serialises lines. Never call from an audio render path.
#pragma once

#include <iosfwd>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace amapiano {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3, kOff = 4 };

// Parses "debug", "info", "warn"/"warning", "error", "off" (case-insensitive).
std::optional<LogLevel> ParseLogLevel(std::string_view text);
std::string_view LogLevelName(LogLevel level);

class Logger final {
public:
    Logger(std::ostream& out, LogLevel min_level);
    Logger(const Logger&) = delete;
    Logger& operator=(const Logger&) = delete;

    void Log(LogLevel level, std::string_view event, const nlohmann::json& fields = nlohmann::json::object());
    void Debug(std::string_view event, const nlohmann::json& fields = nlohmann::json::object()) {
        Log(LogLevel::kDebug, event, fields);
    }
    void Info(std::string_view event, const nlohmann::json& fields = nlohmann::json::object()) {
        Log(LogLevel::kInfo, event, fields);
    }
    void Warn(std::string_view event, const nlohmann::json& fields = nlohmann::json::object()) {
        Log(LogLevel::kWarn, event, fields);
    }
    void Error(std::string_view event, const nlohmann::json& fields = nlohmann::json::object()) {
        Log(LogLevel::kError, event, fields);
    }

    bool Enabled(LogLevel level) const { return level >= min_level_ && min_level_ != LogLevel::kOff; }

private:
    std::ostream& out_;
    LogLevel min_level_;
    std::mutex mutex_;
};

// UTC timestamp with milliseconds, RFC 3339 ("2026-11-26T17:00:00.123Z").
std::string UtcTimestampNow();

}  // namespace amapiano
