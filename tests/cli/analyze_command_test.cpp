// `amapiano analyze` end to end through the real binary: the JSON contract, the table, errors
// reported per file without stopping the run, and the exit codes.
#include "cli/analyze_command.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "support/cli_run.h"
#include "support/shared_data.h"
#include "support/temp_dir.h"

namespace amapiano::cli {
namespace {

using testing_support::CliRun;
using testing_support::JsonLines;
using testing_support::TempDir;

class AnalyzeBinary : public ::testing::Test {
protected:
    void SetUp() override {
        if (std::getenv("AMAPIANO_BIN") == nullptr)
            GTEST_SKIP() << "AMAPIANO_BIN not set (run through ctest)";
    }
    CliRun Invoke(const std::string& args) { return testing_support::RunAmapiano(args, dir_.path()); }

    // A 16-bar generated loop: real music, fast to render and to analyse.
    std::string Track() {
        const std::string path = (dir_ / "loop.flac").string();
        if (!std::filesystem::exists(path)) {
            const CliRun run =
                Invoke("generate --subgenre classic --bpm 112 --key Am --bars 16 --seed 4 -o " + path);
            EXPECT_EQ(run.exit_code, 0) << run.err;
        }
        return path;
    }

    TempDir dir_;
};

TEST_F(AnalyzeBinary, JsonHasEveryContractField) {
    const CliRun run = Invoke("analyze --json " + Track());
    ASSERT_EQ(run.exit_code, 0) << run.err;
    const std::vector<nlohmann::json> lines = JsonLines(run.out);
    ASSERT_EQ(lines.size(), 1u);
    const nlohmann::json& j = lines[0];
    for (const char* field :
         {"file",           "duration_s", "sample_rate_hz", "channels", "bpm",
          "bpm_confidence", "beats_s",    "downbeats_s",    "key",      "mode",
          "key_confidence", "loudness",   "onset_rate_hz",  "spectral", "bands",
          "swing",          "log_drum",   "sections",       "harmony",  "sixteenth_coverage"}) {
        EXPECT_TRUE(j.contains(field)) << field;
    }
    for (const char* field :
         {"integrated_lufs", "range_lu", "true_peak_dbtp", "momentary_max_lufs", "short_term_max_lufs"}) {
        EXPECT_TRUE(j["loudness"].contains(field)) << field;
    }
    for (const char* field : {"present", "confidence", "hits_per_bar"})
        EXPECT_TRUE(j["log_drum"].contains(field));
    EXPECT_EQ(j["sample_rate_hz"], 44100);
    EXPECT_EQ(j["channels"], 2);
    EXPECT_NEAR(j["bpm"].get<double>(), 112.0, 1.12);
    EXPECT_EQ(j["key"], "A");
    EXPECT_EQ(j["mode"], "minor");
    EXPECT_NEAR(j["loudness"]["integrated_lufs"].get<double>(), -14.0, 0.5);
    EXPECT_GT(j["beats_s"].size(), 40u);
    ASSERT_FALSE(j["sections"].empty());
    EXPECT_TRUE(j["sections"][0].contains("start_s") && j["sections"][0].contains("label"));
}

TEST_F(AnalyzeBinary, FeaturesSelectWhatIsMeasured) {
    const CliRun run = Invoke("analyze --json --features tempo,loudness " + Track());
    ASSERT_EQ(run.exit_code, 0) << run.err;
    const nlohmann::json j = JsonLines(run.out).at(0);
    EXPECT_TRUE(j.contains("bpm"));
    EXPECT_TRUE(j.contains("loudness"));
    EXPECT_FALSE(j.contains("key"));
    EXPECT_FALSE(j.contains("sections"));
}

TEST_F(AnalyzeBinary, UnreadableFileIsReportedAndTheOthersStillAnalysed) {
    const std::string missing = (dir_ / "missing.wav").string();
    std::ofstream(dir_ / "junk.mp3") << "this is not audio at all";
    const CliRun run =
        Invoke("analyze --json " + missing + " " + (dir_ / "junk.mp3").string() + " " + Track());
    EXPECT_EQ(run.exit_code, 1);
    const std::vector<nlohmann::json> lines = JsonLines(run.out);
    ASSERT_EQ(lines.size(), 3u);
    EXPECT_EQ(lines[0]["file"], missing);
    EXPECT_EQ(lines[0]["error"]["code"], "not_found");
    EXPECT_FALSE(lines[0]["error"]["message"].get<std::string>().empty());
    EXPECT_EQ(lines[1]["error"]["code"], "corrupt_data");
    EXPECT_TRUE(lines[2].contains("bpm"));
    EXPECT_FALSE(lines[2].contains("error"));
}

TEST_F(AnalyzeBinary, DirectoryIsAnError) {
    const CliRun run = Invoke("analyze --json " + dir_.path().string());
    EXPECT_EQ(run.exit_code, 1);
    EXPECT_EQ(JsonLines(run.out).at(0)["error"]["code"], "invalid_argument");
}

TEST_F(AnalyzeBinary, TableForHumans) {
    const CliRun run = Invoke("analyze " + Track());
    ASSERT_EQ(run.exit_code, 0) << run.err;
    EXPECT_NE(run.out.find("BPM"), std::string::npos) << run.out;
    EXPECT_NE(run.out.find("A minor"), std::string::npos) << run.out;
    EXPECT_NE(run.out.find("LUFS"), std::string::npos) << run.out;
}

TEST_F(AnalyzeBinary, UnknownFeatureIsAUsageError) {
    const CliRun run = Invoke("analyze --features tempo,colour " + Track());
    EXPECT_EQ(run.exit_code, 2);
    EXPECT_NE(run.err.find("'colour'"), std::string::npos) << run.err;
    EXPECT_TRUE(run.out.empty());
}

TEST_F(AnalyzeBinary, SilenceIsAnHonestResult) {
    const CliRun run =
        Invoke("analyze --json " + testing_support::EssentiaAudio("generated/silence/silence.flac").string());
    ASSERT_EQ(run.exit_code, 0) << run.err;
    const nlohmann::json j = JsonLines(run.out).at(0);
    EXPECT_TRUE(j["bpm"].is_null());
    EXPECT_TRUE(j["key"].is_null());
    EXPECT_EQ(j["loudness"]["integrated_lufs"], -70.0);
}

}  // namespace
}  // namespace amapiano::cli
