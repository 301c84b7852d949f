// The API without sockets, over real stores in a temporary folder: the OpenAPI document matches the
// routes, admission refuses what it must before any body is read (unknown route, wrong method,
// missing auth, wrong media type, oversized), errors have the documented shape and codes, and the
// flows that need no worker (accounts, jobs queued, tracks listed and deleted, signed downloads
// with ranges) behave.
#include "server/api.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <set>
#include <sstream>

#include "compose/embedded_content.h"
#include "core/atomic_file.h"
#include "store/local_object_store.h"
#include "store/migrations.h"
#include "support/service_store.h"
#include "support/temp_dir.h"

namespace amapiano::server {
namespace {

using nlohmann::json;
using testing_support::TempDir;

class ApiTest : public ::testing::Test {
protected:
    void SetUp() override {
        db_ = testing_support::OpenMigratedSqlite(dir_ / "api.sqlite3");
        ASSERT_TRUE(db_);
        auto objects = store::OpenLocalObjectStore(dir_ / "objects");
        ASSERT_TRUE(objects);
        objects_ = std::move(*objects);
        const std::string ok = "ok";
        ASSERT_TRUE(objects_->Put("health/probe",
                                  std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(ok.data()), 2)));
        AccountOptions account_options;
        account_options.hash_ops_limit = crypto_pwhash_OPSLIMIT_MIN;
        account_options.hash_memory_limit = crypto_pwhash_MEMLIMIT_MIN;
        auto accounts = Accounts::Create(*db_, account_options);
        ASSERT_TRUE(accounts);
        accounts_ = std::move(*accounts);
        jobs_ = std::make_unique<jobs::JobStore>(*db_, jobs::JobStoreOptions{});
        ApiOptions options;
        options.max_upload_bytes = 1000;
        options.version = "test";
        api_ = std::make_unique<Api>(ApiServices{*db_, *objects_, *accounts_, *jobs_, events_, metrics_,
                                                 signer_, log_, nullptr, nullptr},
                                     options);
        api_->SetEngineReady(true);
    }

    ApiRequest Request(std::string method, std::string path, std::string body = {}, std::string token = {}) {
        ApiRequest r;
        r.method = std::move(method);
        r.path = r.raw_path = std::move(path);
        r.body = std::move(body);
        r.remote_address = "127.0.0.1";
        r.request_id = "test";
        if (!r.body.empty()) r.headers["content-type"] = "application/json";
        if (!token.empty()) r.headers["authorization"] = "Bearer " + token;
        return r;
    }
    // Admit, then handle: what the transport does with a body already in hand.
    ApiResponse Call(ApiRequest r) {
        Admission a = api_->Admit(r, r.body.size());
        if (a.reject) return *a.reject;
        return api_->Handle(r);
    }
    static json Body(const ApiResponse& r) { return json::parse(r.body); }
    std::string SignUp(const std::string& email) {
        ApiResponse r = Call(
            Request("POST", "/api/v1/auth/signup",
                    json{{"email", email}, {"password", "correct horse"}, {"display_name", "X"}}.dump()));
        EXPECT_EQ(r.status, 201) << r.body;
        return Body(r)["token"];
    }

