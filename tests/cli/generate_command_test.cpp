#include "cli/generate_command.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <ostream>

#include "cli/exit_codes.h"
#include "support/cli_run.h"
#include "support/temp_dir.h"

namespace amapiano::cli {
namespace {

using testing_support::TempDir;

GenerateFlags Flags() {
    GenerateFlags flags;
    flags.output = "/tmp/out.wav";
    return flags;
}

TEST(BuildGenerationRequest, FlagsWinOverThePrompt) {
    GenerateFlags flags = Flags();
    flags.prompt = "soulful private school amapiano, 112 BPM in F#m";
    flags.bpm = "109";
    flags.key = "Am";
    auto request = BuildGenerationRequest(flags);
    ASSERT_TRUE(request.ok()) << request.error().message;
    EXPECT_EQ(request->spec.subgenre, compose::Subgenre::kPrivateSchool);  // from the prompt
    EXPECT_DOUBLE_EQ(*request->spec.bpm, 109.0);                           // flag over "112 BPM"
    EXPECT_EQ(request->spec.key, (theory::Key{9, theory::Mode::kMinor}));  // flag over "F#m"
}

struct BadFlagCase {
    const char* name;
    void (*apply)(GenerateFlags&);
    const char* message_part;
};

std::ostream& operator<<(std::ostream& out, const BadFlagCase& c) { return out << c.name; }

class BadFlags : public ::testing::TestWithParam<BadFlagCase> {};

TEST_P(BadFlags, AreUsageErrorsWithAClearSentence) {
    GenerateFlags flags = Flags();
    GetParam().apply(flags);
    auto request = BuildGenerationRequest(flags);
    ASSERT_FALSE(request.ok());
    EXPECT_EQ(ExitCodeFor(request.error().code), kExitUsageError);
    EXPECT_NE(request.error().message.find(GetParam().message_part), std::string::npos)
        << request.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, BadFlags,
    ::testing::Values(
        BadFlagCase{"bpm_zero", [](GenerateFlags& f) { f.bpm = "0"; }, "--bpm"},
        BadFlagCase{"bpm_word", [](GenerateFlags& f) { f.bpm = "fast"; }, "'fast'"},
        BadFlagCase{"key_h", [](GenerateFlags& f) { f.key = "H"; }, "'H' is not a key"},
        BadFlagCase{"subgenre", [](GenerateFlags& f) { f.subgenre = "gqom"; }, "unknown subgenre"},
        BadFlagCase{"bars_and_seconds",
                    [](GenerateFlags& f) {
                        f.bars = "16";
                        f.seconds = "30";
                    },
                    "not both"},
        BadFlagCase{"loop_part", [](GenerateFlags& f) { f.loop = "vocals"; }, "unknown loop part"},
        BadFlagCase{"loop_too_long",
                    [](GenerateFlags& f) {
                        f.loop = "full";
                        f.bars = "64";
                    },
                    "--bars"},
        BadFlagCase{"swing", [](GenerateFlags& f) { f.swing = "90"; }, "--swing"},
        BadFlagCase{"seed", [](GenerateFlags& f) { f.seed = "-1"; }, "--seed"}),
    [](const ::testing::TestParamInfo<BadFlagCase>& info) { return std::string(info.param.name); });

// End to end through the real binary: exit codes, stderr, and no file left behind.
class GenerateBinary : public ::testing::Test {
protected:
    using Run = testing_support::CliRun;

    Run Invoke(const std::string& args) { return testing_support::RunAmapiano(args, dir_.path()); }

    void SetUp() override {
        if (std::getenv("AMAPIANO_BIN") == nullptr)
            GTEST_SKIP() << "AMAPIANO_BIN not set (run through ctest)";
    }

