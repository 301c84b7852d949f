// Object migration between two local stores: hundreds of objects (0 bytes to a few MiB, nested
// prefixes) copied with 1 and 8 workers and verified; a rerun skips what is there; verification
// names corrupted (same size, one byte changed), missing and extra objects; a source object that
// cannot be read fails alone, after its retries, while the others are copied.
#include "ops/storage_migration.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <mutex>
#include <random>
#include <set>

#include "store/local_object_store.h"
#include "support/temp_dir.h"

namespace amapiano::ops {
namespace {

using store::ObjectInfo;
using store::ObjectStore;
using testing_support::TempDir;

constexpr int kObjects = 240;

// A store that fails reads of chosen keys: always, or the first `failures` times.
class FailingReads final : public ObjectStore {
public:
    explicit FailingReads(ObjectStore& inner) : inner_(inner) {}
    void FailAlways(const std::string& key) { Fail(key, 1 << 30); }
    void Fail(const std::string& key, int failures) {
        std::lock_guard lock(mutex_);
        remaining_[key] = failures;
    }
    int Reads(const std::string& key) {
        std::lock_guard lock(mutex_);
        return reads_[key];
    }

    std::string_view Scheme() const override { return inner_.Scheme(); }
    Status Put(std::string_view key, std::span<const uint8_t> bytes) override {
        return inner_.Put(key, bytes);
    }
    Status PutFile(std::string_view key, const std::filesystem::path& source) override {
        return inner_.PutFile(key, source);
    }
    Result<std::vector<uint8_t>> Get(std::string_view key) override { return inner_.Get(key); }
    Result<std::vector<uint8_t>> GetRange(std::string_view key, int64_t offset, int64_t length) override {
        return inner_.GetRange(key, offset, length);
    }
    Result<ObjectInfo> Stat(std::string_view key) override { return inner_.Stat(key); }
    Status Delete(std::string_view key) override { return inner_.Delete(key); }
    Result<std::vector<ObjectInfo>> List(std::string_view prefix) override { return inner_.List(prefix); }
    Status Read(std::string_view key, const store::ObjectSink& sink) override {
        {
            std::lock_guard lock(mutex_);
            reads_[std::string(key)]++;
            auto it = remaining_.find(std::string(key));
            if (it != remaining_.end() && it->second > 0) {
                it->second--;
                return Error::Io("injected read failure for " + std::string(key));
            }
        }
        return inner_.Read(key, sink);
    }
    Result<std::string> DirectUrl(std::string_view key, std::chrono::seconds ttl) override {
        return inner_.DirectUrl(key, ttl);
    }
    Status Probe() override { return inner_.Probe(); }

private:
    ObjectStore& inner_;
    std::mutex mutex_;
    std::map<std::string, int> remaining_;
    std::map<std::string, int> reads_;
};

class StorageMigration : public ::testing::Test {
protected:
    void SetUp() override {
        auto s = store::OpenLocalObjectStore(dir_ / "source");
        auto t = store::OpenLocalObjectStore(dir_ / "target");
        ASSERT_TRUE(s && t);
        source_ = std::move(*s);
        target_ = std::move(*t);
        std::mt19937 rng(20260101);
        for (int i = 0; i < kObjects; ++i) {
            size_t size = 0;
            if (i % 60 == 1) {
                size = (size_t(1) << 20) * size_t(1 + i % 3) + size_t(i);  // 1-3 MiB
            } else if (i % 7 != 0) {
                size = size_t(rng() % 40000);
            }  // every 7th object is empty
            std::vector<uint8_t> bytes(size);
            for (uint8_t& b : bytes) b = uint8_t(rng());
            const std::string key =
                i % 3 == 0   ? "tracks/t" + std::to_string(i / 10) + "/mix-" + std::to_string(i) + ".wav"
                : i % 3 == 1 ? "uploads/u" + std::to_string(i % 5) + "/a/b/" + std::to_string(i) + ".bin"
                             : "x" + std::to_string(i);
            ASSERT_TRUE(source_->Put(key, bytes));
            keys_.push_back(key);
        }
        std::sort(keys_.begin(), keys_.end());
    }

    StorageMigrationReport Run(ObjectStore& source, StorageMigrationOptions options) {
        options.retry_delay = std::chrono::milliseconds(1);
        options.scratch_dir = dir_ / "scratch";
        auto r = MigrateObjects(source, *target_, options, nullptr);
        EXPECT_TRUE(r) << r.error().message;
        return r ? std::move(*r) : StorageMigrationReport{};
    }
    StorageMigrationReport Run(StorageMigrationOptions options) { return Run(*source_, options); }

    void ExpectIdentical() {
        auto a = source_->List("");
        auto b = target_->List("");
        ASSERT_TRUE(a && b);
        ASSERT_EQ(a->size(), b->size());
        for (size_t i = 0; i < a->size(); ++i) {
            EXPECT_EQ((*a)[i].key, (*b)[i].key);
            EXPECT_EQ(*source_->Get((*a)[i].key), *target_->Get((*b)[i].key)) << (*a)[i].key;
        }
    }

