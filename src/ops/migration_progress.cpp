#include "ops/migration_progress.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>

namespace amapiano::ops {
namespace {

// A bar redrawn more often than this only flickers; a log collector wants fewer lines still.
constexpr std::chrono::milliseconds kBarInterval{100};
constexpr std::chrono::milliseconds kJsonInterval{500};
constexpr size_t kDefaultBarWidth = 100;

double Seconds(std::chrono::steady_clock::duration d) { return std::chrono::duration<double>(d).count(); }

std::string FormatCount(double n) {
    char buf[32];
    if (n >= 1e6) {
        std::snprintf(buf, sizeof(buf), "%.1fM", n / 1e6);
    } else if (n >= 1e4) {
        std::snprintf(buf, sizeof(buf), "%.1fk", n / 1e3);
    } else {
        std::snprintf(buf, sizeof(buf), "%.0f", n);
    }
    return buf;
}

std::string FormatDuration(double seconds) {
    if (!std::isfinite(seconds) || seconds < 0) return "--:--";
    const auto s = int64_t(seconds + 0.5);
    char buf[32];
    if (s >= 3600) {
        std::snprintf(buf, sizeof(buf), "%lld:%02lld:%02lld", static_cast<long long>(s / 3600),
                      static_cast<long long>(s / 60 % 60), static_cast<long long>(s % 60));
    } else {
        std::snprintf(buf, sizeof(buf), "%lld:%02lld", static_cast<long long>(s / 60),
                      static_cast<long long>(s % 60));
    }
    return buf;
}

size_t TerminalWidth(std::FILE* stream) {
    winsize ws{};
    if (::ioctl(::fileno(stream), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 10) return ws.ws_col;
    return kDefaultBarWidth;
}

}  // namespace

std::string FormatBytes(double bytes) {
    char buf[32];
    if (bytes >= 1e9) {
        std::snprintf(buf, sizeof(buf), "%.2f GB", bytes / 1e9);
    } else if (bytes >= 1e6) {
        std::snprintf(buf, sizeof(buf), "%.1f MB", bytes / 1e6);
    } else if (bytes >= 1e3) {
        std::snprintf(buf, sizeof(buf), "%.0f kB", bytes / 1e3);
    } else {
        std::snprintf(buf, sizeof(buf), "%.0f B", bytes);
    }
    return buf;
}

MigrationProgress::MigrationProgress(ProgressOutput output, std::FILE* out, std::FILE* err)
    : output_(output), out_(out), err_(err) {}

MigrationProgress::~MigrationProgress() {
    std::lock_guard lock(mutex_);
    ClearBarLocked();
}

ProgressOutput MigrationProgress::Detect(bool force_json) {
    if (force_json) return ProgressOutput::kJsonLines;
    return ::isatty(STDOUT_FILENO) && ::isatty(STDERR_FILENO) ? ProgressOutput::kTerminal
                                                              : ProgressOutput::kJsonLines;
}

void MigrationProgress::StartPhase(std::string_view phase) {
    std::lock_guard lock(mutex_);
    phase_start_ = Clock::now();
    last_emit_ = {};
    run_key_ = std::string(phase) + "\n";
    run_start_ = phase_start_;
    run_start_done_ = 0;
}

void MigrationProgress::Update(const ProgressUpdate& update) { Emit(update, false); }

void MigrationProgress::Finish(const ProgressUpdate& update) { Emit(update, true); }

void MigrationProgress::Emit(const ProgressUpdate& u, bool force) {
    if (output_ == ProgressOutput::kQuiet) return;
    std::lock_guard lock(mutex_);
    const Clock::time_point now = Clock::now();
    const std::string run_key = std::string(u.phase) + "\n" + std::string(u.table);
    if (run_key != run_key_) {
        // A new table: its row rate starts now, from what it already had (a resumed copy).
        run_key_ = run_key;
        run_start_ = now;
        run_start_done_ = u.done;
    }
    const auto interval = output_ == ProgressOutput::kTerminal ? kBarInterval : kJsonInterval;
    if (!force && last_emit_ != Clock::time_point{} && now - last_emit_ < interval) return;
    last_emit_ = now;

    const double elapsed_s = Seconds(now - phase_start_);
    const double run_s = Seconds(now - run_start_);
    const double rate = run_s > 0 ? double(u.done - run_start_done_) / run_s : 0.0;
    const double bytes_per_s = elapsed_s > 0 ? double(u.bytes) / elapsed_s : 0.0;
    double eta_s = -1;
    if (u.total_bytes > 0 && bytes_per_s > 0) {
        eta_s = double(std::max<int64_t>(0, u.total_bytes - u.bytes)) / bytes_per_s;
    } else if (rate > 0) {
        eta_s = double(std::max<int64_t>(0, u.total - u.done)) / rate;
    } else if (u.done >= u.total) {
        eta_s = 0;
    }

    if (output_ == ProgressOutput::kJsonLines) {
        nlohmann::ordered_json j = {{"event", "progress"},
                                    {"phase", u.phase},
                                    {"table", u.table},
                                    {"unit", u.unit},
                                    {"done", u.done},
                                    {"total", u.total},
                                    {"bytes", u.bytes},
                                    {"rate", std::round(rate * 10) / 10},
                                    {"bytes_per_s", std::round(bytes_per_s)},
                                    {"elapsed_s", std::round(elapsed_s * 1000) / 1000}};
        if (u.total_bytes > 0) j["total_bytes"] = u.total_bytes;
        j["eta_s"] = eta_s >= 0 ? nlohmann::ordered_json(std::round(eta_s * 10) / 10)
                                : nlohmann::ordered_json(nullptr);
        if (u.table.empty()) j.erase("table");
        std::fputs((j.dump() + "\n").c_str(), out_);
        std::fflush(out_);
        return;
    }

    std::string line = std::string(u.phase);
    if (!u.table.empty()) line += " " + std::string(u.table);
    line += "  " + std::to_string(u.done) + "/" + std::to_string(u.total) + " " + std::string(u.unit);
    if (u.total > 0) {
        char pct[16];
        std::snprintf(pct, sizeof(pct), " (%.0f%%)", 100.0 * double(u.done) / double(u.total));
        line += pct;
    }
    line += "  " + FormatBytes(double(u.bytes));
    if (u.total_bytes > 0) line += "/" + FormatBytes(double(u.total_bytes));
    line += "  " + FormatCount(rate) + " " + std::string(u.unit) + "/s  " + FormatBytes(bytes_per_s) + "/s";
    line += "  ETA " + FormatDuration(eta_s);
    const size_t width = TerminalWidth(err_) - 1;  // never wrap: \r only returns within one line
    if (line.size() > width) line.resize(width);
    std::fputs(("\r\033[K" + line).c_str(), err_);
    std::fflush(err_);
    bar_visible_ = true;
}

void MigrationProgress::ClearBarLocked() {
    if (!bar_visible_) return;
    std::fputs("\r\033[K", err_);
    std::fflush(err_);
    bar_visible_ = false;
}

void MigrationProgress::PrintEvent(std::string_view event, nlohmann::ordered_json fields,
                                   std::string_view text) {
    if (output_ == ProgressOutput::kQuiet) return;
    std::lock_guard lock(mutex_);
    if (output_ == ProgressOutput::kJsonLines) {
        nlohmann::ordered_json j = {{"event", event}};
        j.update(fields);
        std::fputs((j.dump() + "\n").c_str(), out_);
    } else {
        ClearBarLocked();
        std::string line(text);
        if (line.empty() || line.back() != '\n') line += '\n';
        std::fputs(line.c_str(), out_);
    }
    std::fflush(out_);
    // The next progress report redraws the bar at once.
    last_emit_ = {};
}

void MigrationProgress::Mismatch(nlohmann::ordered_json fields, std::string_view text) {
    PrintEvent("mismatch", std::move(fields), text);
}

void MigrationProgress::Failure(nlohmann::ordered_json fields, std::string_view text) {
    PrintEvent("failure", std::move(fields), "failed: " + std::string(text));
}

void MigrationProgress::Warning(nlohmann::ordered_json fields, std::string_view text) {
    PrintEvent("warning", std::move(fields), "warning: " + std::string(text));
}

void MigrationProgress::Summary(nlohmann::ordered_json fields, std::string_view text) {
    PrintEvent("summary", std::move(fields), text);
}

}  // namespace amapiano::ops
