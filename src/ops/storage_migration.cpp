#include "ops/storage_migration.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>

#include "core/worker_team.h"
#include "store/checksum.h"

namespace amapiano::ops {
namespace {

using store::ObjectInfo;
using store::ObjectStore;

// Differences and failures announced one by one; beyond this only counted (and summarised).
constexpr size_t kListedExtras = 20;

using Clock = std::chrono::steady_clock;

// A private directory for staged downloads, removed with its content at the end.
class ScratchDir final {
public:
    static Result<std::unique_ptr<ScratchDir>> Make(const std::filesystem::path& base_or_empty) {
        std::error_code ec;
        const std::filesystem::path base =
            base_or_empty.empty() ? std::filesystem::temp_directory_path(ec) : base_or_empty;
        if (ec) return Error::Io("no temporary directory: " + ec.message());
        std::filesystem::create_directories(base, ec);
        if (ec)
            return Error::Io("cannot create the scratch directory " + base.string() + ": " + ec.message());
        SweepAbandoned(base);
        std::string templ =
            (base / (std::string(kScratchPrefix) + std::to_string(::getpid()) + "-XXXXXX")).string();
        if (::mkdtemp(templ.data()) == nullptr) {
            return Error::Io("cannot create a scratch directory in " + base.string() + ": " +
                             std::strerror(errno));
        }
        return std::unique_ptr<ScratchDir>(new ScratchDir(templ));
    }
    ~ScratchDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;

    std::filesystem::path NewFile() { return path_ / ("object-" + std::to_string(next_++)); }

private:
    static constexpr std::string_view kScratchPrefix = "amapiano-migrate-";

    // Scratch directories of runs that were killed (their process is gone) would hold up to `parallel`
    // partial downloads each for ever.
    static void SweepAbandoned(const std::filesystem::path& base) {
        std::error_code ec;
        for (const auto& entry : std::filesystem::directory_iterator(base, ec)) {
            const std::string name = entry.path().filename().string();
            if (!name.starts_with(kScratchPrefix)) continue;
            const long pid = std::strtol(name.c_str() + kScratchPrefix.size(), nullptr, 10);
            if (pid <= 0 || ::kill(pid_t(pid), 0) == 0 || errno != ESRCH) continue;
            std::error_code ignored;
            std::filesystem::remove_all(entry.path(), ignored);
        }
    }

    explicit ScratchDir(std::filesystem::path path) : path_(std::move(path)) {}
    std::filesystem::path path_;
    std::atomic<uint64_t> next_{0};
};

// Streams an object into a local file, hashing it on the way; returns its SHA-256. The file is only
// scratch: no fsync, no rename.
Result<std::string> DownloadHashing(ObjectStore& store, std::string_view key,
                                    const std::filesystem::path& path, int64_t& bytes) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return Error::Io("cannot create " + path.string() + ": " + std::strerror(errno));
    store::Sha256Hasher sha;
    bytes = 0;
    Status s = store.Read(key, [&](std::span<const uint8_t> chunk) -> Status {
        sha.Update(chunk);
        size_t done = 0;
        while (done < chunk.size()) {
            const ssize_t n = ::write(fd, chunk.data() + done, chunk.size() - done);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) return Error::Io("cannot write " + path.string() + ": " + std::strerror(errno));
            done += size_t(n);
        }
        bytes += int64_t(chunk.size());
        return {};
    });
    if (::close(fd) != 0 && s) s = Error::Io("cannot write " + path.string() + ": " + std::strerror(errno));
    if (!s) return s.error();
    return sha.HexDigest();
}

bool ByKey(const ObjectInfo& a, const ObjectInfo& b) { return a.key < b.key; }

Error InContext(std::string_view what, const Error& e) {
    return Error{e.code, std::string(what) + ": " + e.message};
}

class Migration final {
public:
    Migration(ObjectStore& source, ObjectStore& target, const StorageMigrationOptions& options,
              MigrationProgress* progress)
        : source_(source), target_(target), options_(options), progress_(progress) {}

