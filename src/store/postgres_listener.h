// PostgresListener: LISTEN on one channel over a dedicated libpq connection and wait for NOTIFY
// payloads — the wake-up half of the job feed that carries job changes across replicas (the other
// half, polling, catches whatever a dropped connection missed).
//
//   auto listener = OpenPostgresListener("postgresql://amapiano@db/amapiano", "amapiano_jobs");
//   while (running) {
//       Result<std::vector<std::string>> payloads = (*listener)->Wait(std::chrono::seconds(5));
//       ...                                 // empty on timeout; kUnavailable while the server is away
//   }
//   (*listener)->Interrupt();               // from another thread: the current Wait returns at once
//
// A broken connection is re-opened (and LISTEN re-issued) by the next Wait, at most once a second.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "core/error.h"

namespace amapiano::store {

class PostgresListener {
public:
    virtual ~PostgresListener() = default;
    // Notifications received within `timeout` (all that are pending once one arrives).
    virtual Result<std::vector<std::string>> Wait(std::chrono::milliseconds timeout) = 0;
    // Thread-safe: makes a Wait in progress (or the next one) return early with what it has.
    virtual void Interrupt() = 0;
};

// `channel`: a plain identifier (letters, digits, '_'). Errors: kInvalidArgument for a bad channel,
// kUnavailable when the server cannot be reached.
Result<std::unique_ptr<PostgresListener>> OpenPostgresListener(const std::string& url,
                                                               const std::string& channel);

}  // namespace amapiano::store
