// Credentials providers: static keys, the environment, and the ECS task-role endpoint — served here by
// a loopback HTTP server in the test (AWS_CONTAINER_CREDENTIALS_FULL_URI points at it), which checks
// the Authorization token and counts fetches to prove caching and refresh before Expiration.
#include "store/aws_credentials.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>
#include <optional>

#include "support/loopback_http_server.h"

namespace amapiano::store {
namespace {

using testing_support::LoopbackHttpServer;

// Sets (or unsets, with nullopt) an environment variable for one test, and puts it back after.
class ScopedEnv final {
public:
    ScopedEnv(const char* name, std::optional<std::string> value) : name_(name) {
        if (const char* old = std::getenv(name)) old_ = old;
        if (value) {
            ::setenv(name, value->c_str(), 1);
        } else {
            ::unsetenv(name);
        }
    }
    ~ScopedEnv() {
        if (old_) {
            ::setenv(name_, old_->c_str(), 1);
        } else {
            ::unsetenv(name_);
        }
    }
    ScopedEnv(const ScopedEnv&) = delete;
    ScopedEnv& operator=(const ScopedEnv&) = delete;

private:
    const char* name_;
    std::optional<std::string> old_;
};

// No credentials from the machine running the tests leak in.
struct CleanEnv {
    ScopedEnv id{"AWS_ACCESS_KEY_ID", std::nullopt};
    ScopedEnv secret{"AWS_SECRET_ACCESS_KEY", std::nullopt};
    ScopedEnv token{"AWS_SESSION_TOKEN", std::nullopt};
    ScopedEnv relative{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", std::nullopt};
    ScopedEnv full{"AWS_CONTAINER_CREDENTIALS_FULL_URI", std::nullopt};
    ScopedEnv auth{"AWS_CONTAINER_AUTHORIZATION_TOKEN", std::nullopt};
    ScopedEnv auth_file{"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", std::nullopt};
};

std::string Iso8601(std::chrono::system_clock::time_point at) {
    const std::time_t t = std::chrono::system_clock::to_time_t(at);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

// The ECS endpoint: a fresh AccessKeyId per fetch (ASIA0, ASIA1, ...), expiring `lifetime` from now.
LoopbackHttpServer::Handler EcsEndpoint(std::chrono::seconds lifetime, std::string expected_token) {
    return [=](const LoopbackHttpServer::Request& request, int n) {
        if (request.target != "/v2/credentials/task" || request.Header("authorization") != expected_token) {
            return LoopbackHttpServer::Reply{.status = 403, .body = "{}"};
        }
        const std::string body = R"({"AccessKeyId":"ASIA)" + std::to_string(n) +
                                 R"(","SecretAccessKey":"secret","Token":"session-token","Expiration":")" +
                                 Iso8601(std::chrono::system_clock::now() + lifetime) +
                                 R"(","RoleArn":"arn"})";
        return LoopbackHttpServer::Reply{.headers = {{"Content-Type", "application/json"}}, .body = body};
    };
}

TEST(AwsCredentials, StaticAndEnvironment) {
    CleanEnv clean;
    auto fixed = StaticCredentialsProvider({"AKID", "SECRET", "", std::nullopt});
    EXPECT_EQ(fixed->Get()->access_key_id, "AKID");

    auto env = EnvironmentCredentialsProvider();
    EXPECT_EQ(env->Get().error().code, ErrorCode::kUnauthenticated);
    ScopedEnv id("AWS_ACCESS_KEY_ID", "AKIAENV");
    ScopedEnv secret("AWS_SECRET_ACCESS_KEY", "envsecret");
    ScopedEnv token("AWS_SESSION_TOKEN", "envtoken");
    auto got = env->Get();
    ASSERT_TRUE(got) << got.error().message;
    EXPECT_EQ(got->access_key_id, "AKIAENV");
    EXPECT_EQ(got->secret_access_key, "envsecret");
    EXPECT_EQ(got->session_token, "envtoken");
    EXPECT_FALSE(got->expiration);
}

TEST(AwsCredentials, DefaultWithNothingConfiguredSaysWhatToSet) {
    CleanEnv clean;
    auto none = DefaultCredentialsProvider()->Get();
    ASSERT_FALSE(none);
    EXPECT_EQ(none.error().code, ErrorCode::kUnauthenticated);
    EXPECT_NE(none.error().message.find("AWS_ACCESS_KEY_ID"), std::string::npos);
}

TEST(AwsCredentials, EcsEndpointIsReadWithTheTokenAndCached) {
    CleanEnv clean;
    LoopbackHttpServer server(EcsEndpoint(std::chrono::hours(6), "Bearer task-token"));
    ScopedEnv uri("AWS_CONTAINER_CREDENTIALS_FULL_URI", server.Url() + "/v2/credentials/task");
    ScopedEnv auth("AWS_CONTAINER_AUTHORIZATION_TOKEN", "Bearer task-token");

    auto provider = DefaultCredentialsProvider();  // no env keys: the task role
    auto first = provider->Get();
    ASSERT_TRUE(first) << first.error().message;
    EXPECT_EQ(first->access_key_id, "ASIA0");
    EXPECT_EQ(first->secret_access_key, "secret");
    EXPECT_EQ(first->session_token, "session-token");
    ASSERT_TRUE(first->expiration);
    EXPECT_GT(*first->expiration, std::chrono::system_clock::now() + std::chrono::hours(5));
    auto second = provider->Get();
    ASSERT_TRUE(second);
    EXPECT_EQ(second->access_key_id, "ASIA0");
    EXPECT_EQ(server.Requests().size(), 1u) << "valid cached keys are not fetched again";
    EXPECT_EQ(server.Requests()[0].Header("authorization"), "Bearer task-token");

    // Environment keys win over the task role.
    ScopedEnv id("AWS_ACCESS_KEY_ID", "AKIAENV");
    ScopedEnv secret("AWS_SECRET_ACCESS_KEY", "envsecret");
    EXPECT_EQ(provider->Get()->access_key_id, "AKIAENV");
}

TEST(AwsCredentials, EcsKeysAreRefreshedBeforeTheyExpire) {
    CleanEnv clean;
    // Keys that expire in 4 minutes are inside the 5-minute refresh window: every Get fetches again.
    LoopbackHttpServer server(EcsEndpoint(std::chrono::minutes(4), ""));
    ScopedEnv uri("AWS_CONTAINER_CREDENTIALS_FULL_URI", server.Url() + "/v2/credentials/task");
    auto provider = EcsCredentialsProvider();
    EXPECT_EQ(provider->Get()->access_key_id, "ASIA0");
    EXPECT_EQ(provider->Get()->access_key_id, "ASIA1");
    EXPECT_EQ(server.Requests().size(), 2u);

    // With a 1-minute window the same keys are fresh enough.
    auto lazier = EcsCredentialsProvider(std::chrono::minutes(1));
    EXPECT_EQ(lazier->Get()->access_key_id, "ASIA2");
    EXPECT_EQ(lazier->Get()->access_key_id, "ASIA2");
    EXPECT_EQ(server.Requests().size(), 3u);
}

TEST(AwsCredentials, EcsFailuresAreClassified) {
    CleanEnv clean;
    {
        LoopbackHttpServer server(EcsEndpoint(std::chrono::hours(1), "right"));
        ScopedEnv uri("AWS_CONTAINER_CREDENTIALS_FULL_URI", server.Url() + "/v2/credentials/task");
        ScopedEnv auth("AWS_CONTAINER_AUTHORIZATION_TOKEN", "wrong");
        EXPECT_EQ(EcsCredentialsProvider()->Get().error().code, ErrorCode::kUnauthenticated);
    }
    {
        LoopbackHttpServer server([](const LoopbackHttpServer::Request&, int) {
            return LoopbackHttpServer::Reply{.body = R"({"Code":"Success"})"};
        });
        ScopedEnv uri("AWS_CONTAINER_CREDENTIALS_FULL_URI", server.Url() + "/creds");
        EXPECT_EQ(EcsCredentialsProvider()->Get().error().code, ErrorCode::kCorruptData);
    }
    int closed_port = 0;
    {
        LoopbackHttpServer gone(
            [](const LoopbackHttpServer::Request&, int) { return LoopbackHttpServer::Reply{}; });
        closed_port = gone.Port();
    }
    ScopedEnv uri("AWS_CONTAINER_CREDENTIALS_FULL_URI",
                  "http://127.0.0.1:" + std::to_string(closed_port) + "/x");
    EXPECT_EQ(EcsCredentialsProvider()->Get().error().code, ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace amapiano::store
