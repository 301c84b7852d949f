#include "jobs/job_store.h"

#include "core/clock.h"
#include "core/ids.h"

namespace amapiano::jobs {
namespace {

constexpr const char* kColumns =
    "id, user_id, kind, status, progress, params, result, error_code, error_message, attempts, "
    "created_at, updated_at, claim";

std::optional<JobStatus> ParseStatus(std::string_view s) {
    if (s == "queued") return JobStatus::kQueued;
    if (s == "running") return JobStatus::kRunning;
    if (s == "succeeded") return JobStatus::kSucceeded;
    if (s == "failed") return JobStatus::kFailed;
    return std::nullopt;
}

Result<Job> JobFrom(const store::SqlRow& row) {
    Job job;
    job.id = row.Text(0);
    job.user_id = row.Text(1);
    job.kind = row.Text(2);
    auto status = ParseStatus(row.Text(3));
    if (!status) return Error::CorruptData("job " + job.id + " has an unknown status '" + row.Text(3) + "'");
    job.status = *status;
    job.progress = row.Real(4);
    job.params = nlohmann::json::parse(row.Text(5, "{}"), nullptr, false);
    if (!row.IsNull(6)) job.result = nlohmann::json::parse(row.Text(6), nullptr, false);
    if (job.params.is_discarded() || job.result.is_discarded()) {
        return Error::CorruptData("job " + job.id + " holds malformed JSON");
    }
    job.error_code = row.Text(7);
    job.error_message = row.Text(8);
    job.attempts = row.Int(9);
    job.created_at = row.Text(10);
    job.updated_at = row.Text(11);
    job.claim = row.Text(12);
    return job;
}

std::string TimestampIn(std::chrono::seconds from_now) {
    return UtcTimestamp(std::chrono::system_clock::now() + from_now);
}

}  // namespace

std::string_view JobStatusName(JobStatus status) {
    switch (status) {
        case JobStatus::kQueued: return "queued";
        case JobStatus::kRunning: return "running";
        case JobStatus::kSucceeded: return "succeeded";
        case JobStatus::kFailed: return "failed";
    }
    return "queued";
}

nlohmann::json JobJson(const Job& job) {
    nlohmann::json out = {{"id", job.id},
                          {"kind", job.kind},
                          {"status", JobStatusName(job.status)},
                          {"progress", job.progress},
                          {"attempts", job.attempts},
                          {"created_at", job.created_at},
                          {"updated_at", job.updated_at}};
    if (job.status == JobStatus::kSucceeded) out["result"] = job.result;
    if (job.status == JobStatus::kFailed) {
        out["error"] = {{"code", job.error_code}, {"message", job.error_message}};
    }
    return out;
}

Result<Job> JobStore::Enqueue(std::string_view user_id, std::string_view kind, const nlohmann::json& params,
                              std::string id) {
    Job job;
    job.id = id.empty() ? NewId() : std::move(id);
    job.user_id = std::string(user_id);
    job.kind = std::string(kind);
    job.params = params;
    job.created_at = job.updated_at = UtcTimestamp();
    auto r = db_.Execute(
        "INSERT INTO jobs (id, user_id, kind, status, progress, params, attempts, created_at, updated_at) "
        "VALUES ($1, $2, $3, 'queued', 0, $4, 0, $5, $5)",
        {job.id, job.user_id, job.kind, params.dump(), job.created_at});
    if (!r) return r.error();
    return job;
}

Result<Job> JobStore::Find(std::string_view id) {
    auto rows = db_.Query(std::string("SELECT ") + kColumns + " FROM jobs WHERE id = $1", {std::string(id)});
    if (!rows) return rows.error();
    if (rows->empty()) return Error::NotFound("no job " + std::string(id));
    return JobFrom(rows->front());
}

Result<std::optional<Job>> JobStore::ClaimNext() {
    std::optional<Job> claimed;
    const std::string now = UtcTimestamp();
    // One statement: pick the oldest runnable job and take it. On PostgreSQL any number of workers
    // skip each other's locked rows instead of queueing behind them; on SQLite the writer lock
    // serialises claims.
    const std::string claim = std::string(
                                  "UPDATE jobs SET status = 'running', attempts = attempts + 1, claim = $3, "
                                  "lease_until = $2, updated_at = $1 WHERE id = (SELECT id FROM jobs WHERE "
                                  "status = 'queued' AND (lease_until IS NULL OR lease_until <= $1) "
                                  "ORDER BY created_at, id LIMIT 1") +
                              (db_.Dialect() == "postgresql" ? " FOR UPDATE SKIP LOCKED" : "") +
                              ") AND status = 'queued' RETURNING " + kColumns;
    Status s = db_.Transaction([&](store::SqlSession& sql) -> Status {
        auto rows = sql.Query(claim, {now, TimestampIn(options_.lease), NewId()});
        if (!rows) return rows.error();
        if (rows->empty()) return {};
        auto job = JobFrom(rows->front());
        if (!job) return job.error();
        claimed = std::move(*job);
        return {};
    });
    if (!s) return s.error();
    return claimed;
}

Status JobStore::Renew(const Job& claimed, std::optional<double> progress) {
    const std::string now = UtcTimestamp();
    auto r = progress ? db_.Execute(
                            "UPDATE jobs SET lease_until = $3, progress = $4, updated_at = $5 "
                            "WHERE id = $1 AND claim = $2 AND status = 'running'",
                            {claimed.id, claimed.claim, TimestampIn(options_.lease), *progress, now})
                      : db_.Execute(
                            "UPDATE jobs SET lease_until = $3 "
                            "WHERE id = $1 AND claim = $2 AND status = 'running'",
                            {claimed.id, claimed.claim, TimestampIn(options_.lease)});
    if (!r) return r.error();
    if (*r != 1) return Error::Conflict("job " + claimed.id + " is no longer held by this worker");
    return {};
}

Status JobStore::MarkSucceeded(store::SqlSession& sql, const Job& claimed, const nlohmann::json& result) {
    auto r = sql.Execute(
        "UPDATE jobs SET status = 'succeeded', progress = 1, result = $3, lease_until = NULL, updated_at = "
        "$4 "
        "WHERE id = $1 AND claim = $2 AND status = 'running'",
        {claimed.id, claimed.claim, result.dump(), UtcTimestamp()});
    if (!r) return r.error();
    if (*r != 1) return Error::Conflict("job " + claimed.id + " is no longer held by this worker");
    return {};
}

Status JobStore::MarkFailed(const Job& claimed, const Error& error) {
    auto r = db_.Execute(
        "UPDATE jobs SET status = 'failed', error_code = $3, error_message = $4, lease_until = NULL, "
        "updated_at = $5 WHERE id = $1 AND claim = $2 AND status = 'running'",
        {claimed.id, claimed.claim, std::string(ErrorCodeName(error.code)), error.message, UtcTimestamp()});
    if (!r) return r.error();
    if (*r != 1) return Error::Conflict("job " + claimed.id + " is no longer held by this worker");
    return {};
}

Status JobStore::Retry(const Job& claimed, std::chrono::seconds backoff) {
    auto r = db_.Execute(
        "UPDATE jobs SET status = 'queued', progress = 0, lease_until = $3, updated_at = $4 "
        "WHERE id = $1 AND claim = $2 AND status = 'running'",
        {claimed.id, claimed.claim, TimestampIn(backoff), UtcTimestamp()});
    if (!r) return r.error();
    if (*r != 1) return Error::Conflict("job " + claimed.id + " is no longer held by this worker");
    return {};
}

Status JobStore::Release(const Job& claimed) {
    auto r = db_.Execute(
        "UPDATE jobs SET status = 'queued', attempts = attempts - 1, claim = NULL, progress = 0, lease_until "
        "= NULL, "
        "updated_at = $3 WHERE id = $1 AND claim = $2 AND status = 'running'",
        {claimed.id, claimed.claim, UtcTimestamp()});
    if (!r) return r.error();
    if (*r != 1) return Error::Conflict("job " + claimed.id + " is no longer held by this worker");
    return {};
}

Result<int64_t> JobStore::RequeueExpired() {
    int64_t changed = 0;
    const std::string now = UtcTimestamp();
    Status s = db_.Transaction([&](store::SqlSession& sql) -> Status {
        auto expired = sql.Query(
            "SELECT id, attempts, claim FROM jobs WHERE status = 'running' AND lease_until < $1", {now});
        if (!expired) return expired.error();
        for (const store::SqlRow& row : *expired) {
            const int64_t attempts = row.Int(1);
            Result<int64_t> r = int64_t{0};
            if (attempts >= options_.max_attempts) {
                r = sql.Execute(
                    "UPDATE jobs SET status = 'failed', error_code = 'unavailable', error_message = $3, "
                    "lease_until = NULL, updated_at = $4 WHERE id = $1 AND claim = $2 AND status = 'running'",
                    {row.Text(0), row.Text(2),
                     "the job's worker stopped " + std::to_string(attempts) + " times while running it",
                     now});
            } else {
                const auto backoff =
                    options_.retry_backoff * (int64_t{1} << std::min<int64_t>(attempts - 1, 10));
                r = sql.Execute(
                    "UPDATE jobs SET status = 'queued', progress = 0, lease_until = $3, updated_at = $4 "
                    "WHERE id = $1 AND claim = $2 AND status = 'running'",
                    {row.Text(0), row.Text(2),
                     TimestampIn(std::chrono::duration_cast<std::chrono::seconds>(backoff)), now});
            }
            if (!r) return r.error();
            changed += *r;
        }
        return {};
    });
    if (!s) return s.error();
    return changed;
}

Result<std::vector<Job>> JobStore::ChangedSince(std::string_view since, int limit) {
    auto rows = db_.Query(std::string("SELECT ") + kColumns +
                              " FROM jobs WHERE updated_at >= $1 ORDER BY updated_at, id LIMIT $2",
                          {std::string(since), int64_t(limit)});
    if (!rows) return rows.error();
    std::vector<Job> out;
    out.reserve(rows->size());
    for (const store::SqlRow& row : *rows) {
        auto job = JobFrom(row);
        if (job) out.push_back(std::move(*job));
    }
    return out;
}

Result<QueueStats> JobStore::Stats() {
    auto rows = db_.Query(
        "SELECT status, COUNT(*), MIN(created_at) FROM jobs WHERE status IN ('queued', 'running') GROUP BY "
        "status");
    if (!rows) return rows.error();
    QueueStats stats;
    for (const store::SqlRow& row : *rows) {
        if (row.Text(0) == "running") {
            stats.running = row.Int(1);
            continue;
        }
        stats.queued = row.Int(1);
        if (auto oldest = ParseUtcTimestamp(row.Text(2))) {
            stats.oldest_queued_age_s = std::max(
                0.0, std::chrono::duration<double>(std::chrono::system_clock::now() - *oldest).count());
        }
    }
    return stats;
}

}  // namespace amapiano::jobs
