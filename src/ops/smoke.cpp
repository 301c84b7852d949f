#include "ops/smoke.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <optional>
#include <thread>

#include "core/ids.h"
#include "core/text.h"
#include "ops/migration_progress.h"

namespace amapiano::ops {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

Error Fail(std::string message) { return Error{ErrorCode::kUnavailable, std::move(message)}; }

double Round1(double x) { return std::round(x * 10.0) / 10.0; }

std::string Plural(size_t n, std::string_view word) {
    return std::to_string(n) + " " + std::string(word) + (n == 1 ? "" : "s");
}

// What the smoke test made on the service, for the steps after and for cleanup.
struct SmokeState final {
    std::string email;
    std::string password;
    bool signed_up = false;
    std::vector<std::string> track_ids;
    std::string wav;        // the generated mix, as downloaded
    std::string wav_url;    // its signed URL
    double spec_bpm = 0.0;  // the tempo the track was made at (0 when unknown)
    double track_analysis_bpm = 0.0;
    bool redirected = false;  // downloads were answered with a redirect
};

// Polls GET /api/v1/jobs/{id} until the job succeeded or failed, or the time is up.
Result<json> WaitForJob(const ServiceClient& client, const std::string& id, std::chrono::seconds timeout,
                        std::chrono::milliseconds poll) {
    const auto deadline = Clock::now() + timeout;
    std::string last = "queued";
    while (true) {
        auto r = client.Get("/api/v1/jobs/" + id);
        if (!r) return r.error();
        if (r->status == 429) {
            std::this_thread::sleep_for(std::min<Clock::duration>(r->RetryAfter(), deadline - Clock::now()));
        } else if (r->status != 200) {
            return Fail("GET /api/v1/jobs/" + id + " answered " + r->Describe());
        } else {
            json job = r->Json();
            last = StringAt(job, "status");
            if (last == "succeeded" || last == "failed") return job;
        }
        if (Clock::now() >= deadline) {
            return Fail("job " + id + " was still " + last + " after " + std::to_string(timeout.count()) +
                        " s");
        }
        std::this_thread::sleep_for(poll);
    }
}

Status CheckMagic(const json& asset, std::string_view bytes) {
    const std::string format = StringAt(asset, "format");
    const std::string name = StringAt(asset, "name");
    auto starts = [&](std::string_view magic) { return bytes.substr(0, magic.size()) == magic; };
    bool ok = true;
    std::string want;
    if (format == "wav") {
        ok = bytes.size() >= 12 && starts("RIFF") && bytes.substr(8, 4) == "WAVE";
        want = "RIFF....WAVE";
    } else if (format == "midi") {
        ok = starts("MThd");
        want = "MThd";
    } else if (format == "flac") {
        ok = starts("fLaC");
        want = "fLaC";
    } else if (format == "ogg") {
        ok = starts("OggS");
        want = "OggS";
    }
    if (ok) return {};
    std::string seen;
    for (char c : bytes.substr(0, 12)) seen += std::isprint(static_cast<unsigned char>(c)) ? c : '.';
    return Fail(name + " starts with '" + seen + "', not " + want);
}

// The query parameters of a URL, split at '&' (values left encoded).
std::vector<std::string> QueryParts(const std::string& url) {
    std::vector<std::string> parts;
    const size_t q = url.find('?');
    if (q == std::string::npos) return parts;
    size_t pos = q + 1;
    while (pos <= url.size()) {
        size_t end = url.find('&', pos);
        if (end == std::string::npos) end = url.size();
        if (end > pos) parts.push_back(url.substr(pos, end - pos));
        pos = end + 1;
    }
    return parts;
}

std::string WithQuery(const std::string& url, const std::vector<std::string>& parts) {
    std::string out = url.substr(0, url.find('?'));
    for (size_t i = 0; i < parts.size(); ++i) out += (i == 0 ? "?" : "&") + parts[i];
    return out;
}

}  // namespace

std::string AlterSignature(const std::string& url) {
    std::vector<std::string> parts = QueryParts(url);
    bool found = false;
    for (std::string& p : parts) {
        if (!p.starts_with("signature=")) continue;
        found = true;
        if (p.size() == 10) {
            p += "00";
        } else {
            p.back() = p.back() == '0' ? '1' : '0';
        }
    }
    if (!found) parts.push_back("signature=00");
    return WithQuery(url, parts);
}