    Result<StorageMigrationReport> Run() {
        if (options_.parallel < 1 || options_.parallel > kMaxStorageParallel) {
            return Error::InvalidArgument("parallel must be 1.." + std::to_string(kMaxStorageParallel) +
                                          ", not " + std::to_string(options_.parallel));
        }
        report_.strict = options_.strict;
        auto listed = source_.List("");
        if (!listed) return InContext("listing the source", listed.error());
        objects_ = std::move(*listed);
        std::sort(objects_.begin(), objects_.end(), ByKey);
        report_.objects = int64_t(objects_.size());
        for (const ObjectInfo& o : objects_) report_.source_bytes += o.size_bytes;
        if (options_.copy) {
            auto scratch = ScratchDir::Make(options_.scratch_dir);
            if (!scratch) return scratch.error();
            scratch_ = std::move(*scratch);
            Copy();
            scratch_.reset();
        }
        if (options_.verify || !options_.copy) {
            if (Status s = Verify(); !s) return s.error();
        }
        std::sort(report_.differences.begin(), report_.differences.end(),
                  [](const ObjectDifference& a, const ObjectDifference& b) { return a.key < b.key; });
        std::sort(report_.failures.begin(), report_.failures.end(),
                  [](const ObjectFailure& a, const ObjectFailure& b) { return a.key < b.key; });
        return std::move(report_);
    }

private:
    enum class Outcome { kCopied, kSkipped };

    // Runs `attempt` until it succeeds or the retries are spent; the last error otherwise.
    template <typename Fn>
    Status WithRetries(Fn attempt, int& attempts) {
        auto delay = options_.retry_delay;
        Status s;
        for (attempts = 1;; ++attempts) {
            s = attempt();
            // A key the target refuses stays refused.
            if (s || s.error().code == ErrorCode::kInvalidArgument || attempts > options_.retries) return s;
            {
                std::lock_guard lock(mutex_);
                report_.retries++;
            }
            std::this_thread::sleep_for(delay);
            delay *= 2;
        }
    }

    Status CopyOne(const ObjectInfo& object, Outcome& outcome, int64_t& bytes_copied) {
        const std::string& key = object.key;
        auto existing = target_.Stat(key);
        if (!existing && existing.error().code != ErrorCode::kNotFound) {
            return InContext("checking the target", existing.error());
        }
        if (existing && existing->size_bytes == object.size_bytes) {
            // Both stores record SHA-256 metadata (S3 to S3): compare those and read nothing — a hint
            // good enough to skip a copy; verification hashes the bytes.
            std::string source_sha = object.sha256;
            if (source_sha.empty() && !existing->sha256.empty()) {
                auto stat = source_.Stat(key);
                if (!stat) return InContext("checking the source", stat.error());
                source_sha = stat->sha256;
            }
            if (source_sha.empty()) {
                auto hashed = store::Sha256OfObject(source_, key);
                if (!hashed) return InContext("reading the source", hashed.error());
                source_sha = std::move(*hashed);
            }
            std::string target_sha = existing->sha256;
            if (target_sha.empty()) {
                auto hashed = store::Sha256OfObject(target_, key);
                if (!hashed) return InContext("reading the target", hashed.error());
                target_sha = std::move(*hashed);
            }
            if (target_sha == source_sha) {
                outcome = Outcome::kSkipped;
                return {};
            }
        }
        const std::filesystem::path staged = scratch_->NewFile();
        int64_t bytes = 0;
        auto sha = DownloadHashing(source_, key, staged, bytes);
        Status s;
        if (!sha) {
            s = InContext("reading the source", sha.error());
        } else {
            s = target_.PutFile(key, staged);
            if (!s) s = InContext("writing the target", s.error());
        }
        std::error_code ignored;
        std::filesystem::remove(staged, ignored);
        if (!s) return s;
        // What the target now holds is what was read: its size, and its SHA-256 where it records one.
        auto written = target_.Stat(key);
        if (!written) return InContext("checking the copy", written.error());
        if (written->size_bytes != bytes || (!written->sha256.empty() && written->sha256 != *sha)) {
            return Error::CorruptData("the copy in the target differs from the bytes read (" +
                                      std::to_string(written->size_bytes) + " bytes, sha256 " +
                                      (written->sha256.empty() ? "unknown" : written->sha256) + ")");
        }
        outcome = Outcome::kCopied;
        bytes_copied = bytes;
        return {};
    }