    TempDir dir_;
    std::unique_ptr<store::Database> db_;
    std::unique_ptr<store::ObjectStore> objects_;
    std::unique_ptr<Accounts> accounts_;
    std::unique_ptr<jobs::JobStore> jobs_;
    jobs::JobEvents events_;
    Metrics metrics_;
    UrlSigner signer_{std::vector<uint8_t>(32, 7)};
    std::ostringstream log_text_;
    Logger log_{log_text_, LogLevel::kInfo};
    std::unique_ptr<Api> api_;
};

TEST_F(ApiTest, OpenApiDocumentListsExactlyTheRoutes) {
    const json doc = json::parse(content::Find("openapi.json"));
    ASSERT_EQ(doc["openapi"].get<std::string>().substr(0, 2), "3.");
    std::set<std::pair<std::string, std::string>> documented, routed;
    for (const auto& [path, item] : doc["paths"].items()) {
        for (const auto& [method, op] : item.items()) {
            if (method == "parameters" || method == "summary" || method == "description") continue;
            std::string upper = method;
            for (char& c : upper) c = char(std::toupper(static_cast<unsigned char>(c)));
            documented.insert({upper, path});
            EXPECT_TRUE(op.contains("responses")) << method << " " << path;
        }
    }
    for (const RouteInfo& r : api_->Routes()) routed.insert({r.method, r.pattern});
    for (const auto& r : routed)
        EXPECT_TRUE(documented.contains(r)) << "undocumented route " << r.first << " " << r.second;
    for (const auto& d : documented)
        EXPECT_TRUE(routed.contains(d)) << "documented but not routed " << d.first << " " << d.second;
    // And the document is what the service serves.
    ApiResponse served = Call(Request("GET", "/api/v1/openapi.json"));
    EXPECT_EQ(served.status, 200);
    EXPECT_EQ(json::parse(served.body), doc);
}

TEST_F(ApiTest, AdmissionRefusesBeforeTheBody) {
    ApiResponse unknown = Call(Request("GET", "/api/v1/nothing"));
    EXPECT_EQ(unknown.status, 404);
    EXPECT_EQ(Body(unknown)["error"]["code"], "not_found");

    ApiResponse wrong_method = Call(Request("PUT", "/api/v1/tracks"));
    EXPECT_EQ(wrong_method.status, 405);
    EXPECT_EQ(Body(wrong_method)["error"]["code"], "method_not_allowed");

    ApiResponse anonymous = Call(Request("GET", "/api/v1/tracks"));
    EXPECT_EQ(anonymous.status, 401);
    EXPECT_EQ(Body(anonymous)["error"]["code"], "unauthenticated");

    const std::string token = SignUp("ada@example.com");
    ApiRequest text = Request("POST", "/api/v1/analyses", "", token);
    text.headers["content-type"] = "text/plain";
    Admission a = api_->Admit(text, 10);
    ASSERT_TRUE(a.reject);
    EXPECT_EQ(a.reject->status, 415);
    EXPECT_EQ(Body(*a.reject)["error"]["code"], "unsupported_media_type");

    ApiRequest big = Request("POST", "/api/v1/analyses", "", token);
    big.headers["content-type"] = "audio/wav";
    a = api_->Admit(big, 5000);  // the limit in this test is 1000 bytes
    ASSERT_TRUE(a.reject);
    EXPECT_EQ(a.reject->status, 413);
    EXPECT_EQ(Body(*a.reject)["error"]["code"], "payload_too_large");

    a = api_->Admit(big, 500);
    EXPECT_FALSE(a.reject);
    EXPECT_EQ(a.body, BodyKind::kUpload);

    ApiRequest form = Request("POST", "/api/v1/generations", "", token);
    form.headers["content-type"] = "application/x-www-form-urlencoded";
    EXPECT_EQ(api_->Admit(form, 10).reject->status, 415);
}

TEST_F(ApiTest, AccountsFlowAndErrorShapes) {
    const std::string token = SignUp("ada@example.com");
    ApiResponse taken = Call(Request(
        "POST", "/api/v1/auth/signup",
        json{{"email", "ADA@example.com"}, {"password", "another one"}, {"display_name", "Y"}}.dump()));
    EXPECT_EQ(taken.status, 409);
    EXPECT_EQ(Body(taken)["error"]["code"], "conflict");

    ApiResponse bad_json = Call(Request("POST", "/api/v1/auth/login", "{\"email\":"));
    EXPECT_EQ(bad_json.status, 400);
    EXPECT_EQ(Body(bad_json)["error"]["code"], "invalid_json");
    ApiResponse wrong_type = Call(Request("POST", "/api/v1/auth/login", R"({"email": 5, "password": "x"})"));
    EXPECT_EQ(wrong_type.status, 422);
    EXPECT_EQ(Body(wrong_type)["error"]["message"], "email must be a string");
    ApiResponse missing = Call(Request("POST", "/api/v1/auth/login", R"({"email": "ada@example.com"})"));
    EXPECT_EQ(missing.status, 422);
    EXPECT_EQ(Body(missing)["error"]["message"], "password is required");

    ApiResponse login =
        Call(Request("POST", "/api/v1/auth/login",
                     json{{"email", "ada@example.com"}, {"password", "correct horse"}}.dump()));
    ASSERT_EQ(login.status, 200);
    bool http_only_cookie = false;
    for (const auto& [name, value] : login.headers) {
        if (name == "Set-Cookie" && value.find("HttpOnly") != std::string::npos &&
            value.find("amapiano_session=" + Body(login)["token"].get<std::string>()) == 0) {
            http_only_cookie = true;
        }
    }
    EXPECT_TRUE(http_only_cookie);

    // The cookie authenticates like the header.
    ApiRequest by_cookie = Request("GET", "/api/v1/auth/me");
    by_cookie.headers["cookie"] = "theme=dark; amapiano_session=" + token;
    ApiResponse me = Call(by_cookie);
    ASSERT_EQ(me.status, 200);
    EXPECT_EQ(Body(me)["user"]["email"], "ada@example.com");

    EXPECT_EQ(Call(Request("POST", "/api/v1/auth/logout", "", token)).status, 204);
    EXPECT_EQ(Call(Request("GET", "/api/v1/auth/me", "", token)).status, 401);
}

TEST_F(ApiTest, GenerationIsQueuedAndOnlyItsOwnerSeesIt) {
    const std::string ada = SignUp("ada@example.com");
    const std::string bob = SignUp("bob@example.com");
    ApiResponse accepted = Call(Request("POST", "/api/v1/generations", R"({"bars": 8, "seed": 1})", ada));
    ASSERT_EQ(accepted.status, 202) << accepted.body;
    const std::string id = Body(accepted)["job"]["id"];
    EXPECT_EQ(Body(accepted)["job"]["status"], "queued");
    EXPECT_EQ(Body(accepted)["job"]["kind"], "generation");

    ApiResponse mine = Call(Request("GET", "/api/v1/jobs/" + id, "", ada));
    EXPECT_EQ(mine.status, 200);
    EXPECT_EQ(Call(Request("GET", "/api/v1/jobs/" + id, "", bob)).status, 404);

    ApiResponse too_short = Call(Request("POST", "/api/v1/generations", R"({"seconds": 5})", ada));
    EXPECT_EQ(too_short.status, 422);
    ApiResponse bad_field = Call(Request("POST", "/api/v1/generations", R"({"bpm": "fast"})", ada));
    EXPECT_EQ(bad_field.status, 422);
    EXPECT_EQ(Body(bad_field)["error"]["message"], "bpm must be a number");
    EXPECT_EQ(jobs_->Stats()->queued, 1);
}

TEST_F(ApiTest, TracksPageDeleteAndSignedDownloads) {
    const std::string ada = SignUp("ada@example.com");
    const std::string bob = SignUp("bob@example.com");
    const std::string ada_id = Body(Call(Request("GET", "/api/v1/auth/me", "", ada)))["user"]["id"];
    // Five tracks with one asset each, stored the way a generation job stores them.
    const std::string audio = "RIFF0123456789";
    for (int i = 0; i < 5; ++i) {
        const std::string id = "track" + std::to_string(i);
        ASSERT_TRUE(db_->Execute(
            "INSERT INTO tracks (id, user_id, title, spec, created_at) VALUES ($1, $2, $3, '{}', $4)",
            {id, ada_id, "T" + std::to_string(i), "2026-11-27T00:00:0" + std::to_string(i) + ".000Z"}));
        ASSERT_TRUE(objects_->Put(
            "tracks/" + id + "/mix.wav",
            std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(audio.data()), audio.size())));
        ASSERT_TRUE(
            db_->Execute("INSERT INTO assets (track_id, name, kind, format, object_key, size_bytes, sha256) "
                         "VALUES ($1, 'mix.wav', 'mix', 'wav', $2, 14, 'x')",
                         {id, "tracks/" + id + "/mix.wav"}));
    }
    // Walk the pages two at a time: newest first, each track once.
    std::vector<std::string> seen;
    std::string cursor;
    for (int page = 0; page < 5; ++page) {
        ApiRequest list = Request("GET", "/api/v1/tracks", "", ada);
        list.query["limit"] = "2";
        if (!cursor.empty()) list.query["cursor"] = cursor;
        ApiResponse r = Call(list);
        ASSERT_EQ(r.status, 200) << r.body;
        const json page_body = Body(r);
        for (const json& item : page_body["items"]) seen.push_back(item["id"]);
        if (page_body["next_cursor"].is_null()) break;
        cursor = page_body["next_cursor"];
    }
    EXPECT_EQ(seen, (std::vector<std::string>{"track4", "track3", "track2", "track1", "track0"}));
    ApiRequest bad_limit = Request("GET", "/api/v1/tracks", "", ada);
    bad_limit.query["limit"] = "0";
    EXPECT_EQ(Call(bad_limit).status, 422);
    ApiRequest bad_cursor = Request("GET", "/api/v1/tracks", "", ada);
    bad_cursor.query["cursor"] = "zz";
    EXPECT_EQ(Call(bad_cursor).status, 422);
    EXPECT_TRUE(Body(Call(Request("GET", "/api/v1/tracks", "", bob)))["items"].empty());

