#include "core/config.h"

#include <gtest/gtest.h>

#include <sstream>

#include "core/error.h"
#include "core/log.h"

namespace amapiano {
namespace {

Config WithEnv(std::map<std::string, std::string> env) {
    return Config([env](std::string_view name) -> std::optional<std::string> {
        auto it = env.find(std::string(name));
        if (it == env.end()) return std::nullopt;
        return it->second;
    });
}

TEST(Config, FlagBeatsEnvironmentBeatsDefault) {
    Config config = WithEnv({{"AMAPIANO_LOG_LEVEL", "debug"}, {"PORT", "9000"}});
    EXPECT_EQ(config.Get("log_level", "info"), "debug");
    EXPECT_EQ(config.Get("port", "8080"), "9000");
    EXPECT_EQ(config.Get("data_dir", "./data"), "./data");
    config.SetFlag("log_level", "error");
    EXPECT_EQ(config.Get("log_level", "info"), "error");
}

TEST(Config, EmptyEnvironmentValueCountsAsUnset) {
    Config config = WithEnv({{"AMAPIANO_DATA_DIR", ""}});
    EXPECT_EQ(config.Get("data_dir", "./data"), "./data");
}

TEST(Config, ConventionalVariableNames) {
    EXPECT_EQ(Config::EnvName("database_url"), "DATABASE_URL");
    EXPECT_EQ(Config::EnvName("data_dir"), "AMAPIANO_DATA_DIR");
}

TEST(Logger, WritesOneJsonObjectPerLineAndFiltersByLevel) {
    std::ostringstream out;
    Logger log(out, LogLevel::kInfo);
    log.Debug("hidden");
    log.Info("render_done", {{"duration_s", 1.5}, {"note", "quote \" and\nnewline"}});
    const std::string text = out.str();
    ASSERT_EQ(std::count(text.begin(), text.end(), '\n'), 1);
    const auto line = nlohmann::json::parse(text);
    EXPECT_EQ(line["level"], "info");
    EXPECT_EQ(line["event"], "render_done");
    EXPECT_EQ(line["duration_s"], 1.5);
    EXPECT_EQ(line["note"], "quote \" and\nnewline");
    EXPECT_EQ(line["ts"].get<std::string>().back(), 'Z');
}

TEST(Logger, ParsesLevels) {
    EXPECT_EQ(ParseLogLevel("WARNING"), LogLevel::kWarn);
    EXPECT_EQ(ParseLogLevel("loud"), std::nullopt);
}

TEST(Result, CarriesValueOrError) {
    Result<int> ok = 5;
    Result<int> bad = Error::NotFound("no such track");
    ASSERT_TRUE(ok.ok());
    EXPECT_EQ(*ok, 5);
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().code, ErrorCode::kNotFound);
    EXPECT_EQ(ErrorCodeName(bad.error().code), "not_found");
}

}  // namespace
}  // namespace amapiano
