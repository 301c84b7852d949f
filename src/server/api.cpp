#include "server/api.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>

#include "compose/composer.h"
#include "compose/embedded_content.h"
#include "compose/generation_spec.h"
#include "core/clock.h"
#include "core/ids.h"
#include "core/text.h"
#include "jobs/generation_job.h"
#include "jobs/upload_jobs.h"
#include "server/multipart.h"
#include "store/migrations.h"

namespace amapiano::server {
namespace {

using nlohmann::json;

constexpr const char* kSessionCookie = "amapiano_session";
constexpr int kDefaultPageSize = 20;
constexpr int kMaxPageSize = 100;

// "application/json; charset=utf-8" -> "application/json"
std::string MediaType(const std::string& content_type) {
    std::string t = AsciiLower(content_type.substr(0, content_type.find(';')));
    while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) t.pop_back();
    return t;
}

std::vector<std::string> Segments(std::string_view path) {
    std::vector<std::string> out;
    size_t start = 1;
    while (start <= path.size()) {
        const size_t slash = path.find('/', start);
        out.emplace_back(
            path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
        if (slash == std::string_view::npos) break;
        start = slash + 1;
    }
    return out;
}

int64_t UnixNow() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

Result<json> ParseJsonObject(const ApiRequest& r) {
    json body = json::parse(r.body, nullptr, false);
    if (body.is_discarded()) return Error::InvalidArgument("the request body is not valid JSON");
    if (!body.is_object()) return Error::InvalidArgument("the request body must be a JSON object");
    return body;
}

ApiResponse InvalidJson(const Error& e) { return ErrorResponse(400, "invalid_json", e.message); }

// A required string field: 422 naming the field when missing or of the wrong type.
Result<std::string> RequiredString(const json& body, const char* field) {
    if (!body.contains(field) || body[field].is_null()) {
        return Error::InvalidArgument(std::string(field) + " is required");
    }
    if (!body[field].is_string()) return Error::InvalidArgument(std::string(field) + " must be a string");
    return body[field].get<std::string>();
}

// The required string fields of a JSON object body, in order, or the response explaining why not.
struct StringFields final {
    std::vector<std::string> values;
    std::optional<ApiResponse> error;
};
StringFields ReadStringFields(const ApiRequest& r, std::initializer_list<const char*> fields) {
    StringFields out;
    auto body = ParseJsonObject(r);
    if (!body) {
        out.error = InvalidJson(body.error());
        return out;
    }
    for (const char* field : fields) {
        auto value = RequiredString(*body, field);
        if (!value) {
            out.error = ErrorResponse(value.error());
            return out;
        }
        out.values.push_back(std::move(*value));
    }
    return out;
}

std::string ContentTypeFor(const std::string& format) {
    if (format == "wav") return "audio/wav";
    if (format == "flac") return "audio/flac";
    if (format == "mp3") return "audio/mpeg";
    if (format == "ogg") return "audio/ogg";
    if (format == "midi") return "audio/midi";
    return "application/octet-stream";
}

std::string CookieToken(const std::string& cookie_header) {
    size_t pos = 0;
    while (pos < cookie_header.size()) {
        size_t end = cookie_header.find(';', pos);
        if (end == std::string::npos) end = cookie_header.size();
        std::string_view part(cookie_header.data() + pos, end - pos);
        while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
        const std::string prefix = std::string(kSessionCookie) + "=";
        if (part.substr(0, prefix.size()) == prefix) return std::string(part.substr(prefix.size()));
        pos = end + 1;
    }
    return {};
}

// "bytes=a-b" | "bytes=a-" | "bytes=-n" against an object of `size` bytes: [first, last] inclusive.
// nullopt: ignore the header (several ranges, other units); {-1,-1}: unsatisfiable.
std::optional<std::pair<int64_t, int64_t>> ParseRange(const std::string& header, int64_t size) {
    if (header.rfind("bytes=", 0) != 0 || header.find(',') != std::string::npos) return std::nullopt;
    const std::string spec = header.substr(6);
    const size_t dash = spec.find('-');
    if (dash == std::string::npos) return std::nullopt;
    auto number = [](std::string_view s) -> std::optional<int64_t> {
        int64_t v = 0;
        auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
        if (s.empty() || ec != std::errc() || p != s.data() + s.size() || v < 0) return std::nullopt;
        return v;
    };
    const std::string_view a(spec.data(), dash), b(spec.data() + dash + 1, spec.size() - dash - 1);
    if (a.empty()) {
        auto n = number(b);
        if (!n) return std::nullopt;
        if (*n == 0 || size == 0) return std::pair<int64_t, int64_t>{-1, -1};
        return std::pair<int64_t, int64_t>{std::max<int64_t>(0, size - *n), size - 1};
    }
    auto first = number(a);
    if (!first) return std::nullopt;
    int64_t last = size - 1;
    if (!b.empty()) {
        auto l = number(b);
        if (!l || *l < *first) return std::nullopt;
        last = std::min(*l, size - 1);
    }
    if (*first >= size) return std::pair<int64_t, int64_t>{-1, -1};
    return std::pair<int64_t, int64_t>{*first, last};
}

}  // namespace

json UserJson(const User& user) {
    return {{"id", user.id},
            {"email", user.email},
            {"display_name", user.display_name},
            {"created_at", user.created_at}};
}

Api::Api(const ApiServices& services, const ApiOptions& options)
    : s_(services), options_(options), limiter_(options.rate_limit_per_minute) {
    routes_ = {
        {"POST", "/api/v1/auth/signup", BodyKind::kJson, false, &Api::SignUp},
        {"POST", "/api/v1/auth/login", BodyKind::kJson, false, &Api::Login},
        {"POST", "/api/v1/auth/logout", BodyKind::kNone, true, &Api::Logout},
        {"GET", "/api/v1/auth/me", BodyKind::kNone, true, &Api::Me},
        {"DELETE", "/api/v1/auth/me", BodyKind::kNone, true, &Api::DeleteMe},
        {"POST", "/api/v1/generations", BodyKind::kJson, true, &Api::CreateGeneration},
        {"POST", "/api/v1/analyses", BodyKind::kUpload, true, &Api::CreateAnalysis},
        {"POST", "/api/v1/validations", BodyKind::kUpload, true, &Api::CreateValidation},
        {"GET", "/api/v1/jobs/{id}", BodyKind::kNone, true, &Api::GetJob},
        {"GET", "/api/v1/tracks", BodyKind::kNone, true, &Api::ListTracks},
        {"GET", "/api/v1/tracks/{id}", BodyKind::kNone, true, &Api::GetTrack},
        {"DELETE", "/api/v1/tracks/{id}", BodyKind::kNone, true, &Api::DeleteTrack},
        {"GET", "/api/v1/assets/{track_id}/{name}", BodyKind::kNone, false, &Api::GetAsset},
        {"HEAD", "/api/v1/assets/{track_id}/{name}", BodyKind::kNone, false, &Api::GetAsset},
        {"GET", "/api/v1/events", BodyKind::kNone, true, &Api::Events},
        {"GET", "/api/v1/openapi.json", BodyKind::kNone, false, &Api::OpenApi},
        {"GET", "/healthz", BodyKind::kNone, false, &Api::Healthz},
        {"GET", "/readyz", BodyKind::kNone, false, &Api::Readyz},
        {"GET", "/health", BodyKind::kNone, false, &Api::Health},
        {"GET", "/metrics", BodyKind::kNone, false, &Api::MetricsText},
    };
}

std::vector<RouteInfo> Api::Routes() const {
    std::vector<RouteInfo> out;
    for (const Route& r : routes_) out.push_back({r.method, r.pattern});
    return out;
}

const Api::Route* Api::Match(ApiRequest& request, std::vector<std::string>* allowed) {
    const std::vector<std::string> path = Segments(request.path);
    const Route* found = nullptr;
    for (const Route& route : routes_) {
        const std::vector<std::string> pattern = Segments(route.pattern);
        if (pattern.size() != path.size()) continue;
        std::map<std::string, std::string> params;
        bool ok = true;
        for (size_t i = 0; i < pattern.size() && ok; ++i) {
            if (pattern[i].size() > 2 && pattern[i].front() == '{' && pattern[i].back() == '}') {
                if (path[i].empty()) ok = false;
                params[pattern[i].substr(1, pattern[i].size() - 2)] = path[i];
            } else {
                ok = pattern[i] == path[i];
            }
        }
        if (!ok) continue;
        allowed->push_back(route.method);
        if (route.method == request.method && !found) {
            found = &route;
            request.params = std::move(params);
        }
    }
    return found;
}

Result<User> Api::Authenticate(ApiRequest& request, bool allow_query_token) {
    std::string token;
    const std::string authorization = request.Header("authorization");
    if (AsciiLower(authorization.substr(0, 7)) == "bearer ") {
        token = authorization.substr(7);
    } else if (!CookieToken(request.Header("cookie")).empty()) {
        token = CookieToken(request.Header("cookie"));
    } else if (allow_query_token && request.query.contains("token")) {
        token = request.query["token"];
    }
    if (token.empty()) return Error::Unauthenticated("sign in first: send Authorization: Bearer <token>");
    auto user = s_.accounts.Authenticate(token);
    if (!user) return user.error();
    request.token = token;
    request.user = *user;
    return *user;
}

Result<User> Api::AuthenticateEvents(ApiRequest& request) { return Authenticate(request, true); }

Admission Api::Admit(ApiRequest& request, std::optional<uint64_t> content_length) {
    Admission a;
    std::vector<std::string> allowed;
    const Route* route = Match(request, &allowed);
    auto reject = [&](ApiResponse r) {
        r.route = route ? route->pattern : (allowed.empty() ? "unmatched" : "unmatched");
        if (request.user) r.user_id = request.user->id;
        a.reject = std::move(r);
        return a;
    };
    if (!route) {
        if (allowed.empty()) return reject(ErrorResponse(404, "not_found", "no such route: " + request.path));
        std::string allow;
        for (const std::string& m : allowed) allow += (allow.empty() ? "" : ", ") + m;
        ApiResponse r =
            ErrorResponse(405, "method_not_allowed", request.method + " is not allowed here; use " + allow);
        r.headers.emplace_back("Allow", allow);
        return reject(std::move(r));
    }
    if (route->auth) {
        if (auto user = Authenticate(request, false); !user) return reject(ErrorResponse(user.error()));
    }
    const bool operational = route->pattern == "/healthz" || route->pattern == "/readyz" ||
                             route->pattern == "/health" || route->pattern == "/metrics";
    if (!operational) {
        const std::string client =
            request.user ? "user:" + request.user->id : "address:" + request.remote_address;
        if (!limiter_.Allow(client)) {
            ApiResponse r = ErrorResponse(429, "rate_limited", "too many requests; slow down");
            r.headers.emplace_back("Retry-After", "1");
            return reject(std::move(r));
        }
    }
    const std::string media = MediaType(request.Header("content-type"));
    if (route->body == BodyKind::kJson) {
        if (media != "application/json") {
            return reject(ErrorResponse(415, "unsupported_media_type", "send the body as application/json"));
        }
        if (content_length && int64_t(*content_length) > options_.max_json_bytes) {
            return reject(ErrorResponse(413, "payload_too_large", "JSON bodies are limited to 1 MiB"));
        }
    } else if (route->body == BodyKind::kUpload) {
        const bool audio = media.rfind("audio/", 0) == 0 || media == "application/octet-stream" ||
                           media == "multipart/form-data";
        if (!audio) {
            return reject(
                ErrorResponse(415, "unsupported_media_type",
                              "upload the audio as audio/*, application/octet-stream or multipart/form-data "
                              "(field 'file'), not '" +
                                  media + "'"));
        }
        if (content_length && int64_t(*content_length) > options_.max_upload_bytes) {
            return reject(ErrorResponse(
                413, "payload_too_large",
                "uploads are limited to " + std::to_string(options_.max_upload_bytes >> 20) + " MB"));
        }
    }
    a.body = route->body;
    a.route = route->pattern;
    return a;
}

ApiResponse Api::Handle(ApiRequest& request) {
    std::vector<std::string> allowed;
    const Route* route = Match(request, &allowed);
    ApiResponse response;
    if (!route) {
        response = ErrorResponse(404, "not_found", "no such route: " + request.path);
    } else {
        try {
            response = (this->*(route->handler))(request);
        } catch (const std::exception& e) {
            s_.log.Error("handler_threw", {{"request_id", request.request_id}, {"error", e.what()}});
            response = ErrorResponse(500, "internal", "something went wrong on our side");
        }
        response.route = route->pattern;
    }
    if (request.user) response.user_id = request.user->id;
    if (response.status == 500) {
        s_.log.Error("request_failed", {{"request_id", request.request_id}, {"route", response.route}});
    }
    return response;
}

ApiResponse Api::SessionResponse(int status, const Session& session) {
    ApiResponse r = ApiResponse::Json(
        status,
        {{"user", UserJson(session.user)}, {"token", session.token}, {"expires_at", session.expires_at}});
    std::string cookie =
        std::string(kSessionCookie) + "=" + session.token +
        "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(options_.session_lifetime.count());
    if (options_.secure_cookies) cookie += "; Secure";
    r.headers.emplace_back("Set-Cookie", cookie);
    return r;
}

ApiResponse Api::SignUp(ApiRequest& r) {
    StringFields f = ReadStringFields(r, {"email", "password", "display_name"});
    if (f.error) return *f.error;
    auto session = s_.accounts.SignUp(f.values[0], f.values[1], f.values[2]);
    if (!session) return ErrorResponse(session.error());
    r.user = session->user;
    return SessionResponse(201, *session);
}

ApiResponse Api::Login(ApiRequest& r) {
    StringFields f = ReadStringFields(r, {"email", "password"});
    if (f.error) return *f.error;
    auto session = s_.accounts.Login(f.values[0], f.values[1], r.remote_address);
    if (!session) return ErrorResponse(session.error());
    r.user = session->user;
    return SessionResponse(200, *session);
}

ApiResponse Api::SessionEnded() {
    ApiResponse out = ApiResponse::NoContent();
    out.headers.emplace_back("Set-Cookie",
                             std::string(kSessionCookie) + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    return out;
}

ApiResponse Api::Logout(ApiRequest& r) {
    if (Status s = s_.accounts.Logout(r.token); !s) return ErrorResponse(s.error());
    return SessionEnded();
}

ApiResponse Api::Me(ApiRequest& r) { return ApiResponse::Json(200, {{"user", UserJson(*r.user)}}); }

ApiResponse Api::DeleteMe(ApiRequest& r) {
    const std::string& user_id = r.user->id;
    std::vector<std::string> keys;
    bool active = false;
    Status s = s_.db.Transaction([&](store::SqlSession& sql) -> Status {
        auto busy = sql.Query(
            "SELECT id FROM jobs WHERE user_id = $1 AND status IN ('queued', 'running') LIMIT 1", {user_id});
        if (!busy) return busy.error();
        if (!busy->empty()) {
            active = true;
            return {};
        }
        auto assets = sql.Query(
            "SELECT a.object_key FROM assets a JOIN tracks t ON t.id = a.track_id WHERE t.user_id = $1",
            {user_id});
        if (!assets) return assets.error();
        for (const store::SqlRow& row : *assets) keys.push_back(row.Text(0));
        // Uploads are removed when their job ends; one left by a job that failed for good goes too.
        auto uploads =
            sql.Query("SELECT id FROM jobs WHERE user_id = $1 AND kind IN ($2, $3)",
                      {user_id, std::string(jobs::kAnalysisJob), std::string(jobs::kValidationJob)});
        if (!uploads) return uploads.error();
        for (const store::SqlRow& row : *uploads) keys.push_back(jobs::UploadKey(row.Text(0)));
        // Sessions, jobs, tracks and assets go with the user (ON DELETE CASCADE).
        if (auto d = sql.Execute("DELETE FROM users WHERE id = $1", {user_id}); !d) return d.error();
        return {};
    });
    if (!s) return ErrorResponse(s.error());
    if (active) {
        return ErrorResponse(
            409, "jobs_active",
            "a job of this account is queued or running; delete the account when it has finished");
    }
    DeleteObjects(keys);
    s_.log.Info("account_deleted", {{"user_id", user_id}, {"objects", keys.size()}});
    return SessionEnded();
}

ApiResponse Api::JobAccepted(const jobs::Job& job) {
    s_.events.Publish(job);
    if (s_.wake_workers) s_.wake_workers();
    ApiResponse out = ApiResponse::Json(202, {{"job", jobs::JobJson(job)}});
    out.headers.emplace_back("Location", "/api/v1/jobs/" + job.id);
    return out;
}

ApiResponse Api::CreateGeneration(ApiRequest& r) {
    if (draining()) return ErrorResponse(503, "unavailable", "the service is shutting down; retry shortly");
    auto body = ParseJsonObject(r);
    if (!body) return InvalidJson(body.error());
    auto params = jobs::ParseGenerationParams(*body);
    if (!params) return ErrorResponse(params.error());
    // Composing takes milliseconds: doing it here turns a spec the composer refuses (a length too
    // short for a whole track, say) into a 422 now rather than a failed job later.
    if (auto score = compose::Compose(params->spec); !score) {
        // The composer's message explains the limits; say which field broke them.
        const char* field = body->contains("seconds") ? "seconds" : body->contains("bars") ? "bars" : nullptr;
        Error e = score.error();
        if (field && e.code == ErrorCode::kInvalidArgument) e.message = std::string(field) + ": " + e.message;
        return ErrorResponse(e);
    }
    auto job = s_.jobs.Enqueue(r.user->id, jobs::kGenerationJob, *body);
    if (!job) return ErrorResponse(job.error());
    return JobAccepted(*job);
}

ApiResponse Api::CreateAnalysis(ApiRequest& r) {
    return CreateUploadJob(r, jobs::kAnalysisJob, json::object());
}

ApiResponse Api::CreateValidation(ApiRequest& r) {
    json params = json::object();
    if (auto it = r.query.find("subgenre"); it != r.query.end()) {
        if (!compose::ParseSubgenre(it->second)) {
            return ErrorResponse(422, "invalid_argument",
                                 "subgenre must be one of classic, private-school, bacardi, sgija");
        }
        params["subgenre"] = it->second;
    }
    return CreateUploadJob(r, jobs::kValidationJob, params);
}

ApiResponse Api::CreateUploadJob(ApiRequest& r, std::string_view kind, json params) {
    if (draining()) return ErrorResponse(503, "unavailable", "the service is shutting down; retry shortly");
    const std::string id = NewId();
    const std::string key = jobs::UploadKey(id);
    std::string filename = "upload";
    if (MediaType(r.Header("content-type")) == "multipart/form-data") {
        std::filesystem::path part = r.body_file;
        part += ".part";
        struct RemoveOnExit {
            std::filesystem::path path;
            ~RemoveOnExit() {
                std::error_code ec;
                std::filesystem::remove(path, ec);
            }
        } remove_part{part};
        auto file = ExtractMultipartFile(r.Header("content-type"), r.body_file, "file", part);
        if (!file) return ErrorResponse(file.error());
        if (file->size_bytes == 0)
            return ErrorResponse(422, "invalid_argument", "the uploaded file is empty");
        if (!file->filename.empty()) filename = file->filename;
        if (Status s = s_.objects.PutFile(key, part); !s) return ErrorResponse(s.error());
    } else {
        std::error_code ec;
        if (r.body_file.empty() || std::filesystem::file_size(r.body_file, ec) == 0 || ec) {
            return ErrorResponse(422, "invalid_argument", "the request body is empty: send the audio file");
        }
        if (Status s = s_.objects.PutFile(key, r.body_file); !s) return ErrorResponse(s.error());
    }
    // Only the last path component, printable, for the report's "file".
    filename = filename.substr(
        filename.find_last_of("/\\") == std::string::npos ? 0 : filename.find_last_of("/\\") + 1);
    std::erase_if(filename, [](char c) { return static_cast<unsigned char>(c) < 0x20; });
    if (filename.size() > 200) filename.resize(200);
    params["upload_key"] = key;
    params["filename"] = filename;
    auto job = s_.jobs.Enqueue(r.user->id, kind, params, id);
    if (!job) {
        (void)s_.objects.Delete(key);
        return ErrorResponse(job.error());
    }
    return JobAccepted(*job);
}

ApiResponse Api::GetJob(ApiRequest& r) {
    auto job = s_.jobs.Find(r.params["id"]);
    if (!job || job->user_id != r.user->id) {
        if (!job && job.error().code != ErrorCode::kNotFound) return ErrorResponse(job.error());
        return ErrorResponse(404, "not_found", "no job " + r.params["id"]);
    }
    return ApiResponse::Json(200, jobs::JobJson(*job));
}

ApiResponse Api::ListTracks(ApiRequest& r) {
    int limit = kDefaultPageSize;
    if (auto it = r.query.find("limit"); it != r.query.end()) {
        auto [p, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), limit);
        if (ec != std::errc() || p != it->second.data() + it->second.size() || limit < 1 ||
            limit > kMaxPageSize) {
            return ErrorResponse(422, "invalid_argument", "limit must be a whole number between 1 and 100");
        }
    }
    // The cursor is the (created_at, id) of the last track of the previous page, hex-encoded.
    std::string after_created = "~", after_id;
    if (auto it = r.query.find("cursor"); it != r.query.end()) {
        auto decoded = it->second.size() <= 512 ? HexDecode(it->second) : std::nullopt;
        const size_t bar = decoded ? decoded->find('|') : std::string::npos;
        if (!decoded || bar == std::string::npos) {
            return ErrorResponse(422, "invalid_argument", "cursor is not one this service handed out");
        }
        after_created = decoded->substr(0, bar);
        after_id = decoded->substr(bar + 1);
    }
    auto rows = s_.db.Query(
        "SELECT id, title, created_at, spec FROM tracks WHERE user_id = $1 AND "
        "(created_at < $2 OR (created_at = $2 AND id < $3)) ORDER BY created_at DESC, id DESC LIMIT $4",
        {r.user->id, after_created, after_id.empty() ? std::string("~") : after_id, int64_t(limit) + 1});
    if (!rows) return ErrorResponse(rows.error());
    json items = json::array();
    json next = nullptr;
    for (size_t i = 0; i < rows->size(); ++i) {
        const store::SqlRow& row = (*rows)[i];
        if (int(i) == limit) {
            const store::SqlRow& last = (*rows)[i - 1];
            next = HexEncode(last.Text(2) + "|" + last.Text(0));
            break;
        }
        items.push_back({{"id", row.Text(0)},
                         {"title", row.Text(1)},
                         {"created_at", row.Text(2)},
                         {"spec", json::parse(row.Text(3, "null"), nullptr, false)}});
    }
    return ApiResponse::Json(200, {{"items", items}, {"next_cursor", next}});
}

ApiResponse Api::GetTrack(ApiRequest& r) {
    const std::string id = r.params["id"];
    json track;
    json assets = json::array();
    Status s = s_.db.Read([&](store::SqlSession& sql) -> Status {
        auto rows = sql.Query(
            "SELECT id, title, created_at, spec, analysis, validation FROM tracks WHERE id = $1 AND user_id "
            "= $2",
            {id, r.user->id});
        if (!rows) return rows.error();
        if (rows->empty()) return Error::NotFound("no track " + id);
        const store::SqlRow& row = rows->front();
        auto doc = [](const store::SqlRow& row, size_t i) {
            return row.IsNull(i) ? json(nullptr) : json::parse(row.Text(i), nullptr, false);
        };
        track = {{"id", row.Text(0)},   {"title", row.Text(1)},    {"created_at", row.Text(2)},
                 {"spec", doc(row, 3)}, {"analysis", doc(row, 4)}, {"validation", doc(row, 5)}};
        auto asset_rows = sql.Query(
            "SELECT kind, name, format, size_bytes FROM assets WHERE track_id = $1 ORDER BY kind, name",
            {id});
        if (!asset_rows) return asset_rows.error();
        const int64_t expires = UnixNow() + options_.url_ttl.count();
        for (const store::SqlRow& a : *asset_rows) {
            assets.push_back({{"kind", a.Text(0)},
                              {"name", a.Text(1)},
                              {"format", a.Text(2)},
                              {"size_bytes", a.Int(3)},
                              {"url", s_.signer.Sign("/api/v1/assets/" + id + "/" + a.Text(1), expires)},
                              {"expires_at", UtcTimestamp(std::chrono::system_clock::time_point(
                                                 std::chrono::seconds(expires)))}});
        }
        return {};
    });
    if (!s) return ErrorResponse(s.error());
    track["assets"] = assets;
    return ApiResponse::Json(200, track);
}

ApiResponse Api::DeleteTrack(ApiRequest& r) {
    const std::string id = r.params["id"];
    std::vector<std::string> keys;
    Status s = s_.db.Transaction([&](store::SqlSession& sql) -> Status {
        auto owned = sql.Query("SELECT id FROM tracks WHERE id = $1 AND user_id = $2", {id, r.user->id});
        if (!owned) return owned.error();
        if (owned->empty()) return Error::NotFound("no track " + id);
        auto rows = sql.Query("SELECT object_key FROM assets WHERE track_id = $1", {id});
        if (!rows) return rows.error();
        for (const store::SqlRow& row : *rows) keys.push_back(row.Text(0));
        if (auto d = sql.Execute("DELETE FROM assets WHERE track_id = $1", {id}); !d) return d.error();
        if (auto d = sql.Execute("DELETE FROM tracks WHERE id = $1", {id}); !d) return d.error();
        return {};
    });
    if (!s) return ErrorResponse(s.error());
    DeleteObjects(keys);
    return ApiResponse::NoContent();
}

// After the commit that removed their rows: a crash here leaves unreferenced objects, never a row
// without its object.
void Api::DeleteObjects(const std::vector<std::string>& keys) {
    for (const std::string& key : keys) {
        if (Status d = s_.objects.Delete(key); !d) {
            s_.log.Warn("object_delete_failed", {{"key", key}, {"error", d.error().message}});
        }
    }
}

ApiResponse Api::GetAsset(ApiRequest& r) {
    const SignatureCheck check =
        s_.signer.Verify(r.raw_path, r.query.count("expires") ? r.query["expires"] : "",
                         r.query.count("signature") ? r.query["signature"] : "", UnixNow());
    if (check == SignatureCheck::kInvalid) {
        return ErrorResponse(403, "invalid_signature", "this download link is not valid");
    }
    if (check == SignatureCheck::kExpired) {
        return ErrorResponse(403, "url_expired",
                             "this download link has expired; fetch the track again for a new one");
    }
    auto rows = s_.db.Query("SELECT object_key, format FROM assets WHERE track_id = $1 AND name = $2",
                            {r.params["track_id"], r.params["name"]});
    if (!rows) return ErrorResponse(rows.error());
    if (rows->empty()) return ErrorResponse(404, "not_found", "no such asset");
    const std::string key = rows->front().Text(0);
    auto info = s_.objects.Stat(key);
    if (!info) return ErrorResponse(info.error());
    const int64_t size = info->size_bytes;
    ApiResponse out;
    out.content_type = ContentTypeFor(rows->front().Text(1));
    out.headers.emplace_back("Accept-Ranges", "bytes");
    out.headers.emplace_back("Cache-Control", "private, max-age=60");
    int64_t first = 0, last = size - 1;
    if (auto range = ParseRange(r.Header("range"), size)) {
        if (range->first < 0) {
            ApiResponse bad = ErrorResponse(416, "range_not_satisfiable", "the range lies outside the file");
            bad.headers.emplace_back("Content-Range", "bytes */" + std::to_string(size));
            return bad;
        }
        first = range->first;
        last = range->second;
        out.status = 206;
        out.headers.emplace_back("Content-Range", "bytes " + std::to_string(first) + "-" +
                                                      std::to_string(last) + "/" + std::to_string(size));
    }
    const int64_t length = size == 0 ? 0 : last - first + 1;
    if (options_.redirect_assets && r.method == "GET") {
        // The link stays valid as long as ours would have: until its `expires`.
        const int64_t left = std::max<int64_t>(1, std::atoll(r.query["expires"].c_str()) - UnixNow());
        if (auto direct = s_.objects.DirectUrl(key, std::chrono::seconds(left)); direct) {
            ApiResponse redirect;
            redirect.status = 302;
            redirect.headers.emplace_back("Location", *direct);
            redirect.headers.emplace_back("Cache-Control", "private, no-store");
            return redirect;
        }
    }
    if (r.method == "HEAD") {
        out.head_content_length = uint64_t(length);
        return out;
    }
    if (length > 0) {
        auto bytes = s_.objects.GetRange(key, first, length);
        if (!bytes) return ErrorResponse(bytes.error());
        out.body.assign(bytes->begin(), bytes->end());
    }
    return out;
}

ApiResponse Api::Events(ApiRequest&) {
    return ErrorResponse(400, "bad_request", "connect to /api/v1/events with a WebSocket upgrade");
}

ApiResponse Api::OpenApi(ApiRequest&) {
    ApiResponse r;
    r.body = std::string(content::Find("openapi.json"));
    if (r.body.empty())
        return ErrorResponse(500, "internal", "the OpenAPI document is missing from this build");
    return r;
}

ApiResponse Api::Healthz(ApiRequest&) { return ApiResponse::Json(200, {{"status", "ok"}}); }

ApiResponse Api::Readyz(ApiRequest&) {
    json checks = json::object();
    bool ready = !draining();
    auto version = s_.db.Query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
    if (version && !version->empty()) {
        const int64_t v = version->front().Int(0);
        checks["database"] = "ok";
        checks["schema_version"] = v;
        if (v != int64_t(store::SchemaMigrations().size())) {
            checks["database"] = "schema version " + std::to_string(v) + " is not the expected " +
                                 std::to_string(store::SchemaMigrations().size());
            ready = false;
        }
    } else {
        checks["database"] = version ? "no schema" : version.error().message;
        ready = false;
    }
    if (Status probe = s_.objects.Probe(); probe) {
        checks["objects"] = "ok";
    } else {
        checks["objects"] = probe.error().message;
        ready = false;
    }
    checks["engine"] = engine_ready_ ? "ok" : "not loaded";
    ready = ready && engine_ready_;
    const std::string status = draining() ? "draining" : (ready ? "ready" : "not_ready");
    return ApiResponse::Json(ready ? 200 : 503, {{"status", status}, {"checks", checks}});
}

ApiResponse Api::Health(ApiRequest&) {
    const double uptime = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    return ApiResponse::Json(200, {{"status", "healthy"},
                                   {"model_loaded", engine_ready_.load()},
                                   {"gpu_available", false},
                                   {"version", options_.version},
                                   {"uptime_s", std::round(uptime * 10) / 10}});
}

ApiResponse Api::MetricsText(ApiRequest&) {
    std::vector<Gauge> gauges;
    if (auto stats = s_.jobs.Stats()) {
        gauges.push_back({"amapiano_job_queue_depth", "Jobs waiting to run", double(stats->queued)});
        gauges.push_back({"amapiano_job_oldest_queued_age_seconds",
                          "How long the oldest queued job has waited", stats->oldest_queued_age_s});
        gauges.push_back({"amapiano_jobs_running", "Jobs running on any worker", double(stats->running)});
    }
    if (s_.jobs_running) {
        gauges.push_back(
            {"amapiano_worker_busy", "Jobs running on this process's workers", double(s_.jobs_running())});
    }
    gauges.push_back({"amapiano_uptime_seconds", "Seconds since the process started",
                      std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count()});
    gauges.push_back({"amapiano_draining", "1 while shutting down", draining() ? 1.0 : 0.0});
    ApiResponse r;
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    r.body = s_.metrics.Render(gauges);
    return r;
}

}  // namespace amapiano::server