    ApiResponse track = Call(Request("GET", "/api/v1/tracks/track2", "", ada));
    ASSERT_EQ(track.status, 200);
    EXPECT_EQ(Call(Request("GET", "/api/v1/tracks/track2", "", bob)).status, 404);
    const std::string url = Body(track)["assets"][0]["url"];
    const size_t q = url.find('?');
    auto fetch = [&](const std::string& path, const std::string& query, const std::string& range = {}) {
        ApiRequest r = Request("GET", path);
        r.raw_path = path;
        for (const std::string& kv : {query.substr(0, query.find('&')), query.substr(query.find('&') + 1)}) {
            r.query[kv.substr(0, kv.find('='))] = kv.substr(kv.find('=') + 1);
        }
        if (!range.empty()) r.headers["range"] = range;
        return Call(r);
    };
    ApiResponse whole = fetch(url.substr(0, q), url.substr(q + 1));
    EXPECT_EQ(whole.status, 200);
    EXPECT_EQ(whole.body, audio);
    EXPECT_EQ(whole.content_type, "audio/wav");
    ApiResponse part = fetch(url.substr(0, q), url.substr(q + 1), "bytes=4-7");
    EXPECT_EQ(part.status, 206);
    EXPECT_EQ(part.body, "0123");
    ApiResponse tail = fetch(url.substr(0, q), url.substr(q + 1), "bytes=-3");
    EXPECT_EQ(tail.body, "789");
    EXPECT_EQ(fetch(url.substr(0, q), url.substr(q + 1), "bytes=99-").status, 416);
    // Another track's path under this signature, and a forged expiry, are refused.
    ApiResponse moved = fetch("/api/v1/assets/track3/mix.wav", url.substr(q + 1));
    EXPECT_EQ(moved.status, 403);
    EXPECT_EQ(Body(moved)["error"]["code"], "invalid_signature");
    const std::string expired = signer_.Sign("/api/v1/assets/track2/mix.wav", 1000);
    ApiResponse old = fetch("/api/v1/assets/track2/mix.wav", expired.substr(expired.find('?') + 1));
    EXPECT_EQ(old.status, 403);
    EXPECT_EQ(Body(old)["error"]["code"], "url_expired");