std::string RemoveSignature(const std::string& url) {
    std::vector<std::string> parts = QueryParts(url);
    std::erase_if(parts, [](const std::string& p) { return p.starts_with("signature="); });
    return WithQuery(url, parts);
}

namespace {

Result<std::string> Health(const ServiceClient& client) {
    auto healthz = client.Get("/healthz");
    if (!healthz) return healthz.error();
    if (healthz->status != 200) return Fail("/healthz answered " + healthz->Describe());
    auto health = client.Get("/health");
    if (!health) return health.error();
    const json h = health->Json();
    const std::string status = StringAt(h, "status");
    if (health->status != 200 || status != "healthy") {
        return Fail("/healthz 200, but /health answered " + health->Describe());
    }
    const std::string version = StringAt(h, "version");
    return "/healthz 200, /health healthy" + (version.empty() ? "" : " (version " + version + ")");
}

Result<std::string> Readiness(const ServiceClient& client) {
    auto r = client.Get("/readyz");
    if (!r) return r.error();
    const json body = r->Json();
    if (r->status == 200) return std::string("/readyz 200 ") + StringAt(body, "status");
    std::string why;
    if (body.is_object() && body.contains("checks") && body["checks"].is_object()) {
        for (const auto& [name, value] : body["checks"].items()) {
            if (value.is_string() && value.get<std::string>() != "ok") {
                why += (why.empty() ? "" : "; ") + name + ": " + value.get<std::string>();
            }
        }
    }
    const std::string status = StringAt(body, "status");
    return Fail("/readyz answered " + std::to_string(r->status) + (status.empty() ? "" : " " + status) +
                (why.empty() ? "" : " (" + why + ")"));
}

Result<std::string> SignUp(ServiceClient& client, SmokeState& state) {
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    state.email = ThrowawayEmail("smoke", std::chrono::duration_cast<std::chrono::seconds>(now).count());
    state.password = RandomToken(18);  // 24 characters
    auto r = client.PostJson(
        "/api/v1/auth/signup",
        {{"email", state.email}, {"password", state.password}, {"display_name", "amapiano smoke test"}});
    if (!r) return r.error();
    if (r->status != 201) return Fail("POST /api/v1/auth/signup answered " + r->Describe());
    const std::string token = StringAt(r->Json(), "token");
    if (token.empty()) return Fail("the signup answer has no token");
    state.signed_up = true;
    client.SetToken(token);
    return "created " + state.email;
}

Result<std::string> LogIn(ServiceClient& client, const SmokeState& state) {
    auto r = client.Send({.method = "POST",
                          .path = "/api/v1/auth/login",
                          .json = json{{"email", state.email}, {"password", state.password}},
                          .authorize = false});
    if (!r) return r.error();
    if (r->status != 200) return Fail("POST /api/v1/auth/login answered " + r->Describe());
    const std::string token = StringAt(r->Json(), "token");
    if (token.empty()) return Fail("the login answer has no token");
    ServiceClient session = client;
    session.SetToken(token);
    auto me = session.Get("/api/v1/auth/me");
    if (!me) return me.error();
    if (me->status != 200) return Fail("GET /api/v1/auth/me with the new token answered " + me->Describe());
    const json body = me->Json();
    const std::string email = body.is_object() ? StringAt(body.value("user", json()), "email") : "";
    if (email != state.email) return Fail("/api/v1/auth/me names '" + email + "', not " + state.email);
    client.SetToken(token);  // the rest runs on the login's session
    return "logged in; /api/v1/auth/me is " + email;
}

Result<std::string> Generate(const ServiceClient& client, const SmokeOptions& options, SmokeState& state) {
    const json spec = {{"prompt", options.prompt},
                       {"bars", 8},
                       {"seed", options.seed},
                       {"formats", json::array({"wav"})},
                       {"midi", true}};
    auto posted = client.PostJson("/api/v1/generations", spec);
    if (!posted) return posted.error();
    if (posted->status != 202) return Fail("POST /api/v1/generations answered " + posted->Describe());
    const std::string job_id = StringAt(posted->Json().value("job", json()), "id");
    if (job_id.empty()) return Fail("the generation answer has no job id");
    const auto started = Clock::now();
    auto job = WaitForJob(client, job_id, options.job_timeout, options.poll_interval);
    if (!job) return job.error();
    const double job_seconds = std::chrono::duration<double>(Clock::now() - started).count();
    if (StringAt(*job, "status") != "succeeded") {
        const json error = job->value("error", json());
        return Fail("generation job " + job_id + " failed: " + StringAt(error, "code") + ": " +
                    StringAt(error, "message"));
    }
    const std::string track_id = StringAt(job->value("result", json()), "track_id");
    if (track_id.empty()) return Fail("generation job " + job_id + " succeeded without a track_id");
    state.track_ids.push_back(track_id);

    auto got = client.Get("/api/v1/tracks/" + track_id);
    if (!got) return got.error();
    if (got->status != 200) return Fail("GET /api/v1/tracks/" + track_id + " answered " + got->Describe());
    const json track = got->Json();
    const json spec_doc = track.value("spec", json());
    if (spec_doc.is_object() && spec_doc.contains("bpm") && spec_doc["bpm"].is_number()) {
        state.spec_bpm = spec_doc["bpm"].get<double>();
    }
    const json analysis = track.value("analysis", json());
    if (analysis.is_object() && analysis.contains("bpm") && analysis["bpm"].is_number()) {
        state.track_analysis_bpm = analysis["bpm"].get<double>();
    }
    const json assets = track.value("assets", json::array());
    if (!assets.is_array() || assets.empty()) return Fail("track " + track_id + " has no assets");

    std::vector<std::string> listed;
    bool has_midi = false;
    for (const json& asset : assets) {
        const std::string name = StringAt(asset, "name");
        const std::string url = StringAt(asset, "url");
        const int64_t size = asset.value("size_bytes", int64_t(-1));
        auto download = client.Send({.path = url, .authorize = false, .follow_redirect = true});
        if (!download) return Error{download.error().code, name + ": " + download.error().message};
        const std::string via =
            download->redirected_to.empty() ? "" : " (via " + UrlOrigin(download->redirected_to) + ")";
        if (download->status != 200) {
            return Fail("downloading " + name + via + " answered " + download->Describe());
        }
        if (int64_t(download->body.size()) != size) {
            return Fail(name + via + ": " + std::to_string(download->body.size()) +
                        " bytes downloaded, size_bytes says " + std::to_string(size));
        }
        if (Status magic = CheckMagic(asset, download->body); !magic) return magic.error();
        state.redirected = state.redirected || !download->redirected_to.empty();
        has_midi = has_midi || StringAt(asset, "format") == "midi";
        if (StringAt(asset, "kind") == "mix" && StringAt(asset, "format") == "wav") {
            state.wav = std::move(download->body);
            state.wav_url = url;
        }
        listed.push_back(name + " " + FormatBytes(double(size)));
    }
    if (state.wav.empty()) return Fail("track " + track_id + " has no WAV mix");
    if (!has_midi) return Fail("track " + track_id + " has no MIDI file although midi was asked for");
    std::string names;
    for (const std::string& n : listed) names += (names.empty() ? "" : ", ") + n;
    return "job done in " + FormatFixed(job_seconds, 1) + " s; " + Plural(listed.size(), "asset") +
           " checked (" + names + ")" + (state.redirected ? " through redirects" : "");
}

Result<std::string> Analyse(const ServiceClient& client, const SmokeOptions& options,
                            const SmokeState& state) {
    auto posted = client.Send(
        {.method = "POST", .path = "/api/v1/analyses", .body = state.wav, .content_type = "audio/wav"});
    if (!posted) return posted.error();
    if (posted->status != 202) return Fail("POST /api/v1/analyses answered " + posted->Describe());
    const std::string job_id = StringAt(posted->Json().value("job", json()), "id");
    if (job_id.empty()) return Fail("the analysis answer has no job id");
    auto job = WaitForJob(client, job_id, options.job_timeout, options.poll_interval);
    if (!job) return job.error();
    if (StringAt(*job, "status") != "succeeded") {
        const json error = job->value("error", json());
        return Fail("analysis job " + job_id + " failed: " + StringAt(error, "code") + ": " +
                    StringAt(error, "message"));
    }
    const json analysis = job->value("result", json()).value("analysis", json());
    if (!analysis.is_object() || !analysis.contains("bpm") || !analysis["bpm"].is_number()) {
        return Fail("the analysis found no tempo");
    }
    const double bpm = analysis["bpm"].get<double>();
    const bool from_spec = state.spec_bpm > 0;
    const double expected = from_spec ? state.spec_bpm : state.track_analysis_bpm;
    const std::string what = std::string(from_spec ? "the track's spec" : "the track's own analysis") +
                             " says " + FormatFixed(expected, 1) + " BPM";
    if (expected <= 0)
        return Fail("read " + FormatFixed(bpm, 1) + " BPM, but the track states no tempo to compare");
    if (std::abs(bpm - expected) > options.bpm_tolerance) {
        return Fail("read " + FormatFixed(bpm, 1) + " BPM; " + what + " (more than " +
                    FormatFixed(options.bpm_tolerance, 0) + " BPM apart)");
    }
    return "read " + FormatFixed(bpm, 1) + " BPM from the uploaded WAV; " + what;
}

Result<std::string> SignedUrl(const ServiceClient& client, const SmokeState& state) {
    auto altered = client.Send({.path = AlterSignature(state.wav_url), .authorize = false});
    if (!altered) return altered.error();
    if (altered->status != 403) {
        return Fail("the link with an altered signature answered " + altered->Describe() + ", not 403");
    }
    auto unsigned_ = client.Send({.path = RemoveSignature(state.wav_url), .authorize = false});
    if (!unsigned_) return unsigned_.error();
    if (unsigned_->status < 400 || unsigned_->status >= 500) {
        return Fail("the link without a signature answered " + unsigned_->Describe() + ", not a refusal");
    }
    auto ranged = client.Send(
        {.path = state.wav_url, .range = "bytes=0-99", .authorize = false, .follow_redirect = true});
    if (!ranged) return ranged.error();
    const std::string via = ranged->redirected_to.empty() ? "" : " via " + UrlOrigin(ranged->redirected_to);
    if (ranged->status != 206)
        return Fail("Range: bytes=0-99" + via + " answered " + ranged->Describe() + ", not 206");
    if (ranged->body != state.wav.substr(0, 100)) {
        return Fail("Range: bytes=0-99" + via + " gave " + std::to_string(ranged->body.size()) +
                    " bytes that are not the file's first 100");
    }
    return "altered signature " + std::to_string(altered->status) + " " + altered->ErrorCode() +
           ", no signature " + std::to_string(unsigned_->status) + " " + unsigned_->ErrorCode() +
           ", Range 0-99 206 with 100 bytes" + via;
}

Result<std::string> Cleanup(const ServiceClient& client, const SmokeOptions& options,
                            const SmokeState& state) {
    if (!state.signed_up) return std::string("nothing to clean up");
    std::vector<std::string> problems;
    size_t deleted = 0;
    for (const std::string& id : state.track_ids) {
        auto r = client.Delete("/api/v1/tracks/" + id);
        if (!r) {
            problems.push_back("DELETE /api/v1/tracks/" + id + ": " + r.error().message);
        } else if (r->status != 204) {
            problems.push_back("DELETE /api/v1/tracks/" + id + " answered " + r->Describe());
        } else {
            ++deleted;
        }
    }
    // A job still queued or running keeps the account (409 jobs_active): wait for it, within bounds.
    const auto deadline = Clock::now() + options.delete_retry;
    std::optional<ClientResponse> gone;
    while (true) {
        auto r = client.Delete("/api/v1/auth/me");
        if (!r) {
            problems.push_back("DELETE /api/v1/auth/me: " + r.error().message);
            break;
        }
        const bool retry = r->status == 409 || r->status == 429;
        if (!retry || Clock::now() >= deadline) {
            gone = std::move(*r);
            break;
        }
        std::this_thread::sleep_for(r->status == 429 ? r->RetryAfter() : std::chrono::milliseconds(500));
    }
    const bool account_deleted = gone && gone->status == 204;
    if (gone && !account_deleted) {
        problems.push_back("DELETE /api/v1/auth/me answered " + gone->Describe() + "; the account " +
                           state.email + " is left behind");
    }
    if (account_deleted) {
        auto me = client.Get("/api/v1/auth/me");
        if (!me) {
            problems.push_back("GET /api/v1/auth/me after the deletion: " + me.error().message);
        } else if (me->status != 401) {
            problems.push_back("the deleted account's token still gets " + me->Describe() + " (want 401)");
        }
    }
    if (!problems.empty()) {
        std::string text;
        for (const std::string& p : problems) text += (text.empty() ? "" : "; ") + p;
        return Fail(text);
    }
    return "deleted " + Plural(deleted, "track") + " and the account " + state.email +
           "; its token now gets 401";
}

}  // namespace

