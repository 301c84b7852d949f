// The local-directory object store: round trips, ranges, listing, hostile keys refused, and writes
// that are all or nothing.
#include "store/local_object_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <numeric>

#include "support/temp_dir.h"

namespace amapiano::store {
namespace {

using testing_support::TempDir;

std::vector<uint8_t> Bytes(std::string_view s) { return {s.begin(), s.end()}; }

class LocalObjects : public ::testing::Test {
protected:
    void SetUp() override {
        auto opened = OpenLocalObjectStore(dir_ / "objects");
        ASSERT_TRUE(opened) << opened.error().message;
        store_ = std::move(*opened);
    }
    TempDir dir_;
    std::unique_ptr<ObjectStore> store_;
};

TEST_F(LocalObjects, PutGetStatDelete) {
    EXPECT_EQ(store_->Scheme(), "file");
    ASSERT_TRUE(store_->Put("tracks/t1/mix.wav", Bytes("RIFF....WAVE")));
    auto got = store_->Get("tracks/t1/mix.wav");
    ASSERT_TRUE(got) << got.error().message;
    EXPECT_EQ(*got, Bytes("RIFF....WAVE"));
    EXPECT_EQ(store_->Stat("tracks/t1/mix.wav")->size_bytes, 12);

    ASSERT_TRUE(store_->Put("tracks/t1/mix.wav", Bytes("new")));  // replaced whole
    EXPECT_EQ(*store_->Get("tracks/t1/mix.wav"), Bytes("new"));

    ASSERT_TRUE(store_->Delete("tracks/t1/mix.wav"));
    EXPECT_TRUE(store_->Delete("tracks/t1/mix.wav"));  // idempotent
    auto gone = store_->Get("tracks/t1/mix.wav");
    ASSERT_FALSE(gone);
    EXPECT_EQ(gone.error().code, ErrorCode::kNotFound);
    EXPECT_EQ(store_->Stat("tracks/t1/mix.wav").error().code, ErrorCode::kNotFound);
}

TEST_F(LocalObjects, RangesAreClippedToTheObject) {
    ASSERT_TRUE(store_->Put("a/b", Bytes("0123456789")));
    EXPECT_EQ(*store_->GetRange("a/b", 2, 3), Bytes("234"));
    EXPECT_EQ(*store_->GetRange("a/b", 8, 100), Bytes("89"));
    auto past = store_->GetRange("a/b", 11, 1);
    ASSERT_FALSE(past);
    EXPECT_EQ(past.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(store_->GetRange("a/b", -1, 2).error().code, ErrorCode::kInvalidArgument);
}

TEST_F(LocalObjects, HostileKeysAreRefused) {
    const std::vector<std::string> hostile = {"",
                                              "../escape",
                                              "a/../../etc/passwd",
                                              "/absolute",
                                              "a//b",
                                              "a/",
                                              ".hidden",
                                              "a/.tmp",
                                              "back\\slash",
                                              "spa ce",
                                              std::string("nul\0byte", 8),
                                              std::string(1025, 'k'),
                                              "ümlaut"};
    for (const std::string& key : hostile) {
        const Status s = store_->Put(key, Bytes("x"));
        ASSERT_FALSE(s) << key;
        EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument) << key;
        EXPECT_EQ(store_->Get(key).error().code, ErrorCode::kInvalidArgument) << key;
        EXPECT_EQ(store_->Delete(key).error().code, ErrorCode::kInvalidArgument) << key;
    }
    EXPECT_FALSE(std::filesystem::exists(dir_ / "escape"));
    EXPECT_TRUE(ValidateObjectKey("tracks/2026-11-27/abc_DEF-1.v2.flac"));
}

TEST_F(LocalObjects, ListsByPrefixSortedWithoutTemporaryFiles) {
    for (const char* key : {"tracks/b/mix.wav", "tracks/a/mix.wav", "tracks/a/stems/kick.wav", "uploads/x"}) {
        ASSERT_TRUE(store_->Put(key, Bytes(key)));
    }
    // A write that died half-way leaves only a hidden temporary file.
    std::ofstream(dir_ / "objects" / "tracks" / "a" / ".mix.wav.123.0.tmp") << "partial";
    auto listed = store_->List("tracks/");
    ASSERT_TRUE(listed) << listed.error().message;
    std::vector<std::string> keys;
    for (const ObjectInfo& o : *listed) keys.push_back(o.key);
    EXPECT_EQ(keys,
              (std::vector<std::string>{"tracks/a/mix.wav", "tracks/a/stems/kick.wav", "tracks/b/mix.wav"}));
    EXPECT_EQ(listed->front().size_bytes, 16);
    EXPECT_EQ(store_->List("")->size(), 4u);
}

TEST_F(LocalObjects, PutFileStreamsAndLeavesNoTemporaryFiles) {
    std::vector<uint8_t> big(3 * 1024 * 1024 + 17);
    std::iota(big.begin(), big.end(), uint8_t(0));
    const auto source = dir_ / "render.wav";
    std::ofstream(source, std::ios::binary)
        .write(reinterpret_cast<const char*>(big.data()), std::streamsize(big.size()));
    ASSERT_TRUE(store_->PutFile("tracks/t/mix.wav", source));
    EXPECT_EQ(*store_->Get("tracks/t/mix.wav"), big);
    size_t entries = 0;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir_ / "objects"))
        entries += e.is_regular_file();
    EXPECT_EQ(entries, 1u);

    const Status missing = store_->PutFile("tracks/t/other.wav", dir_ / "nope.wav");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
    EXPECT_EQ(store_->Stat("tracks/t/other.wav").error().code, ErrorCode::kNotFound);

    // A key that is a "directory" of other objects cannot become an object.
    const Status prefix = store_->Put("tracks/t", Bytes("x"));
    ASSERT_FALSE(prefix);
    EXPECT_EQ(prefix.error().code, ErrorCode::kConflict);
}

TEST(LocalObjectStore, RootMustBeUsable) {
    TempDir dir;
    std::ofstream(dir / "file") << "x";
    auto bad = OpenLocalObjectStore(dir / "file");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, ErrorCode::kIo);
}

}  // namespace
}  // namespace amapiano::store

namespace amapiano::store {
namespace {

TEST(LocalObjectSweep, OpeningRemovesTemporaryFilesOfDeadProcessesOnly) {
    testing_support::TempDir dir;
    std::filesystem::create_directories(dir / "objects" / "tracks" / "t");
    // A pid that cannot be running (above the kernel's pid_max) and our own, which is.
    const std::filesystem::path dead = dir / "objects" / "tracks" / "t" / ".mix.wav.99999999.3.tmp";
    const std::filesystem::path alive =
        dir / "objects" / "tracks" / "t" / (".mix.flac." + std::to_string(::getpid()) + ".4.tmp");
    const std::filesystem::path hidden = dir / "objects" / ".keep";
    for (const auto& p : {dead, alive, hidden}) std::ofstream(p) << "partial";
    auto opened = OpenLocalObjectStore(dir / "objects");
    ASSERT_TRUE(opened);
    EXPECT_FALSE(std::filesystem::exists(dead));
    EXPECT_TRUE(std::filesystem::exists(alive)) << "a write in progress must survive";
    EXPECT_TRUE(std::filesystem::exists(hidden));
}

}  // namespace
}  // namespace amapiano::store
