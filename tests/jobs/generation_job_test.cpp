// Generation jobs: the request body's rules (types, ranges, unknown fields, defaults) and a real
// render through the runner into a local object store, committed as a track with its assets.
#include "jobs/generation_job.h"

#include <gtest/gtest.h>

#include <sstream>

#include "store/checksum.h"
#include "store/local_object_store.h"
#include "support/service_store.h"
#include "support/temp_dir.h"

namespace amapiano::jobs {
namespace {

using nlohmann::json;
using testing_support::TempDir;

std::string ErrorOf(const json& body) {
    auto p = ParseGenerationParams(body);
    return p ? std::string() : p.error().message;
}

TEST(GenerationParamsTest, DefaultsToOneWavMixWithoutStemsOrMidi) {
    auto p = ParseGenerationParams(json::object());
    ASSERT_TRUE(p) << p.error().message;
    EXPECT_EQ(p->formats, std::vector<std::string>{"wav"});
    EXPECT_FALSE(p->stems);
    EXPECT_FALSE(p->midi);
}

TEST(GenerationParamsTest, ReadsEveryField) {
    auto p = ParseGenerationParams({{"prompt", "dark bacardi"},
                                    {"subgenre", "sgija"},
                                    {"bpm", 114.5},
                                    {"key", "F#m"},
                                    {"bars", 16},
                                    {"seed", 7},
                                    {"swing", 58},
                                    {"formats", {"flac", "mp3"}},
                                    {"stems", true},
                                    {"midi", true}});
    ASSERT_TRUE(p) << p.error().message;
    EXPECT_EQ(p->spec.subgenre, compose::Subgenre::kSgija) << "explicit fields win over the prompt";
    EXPECT_DOUBLE_EQ(*p->spec.bpm, 114.5);
    EXPECT_EQ(*p->spec.bars, 16);
    EXPECT_EQ(p->spec.seed, 7u);
    EXPECT_EQ(p->formats, (std::vector<std::string>{"flac", "mp3"}));
    EXPECT_TRUE(p->stems);
    EXPECT_TRUE(p->midi);
}

TEST(GenerationParamsTest, RefusesWrongTypesRangesAndUnknownFieldsNamingTheField) {
    EXPECT_EQ(ErrorOf({{"bpm", "fast"}}), "bpm must be a number");
    EXPECT_EQ(ErrorOf({{"bpm", 300}}), "bpm must be a number between 60 and 200");
    EXPECT_EQ(ErrorOf({{"bars", 8.5}}), "bars must be a whole number between 8 and 512");
    EXPECT_EQ(ErrorOf({{"bars", 16}, {"seconds", 30}}),
              "give the length either as bars or as seconds, not both");
    EXPECT_EQ(ErrorOf({{"seed", -1}}), "seed must be a non-negative whole number");
    EXPECT_EQ(ErrorOf({{"formats", json::array()}}),
              "formats must be a list of one to four of wav, flac, mp3, ogg");
    EXPECT_EQ(ErrorOf({{"formats", {"wav", "aiff"}}}),
              "formats: unknown format 'aiff'; use wav, flac, mp3 or ogg");
    EXPECT_EQ(ErrorOf({{"formats", {"mp3", "mp3"}}}), "formats: 'mp3' is listed twice");
    EXPECT_EQ(ErrorOf({{"stems", "yes"}}), "stems must be true or false");
    EXPECT_EQ(ErrorOf({{"subgenre", "techno"}}),
              "subgenre must be one of classic, private-school, bacardi, sgija");
    EXPECT_EQ(ErrorOf({{"prompt", 5}}), "prompt must be a string");
    EXPECT_EQ(ErrorOf({{"tempo", 112}}), "unknown field 'tempo'");
    EXPECT_EQ(ErrorOf(json::array()), "the request body must be a JSON object");
    EXPECT_NE(ErrorOf({{"key", "H"}}), "");
    EXPECT_EQ(ErrorOf({{"loop", "piano"}, {"bars", 32}}), "bars must be a whole number between 4 and 16");
}

TEST(GenerationParamsTest, NullMeansAbsent) { EXPECT_EQ(ErrorOf({{"bpm", nullptr}, {"seed", nullptr}}), ""); }

class FixedProgress final : public JobContext {
public:
    void Progress(double fraction) override { seen.push_back(fraction); }
    bool Cancelled() const override { return false; }
    std::vector<double> seen;
};

TEST(GenerationRunnerTest, RendersStoresAndCommitsATrack) {
    TempDir dir;
    auto db = testing_support::OpenMigratedSqlite(dir / "g.sqlite3");
    ASSERT_TRUE(db);
    testing_support::AddTestUser(*db, "u1");
    auto objects = store::OpenLocalObjectStore(dir / "objects");
    ASSERT_TRUE(objects);
    JobStore jobs(*db, {});
    auto queued = jobs.Enqueue(
        "u1", "generation",
        {{"bars", 8}, {"seed", 3}, {"formats", {"wav", "flac"}}, {"stems", true}, {"midi", true}});
    ASSERT_TRUE(queued);
    auto claimed = jobs.ClaimNext();
    ASSERT_TRUE(claimed && *claimed);

    FixedProgress progress;
    JobRunner runner = MakeGenerationRunner(**objects, dir / "scratch", 1);
    auto outcome = runner(**claimed, progress);
    ASSERT_TRUE(outcome) << outcome.error().message;
    EXPECT_TRUE(std::is_sorted(progress.seen.begin(), progress.seen.end()));
    EXPECT_EQ(outcome->result["track_id"], queued->id);
    EXPECT_GT(outcome->result["validation"]["score"].get<double>(), 50.0);
    ASSERT_TRUE(db->Transaction([&](store::SqlSession& sql) -> Status {
        if (Status s = outcome->commit(sql); !s) return s;
        return jobs.MarkSucceeded(sql, **claimed, outcome->result);
    }));
    // Nothing is left in the scratch folder.
    EXPECT_TRUE(std::filesystem::is_empty(dir / "scratch"));

    auto assets =
        db->Query("SELECT name, kind, format, object_key, size_bytes, sha256 FROM assets ORDER BY name");
    ASSERT_TRUE(assets);
    std::vector<std::string> names;
    for (const store::SqlRow& row : *assets) {
        names.push_back(row.Text(0));
        // Every row points at a complete object with the recorded size and checksum.
        auto bytes = (*objects)->Get(row.Text(3));
        ASSERT_TRUE(bytes) << row.Text(3);
        EXPECT_EQ(int64_t(bytes->size()), row.Int(4));
        EXPECT_EQ(store::Sha256Hex(*bytes), row.Text(5));
        EXPECT_EQ(row.Text(3), "tracks/" + queued->id + "/" + row.Text(0));
    }
    EXPECT_NE(std::find(names.begin(), names.end(), "mix.wav"), names.end());
    EXPECT_NE(std::find(names.begin(), names.end(), "mix.flac"), names.end());
    EXPECT_NE(std::find(names.begin(), names.end(), "track.mid"), names.end());
    EXPECT_NE(std::find(names.begin(), names.end(), "stem-log-drum.wav"), names.end());
    auto flac = (*objects)->GetRange("tracks/" + queued->id + "/mix.flac", 0, 4);
    ASSERT_TRUE(flac);
    EXPECT_EQ(std::string(flac->begin(), flac->end()), "fLaC");

    auto track =
        db->Query("SELECT title, spec, analysis, validation FROM tracks WHERE id = $1", {queued->id});
    ASSERT_TRUE(track && track->size() == 1);
    EXPECT_EQ(json::parse(track->front().Text(1))["bars"], 8);
    EXPECT_GT(json::parse(track->front().Text(2))["bpm"].get<double>(), 100.0);
    EXPECT_TRUE(json::parse(track->front().Text(3)).contains("criteria"));
}

TEST(GenerationRunnerTest, TitleIsThePromptOrTheMusic) {
    compose::Score score;
    score.subgenre = compose::Subgenre::kPrivateSchool;
    score.bpm = 112;
    score.key = *theory::ParseKey("F#m");
    EXPECT_EQ(TrackTitle(score, ""), "Private school in F#m, 112 BPM");
    EXPECT_EQ(TrackTitle(score, "  late night log drums "), "late night log drums");
    const std::string long_prompt(200, 'a');
    EXPECT_EQ(TrackTitle(score, long_prompt).size(), 80u);
}

}  // namespace
}  // namespace amapiano::jobs