std::string_view StepStatusName(StepStatus status) {
    switch (status) {
        case StepStatus::kPass: return "pass";
        case StepStatus::kFail: return "fail";
        case StepStatus::kSkip: return "skip";
    }
    return "fail";
}

const SmokeStep& StepRunner::Run(std::string name, std::vector<std::string> needs, const Body& body) {
    SmokeStep step{.name = std::move(name)};
    std::string missing;
    for (const std::string& need : needs) {
        if (!Passed(need)) missing += (missing.empty() ? "" : ", ") + need;
    }
    if (!missing.empty()) {
        step.status = StepStatus::kSkip;
        step.detail = "needs " + missing + ", which did not pass";
    } else {
        const auto start = Clock::now();
        try {
            Result<std::string> outcome = body();
            step.status = outcome ? StepStatus::kPass : StepStatus::kFail;
            step.detail = outcome ? *outcome : outcome.error().message;
        } catch (const std::exception& e) {
            step.status = StepStatus::kFail;
            step.detail = std::string("an answer of an unexpected shape: ") + e.what();
        }
        step.ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    }
    steps_.push_back(std::move(step));
    if (on_step_) on_step_(steps_.back());
    return steps_.back();
}

bool StepRunner::Passed(std::string_view name) const {
    return std::any_of(steps_.begin(), steps_.end(),
                       [&](const SmokeStep& s) { return s.name == name && s.status == StepStatus::kPass; });
}

