// Readiness on S3: /readyz asks the bucket with a signed request, so a key the bucket refuses shows as
// "not ready" (503, the reason under checks.objects) and the right key as ready — against a real
// S3-compatible server that checks signatures (s3rver, tests/support/s3_server.h).
#include <gtest/gtest.h>

#include <cstdlib>
#include <sstream>

#include "server/api.h"
#include "store/aws_credentials.h"
#include "store/s3_object_store.h"
#include "support/s3_server.h"
#include "support/service_store.h"
#include "support/temp_dir.h"

namespace amapiano::server {
namespace {

testing_support::S3Server& Server() {
    static testing_support::S3Server server;
    return server;
}

ApiResponse Readyz(const std::string& secret) {
    testing_support::TempDir dir;
    auto db = testing_support::OpenMigratedSqlite(dir / "api.sqlite3");
    store::S3Options options;
    options.bucket = Server().Bucket();
    options.prefix = "readiness";
    options.endpoint = Server().Endpoint();
    options.max_attempts = 1;
    options.credentials = store::StaticCredentialsProvider(
        {.access_key_id = Server().AccessKey(), .secret_access_key = secret});
    auto objects = store::OpenS3ObjectStore(options);
    EXPECT_TRUE(objects) << objects.error().message;
    auto accounts = Accounts::Create(*db, {});
    EXPECT_TRUE(accounts);
    jobs::JobStore jobs(*db, {});
    jobs::JobEvents events;
    Metrics metrics;
    UrlSigner signer(std::vector<uint8_t>(32, 7));
    std::ostringstream log_text;
    Logger log(log_text, LogLevel::kError);
    Api api({*db, **objects, **accounts, jobs, events, metrics, signer, log, nullptr, nullptr}, {});
    api.SetEngineReady(true);
    ApiRequest r;
    r.method = "GET";
    r.path = r.raw_path = "/readyz";
    r.remote_address = "127.0.0.1";
    Admission a = api.Admit(r, 0);
    return a.reject ? *a.reject : api.Handle(r);
}

TEST(ReadinessOnS3Test, AWrongKeyIsNotReadyTheRightOneIs) {
    if (Server().Endpoint().empty()) {
        if (const char* ci = std::getenv("CI"); ci && std::string(ci) == "true") FAIL() << Server().Why();
        GTEST_SKIP() << Server().Why();
    }
    ApiResponse good = Readyz(Server().SecretKey());
    EXPECT_EQ(good.status, 200) << good.body;
    ApiResponse bad = Readyz("not-the-secret");
    EXPECT_EQ(bad.status, 503) << bad.body;
    const auto body = nlohmann::json::parse(bad.body);
    EXPECT_EQ(body["checks"]["database"], "ok");
    ASSERT_TRUE(body["checks"]["objects"].is_string());
    EXPECT_NE(body["checks"]["objects"].get<std::string>(), "ok");
    EXPECT_NE(body["checks"]["objects"].get<std::string>().find(Server().Bucket()), std::string::npos)
        << "the reason should name the bucket: " << body["checks"]["objects"];
}

}  // namespace
}  // namespace amapiano::server
