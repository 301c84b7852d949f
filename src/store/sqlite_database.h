// SQLite backend of Database: the embedded default (`<data dir>/amapiano.sqlite3`).
//
// A small pool of connections to one file in WAL mode (readers never block the writer), foreign keys
// on, synchronous=FULL (a committed transaction survives a power cut), a busy timeout so that
// writers queue instead of failing. Statements are prepared once per connection and cached.
//
//   Result<std::unique_ptr<Database>> db = OpenSqlite("data/amapiano.sqlite3");
//   Result<std::unique_ptr<Database>> mem = OpenSqlite(":memory:");   // tests: one private database
//
// Errors: kIo when the file cannot be opened or created (the message names the path), kCorruptData
// when it is not a SQLite database.
#pragma once

#include <filesystem>
#include <memory>

#include "store/database.h"

namespace amapiano::store {

struct SqliteOptions final {
    int connections = 4;          // pool size (":memory:" always uses one shared connection)
    int busy_timeout_ms = 10000;  // how long a writer waits for the lock before kUnavailable
};

Result<std::unique_ptr<Database>> OpenSqlite(const std::filesystem::path& path,
                                             const SqliteOptions& options = {});

}  // namespace amapiano::store