int SmokeReport::PassedCount() const {
    return int(std::count_if(steps.begin(), steps.end(),
                             [](const SmokeStep& s) { return s.status == StepStatus::kPass; }));
}

std::string ThrowawayEmail(std::string_view prefix, int64_t unix_seconds) {
    return std::string(prefix) + "-" + std::to_string(unix_seconds) + "-" +
           HexEncode(std::span<const uint8_t>(RandomBytes(4))) + "@smoke.invalid";
}

Result<SmokeReport> RunSmoke(const SmokeOptions& options) {
    auto created = ServiceClient::Create(options.url, options.headers);
    if (!created) return created.error();
    ServiceClient client = std::move(*created);
    const auto start = Clock::now();
    SmokeState state;
    StepRunner runner(options.on_step);
    runner.Run("health", {}, [&] { return Health(client); });
    runner.Run("readiness", {"health"}, [&] { return Readiness(client); });
    runner.Run("signup", {"health"}, [&] { return SignUp(client, state); });
    runner.Run("login", {"signup"}, [&] { return LogIn(client, state); });
    runner.Run("generation", {"signup"}, [&] { return Generate(client, options, state); });
    runner.Run("analysis", {"generation"}, [&] { return Analyse(client, options, state); });
    runner.Run("signed_url", {"generation"}, [&] { return SignedUrl(client, state); });
    runner.Run("cleanup", {}, [&] { return Cleanup(client, options, state); });
    SmokeReport report;
    report.url = client.base_url();
    report.steps = runner.steps();
    report.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return report;
}

