// `amapiano migrate db|storage`: copies the service's state from one store to another — the database
// (SQLite ⇄ PostgreSQL, PostgreSQL → PostgreSQL) or the objects (local directory ⇄ S3) — resumably,
// and proves the copy.
//
//   amapiano migrate db --from sqlite:///var/lib/amapiano/amapiano.sqlite3
//       --to postgresql://amapiano:pw@db:5432/amapiano --verify
//   amapiano migrate storage --from file:///var/lib/amapiano/objects --to s3://media/prod
//       --parallel 16 --verify
//   amapiano migrate storage --from ... --to ... --verify-only   # compare only; exit 1 on a difference
//
// On a terminal: a progress bar on stderr, differences and a summary in plain text on stdout. Otherwise
// (or with --json): JSON lines on stdout (ops/migration_progress.h). Exit codes: 0 ok, 1 a runtime error,
// a failed object or a verification difference, 2 a usage error (flags, URLs, --from equal to --to).
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace amapiano::cli {

struct MigrateFlags final {
    enum class Kind { kNone, kDb, kStorage };
    Kind kind = Kind::kNone;
    std::string from;
    std::string to;
    bool verify = false;
    bool verify_only = false;
    bool json = false;
    int batch = 1000;  // db
    int parallel = 4;  // storage
    bool strict = false;
    std::string scratch;
};

CLI::App* AddMigrateCommand(CLI::App& app, MigrateFlags& flags);
int RunMigrate(const MigrateFlags& flags);

}  // namespace amapiano::cli
