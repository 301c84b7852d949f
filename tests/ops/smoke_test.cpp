// The smoke test's pieces that do not need a real service: the step runner's PASS/FAIL/SKIP
// bookkeeping, the report's text and JSON, signed-URL tampering, and the service client against
// scripted loopback servers (base URLs, tokens, JSON bodies, the one redirect followed without
// credentials, unreachable hosts); plus whole runs against a dead port and a service that is not ready.
#include "ops/smoke.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "ops/service_client.h"
#include "support/loopback_http_server.h"

namespace amapiano::ops {
namespace {

using testing_support::LoopbackHttpServer;

// A loopback port with nothing listening on it (bound, then released).
int DeadPort() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
}

LoopbackHttpServer::Reply JsonReply(int status, const std::string& body) {
    return {.status = status, .headers = {{"Content-Type", "application/json"}}, .body = body};
}

// --- the step runner ---------------------------------------------------------------------------------

TEST(StepRunner, PassFailAndSkipWhenANeededStepDidNotPass) {
    std::vector<std::string> heard;
    StepRunner runner(
        [&](const SmokeStep& s) { heard.push_back(s.name + ":" + std::string(StepStatusName(s.status))); });
    int ran = 0;
    runner.Run("a", {}, [&]() -> Result<std::string> {
        ++ran;
        return std::string("fine");
    });
    runner.Run("b", {"a"}, [&]() -> Result<std::string> {
        ++ran;
        return Error::Unavailable("b broke");
    });
    runner.Run("c", {"a", "b"}, [&]() -> Result<std::string> {
        ++ran;
        return std::string("never");
    });
    runner.Run("d", {"c"}, [&]() -> Result<std::string> {
        ++ran;
        return std::string("never either");
    });
    runner.Run("always", {}, [&]() -> Result<std::string> {
        ++ran;
        return std::string("cleaned");
    });
    EXPECT_EQ(ran, 3);
    const auto& steps = runner.steps();
    ASSERT_EQ(steps.size(), 5u);
    EXPECT_EQ(steps[0].status, StepStatus::kPass);
    EXPECT_EQ(steps[0].detail, "fine");
    EXPECT_EQ(steps[1].status, StepStatus::kFail);
    EXPECT_EQ(steps[1].detail, "b broke");
    EXPECT_EQ(steps[2].status, StepStatus::kSkip);
    EXPECT_EQ(steps[2].detail, "needs b, which did not pass");
    // A skipped step is not a pass, so what needs it is skipped too.
    EXPECT_EQ(steps[3].status, StepStatus::kSkip);
    EXPECT_EQ(steps[3].detail, "needs c, which did not pass");
    EXPECT_EQ(steps[4].status, StepStatus::kPass);
    EXPECT_EQ(steps[2].ms, 0.0);
    EXPECT_TRUE(runner.Passed("a"));
    EXPECT_FALSE(runner.Passed("b"));
    EXPECT_FALSE(runner.Passed("nonexistent"));
    EXPECT_EQ(heard, (std::vector<std::string>{"a:pass", "b:fail", "c:skip", "d:skip", "always:pass"}));
}

TEST(StepRunner, AnExceptionFromABodyIsAFailure) {
    StepRunner runner;
    runner.Run("shape", {}, []() -> Result<std::string> {
        return nlohmann::json::parse("[1]").at("job").get<std::string>();  // throws
    });
    ASSERT_EQ(runner.steps().size(), 1u);
    EXPECT_EQ(runner.steps()[0].status, StepStatus::kFail);
    EXPECT_NE(runner.steps()[0].detail.find("unexpected shape"), std::string::npos)
        << runner.steps()[0].detail;
}

// --- the report -------------------------------------------------------------------------------------

SmokeReport Report(std::vector<StepStatus> statuses) {
    SmokeReport report{.url = "http://127.0.0.1:8080", .seconds = 2.345};
    const char* names[] = {"health",     "readiness", "signup",     "login",
                           "generation", "analysis",  "signed_url", "cleanup"};
    for (size_t i = 0; i < statuses.size(); ++i) {
        report.steps.push_back(
            {.name = names[i], .status = statuses[i], .ms = 4.26 + double(i), .detail = "d"});
    }
    return report;
}

TEST(SmokeReport, TextLinesAndSummary) {
    const SmokeStep step{
        .name = "health", .status = StepStatus::kPass, .ms = 4.4, .detail = "/healthz 200, /health healthy"};
    EXPECT_EQ(SmokeStepLine(step), "PASS  health          4 ms   /healthz 200, /health healthy");
    const SmokeStep skip{
        .name = "signed_url", .status = StepStatus::kSkip, .ms = 0, .detail = "needs generation"};
    EXPECT_EQ(SmokeStepLine(skip), "SKIP  signed_url      0 ms   needs generation");

    const auto all = Report(std::vector<StepStatus>(8, StepStatus::kPass));
    EXPECT_TRUE(all.Passed());
    EXPECT_EQ(SmokeSummaryLine(all), "smoke: 8/8 passed against http://127.0.0.1:8080 in 2.3 s");
    auto some = all;
    some.steps[4].status = StepStatus::kFail;
    some.steps[5].status = StepStatus::kSkip;
    EXPECT_FALSE(some.Passed());
    EXPECT_EQ(some.PassedCount(), 6);
    EXPECT_EQ(SmokeSummaryLine(some), "smoke: FAILED 2 of 8 steps against http://127.0.0.1:8080 in 2.3 s");
    EXPECT_FALSE(SmokeReport{}.Passed());  // no steps is no pass
}

TEST(SmokeReport, JsonShape) {
    auto report = Report({StepStatus::kPass, StepStatus::kFail, StepStatus::kSkip});
    const auto j = SmokeJson(report);
    std::vector<std::string> keys;
    for (const auto& [k, v] : j.items()) keys.push_back(k);
    EXPECT_EQ(keys, (std::vector<std::string>{"url", "passed", "seconds", "steps"}));
    EXPECT_EQ(j["url"], "http://127.0.0.1:8080");
    EXPECT_EQ(j["passed"], false);
    EXPECT_DOUBLE_EQ(j["seconds"].get<double>(), 2.345);
    ASSERT_EQ(j["steps"].size(), 3u);
    EXPECT_EQ(j["steps"][0]["name"], "health");
    EXPECT_EQ(j["steps"][0]["status"], "pass");
    EXPECT_EQ(j["steps"][1]["status"], "fail");
    EXPECT_EQ(j["steps"][2]["status"], "skip");
    EXPECT_DOUBLE_EQ(j["steps"][0]["ms"].get<double>(), 4.3);
    EXPECT_EQ(j["steps"][0]["detail"], "d");
    std::vector<std::string> step_keys;
    for (const auto& [k, v] : j["steps"][0].items()) step_keys.push_back(k);
    EXPECT_EQ(step_keys, (std::vector<std::string>{"name", "status", "ms", "detail"}));
}

TEST(Smoke, ThrowawayEmailsAreUniqueAndUndeliverable) {
    const std::string a = ThrowawayEmail("smoke", 1795000000);
    const std::string b = ThrowawayEmail("smoke", 1795000000);
    EXPECT_THAT(a, ::testing::MatchesRegex(R"(smoke-1795000000-[0-9a-f]{8}@smoke\.invalid)"));
    EXPECT_NE(a, b);
}

TEST(Smoke, SignatureTampering) {
    const std::string url = "/api/v1/assets/t1/mix.wav?expires=1795000000&signature=ab12";
    EXPECT_EQ(AlterSignature(url), "/api/v1/assets/t1/mix.wav?expires=1795000000&signature=ab10");
    EXPECT_EQ(AlterSignature("/a?signature=70&x=1"), "/a?signature=71&x=1");
    EXPECT_EQ(RemoveSignature(url), "/api/v1/assets/t1/mix.wav?expires=1795000000");
    EXPECT_EQ(RemoveSignature("/a?signature=ab&expires=5"), "/a?expires=5");
    EXPECT_EQ(RemoveSignature("/a?signature=ab"), "/a");
    EXPECT_EQ(AlterSignature("/a?expires=5"), "/a?expires=5&signature=00");
}

// --- the client -------------------------------------------------------------------------------------

TEST(ServiceClient, BaseUrlsAndHeadersAreChecked) {
    for (const char* bad : {"ftp://host", "host:8080", "", "http://", "http:///path", "https://host/?x=1",
                            "http://user@host", "http://host#frag"}) {
        auto c = ServiceClient::Create(bad);
        ASSERT_FALSE(c.ok()) << bad;
        EXPECT_EQ(c.error().code, ErrorCode::kInvalidArgument) << bad;
    }
    auto c = ServiceClient::Create("HTTPS://api.example.com/amapiano/");
    ASSERT_TRUE(c.ok()) << c.error().message;
    EXPECT_EQ(c->base_url(), "HTTPS://api.example.com/amapiano");
    EXPECT_EQ(c->Resolve("/healthz"), "HTTPS://api.example.com/amapiano/healthz");
    EXPECT_EQ(c->Resolve("https://s3.example.com/b/k?X-Amz-Signature=1"),
              "https://s3.example.com/b/k?X-Amz-Signature=1");
    EXPECT_FALSE(ServiceClient::Create("http://h", {{"Bad Name", "v"}}).ok());

    auto h = ParseHeader("Host:  api.example.com ");
    ASSERT_TRUE(h.ok());
    EXPECT_EQ(h->first, "Host");
    EXPECT_EQ(h->second, "api.example.com");
    EXPECT_FALSE(ParseHeader("no colon").ok());
    EXPECT_FALSE(ParseHeader(": value").ok());
    EXPECT_EQ(UrlOrigin("https://s3.example.com:9000/b/k?q"), "https://s3.example.com:9000");
    EXPECT_EQ(UrlOrigin("http://h"), "http://h");
}

TEST(ServiceClient, SendsTokenJsonAndExtraHeadersAndTimesTheRequest) {
    LoopbackHttpServer server(
        [](const LoopbackHttpServer::Request&, int) { return JsonReply(201, R"({"token":"t"})"); });
    auto c = ServiceClient::Create(server.Url() + "/prefix", {{"X-Smoke", "1"}});
    ASSERT_TRUE(c.ok());
    c->SetToken("secret");
    auto r = c->PostJson("/api/v1/auth/signup", {{"email", "a@b.c"}});
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->status, 201);
    EXPECT_EQ(r->Json()["token"], "t");
    EXPECT_GT(r->elapsed.count(), 0);
    auto unauthorised = c->Send(
        {.method = "POST", .path = "/x", .body = "RIFF", .content_type = "audio/wav", .authorize = false});
    ASSERT_TRUE(unauthorised.ok());
    const auto requests = server.Requests();
    ASSERT_EQ(requests.size(), 2u);
    EXPECT_EQ(requests[0].method, "POST");
    EXPECT_EQ(requests[0].target, "/prefix/api/v1/auth/signup");
    EXPECT_EQ(requests[0].Header("authorization"), "Bearer secret");
    EXPECT_EQ(requests[0].Header("content-type"), "application/json");
    EXPECT_EQ(requests[0].Header("x-smoke"), "1");
    EXPECT_EQ(nlohmann::json::parse(requests[0].body)["email"], "a@b.c");
    EXPECT_EQ(requests[1].Header("authorization"), "");
    EXPECT_EQ(requests[1].Header("content-type"), "audio/wav");
    EXPECT_EQ(requests[1].body, "RIFF");
}

