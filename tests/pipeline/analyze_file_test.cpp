// AnalyzeFile against ground truth: the EBU conformance signals, Essentia's tempo and key
// references, one recording in five containers, and damaged or empty files (../shared/data).
#include "pipeline/analyze_file.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "core/random.h"
#include "support/shared_data.h"
#include "support/temp_dir.h"

namespace amapiano::pipeline {
namespace {

using analysis::Feature;
using analysis::FeatureSet;
using testing_support::EssentiaAudio;
using testing_support::SharedDataDir;

nlohmann::json Expected() {
    std::ifstream in(SharedDataDir() / "essentia-audio" / "expected.json");
    if (!in) {
        ADD_FAILURE() << "missing " << SharedDataDir() / "essentia-audio/expected.json"
                      << " (set AMAPIANO_SHARED_DATA)";
        return nlohmann::json::object();
    }
    return nlohmann::json::parse(in);
}

FeatureSet Only(Feature f) { return FeatureSet().Add(f); }

TEST(AnalyzeFile, EbuConformanceSignalsWithinTolerance) {
    const nlohmann::json cases = Expected()["loudness"];
    ASSERT_GE(cases.size(), 13u);
    for (const nlohmann::json& c : cases) {
        const std::string file = c["file"];
        auto result = AnalyzeFile(EssentiaAudio(file), Only(Feature::kLoudness));
        ASSERT_TRUE(result.ok()) << file << ": " << result.error().message;
        const analysis::LoudnessResult& l = result->analysis.loudness;
        if (c.contains("integrated_lufs")) {
            EXPECT_NEAR(l.integrated_lufs, c["integrated_lufs"].get<double>(), c["tol"].get<double>())
                << file;
        }
        if (c.contains("loudness_range_lu")) {
            EXPECT_NEAR(l.range_lu, c["loudness_range_lu"].get<double>(), c["lra_tol"].get<double>()) << file;
        }
    }
}

TEST(AnalyzeFile, TechnoLoopTempo) {
    const nlohmann::json expected = Expected();
    for (const nlohmann::json& c : expected["tempo"]) {
        const std::string file = c["file"];
        auto result = AnalyzeFile(EssentiaAudio(file), FeatureSet::All());
        ASSERT_TRUE(result.ok()) << file << ": " << result.error().message;
        ASSERT_TRUE(result->analysis.has_tempo) << file;
        EXPECT_NEAR(result->analysis.bpm, c["bpm"].get<double>(), c["tol_bpm"].get<double>()) << file;
        EXPECT_FALSE(result->analysis.beats_s.empty());
    }
}

TEST(AnalyzeFile, SaxophoneKeys) {
    const nlohmann::json expected = Expected();
    for (const nlohmann::json& c : expected["key"]) {
        const std::string file = c["file"];
        auto result = AnalyzeFile(EssentiaAudio(file), Only(Feature::kKey));
        ASSERT_TRUE(result.ok()) << file << ": " << result.error().message;
        EXPECT_TRUE(result->analysis.has_key) << file;
        EXPECT_EQ(result->analysis.key, c["key"].get<std::string>()) << file;
        EXPECT_EQ(result->analysis.mode, c["mode"].get<std::string>()) << file;
    }
}

TEST(AnalyzeFile, OneRecordingInFiveContainersAgrees) {
    const nlohmann::json files = Expected()["same_audio_in_many_containers"];
    ASSERT_EQ(files.size(), 5u);
    std::vector<analysis::Analysis> results;
    for (const nlohmann::json& f : files) {
        auto result = AnalyzeFile(EssentiaAudio(f.get<std::string>()), FeatureSet::All());
        ASSERT_TRUE(result.ok()) << f << ": " << result.error().message;
        results.push_back(result->analysis);
    }
    const analysis::Analysis& wav = results.front();
    ASSERT_TRUE(wav.has_tempo);
    for (size_t i = 1; i < results.size(); ++i) {
        EXPECT_NEAR(results[i].duration_s, wav.duration_s, 0.1) << files[i];
        ASSERT_TRUE(results[i].has_tempo) << files[i];
        EXPECT_NEAR(results[i].bpm, wav.bpm, 0.01 * wav.bpm) << files[i];
    }
}

TEST(AnalyzeFile, EdgeCasesGiveResultsOrCleanErrors) {
    const nlohmann::json expected = Expected();
    for (const nlohmann::json& f : expected["edge_cases"]) {
        const std::string file = f;
        auto result = AnalyzeFile(EssentiaAudio(file), FeatureSet::All());
        if (!result.ok()) {
            EXPECT_FALSE(result.error().message.empty()) << file;
            EXPECT_NE(result.error().code, ErrorCode::kInternal) << file;
            continue;
        }
        EXPECT_GE(result->analysis.duration_s, 0.0) << file;
        EXPECT_TRUE(std::isfinite(result->analysis.loudness.integrated_lufs)) << file;
    }
}

TEST(AnalyzeFile, SilenceIsAValidResultWithoutTempoOrKey) {
    auto result = AnalyzeFile(EssentiaAudio("generated/silence/silence.flac"), FeatureSet::All());
    ASSERT_TRUE(result.ok()) << result.error().message;
    const analysis::Analysis& a = result->analysis;
    EXPECT_FALSE(a.has_tempo);
    EXPECT_TRUE(a.beats_s.empty());
    EXPECT_FALSE(a.has_key);
    EXPECT_EQ(a.loudness.integrated_lufs, analysis::kLoudnessFloorLufs);
    EXPECT_FALSE(a.log_drum.present);
}

TEST(AnalyzeFile, FourChannelsAreMeasuredAsTheyAre) {
    for (const char* file : {"generated/multichannel/4channels.wav", "generated/multichannel/4channels.flac",
                             "generated/multichannel/4channels.aiff"}) {
        auto result = AnalyzeFile(EssentiaAudio(file), FeatureSet::All());
        ASSERT_TRUE(result.ok()) << file << ": " << result.error().message;
        EXPECT_EQ(result->analysis.channels, 4) << file;
        EXPECT_GT(result->analysis.duration_s, 1.0) << file;
    }
}

TEST(AnalyzeFile, HostileInputsGiveStableErrors) {
    testing_support::TempDir dir;
    const auto write = [&](const std::string& name, const std::string& bytes) {
        std::ofstream(dir / name, std::ios::binary) << bytes;
        return dir / name;
    };
    Rng rng(11);
    std::string noise(200000, '\0');
    for (char& c : noise) c = char(rng.Int(0, 255));

    EXPECT_EQ(AnalyzeFile(dir / "missing.wav", FeatureSet::All()).error().code, ErrorCode::kNotFound);
    EXPECT_EQ(AnalyzeFile(dir.path(), FeatureSet::All()).error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(AnalyzeFile(write("zero.mp3", ""), FeatureSet::All()).error().code, ErrorCode::kCorruptData);
    // Random bytes: FFmpeg may not recognise them at all, or find "frames" in them; either way a
    // clean answer, never a crash.
    for (const char* name : {"random.flac", "random.mp3", "random.bin"}) {
        auto random = AnalyzeFile(write(name, noise), FeatureSet::All());
        if (!random.ok()) {
            EXPECT_TRUE(random.error().code == ErrorCode::kCorruptData ||
                        random.error().code == ErrorCode::kUnsupported)
                << name << ": " << random.error().message;
        }
    }
}

TEST(AnalyzeFile, TruncatedFilesAnalyseWhatIsThere) {
    testing_support::TempDir dir;
    for (const char* file : {"recorded/dubstep.flac", "recorded/dubstep.mp3", "recorded/dubstep.ogg"}) {
        std::ifstream in(EssentiaAudio(file), std::ios::binary);
        std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        const auto cut = dir / std::filesystem::path(file).filename();
        std::ofstream(cut, std::ios::binary) << bytes.substr(0, bytes.size() * 4 / 10);
        auto result = AnalyzeFile(cut, FeatureSet::All());
        if (!result.ok()) {
            EXPECT_NE(result.error().code, ErrorCode::kInternal) << file;
            continue;
        }
        EXPECT_GT(result->analysis.duration_s, 1.0) << file;
    }
}

TEST(AnalyzeFile, TenHourHeaderWithoutDataEndsAtOnceWithNothing) {
    testing_support::TempDir dir;
    const uint32_t data_bytes = 22050u * 2u * 36000u;  // 10 hours of 22.05 kHz 16-bit mono (fits 32 bits)
    std::string header = "RIFF";
    const auto u32 = [&](uint32_t v) {
        for (int i = 0; i < 4; ++i) header.push_back(char((v >> (8 * i)) & 0xff));
    };
    const auto u16 = [&](uint16_t v) {
        header.push_back(char(v & 0xff));
        header.push_back(char(v >> 8));
    };
    u32(36 + data_bytes);
    header += "WAVEfmt ";
    u32(16);
    u16(1);  // PCM
    u16(1);  // mono
    u32(22050);
    u32(22050 * 2);
    u16(2);
    u16(16);
    header += "data";
    u32(data_bytes);
    std::ofstream(dir / "ten_hours.wav", std::ios::binary) << header;
    auto result = AnalyzeFile(dir / "ten_hours.wav", FeatureSet::All());
    if (result.ok()) {
        EXPECT_EQ(result->analysis.duration_s, 0.0);
        EXPECT_FALSE(result->analysis.has_tempo);
    } else {
        EXPECT_EQ(result.error().code, ErrorCode::kCorruptData);
    }
}

}  // namespace
}  // namespace amapiano::pipeline
