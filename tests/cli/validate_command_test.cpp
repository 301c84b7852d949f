// `amapiano validate` end to end through the real binary: the JSON contract, clearly non-amapiano
// recordings scored low, errors per file, exit codes — and the report every generation stores.
#include "cli/validate_command.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "support/cli_run.h"
#include "support/shared_data.h"
#include "support/temp_dir.h"

namespace amapiano::cli {
namespace {

using testing_support::CliRun;
using testing_support::EssentiaAudio;
using testing_support::JsonLines;
using testing_support::TempDir;

class ValidateBinary : public ::testing::Test {
protected:
    void SetUp() override {
        if (std::getenv("AMAPIANO_BIN") == nullptr)
            GTEST_SKIP() << "AMAPIANO_BIN not set (run through ctest)";
    }
    CliRun Invoke(const std::string& args) { return testing_support::RunAmapiano(args, dir_.path()); }

    TempDir dir_;
};

TEST_F(ValidateBinary, ClearlyNonAmapianoAudioIsNotAmapiano) {
    const std::vector<std::string> files = {
        EssentiaAudio("recorded/techno_loop.mp3").string(),
        EssentiaAudio("recorded/dubstep.flac").string(),
        EssentiaAudio("recorded/flamenco.flac").string(),
        EssentiaAudio("recorded/359500__mtg__sax-tenor-e-major.wav").string(),
        EssentiaAudio("recorded/359628__mtg__sax-tenor-d-minor.wav").string(),
        EssentiaAudio("generated/ebur128/1kHz_sine_-20LUFS-16bit.flac").string(),
        EssentiaAudio("generated/silence/silence.flac").string(),
    };
    std::string args = "validate --json";
    for (const std::string& f : files) args += " '" + f + "'";
    const CliRun run = Invoke(args);
    ASSERT_EQ(run.exit_code, 0) << run.err;
    const std::vector<nlohmann::json> lines = JsonLines(run.out);
    ASSERT_EQ(lines.size(), files.size());
    for (size_t i = 0; i < files.size(); ++i) {
        const nlohmann::json& j = lines[i];
        EXPECT_EQ(j.at("file"), files[i]);
        EXPECT_LE(j.at("score").get<double>(), 40.0) << j.dump(1);
        EXPECT_EQ(j.at("verdict"), "not_amapiano") << files[i];
        // The log drum criterion says why.
        for (const nlohmann::json& c : j.at("criteria")) {
            if (c.at("name") == "log_drum") {
                EXPECT_LE(c.at("score").get<double>(), 0.3) << files[i];
            }
        }
    }
    // The techno loop is close in tempo and wrong in everything else: the tempo criterion says so
    // with the numbers.
    const nlohmann::json& techno = lines[0];
    const nlohmann::json& tempo = techno.at("criteria").at(0);
    EXPECT_EQ(tempo.at("name"), "tempo");
    EXPECT_NEAR(tempo.at("value").get<double>(), 125.0, 1.0);
    EXPECT_NE(tempo.at("feedback").get<std::string>().find("BPM above"), std::string::npos) << tempo.dump();
}

TEST_F(ValidateBinary, JsonHasEveryContractFieldAndTimings) {
    const std::string track = (dir_ / "track.wav").string();
    const CliRun made = Invoke("generate --subgenre sgija --bars 32 --seed 2 --bpm 114 --key Gm -o " + track);
    ASSERT_EQ(made.exit_code, 0) << made.err;
    const CliRun run = Invoke("validate --json --timings --subgenre private-school " + track);
    ASSERT_EQ(run.exit_code, 0) << run.err;
    const std::vector<nlohmann::json> lines = JsonLines(run.out);
    ASSERT_EQ(lines.size(), 1u);
    const nlohmann::json& j = lines[0];
    for (const char* field :
         {"file", "score", "verdict", "subgenre", "subgenre_scores", "criteria", "timings"}) {
        EXPECT_TRUE(j.contains(field)) << field;
    }
    EXPECT_EQ(j.at("subgenre"), "private-school");  // as asked, even though sgija fits better
    EXPECT_GT(j.at("subgenre_scores").at("sgija").get<double>(), j.at("score").get<double>());
    EXPECT_EQ(j.at("subgenre_scores").size(), 4u);
    ASSERT_EQ(j.at("criteria").size(), 9u);
    for (const nlohmann::json& c : j.at("criteria")) {
        for (const char* field : {"name", "value", "expected", "score", "feedback"}) {
            EXPECT_TRUE(c.contains(field)) << c.at("name") << " " << field;
        }
        EXPECT_GE(c.at("score").get<double>(), 0.0);
        EXPECT_LE(c.at("score").get<double>(), 1.0);
        EXPECT_FALSE(c.at("feedback").get<std::string>().empty());
    }
    const nlohmann::json& t = j.at("timings");
    EXPECT_GT(t.at("analyse_s").get<double>(), 0.0);
    EXPECT_GE(t.at("validate_s").get<double>(), 0.0);

    const CliRun table = Invoke("validate " + track);
    ASSERT_EQ(table.exit_code, 0) << table.err;
    EXPECT_NE(table.out.find("/100"), std::string::npos) << table.out;
    EXPECT_NE(table.out.find("log_drum"), std::string::npos) << table.out;
}

TEST_F(ValidateBinary, UnreadableFilesAreReportedLikeAnalyze) {
    const std::string missing = (dir_ / "missing.wav").string();
    const std::string silence = EssentiaAudio("generated/silence/silence.flac").string();
    const CliRun run = Invoke("validate --json " + missing + " '" + silence + "'");
    EXPECT_EQ(run.exit_code, 1);
    const std::vector<nlohmann::json> lines = JsonLines(run.out);
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[0].at("file"), missing);
    EXPECT_EQ(lines[0].at("error").at("code"), "not_found");
    EXPECT_EQ(lines[1].at("verdict"), "not_amapiano");