TEST(ServiceClient, FollowsOneRedirectToAnotherHostWithoutCredentials) {
    // The "S3" side: answers the range, and would refuse anything carrying an Authorization header.
    LoopbackHttpServer s3([](const LoopbackHttpServer::Request& r, int) {
        if (!r.Header("authorization").empty()) return JsonReply(400, "two forms of authorization");
        return LoopbackHttpServer::Reply{
            .status = 206, .headers = {{"Content-Range", "bytes 0-3/10"}}, .body = "RIFF"};
    });
    const std::string location = s3.Url() + "/bucket/tracks/t1/mix.wav?X-Amz-Signature=abc";
    LoopbackHttpServer service([&](const LoopbackHttpServer::Request&, int) {
        return LoopbackHttpServer::Reply{.status = 302, .headers = {{"Location", location}}};
    });
    auto c = ServiceClient::Create(service.Url(), {{"Host", "api.example.com"}});
    ASSERT_TRUE(c.ok());
    c->SetToken("secret");
    auto r = c->Send({.path = "/api/v1/assets/t1/mix.wav?expires=1&signature=2",
                      .range = "bytes=0-3",
                      .follow_redirect = true});
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->status, 206);
    EXPECT_EQ(r->body, "RIFF");
    EXPECT_EQ(r->redirected_to, location);
    EXPECT_EQ(*r->Header("content-range"), "bytes 0-3/10");
    ASSERT_EQ(service.Requests().size(), 1u);
    EXPECT_EQ(service.Requests()[0].Header("authorization"), "Bearer secret");
    EXPECT_EQ(service.Requests()[0].Header("host"), "api.example.com");
    ASSERT_EQ(s3.Requests().size(), 1u);
    const LoopbackHttpServer::Request hop = s3.Requests()[0];
    EXPECT_EQ(hop.target, "/bucket/tracks/t1/mix.wav?X-Amz-Signature=abc");
    EXPECT_EQ(hop.Header("authorization"), "");
    EXPECT_NE(hop.Header("host"), "api.example.com");
    EXPECT_EQ(hop.Header("range"), "bytes=0-3");

    // Without follow_redirect the 302 itself is the answer.
    auto plain = c->Send({.path = "/api/v1/assets/t1/mix.wav"});
    ASSERT_TRUE(plain.ok());
    EXPECT_EQ(plain->status, 302);
    EXPECT_TRUE(plain->redirected_to.empty());
    EXPECT_EQ(s3.Requests().size(), 1u);
}

