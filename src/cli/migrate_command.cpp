#include "cli/migrate_command.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/exit_codes.h"
#include "core/text.h"
#include "ops/db_migration.h"
#include "ops/migration_progress.h"
#include "ops/storage_migration.h"
#include "store/database_url.h"
#include "store/object_store_url.h"

namespace amapiano::cli {
namespace {

constexpr int kMaxBatch = 1000000;

using ops::FormatBytes;
using ops::MigrationProgress;
using Json = nlohmann::ordered_json;

double PerSecond(double amount, double seconds) { return seconds > 0 ? amount / seconds : 0.0; }
double Round(double x, int decimals) {
    const double scale = std::pow(10.0, decimals);
    return std::round(x * scale) / scale;
}

int UsageError(std::string_view command, const std::string& message) {
    std::cerr << "amapiano migrate " << command << ": " << message << " (see amapiano migrate " << command
              << " --help)\n";
    return kExitUsageError;
}

// A run that could not be done: the error on stderr, and a closing summary for JSON consumers.
int RuntimeError(std::string_view command, MigrationProgress& progress, const Error& error) {
    std::cerr << "amapiano migrate " << command << ": " << error.message << "\n";
    if (progress.output() == ops::ProgressOutput::kJsonLines) {
        progress.Summary({{"ok", false},
                          {"kind", command},
                          {"error", ErrorCodeName(error.code)},
                          {"message", error.message}},
                         "");
    }
    return ExitCodeFor(error.code);
}

// Whether two paths name the same file or directory (either may not exist yet).
bool SamePath(const std::string& a, const std::string& b) {
    std::error_code ec_a, ec_b;
    const auto ca = std::filesystem::weakly_canonical(a, ec_a);
    const auto cb = std::filesystem::weakly_canonical(b, ec_b);
    return !ec_a && !ec_b && ca == cb;
}

void AddCommonFlags(CLI::App* cmd, MigrateFlags& flags, const std::string& what) {
    cmd->add_option("--from", flags.from, "The source " + what)->required();
    cmd->add_option("--to", flags.to, "The target " + what)->required();
    cmd->add_flag("--verify", flags.verify, "After copying, compare both sides and report every difference");
    cmd->add_flag("--verify-only", flags.verify_only,
                  "Compare without copying; exit 1 on any difference, listing it (wins over --verify)");
    cmd->add_flag("--json", flags.json, "JSON lines on stdout even on a terminal");
}

Json TableJson(const ops::TableReport& t, bool copied) {
    Json j = {{"table", t.table}, {"source_rows", t.source_rows}};
    if (copied) {
        j["rows_present"] = t.rows_present;
        j["rows_copied"] = t.rows_copied;
        j["rows_conflicted"] = t.rows_conflicted;
        j["batches"] = t.batches;
    }
    if (t.verified) {
        j["verified_source_rows"] = t.verified_source_rows;
        j["verified_target_rows"] = t.verified_target_rows;
        j["source_sha256"] = t.source_sha256;
        j["target_sha256"] = t.target_sha256;
        j["match"] = t.Matches();
        j["missing_in_target"] = t.missing_in_target;
        j["extra_in_target"] = t.extra_in_target;
        j["differing"] = t.differing;
    }
    return j;
}

int RunDb(const MigrateFlags& flags) {
    for (const auto& [flag, url] : {std::pair{"--from", flags.from}, std::pair{"--to", flags.to}}) {
        if (store::DatabaseUrlScheme(url).empty()) {
            return UsageError("db",
                              std::string(flag) + " '" + store::RedactDatabaseUrl(url) +
                                  "' is neither sqlite:///path nor postgresql://user:password@host:port/db");
        }
        if (store::DatabaseUrlScheme(url) == "sqlite" && store::SqlitePathOf(url).empty()) {
            return UsageError("db", std::string(flag) + " names no SQLite file");
        }
    }
    if (flags.from == flags.to ||
        (store::DatabaseUrlScheme(flags.from) == "sqlite" && store::DatabaseUrlScheme(flags.to) == "sqlite" &&
         SamePath(store::SqlitePathOf(flags.from), store::SqlitePathOf(flags.to)))) {
        return UsageError("db", "--from and --to name the same database");
    }
    MigrationProgress progress(MigrationProgress::Detect(flags.json), stdout, stderr);
    // Opening a SQLite URL creates the file: a source (or a target only compared) must exist already.
    for (const auto& [role, url, must_exist] :
         {std::tuple{"source", flags.from, true}, std::tuple{"target", flags.to, flags.verify_only}}) {
        if (!must_exist || store::DatabaseUrlScheme(url) != "sqlite") continue;
        const std::string path = store::SqlitePathOf(url);
        std::error_code ec;
        if (!std::filesystem::is_regular_file(path, ec)) {
            return RuntimeError(
                "db", progress,
                Error::NotFound(std::string("the ") + role + " database " + path + " does not exist"));
        }
    }
    auto source = store::OpenDatabaseUrl(flags.from, {.connections = 2});
    if (!source)
        return RuntimeError("db", progress, {source.error().code, "the source: " + source.error().message});
    auto target = store::OpenDatabaseUrl(flags.to, {.connections = 2});
    if (!target)
        return RuntimeError("db", progress, {target.error().code, "the target: " + target.error().message});

    ops::DbMigrationOptions options;
    options.copy = !flags.verify_only;
    options.verify = flags.verify || flags.verify_only;
    options.batch_rows = flags.batch;
    auto report = ops::MigrateDatabase(**source, **target, options, &progress);
    if (!report) return RuntimeError("db", progress, report.error());

    const double mb = double(report->bytes_copied) / 1e6;
    const double rows_per_s = PerSecond(double(report->rows_copied), report->copy_seconds);
    const double mb_per_s = PerSecond(mb, report->copy_seconds);
    Json summary = {{"ok", report->Ok()},
                    {"kind", "db"},
                    {"from", store::RedactDatabaseUrl(flags.from)},
                    {"to", store::RedactDatabaseUrl(flags.to)},
                    {"schema_version", report->schema_version}};
    std::string text;
    int64_t mismatched_tables = 0;
    for (const ops::TableReport& t : report->tables) mismatched_tables += t.verified && !t.Matches();
    if (report->copied) {
        summary["rows_copied"] = report->rows_copied;
        summary["bytes_copied"] = report->bytes_copied;
        summary["batches"] = report->batches;
        summary["seconds"] = Round(report->copy_seconds, 3);
        summary["rows_per_s"] = Round(rows_per_s, 1);
        summary["mb_per_s"] = Round(mb_per_s, 3);
        summary["interrupted"] = report->interrupted;
        text += "copy (rows in the source, already in the target, copied now):\n";
        for (const ops::TableReport& t : report->tables) {
            char line[160];
            std::snprintf(line, sizeof(line), "  %-14s %10lld %10lld %10lld\n", t.table.c_str(),
                          static_cast<long long>(t.source_rows), static_cast<long long>(t.rows_present),
                          static_cast<long long>(t.rows_copied));
            text += line;
        }
        text += "copied " + std::to_string(report->rows_copied) + " rows (" +
                FormatBytes(double(report->bytes_copied)) + ") in " + FormatFixed(report->copy_seconds, 2) +
                " s: " + FormatFixed(rows_per_s, 0) + " rows/s, " + FormatFixed(mb_per_s, 2) + " MB/s\n";
    }
    if (report->verified) {
        summary["verify_seconds"] = Round(report->verify_seconds, 3);
        summary["tables_mismatched"] = mismatched_tables;
        text += "verify (rows in the source / the target, sha256 of the source / the target):\n";
        for (const ops::TableReport& t : report->tables) {
            char line[200];
            std::snprintf(line, sizeof(line), "  %-14s %10lld / %-10lld %.12s / %.12s  %s\n", t.table.c_str(),
                          static_cast<long long>(t.verified_source_rows),
                          static_cast<long long>(t.verified_target_rows), t.source_sha256.c_str(),
                          t.target_sha256.c_str(), t.Matches() ? "ok" : "DIFFERENT");
            text += line;
        }
        text += mismatched_tables == 0
                    ? "verified " + std::to_string(report->tables.size()) + " tables in " +
                          FormatFixed(report->verify_seconds, 2) + " s: source and target match\n"
                    : "verification failed: " + std::to_string(mismatched_tables) + " of " +
                          std::to_string(report->tables.size()) + " tables differ\n";
    }
    if (report->interrupted) text += "stopped before the end; run again to resume\n";
    Json tables = Json::array();
    for (const ops::TableReport& t : report->tables) tables.push_back(TableJson(t, report->copied));
    summary["tables"] = std::move(tables);
    progress.Summary(std::move(summary), text);
    return report->Ok() && !report->interrupted ? kExitOk : kExitRuntimeError;
}

// file:// URLs name a directory that opening would create: a source must exist already.
Result<std::unique_ptr<store::ObjectStore>> OpenStore(const std::string& url, std::string_view role,
                                                      bool must_exist) {
    if (must_exist && url.starts_with("file://") && url.size() > 7) {
        std::error_code ec;
        if (!std::filesystem::is_directory(url.substr(7), ec)) {
            return Error::NotFound("the " + std::string(role) + " directory " + url.substr(7) +
                                   " does not exist");
        }
    }
    auto store = store::OpenObjectStoreUrl(url);
    if (!store) return Error{store.error().code, "the " + std::string(role) + ": " + store.error().message};
    return store;
}

int RunStorage(const MigrateFlags& flags) {
    if (flags.from == flags.to || (flags.from.starts_with("file://") && flags.to.starts_with("file://") &&
                                   SamePath(flags.from.substr(7), flags.to.substr(7)))) {
        return UsageError("storage", "--from and --to name the same store");
    }
    for (const auto& [flag, url] : {std::pair{"--from", flags.from}, std::pair{"--to", flags.to}}) {
        if (!url.starts_with("file://") && !url.starts_with("s3://")) {
            return UsageError("storage", std::string(flag) + " '" + url +
                                             "' is neither file:///dir nor s3://bucket[/prefix]");
        }
    }
    MigrationProgress progress(MigrationProgress::Detect(flags.json), stdout, stderr);
    auto source = OpenStore(flags.from, "source", true);
    if (!source) {
        if (source.error().code == ErrorCode::kInvalidArgument)
            return UsageError("storage", source.error().message);
        return RuntimeError("storage", progress, source.error());
    }
    auto target = OpenStore(flags.to, "target", flags.verify_only);
    if (!target) {
        if (target.error().code == ErrorCode::kInvalidArgument)
            return UsageError("storage", target.error().message);
        return RuntimeError("storage", progress, target.error());
    }

    ops::StorageMigrationOptions options;
    options.parallel = flags.parallel;
    options.copy = !flags.verify_only;
    options.verify = flags.verify || flags.verify_only;
    options.strict = flags.strict;
    options.scratch_dir = flags.scratch;
    auto report = ops::MigrateObjects(**source, **target, options, &progress);
    if (!report) return RuntimeError("storage", progress, report.error());

    const double mb = double(report->bytes_copied) / 1e6;
    const double mb_per_s = PerSecond(mb, report->copy_seconds);
    const double objects_per_s =
        PerSecond(double(report->objects_copied + report->objects_skipped), report->copy_seconds);
    Json summary = {{"ok", report->Ok()},         {"kind", "storage"},
                    {"from", flags.from},         {"to", flags.to},
                    {"objects", report->objects}, {"source_bytes", report->source_bytes}};
    std::string text;
    if (report->copied) {
        summary["copied"] = report->objects_copied;
        summary["skipped"] = report->objects_skipped;
        summary["failed"] = report->objects_failed;
        summary["retries"] = report->retries;
        summary["bytes_copied"] = report->bytes_copied;
        summary["seconds"] = Round(report->copy_seconds, 3);
        summary["objects_per_s"] = Round(objects_per_s, 1);
        summary["mb_per_s"] = Round(mb_per_s, 3);
        summary["parallel"] = flags.parallel;
        text += "copied " + std::to_string(report->objects_copied) + " of " +
                std::to_string(report->objects) + " objects (" + FormatBytes(double(report->bytes_copied)) +
                "), skipped " + std::to_string(report->objects_skipped) + " already there, " +
                std::to_string(report->objects_failed) + " failed, in " +
                FormatFixed(report->copy_seconds, 2) + " s: " + FormatFixed(objects_per_s, 1) +
                " objects/s, " + FormatFixed(mb_per_s, 2) + " MB/s\n";
    }
    if (report->verified) {
        const double verify_mb_per_s =
            PerSecond(double(report->bytes_verified) / 1e6, report->verify_seconds);
        summary["verified"] = report->objects_verified;
        summary["missing_in_target"] = report->missing_in_target;
        summary["size_differs"] = report->size_differs;
        summary["checksum_differs"] = report->checksum_differs;
        summary["extra_in_target"] = report->extra_in_target;
        summary["strict"] = report->strict;
        summary["verify_failed"] = report->verify_failed;
        summary["verify_seconds"] = Round(report->verify_seconds, 3);
        summary["verify_mb_per_s"] = Round(verify_mb_per_s, 3);
        const bool clean = report->Mismatches() == 0 && report->verify_failed == 0;
        text += (clean ? "verified " : "verification failed: ") + std::to_string(report->objects_verified) +
                " objects: " + std::to_string(report->missing_in_target) + " missing in the target, " +
                std::to_string(report->size_differs) + " of another size, " +
                std::to_string(report->checksum_differs) + " with another checksum, " +
                std::to_string(report->verify_failed) + " unreadable; " +
                std::to_string(report->extra_in_target) + " only in the target" +
                (report->strict ? "" : " (not a mismatch without --strict)") + "; " +
                FormatFixed(report->verify_seconds, 2) + " s, " + FormatFixed(verify_mb_per_s, 2) + " MB/s\n";
    }
    if (!report->failures.empty()) {
        Json failures = Json::array();
        for (const ops::ObjectFailure& f : report->failures) {
            failures.push_back(
                {{"phase", f.phase}, {"key", f.key}, {"message", f.error}, {"attempts", f.attempts}});
        }
        summary["failures"] = std::move(failures);
    }
    progress.Summary(std::move(summary), text);
    return report->Ok() ? kExitOk : kExitRuntimeError;
}

}  // namespace

CLI::App* AddMigrateCommand(CLI::App& app, MigrateFlags& flags) {
    CLI::App* cmd =
        app.add_subcommand("migrate", "Copy the service's database or objects to another store, and verify");
    cmd->require_subcommand(1);

    CLI::App* db = cmd->add_subcommand(
        "db", "Copy every table between SQLite and PostgreSQL (either way) or PostgreSQL to PostgreSQL");
    AddCommonFlags(db, flags,
                   "database (sqlite:///path/amapiano.sqlite3, postgresql://user:pw@host:port/db)");
    db->add_option("--batch", flags.batch, "Rows per batch (one target transaction each; default 1000)")
        ->check(CLI::Range(1, kMaxBatch));
    db->callback([&flags] { flags.kind = MigrateFlags::Kind::kDb; });

    CLI::App* storage =
        cmd->add_subcommand("storage", "Copy every object between object stores (file:// and s3://)");
    AddCommonFlags(storage, flags, "object store: file:///dir or s3://bucket[/prefix]");
    storage->add_option("--parallel", flags.parallel, "Objects copied or compared at once (1-64; default 4)")
        ->check(CLI::Range(1, ops::kMaxStorageParallel));
    storage->add_flag("--strict", flags.strict, "Objects only in the target count as a mismatch too");
    storage->add_option("--scratch", flags.scratch,
                        "Directory for staging downloads (default: a temporary directory under $TMPDIR)");
    storage->callback([&flags] { flags.kind = MigrateFlags::Kind::kStorage; });
    return cmd;
}

int RunMigrate(const MigrateFlags& flags) {
    switch (flags.kind) {
        case MigrateFlags::Kind::kDb: return RunDb(flags);
        case MigrateFlags::Kind::kStorage: return RunStorage(flags);
        case MigrateFlags::Kind::kNone: break;
    }
    std::cerr << "amapiano migrate: name what to migrate: db or storage\n";
    return kExitUsageError;
}

}  // namespace amapiano::cli