    EXPECT_EQ(Call(Request("DELETE", "/api/v1/tracks/track2", "", bob)).status, 404);
    EXPECT_EQ(Call(Request("DELETE", "/api/v1/tracks/track2", "", ada)).status, 204);
    EXPECT_EQ(Call(Request("GET", "/api/v1/tracks/track2", "", ada)).status, 404);
    EXPECT_EQ(fetch(url.substr(0, q), url.substr(q + 1)).status, 404);
    EXPECT_FALSE(objects_->Stat("tracks/track2/mix.wav"));
}

TEST_F(ApiTest, OperationsEndpoints) {
    EXPECT_EQ(Body(Call(Request("GET", "/healthz")))["status"], "ok");
    ApiResponse ready = Call(Request("GET", "/readyz"));
    EXPECT_EQ(ready.status, 200);
    EXPECT_EQ(Body(ready)["checks"]["schema_version"], int64_t(store::SchemaMigrations().size()));
    const json health = Body(Call(Request("GET", "/health")));
    EXPECT_EQ(health["status"], "healthy");
    EXPECT_EQ(health["model_loaded"], true);
    EXPECT_EQ(health["gpu_available"], false);
    EXPECT_EQ(health["version"], "test");
    EXPECT_TRUE(health["uptime_s"].is_number());
    metrics_.ObserveRequest("GET", "/healthz", 200, 0.002);
    ApiResponse metrics = Call(Request("GET", "/metrics"));
    EXPECT_EQ(metrics.content_type.rfind("text/plain", 0), 0u);
    EXPECT_NE(
        metrics.body.find("amapiano_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 1"),
        std::string::npos);
    EXPECT_NE(metrics.body.find("amapiano_job_queue_depth 0"), std::string::npos);
    api_->SetDraining();
    ApiResponse draining = Call(Request("GET", "/readyz"));
    EXPECT_EQ(draining.status, 503);
    EXPECT_EQ(Body(draining)["status"], "draining");
}

}  // namespace
}  // namespace amapiano::server