TEST(ServiceClient, FollowsOnlyOneRedirectAndRelativeLocations) {
    LoopbackHttpServer server([](const LoopbackHttpServer::Request& r, int) {
        if (r.target == "/start")
            return LoopbackHttpServer::Reply{.status = 302, .headers = {{"Location", "/next"}}};
        return LoopbackHttpServer::Reply{.status = 307, .headers = {{"Location", "/again"}}};
    });
    auto c = ServiceClient::Create(server.Url());
    ASSERT_TRUE(c.ok());
    auto r = c->Send({.path = "/start", .follow_redirect = true});
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->status, 307);  // the second redirect is returned, not followed
    EXPECT_EQ(r->redirected_to, server.Url() + "/next");
    EXPECT_EQ(server.Requests().size(), 2u);
}

TEST(ServiceClient, AnUnreachableServiceIsAnErrorWithCurlsReason) {
    auto c = ServiceClient::Create("http://127.0.0.1:" + std::to_string(DeadPort()));
    ASSERT_TRUE(c.ok());
    auto r = c->Get("/healthz");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
    EXPECT_NE(r.error().message.find("/healthz"), std::string::npos) << r.error().message;
}

TEST(ServiceClient, DescribesErrorAnswers) {
    ClientResponse r{.status = 403,
                     .body = R"({"error":{"code":"invalid_signature","message":"not valid"}})"};
    EXPECT_EQ(r.Describe(), "403 invalid_signature: not valid");
    EXPECT_EQ(r.ErrorCode(), "invalid_signature");
    ClientResponse text{.status = 502, .body = "<html>\nBad gateway</html>"};
    EXPECT_EQ(text.Describe(), "502: <html> Bad gateway</html>");
    EXPECT_EQ(text.ErrorCode(), "");
    ClientResponse limited{.status = 429, .headers = {{"retry-after", "3"}}};
    EXPECT_EQ(limited.RetryAfter(), std::chrono::seconds(3));
    EXPECT_EQ(ClientResponse{}.RetryAfter(), std::chrono::seconds(1));
}