    TempDir dir_;
};

TEST_F(GenerateBinary, WritesMixMidiStemsAndDescribesThemInJson) {
    const Run run = Invoke(
        "generate --prompt 'soulful private school amapiano, jazzy piano, 112 BPM in F#m' "
        "--bars 16 --seed 9 -o " +
        (dir_ / "t.flac").string() + " --midi " + (dir_ / "t.mid").string() + " --stems " +
        (dir_ / "stems").string() + " --json");
    ASSERT_EQ(run.exit_code, 0) << run.err;
    const auto json = nlohmann::json::parse(run.out);
    EXPECT_EQ(json["spec"]["subgenre"], "private-school");
    EXPECT_EQ(json["spec"]["bpm"], 112.0);
    EXPECT_EQ(json["spec"]["key"], "F#m");
    EXPECT_EQ(json["spec"]["mode"], "minor");
    EXPECT_FALSE(json["spec"]["prompt"]["understood"].empty());
    EXPECT_FALSE(json["sections"].empty());
    EXPECT_GT(json["render_time_s"].get<double>(), 0.0);
    EXPECT_TRUE(std::filesystem::exists(dir_ / "t.flac"));
    EXPECT_TRUE(std::filesystem::exists(dir_ / "t.mid"));
    EXPECT_TRUE(std::filesystem::exists(dir_ / "stems" / "log-drum.flac"));
    size_t stems = 0;
    for (const auto& file : json["files"]) stems += file["role"] == "stem";
    EXPECT_EQ(stems, json["spec"]["instruments"].size());
}

TEST_F(GenerateBinary, EncodesOggAndMp3) {
    for (const std::string ext : {"ogg", "mp3"}) {
        const Run run = Invoke("generate --loop full --bars 4 -o " + (dir_ / ("loop." + ext)).string());
        EXPECT_EQ(run.exit_code, 0) << ext << ": " << run.err;
        EXPECT_GT(std::filesystem::file_size(dir_ / ("loop." + ext)), 10000u) << ext;
    }
}

struct BadRun {
    const char* name;
    const char* args;  // "OUT" is replaced by a path in the test directory
    int exit_code;
    const char* message_part;
};

std::ostream& operator<<(std::ostream& out, const BadRun& r) { return out << r.name; }

class GenerateBinaryBadInput : public GenerateBinary, public ::testing::WithParamInterface<BadRun> {};

TEST_P(GenerateBinaryBadInput, ExitsWithOneSentenceAndLeavesNoFile) {
    std::string args = GetParam().args;
    const std::string out = (dir_ / "out").string();
    for (size_t pos; (pos = args.find("OUT")) != std::string::npos;) args.replace(pos, 3, out);
    const Run run = Invoke("generate --bars 8 " + args);
    EXPECT_EQ(run.exit_code, GetParam().exit_code) << run.err;
    EXPECT_NE(run.err.find(GetParam().message_part), std::string::npos) << run.err;
    EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1) << run.err;
    EXPECT_TRUE(run.out.empty());
    for (const auto& entry : std::filesystem::directory_iterator(dir_.path()))
        ADD_FAILURE() << "left " << entry.path();
}

INSTANTIATE_TEST_SUITE_P(
    Cases, GenerateBinaryBadInput,
    ::testing::Values(BadRun{"bpm_zero", "--bpm 0 -o OUT.wav", 2, "--bpm"},
                      BadRun{"bpm_fast", "--bpm fast -o OUT.wav", 2, "'fast'"},
                      BadRun{"key_h", "--key H -o OUT.wav", 2, "not a key"},
                      BadRun{"subgenre", "--subgenre trap -o OUT.wav", 2, "unknown subgenre"},
                      BadRun{"unwritable", "-o /proc/amapiano-no/out.wav --midi OUT.mid", 1,
                             "/proc/amapiano-no"},
                      BadRun{"extension", "-o OUT.aiff --midi OUT.mid", 2, "'.aiff'"},
                      BadRun{"bars_and_seconds", "--seconds 30 -o OUT.wav", 2, "not both"},
                      BadRun{"no_output", "--midi OUT.mid", 2, "output"}),
    [](const ::testing::TestParamInfo<BadRun>& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace amapiano::cli