    void Fail(std::string_view phase, const std::string& key, const Error& error, int attempts) {
        if (progress_) {
            progress_->Failure({{"phase", phase},
                                {"key", key},
                                {"error", ErrorCodeName(error.code)},
                                {"message", error.message},
                                {"attempts", attempts}},
                               key + ": " + error.message + " (" + std::to_string(attempts) + " attempts)");
        }
        std::lock_guard lock(mutex_);
        if (report_.failures.size() < options_.max_listed) {
            report_.failures.push_back({std::string(phase), key, error.message, attempts});
        }
    }

    // One progress line of a phase over the whole listing (`final`: the phase's last).
    void ReportProgress(std::string_view phase, int64_t done, int64_t done_bytes, bool final) {
        ProgressUpdate u{.phase = phase,
                         .unit = "objects",
                         .done = done,
                         .total = report_.objects,
                         .bytes = done_bytes,
                         .total_bytes = report_.source_bytes};
        if (final) {
            progress_->Finish(u);
        } else {
            progress_->Update(u);
        }
    }

    void Copy() {
        const auto start = Clock::now();
        report_.copied = true;
        if (progress_) progress_->StartPhase("copy");
        int64_t done = 0, done_bytes = 0;
        auto update = [&](bool final) { ReportProgress("copy", done, done_bytes, final); };
        WorkerTeam team(size_t(options_.parallel));
        team.Run(objects_.size(), [&](size_t i) {
            const ObjectInfo& object = objects_[i];
            Outcome outcome = Outcome::kSkipped;
            int64_t bytes = 0;
            int attempts = 0;
            const Status s = WithRetries([&] { return CopyOne(object, outcome, bytes); }, attempts);
            if (!s) Fail("copy", object.key, s.error(), attempts);
            std::lock_guard lock(mutex_);
            if (!s) {
                report_.objects_failed++;
            } else if (outcome == Outcome::kCopied) {
                report_.objects_copied++;
                report_.bytes_copied += bytes;
            } else {
                report_.objects_skipped++;
            }
            ++done;
            done_bytes += object.size_bytes;
            if (progress_) update(false);
        });
        if (progress_) update(true);
        report_.copy_seconds = SecondsSince(start);
    }

    void Differ(ObjectDifference d) {
        if (progress_) {
            nlohmann::ordered_json j = {
                {"kind", "object"}, {"key", d.key}, {"difference", ObjectDifferenceName(d.kind)}};
            if (d.source_size >= 0) j["source_size"] = d.source_size;
            if (d.target_size >= 0) j["target_size"] = d.target_size;
            if (!d.source_sha256.empty()) j["source_sha256"] = d.source_sha256;
            if (!d.target_sha256.empty()) j["target_sha256"] = d.target_sha256;
            std::string text = d.key + ": " + std::string(ObjectDifferenceName(d.kind));
            if (d.kind == ObjectDifferenceKind::kSizeDiffers) {
                text += " (" + std::to_string(d.source_size) + " bytes in the source, " +
                        std::to_string(d.target_size) + " in the target)";
            } else if (d.kind == ObjectDifferenceKind::kChecksumDiffers) {
                text += " (sha256 " + d.source_sha256.substr(0, 12) + "... in the source, " +
                        d.target_sha256.substr(0, 12) + "... in the target)";
            }
            progress_->Mismatch(std::move(j), text);
        }
        std::lock_guard lock(mutex_);
        switch (d.kind) {
            case ObjectDifferenceKind::kMissingInTarget: report_.missing_in_target++; break;
            case ObjectDifferenceKind::kSizeDiffers: report_.size_differs++; break;
            case ObjectDifferenceKind::kChecksumDiffers: report_.checksum_differs++; break;
            case ObjectDifferenceKind::kExtraInTarget: report_.extra_in_target++; break;
        }
        if (report_.differences.size() < options_.max_listed) report_.differences.push_back(std::move(d));
    }