std::string SmokeStepLine(const SmokeStep& step) {
    std::string status(StepStatusName(step.status));
    for (char& c : status) c = char(std::toupper(static_cast<unsigned char>(c)));
    char head[64];
    std::snprintf(head, sizeof(head), "%-4s  %-10s %6lld ms   ", status.c_str(), step.name.c_str(),
                  static_cast<long long>(std::llround(step.ms)));
    return head + step.detail;
}

std::string SmokeSummaryLine(const SmokeReport& report) {
    const int total = int(report.steps.size());
    const int passed = report.PassedCount();
    const std::string tail = " against " + report.url + " in " + FormatFixed(report.seconds, 1) + " s";
    if (report.Passed())
        return "smoke: " + std::to_string(passed) + "/" + std::to_string(total) + " passed" + tail;
    return "smoke: FAILED " + std::to_string(total - passed) + " of " + std::to_string(total) + " steps" +
           tail;
}

nlohmann::ordered_json SmokeJson(const SmokeReport& report) {
    nlohmann::ordered_json steps = nlohmann::ordered_json::array();
    for (const SmokeStep& s : report.steps) {
        steps.push_back({{"name", s.name},
                         {"status", StepStatusName(s.status)},
                         {"ms", Round1(s.ms)},
                         {"detail", s.detail}});
    }
    return {{"url", report.url},
            {"passed", report.Passed()},
            {"seconds", std::round(report.seconds * 1000.0) / 1000.0},
            {"steps", std::move(steps)}};
}

}  // namespace amapiano::ops
