// Progress and result reporting for the migration tools (`amapiano migrate db|storage`), in one of two
// forms chosen once:
//  - kTerminal: a one-line progress bar redrawn in place on stderr (phase, table, done/total, bytes,
//    rate, ETA; at most ~10 redraws a second); mismatches, warnings and the summary as plain text on
//    stdout.
//  - kJsonLines: one JSON object per line on stdout, for pipes and log collectors:
//      {"event":"progress","phase":"copy","table":"jobs","unit":"rows","done":1200,"total":5000,
//       "bytes":123456,"rate":10400.5,"bytes_per_s":1048576.0,"elapsed_s":0.12,"eta_s":0.37}
//    at most ~2 a second, plus a final one at the end of each table / phase; {"event":"mismatch",...}
//    per difference; {"event":"failure",...} per item that could not be done; {"event":"warning",...};
//    and one {"event":"summary","ok":true|false,...} at the
//    end.
//
//   MigrationProgress progress(MigrationProgress::Detect(/*force_json=*/false), stdout, stderr);
//   progress.StartPhase("copy");
//   progress.Update({.phase = "copy", .table = "users", .unit = "rows", .done = 10, .total = 90});
//   progress.Finish({.phase = "copy", .table = "users", .unit = "rows", .done = 90, .total = 90});
//   progress.Mismatch({{"table", "users"}, {"key", {{"id", "u1"}}}}, "users: missing in target: id=u1");
//   progress.Summary({{"ok", true}, {"rows_per_s", 1e5}}, "copied 90 rows ...");
//
// Thread-safe: any thread may call any method (the storage copy reports from its workers).
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace amapiano::ops {

// Seconds of wall time since `start` (the rates in the summaries).
inline double SecondsSince(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

enum class ProgressOutput {
    kTerminal,   // bar on stderr, plain text on stdout
    kJsonLines,  // JSON lines on stdout
    kQuiet,      // nothing (tests, library callers)
};

// Where one phase stands. `done`/`total` count the unit (rows of `table`, or objects); `bytes` is the
// phase's running byte count; `total_bytes` 0 when unknown.
struct ProgressUpdate final {
    std::string_view phase{};  // "copy" or "verify"
    std::string_view table{};  // the table being worked on; "" for object stores
    std::string_view unit = "rows";
    int64_t done = 0;
    int64_t total = 0;
    int64_t bytes = 0;
    int64_t total_bytes = 0;
};

class MigrationProgress final {
public:
    // `out` receives JSON lines and plain-text reports, `err` the bar; neither is closed.
    MigrationProgress(ProgressOutput output, std::FILE* out, std::FILE* err);
    ~MigrationProgress();
    MigrationProgress(const MigrationProgress&) = delete;
    MigrationProgress& operator=(const MigrationProgress&) = delete;

    // kTerminal when stdout and stderr are both terminals and JSON was not asked for, else kJsonLines
    // (so `amapiano migrate ... | jq` gets JSON even from an interactive shell).
    static ProgressOutput Detect(bool force_json);

    ProgressOutput output() const { return output_; }

    // Starts the clock of a phase (rates and ETA are measured from here).
    void StartPhase(std::string_view phase);
    // Reports progress, dropped when the last report was too recent.
    void Update(const ProgressUpdate& update);
    // Reports progress unconditionally (the last report of a table or phase).
    void Finish(const ProgressUpdate& update);

    // One difference found by verification: `fields` become the JSON event (plus "event":"mismatch"),
    // `text` the plain-text line.
    void Mismatch(nlohmann::ordered_json fields, std::string_view text);
    // Work on one item failed for good (an object that could not be copied or read): {"event":"failure"}.
    void Failure(nlohmann::ordered_json fields, std::string_view text);
    // Something the operator should know that is not a failure (extra objects, rows kept in the target).
    void Warning(nlohmann::ordered_json fields, std::string_view text);
    // The closing report: `fields` (with "ok") become {"event":"summary",...}; `text` may span lines.
    void Summary(nlohmann::ordered_json fields, std::string_view text);

private:
    void Emit(const ProgressUpdate& update, bool force);
    void PrintEvent(std::string_view event, nlohmann::ordered_json fields, std::string_view text);
    void ClearBarLocked();

    using Clock = std::chrono::steady_clock;

    const ProgressOutput output_;
    std::FILE* const out_;
    std::FILE* const err_;
    std::mutex mutex_;
    Clock::time_point phase_start_ = Clock::now();
    Clock::time_point last_emit_{};
    // Where the current (phase, table) started, for the item rate.
    std::string run_key_;
    Clock::time_point run_start_ = Clock::now();
    int64_t run_start_done_ = 0;
    bool bar_visible_ = false;
};

// "1.5 MB", "312 kB", "17 B" (decimal units, as the MB/s in summaries).
std::string FormatBytes(double bytes);

}  // namespace amapiano::ops
