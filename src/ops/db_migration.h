// Copying the service's relational state between two databases (SQLite ⇄ PostgreSQL, PostgreSQL →
// PostgreSQL, SQLite → SQLite) and proving the copy, for `amapiano migrate db`.
//
//   DbMigrationOptions options{.verify = true};
//   Result<DbMigrationReport> report = MigrateDatabase(*source, *target, options, &progress);
//   if (!report) return report.error();          // could not run (schema versions, store down, ...)
//   if (!report->Ok()) ...;                       // ran, and verification found differences
//
// Copy: the target gets the schema (store::Migrate); the source must already be at this binary's
// version (it is never changed: the whole copy reads one snapshot of it). Tables go in
// store::SchemaTables() order (parents first), rows in primary-key order (byte order for text, the
// same on both backends) — keyset pagination on SQLite, a server-side cursor over one ordered query on
// PostgreSQL (whose linguistic collations cannot serve byte order from the key index, so paging would
// sort once per batch). Each batch is inserted in one target transaction with `ON CONFLICT DO
// NOTHING`. A table resumes after the largest key already in the target, so an interrupted copy —
// each batch is atomic — is simply run again: nothing is duplicated or re-read.
//
// Verification: per table, both sides are read in key order (one snapshot each) and merge-walked:
// row counts, a SHA-256 over a canonical, type-tagged serialisation of every row, and the keys of
// rows missing in the target, extra in the target, or different (up to `max_listed_keys` of each
// table; the counts are complete).
//
// Thread: one caller at a time per pair of databases; `progress` may be null.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ops/migration_progress.h"
#include "store/database.h"
#include "store/migrations.h"

namespace amapiano::ops {

struct DbMigrationOptions final {
    bool copy = true;     // false: --verify-only (nothing is written, not even the target's schema)
    bool verify = false;  // compare both sides after the copy
    int batch_rows = 1000;
    // Rows per batch shrink so that one batch holds about this many bytes (tables of large documents).
    int64_t batch_bytes = 32 << 20;
    size_t max_listed_keys = 20;  // differing keys listed per table
    // Stop after this many batches (0: no limit) as if interrupted — how tests exercise resumption.
    int64_t max_batches = 0;
};

enum class RowDifferenceKind { kMissingInTarget, kExtraInTarget, kDiffers };

// "missing_in_target", "extra_in_target", "differs".
std::string_view RowDifferenceName(RowDifferenceKind kind);

struct RowDifference final {
    RowDifferenceKind kind = RowDifferenceKind::kDiffers;
    std::vector<store::SqlValue> key{};  // in the order of the table's key columns
    std::string key_text{};              // "id=u1", "track_id=t1, name=mix.wav"
};

struct TableReport final {
    std::string table{};
    // Copy.
    int64_t source_rows = 0;      // in the source snapshot
    int64_t rows_present = 0;     // already in the target before this run
    int64_t rows_copied = 0;      // inserted by this run
    int64_t rows_conflicted = 0;  // read and offered but the target kept its own (a unique key clash)
    int64_t bytes_copied = 0;     // size of the values copied (text bytes, 8 per number)
    int64_t batches = 0;
    // Verification.
    bool verified = false;
    int64_t verified_source_rows = 0;
    int64_t verified_target_rows = 0;
    std::string source_sha256{};
    std::string target_sha256{};
    int64_t missing_in_target = 0;
    int64_t extra_in_target = 0;
    int64_t differing = 0;
    std::vector<RowDifference> differences{};  // the first max_listed_keys, in key order

    bool Matches() const { return verified && source_sha256 == target_sha256 && !HasDifferences(); }
    bool HasDifferences() const { return missing_in_target + extra_in_target + differing > 0; }
};

struct DbMigrationReport final {
    std::vector<TableReport> tables{};
    int schema_version = 0;
    bool copied = false;       // a copy ran
    bool interrupted = false;  // stopped by max_batches
    bool verified = false;
    int64_t rows_copied = 0;
    int64_t bytes_copied = 0;
    int64_t batches = 0;
    double copy_seconds = 0;
    double verify_seconds = 0;

    // No verification difference (true when nothing was verified).
    bool Ok() const;
};

// Errors: kNotFound when the source has no schema (or, verifying only, the target); kUnsupported when
// the source is not at this binary's schema version, or the target is newer (or, verifying only, at
// another version); kIo/kUnavailable/kConflict from the stores (a foreign-key clash in the target is
// kConflict). A run stopped by max_batches is not an error: the report says `interrupted`.
Result<DbMigrationReport> MigrateDatabase(store::Database& source, store::Database& target,
                                          const DbMigrationOptions& options, MigrationProgress* progress);

// The canonical serialisation that checksums use: "n" for NULL, "i<decimal>;" for an integer,
// "r<%.17g>;" for a real, "t<length>:<bytes>" for text. Appends to `out`.
void AppendCanonical(const store::SqlValue& value, std::string& out);

}  // namespace amapiano::ops