    const CliRun analyzed = Invoke("analyze --json " + missing);
    EXPECT_EQ(JsonLines(analyzed.out).at(0), lines[0]);
    EXPECT_EQ(analyzed.exit_code, run.exit_code);

    const CliRun bad = Invoke("validate --subgenre gqom '" + silence + "'");
    EXPECT_EQ(bad.exit_code, 2);
    EXPECT_NE(bad.err.find("unknown subgenre 'gqom'"), std::string::npos) << bad.err;
}

TEST_F(ValidateBinary, EveryGenerationStoresItsValidation) {
    const std::string mix = (dir_ / "song.flac").string();
    const CliRun run = Invoke("generate --json --subgenre bacardi --bars 32 --seed 9 -o " + mix);
    ASSERT_EQ(run.exit_code, 0) << run.err;
    const nlohmann::json j = nlohmann::json::parse(run.out);
    ASSERT_TRUE(j.contains("validation"));
    const nlohmann::json& v = j.at("validation");
    EXPECT_EQ(v.at("subgenre"), "bacardi");
    const std::string path = v.at("path");
    EXPECT_EQ(path, (dir_ / "song.validation.json").string());
    const nlohmann::json stored = nlohmann::json::parse(testing_support::Slurp(path));
    EXPECT_EQ(stored.at("score"), v.at("score"));
    EXPECT_EQ(stored.at("criteria"), v.at("criteria"));
    // The harmony of our own track is read from its score.
    for (const nlohmann::json& c : v.at("criteria")) {
        if (c.at("name") == "harmonic_colour") {
            EXPECT_EQ(c.at("source"), "score");
        }
    }
    bool listed = false;
    for (const nlohmann::json& f : j.at("files"))
        listed |= f.at("role") == "validation" && f.at("path") == path;
    EXPECT_TRUE(listed);
    EXPECT_TRUE(j.at("timings_s").contains("validate_scoring"));
}

}  // namespace
}  // namespace amapiano::cli