    Status Verify() {
        const auto start = Clock::now();
        report_.verified = true;
        if (progress_) progress_->StartPhase("verify");
        auto listed = target_.List("");
        if (!listed) return InContext("listing the target", listed.error());
        std::vector<ObjectInfo>& in_target = *listed;
        std::sort(in_target.begin(), in_target.end(), ByKey);
        auto find = [&](const std::string& key) -> const ObjectInfo* {
            auto it = std::lower_bound(in_target.begin(), in_target.end(), key,
                                       [](const ObjectInfo& o, const std::string& k) { return o.key < k; });
            return it != in_target.end() && it->key == key ? &*it : nullptr;
        };

        // Objects only in the target.
        size_t extras = 0;
        for (const ObjectInfo& t : in_target) {
            const bool in_source = std::binary_search(objects_.begin(), objects_.end(), t, ByKey);
            if (in_source) continue;
            ++extras;
            ObjectDifference d{ObjectDifferenceKind::kExtraInTarget, t.key, -1, t.size_bytes, {}, {}};
            if (options_.strict) {
                Differ(std::move(d));
                continue;
            }
            report_.extra_in_target++;
            if (progress_ && extras <= kListedExtras) {
                progress_->Warning({{"kind", "object"},
                                    {"key", t.key},
                                    {"difference", "extra_in_target"},
                                    {"target_size", t.size_bytes}},
                                   t.key + ": only in the target");
            }
            if (report_.differences.size() < options_.max_listed) report_.differences.push_back(std::move(d));
        }
        if (progress_ && !options_.strict && extras > 0) {
            progress_->Warning({{"kind", "objects"}, {"extra_in_target", extras}},
                               std::to_string(extras) +
                                   " objects are only in the target (new uploads? --strict makes this a "
                                   "mismatch)");
        }

        int64_t done = 0, done_bytes = 0;
        auto update = [&](bool final) { ReportProgress("verify", done, done_bytes, final); };
        WorkerTeam team(size_t(options_.parallel));
        team.Run(objects_.size(), [&](size_t i) {
            const ObjectInfo& object = objects_[i];
            const ObjectInfo* t = find(object.key);
            if (!t) {
                Differ({ObjectDifferenceKind::kMissingInTarget, object.key, object.size_bytes, -1, {}, {}});
            } else if (t->size_bytes != object.size_bytes) {
                Differ({ObjectDifferenceKind::kSizeDiffers,
                        object.key,
                        object.size_bytes,
                        t->size_bytes,
                        {},
                        {}});
            } else {
                std::string source_sha, target_sha;
                int attempts = 0;
                const Status s = WithRetries(
                    [&]() -> Status {
                        auto a = store::Sha256OfObject(source_, object.key);
                        if (!a) return InContext("reading the source", a.error());
                        auto b = store::Sha256OfObject(target_, object.key);
                        if (!b) return InContext("reading the target", b.error());
                        source_sha = std::move(*a);
                        target_sha = std::move(*b);
                        return {};
                    },
                    attempts);
                if (!s) {
                    Fail("verify", object.key, s.error(), attempts);
                    std::lock_guard lock(mutex_);
                    report_.verify_failed++;
                } else if (source_sha != target_sha) {
                    Differ({ObjectDifferenceKind::kChecksumDiffers, object.key, object.size_bytes,
                            t->size_bytes, source_sha, target_sha});
                }
            }
            std::lock_guard lock(mutex_);
            report_.objects_verified++;
            report_.bytes_verified += object.size_bytes;
            ++done;
            done_bytes += object.size_bytes;
            if (progress_) update(false);
        });
        if (progress_) update(true);
        report_.verify_seconds = SecondsSince(start);
        return {};
    }

    ObjectStore& source_;
    ObjectStore& target_;
    const StorageMigrationOptions& options_;
    MigrationProgress* progress_;
    std::vector<ObjectInfo> objects_;  // the source listing, sorted by key
    std::unique_ptr<ScratchDir> scratch_;
    std::mutex mutex_;
    StorageMigrationReport report_;
};

}  // namespace

std::string_view ObjectDifferenceName(ObjectDifferenceKind kind) {
    switch (kind) {
        case ObjectDifferenceKind::kMissingInTarget: return "missing_in_target";
        case ObjectDifferenceKind::kSizeDiffers: return "size_differs";
        case ObjectDifferenceKind::kChecksumDiffers: return "checksum_differs";
        case ObjectDifferenceKind::kExtraInTarget: return "extra_in_target";
    }
    return "missing_in_target";
}

Result<StorageMigrationReport> MigrateObjects(store::ObjectStore& source, store::ObjectStore& target,
                                              const StorageMigrationOptions& options,
                                              MigrationProgress* progress) {
    return Migration(source, target, options, progress).Run();
}

}  // namespace amapiano::ops