// --- whole runs -------------------------------------------------------------------------------------

TEST(RunSmoke, AnUnreachableServiceFailsHealthAndSkipsTheRest) {
    const auto start = std::chrono::steady_clock::now();
    auto report = RunSmoke({.url = "http://127.0.0.1:" + std::to_string(DeadPort())});
    ASSERT_TRUE(report.ok());
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
    ASSERT_EQ(report->steps.size(), 8u);
    EXPECT_EQ(report->steps[0].name, "health");
    EXPECT_EQ(report->steps[0].status, StepStatus::kFail);
    for (size_t i = 1; i < 7; ++i)
        EXPECT_EQ(report->steps[i].status, StepStatus::kSkip) << report->steps[i].name;
    EXPECT_EQ(report->steps[7].name, "cleanup");
    EXPECT_EQ(report->steps[7].status, StepStatus::kPass);
    EXPECT_EQ(report->steps[7].detail, "nothing to clean up");
    EXPECT_FALSE(report->Passed());
}

TEST(RunSmoke, ABadUrlIsAUsageError) {
    auto report = RunSmoke({.url = "ftp://example.com"});
    ASSERT_FALSE(report.ok());
    EXPECT_EQ(report.error().code, ErrorCode::kInvalidArgument);
}

TEST(RunSmoke, ANotReadyServiceAndARefusedSignup) {
    LoopbackHttpServer server([](const LoopbackHttpServer::Request& r, int) {
        if (r.target == "/healthz") return JsonReply(200, R"({"status":"ok"})");
        if (r.target == "/health") return JsonReply(200, R"({"status":"healthy","version":"0.1.0"})");
        if (r.target == "/readyz") {
            return JsonReply(
                503, R"({"status":"not_ready","checks":{"database":"ok","schema_version":3,)"
                     R"("objects":"the object directory '/srv/objects' is not usable","engine":"ok"}})");
        }
        return JsonReply(500,
                         R"({"error":{"code":"internal","message":"something went wrong on our side"}})");
    });
    auto report = RunSmoke({.url = server.Url()});
    ASSERT_TRUE(report.ok());
    ASSERT_EQ(report->steps.size(), 8u);
    EXPECT_EQ(report->steps[0].status, StepStatus::kPass) << report->steps[0].detail;
    EXPECT_EQ(report->steps[0].detail, "/healthz 200, /health healthy (version 0.1.0)");
    EXPECT_EQ(report->steps[1].status, StepStatus::kFail);
    EXPECT_EQ(report->steps[1].detail,
              "/readyz answered 503 not_ready (objects: the object directory '/srv/objects' is not usable)");
    EXPECT_EQ(report->steps[2].status, StepStatus::kFail);
    EXPECT_EQ(report->steps[2].detail,
              "POST /api/v1/auth/signup answered 500 internal: something went wrong on our side");
    for (size_t i = 3; i < 7; ++i)
        EXPECT_EQ(report->steps[i].status, StepStatus::kSkip) << report->steps[i].name;
    EXPECT_EQ(report->steps[7].detail, "nothing to clean up");
    // The signup asked for an address under .invalid and a 24-character password.
    bool saw_signup = false;
    for (const auto& r : server.Requests()) {
        if (r.target != "/api/v1/auth/signup") continue;
        saw_signup = true;
        const auto body = nlohmann::json::parse(r.body);
        EXPECT_THAT(body["email"].get<std::string>(),
                    ::testing::MatchesRegex(R"(smoke-[0-9]+-[0-9a-f]{8}@smoke\.invalid)"));
        EXPECT_EQ(body["password"].get<std::string>().size(), 24u);
    }
    EXPECT_TRUE(saw_signup);
}

}  // namespace
}  // namespace amapiano::ops