    TempDir dir_;
    std::unique_ptr<ObjectStore> source_, target_;
    std::vector<std::string> keys_;
};

class StorageMigrationParallel : public StorageMigration, public ::testing::WithParamInterface<int> {};

TEST_P(StorageMigrationParallel, CopiesEverythingAndVerifies) {
    const StorageMigrationReport r = Run({.parallel = GetParam(), .verify = true});
    EXPECT_EQ(r.objects, kObjects);
    EXPECT_EQ(r.objects_copied, kObjects);
    EXPECT_EQ(r.objects_skipped, 0);
    EXPECT_EQ(r.objects_failed, 0);
    EXPECT_GT(r.source_bytes, 3 << 20);
    EXPECT_EQ(r.bytes_copied, r.source_bytes);
    EXPECT_TRUE(r.verified);
    EXPECT_EQ(r.objects_verified, kObjects);
    EXPECT_EQ(r.Mismatches(), 0);
    EXPECT_TRUE(r.Ok());
    ExpectIdentical();
    // The scratch directory is cleaned up.
    EXPECT_TRUE(std::filesystem::is_empty(dir_ / "scratch"));
}

INSTANTIATE_TEST_SUITE_P(Workers, StorageMigrationParallel, ::testing::Values(1, 8));

TEST_F(StorageMigration, ARerunSkipsWhatTheTargetHasWithTheSameChecksum) {
    // Half already there; one of them with the right size but other bytes (an interrupted earlier
    // tool, say): it must be copied again, not skipped.
    int64_t present = 0;
    std::string stale;
    for (size_t i = 0; i < keys_.size(); i += 2) {
        auto bytes = source_->Get(keys_[i]);
        ASSERT_TRUE(bytes);
        if (stale.empty() && bytes->size() > 10) {
            stale = keys_[i];
            (*bytes)[5] ^= 0x5a;
        }
        ASSERT_TRUE(target_->Put(keys_[i], *bytes));
        ++present;
    }
    const StorageMigrationReport r = Run({.parallel = 4, .verify = true});
    EXPECT_EQ(r.objects_skipped, present - 1);
    EXPECT_EQ(r.objects_copied, kObjects - present + 1);
    EXPECT_TRUE(r.Ok());
    ExpectIdentical();

    const StorageMigrationReport again = Run({.parallel = 4});
    EXPECT_EQ(again.objects_skipped, kObjects);
    EXPECT_EQ(again.objects_copied, 0);
    EXPECT_EQ(again.bytes_copied, 0);
}

TEST_F(StorageMigration, VerifyOnlyNamesCorruptedAndMissingObjects) {
    ASSERT_TRUE(Run({.parallel = 8}).Ok());
    // Same size, one byte changed.
    const std::string corrupted = keys_[10];
    auto bytes = target_->Get(corrupted);
    ASSERT_TRUE(bytes && !bytes->empty());
    (*bytes)[bytes->size() / 2] ^= 1;
    ASSERT_TRUE(target_->Put(corrupted, *bytes));
    const std::string deleted = keys_[20];
    ASSERT_TRUE(target_->Delete(deleted));
    const auto before = target_->List("");

    const StorageMigrationReport r = Run({.parallel = 4, .copy = false});
    EXPECT_FALSE(r.copied);
    EXPECT_FALSE(r.Ok());
    EXPECT_EQ(r.Mismatches(), 2);
    EXPECT_EQ(r.checksum_differs, 1);
    EXPECT_EQ(r.missing_in_target, 1);
    EXPECT_EQ(r.size_differs, 0);
    ASSERT_EQ(r.differences.size(), 2u);
    std::map<std::string, ObjectDifferenceKind> found;
    for (const ObjectDifference& d : r.differences) found[d.key] = d.kind;
    EXPECT_EQ(found.at(corrupted), ObjectDifferenceKind::kChecksumDiffers);
    EXPECT_EQ(found.at(deleted), ObjectDifferenceKind::kMissingInTarget);
    for (const ObjectDifference& d : r.differences) {
        if (d.kind == ObjectDifferenceKind::kChecksumDiffers) {
            EXPECT_EQ(d.source_size, d.target_size);
            EXPECT_NE(d.source_sha256, d.target_sha256);
        }
    }
    // Nothing was written.
    auto after = target_->List("");
    ASSERT_EQ(after->size(), before->size());
    EXPECT_EQ(*target_->Get(corrupted), *bytes);

    // A copy repairs both.
    const StorageMigrationReport repaired = Run({.parallel = 4, .verify = true});
    EXPECT_EQ(repaired.objects_copied, 2);
    EXPECT_TRUE(repaired.Ok());
}

TEST_F(StorageMigration, ExtraObjectsInTheTargetAreMismatchesOnlyWhenStrict) {
    ASSERT_TRUE(Run({.parallel = 8}).Ok());
    ASSERT_TRUE(target_->Put("uploads/new/after-the-copy.wav", std::vector<uint8_t>(100, 7)));

    const StorageMigrationReport lenient = Run({.copy = false});
    EXPECT_EQ(lenient.extra_in_target, 1);
    EXPECT_EQ(lenient.Mismatches(), 0);
    EXPECT_TRUE(lenient.Ok());
    ASSERT_EQ(lenient.differences.size(), 1u);
    EXPECT_EQ(lenient.differences[0].key, "uploads/new/after-the-copy.wav");
    EXPECT_EQ(lenient.differences[0].kind, ObjectDifferenceKind::kExtraInTarget);

    const StorageMigrationReport strict = Run({.copy = false, .strict = true});
    EXPECT_EQ(strict.extra_in_target, 1);
    EXPECT_EQ(strict.Mismatches(), 1);
    EXPECT_FALSE(strict.Ok());
}

TEST_F(StorageMigration, AnUnreadableSourceObjectFailsAloneAfterItsRetries) {
    FailingReads source(*source_);
    const std::string broken = keys_[3];
    const std::string flaky = keys_[4];
    source.FailAlways(broken);
    source.Fail(flaky, 2);  // two failures, then it reads

    const StorageMigrationReport r = Run(source, {.parallel = 8, .retries = 3});
    EXPECT_EQ(r.objects_failed, 1);
    EXPECT_EQ(r.objects_copied, kObjects - 1);
    EXPECT_EQ(r.retries, 3 + 2);
    ASSERT_EQ(r.failures.size(), 1u);
    EXPECT_EQ(r.failures[0].key, broken);
    EXPECT_EQ(r.failures[0].attempts, 4);
    EXPECT_NE(r.failures[0].error.find("injected read failure"), std::string::npos) << r.failures[0].error;
    EXPECT_EQ(source.Reads(broken), 4);
    EXPECT_FALSE(r.Ok());
    EXPECT_FALSE(target_->Stat(broken));
    EXPECT_TRUE(target_->Stat(flaky));
    EXPECT_EQ(*target_->Get(flaky), *source_->Get(flaky));
}

TEST_F(StorageMigration, ProgressEndsWithTheTotalsAndMismatchesAreEvents) {
    std::FILE* out = std::tmpfile();
    ASSERT_NE(out, nullptr);
    ASSERT_TRUE(target_->Put(keys_[0], std::vector<uint8_t>{1, 2, 3}));  // another size
    {
        MigrationProgress progress(ProgressOutput::kJsonLines, out, stderr);
        auto r = MigrateObjects(*source_, *target_, {.parallel = 4, .copy = false}, &progress);
        ASSERT_TRUE(r);
        EXPECT_EQ(r->size_differs, 1);
        EXPECT_EQ(r->missing_in_target, kObjects - 1);
    }
    std::rewind(out);
    int mismatches = 0;
    nlohmann::json last_progress;
    char line[4096];
    while (std::fgets(line, sizeof(line), out)) {
        const auto j = nlohmann::json::parse(line);
        if (j.at("event") == "mismatch") {
            ++mismatches;
            if (j.at("key") == keys_[0]) {
                EXPECT_EQ(j.at("difference"), "size_differs");
                EXPECT_EQ(j.at("target_size"), 3);
            }
        } else if (j.at("event") == "progress") {
            last_progress = j;
        }
    }
    std::fclose(out);
    EXPECT_EQ(mismatches, kObjects);
    EXPECT_EQ(last_progress.at("phase"), "verify");
    EXPECT_EQ(last_progress.at("done"), kObjects);
    EXPECT_EQ(last_progress.at("total"), kObjects);
    EXPECT_EQ(last_progress.at("unit"), "objects");
}

TEST_F(StorageMigration, RemovesScratchDirectoriesOfKilledRuns) {
    // A run killed mid-copy leaves its scratch directory; the next run removes it (its process is gone)
    // but not one of a live process.
    const auto dead = dir_ / "scratch" / "amapiano-migrate-999999999-AbCdEf";
    const auto live = dir_ / "scratch" / ("amapiano-migrate-" + std::to_string(::getpid()) + "-XyZ123");
    std::filesystem::create_directories(dead);
    std::filesystem::create_directories(live);
    ASSERT_TRUE(source_->Put("partial", std::vector<uint8_t>(10, 1)));
    std::filesystem::copy_file(dir_ / "source" / "partial", dead / "object-3");
    ASSERT_TRUE(Run({.parallel = 2}).Ok());
    EXPECT_FALSE(std::filesystem::exists(dead));
    EXPECT_TRUE(std::filesystem::exists(live));
}

TEST_F(StorageMigration, RefusesAParallelismOutOfRange) {
    for (int parallel : {0, 65}) {
        auto r = MigrateObjects(*source_, *target_, {.parallel = parallel}, nullptr);
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    }
}

}  // namespace
}  // namespace amapiano::ops
