// Copying every object from one ObjectStore to another (local directory ⇄ S3, S3 → S3, ...) and
// proving the copy, for `amapiano migrate storage`.
//
//   StorageMigrationOptions options{.parallel = 8, .verify = true};
//   Result<StorageMigrationReport> report = MigrateObjects(*source, *target, options, &progress);
//   if (!report) return report.error();   // could not start (listing failed, no scratch directory)
//   if (!report->Ok()) ...;                // some objects failed, or verification found differences
//
// Copy: the source is listed once, then `parallel` workers take objects one by one. An object the
// target already has with the same size and SHA-256 is skipped, so an interrupted copy is simply run
// again (each side's SHA-256 is its sha256 metadata when it records one, else its bytes hashed). Otherwise it
// is streamed into a scratch file while being hashed, put to the target from that file (the S3 backend
// records the SHA-256 as metadata), and the scratch file deleted. An object that fails is retried up to
// `retries` times; failures never stop the other objects and are listed in the report.
//
// Verification: both sides are listed; for every source object the bytes on both sides are hashed
// (streamed; metadata is not proof) and compared with the sizes. Missing, different-size and
// different-checksum objects are mismatches; objects only in the target are warnings (a live target
// has new uploads) unless `strict`.
//
// Thread: one caller at a time; the stores must be thread-safe (ObjectStore's contract). `progress`
// may be null.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "ops/migration_progress.h"
#include "store/object_store.h"

namespace amapiano::ops {

// The most objects copied or compared at once.
inline constexpr int kMaxStorageParallel = 64;

struct StorageMigrationOptions final {
    int parallel = 4;  // worker threads, 1..kMaxStorageParallel
    bool copy = true;  // false: --verify-only
    bool verify = false;
    bool strict = false;                         // objects only in the target are mismatches too
    std::filesystem::path scratch_dir{};         // where downloads are staged; empty: the system temp dir
    int retries = 3;                             // further attempts for an object that failed
    std::chrono::milliseconds retry_delay{250};  // before the first retry; doubles each time
    size_t max_listed = 1000;  // mismatches and failures kept in the report (counts are complete)
};

enum class ObjectDifferenceKind { kMissingInTarget, kSizeDiffers, kChecksumDiffers, kExtraInTarget };

// "missing_in_target", "size_differs", "checksum_differs", "extra_in_target".
std::string_view ObjectDifferenceName(ObjectDifferenceKind kind);

struct ObjectDifference final {
    ObjectDifferenceKind kind = ObjectDifferenceKind::kMissingInTarget;
    std::string key{};
    int64_t source_size = -1;  // -1: not on that side
    int64_t target_size = -1;
    std::string source_sha256{};  // when both sides were hashed
    std::string target_sha256{};
};

struct ObjectFailure final {
    std::string phase{};  // "copy" or "verify"
    std::string key{};
    std::string error{};  // the last attempt's error
    int attempts = 0;
};

struct StorageMigrationReport final {
    // Copy.
    bool copied = false;
    int64_t objects = 0;  // in the source listing
    int64_t source_bytes = 0;
    int64_t objects_copied = 0;
    int64_t objects_skipped = 0;  // already in the target with the same checksum
    int64_t objects_failed = 0;
    int64_t bytes_copied = 0;
    int64_t retries = 0;  // attempts beyond the first, over all objects
    double copy_seconds = 0;
    // Verification.
    bool verified = false;
    int64_t objects_verified = 0;
    int64_t bytes_verified = 0;  // source bytes hashed
    int64_t missing_in_target = 0;
    int64_t size_differs = 0;
    int64_t checksum_differs = 0;
    int64_t extra_in_target = 0;
    int64_t verify_failed = 0;  // objects that could not be read to compare
    double verify_seconds = 0;
    bool strict = false;

    std::vector<ObjectDifference> differences{};  // in key order, the first max_listed
    std::vector<ObjectFailure> failures{};        // in key order, the first max_listed

    int64_t Mismatches() const {
        return missing_in_target + size_differs + checksum_differs + (strict ? extra_in_target : 0);
    }
    // Nothing failed and nothing differs.
    bool Ok() const { return objects_failed == 0 && verify_failed == 0 && Mismatches() == 0; }
};

// Errors (the run could not start): kInvalidArgument for `parallel` outside 1..64, kIo when the scratch
// directory cannot be made, or a listing's error.
Result<StorageMigrationReport> MigrateObjects(store::ObjectStore& source, store::ObjectStore& target,
                                              const StorageMigrationOptions& options,
                                              MigrationProgress* progress);

}  // namespace amapiano::ops
