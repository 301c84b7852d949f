// The small parts of the HTTP layer: request targets, multipart uploads, signed URLs, the rate
// limiter and the metrics text.
#include <gtest/gtest.h>

#include <fstream>

#include "server/metrics.h"
#include "server/multipart.h"
#include "server/rate_limiter.h"
#include "server/signed_urls.h"
#include "server/url_codec.h"
#include "support/temp_dir.h"

namespace amapiano::server {
namespace {

TEST(UrlCodecTest, SplitsAndDecodesTargets) {
    auto t = ParseTarget("/api/v1/tracks%2Fx?limit=5&cursor=a%3Ab&q=two+words&limit=9");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->raw_path, "/api/v1/tracks%2Fx");
    EXPECT_EQ(t->path, "/api/v1/tracks/x");
    EXPECT_EQ(t->query.at("limit"), "5");
    EXPECT_EQ(t->query.at("cursor"), "a:b");
    EXPECT_EQ(t->query.at("q"), "two words");
    EXPECT_FALSE(ParseTarget("relative"));
    EXPECT_FALSE(ParseTarget("/bad%zz"));
    EXPECT_FALSE(ParseTarget("/nul%00"));
    EXPECT_FALSE(ParseTarget("/x?a=%4"));
}

TEST(MultipartTest, FindsTheFileField) {
    testing_support::TempDir dir;
    const std::string body =
        "--XyZ\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n"
        "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"song.wav\"\r\n"
        "Content-Type: audio/wav\r\n\r\nRIFF\r\n--not-the-boundary\x01\x02\r\n--XyZ--\r\n";
    std::ofstream(dir / "body", std::ios::binary) << body;
    auto file = ExtractMultipartFile("multipart/form-data; boundary=XyZ", dir / "body", "file", dir / "part");
    ASSERT_TRUE(file) << file.error().message;
    EXPECT_EQ(file->filename, "song.wav");
    const std::string want = "RIFF\r\n--not-the-boundary\x01\x02";
    EXPECT_EQ(file->size_bytes, int64_t(want.size()));
    std::ifstream part(dir / "part", std::ios::binary);
    EXPECT_EQ(std::string(std::istreambuf_iterator<char>(part), {}), want);
    EXPECT_FALSE(
        ExtractMultipartFile("multipart/form-data; boundary=XyZ", dir / "body", "missing", dir / "p2"));
    EXPECT_FALSE(std::filesystem::exists(dir / "p2"));
    EXPECT_FALSE(ExtractMultipartFile("multipart/form-data", dir / "body", "file", dir / "p2"));
    std::ofstream(dir / "junk", std::ios::binary) << "--XyZ\r\nno headers end";
    EXPECT_FALSE(
        ExtractMultipartFile("multipart/form-data; boundary=\"XyZ\"", dir / "junk", "file", dir / "p2"));
    std::ofstream(dir / "empty", std::ios::binary) << "";
    EXPECT_FALSE(
        ExtractMultipartFile("multipart/form-data; boundary=XyZ", dir / "empty", "file", dir / "p2"));
}

TEST(SignedUrlTest, ValidTamperedAndExpired) {
    UrlSigner signer(std::vector<uint8_t>(32, 1));
    const std::string url = signer.Sign("/api/v1/assets/t/mix.wav", 2000);
    const std::string expires = "2000";
    const std::string signature = url.substr(url.find("signature=") + 10);
    EXPECT_EQ(signature.size(), 64u);
    EXPECT_EQ(signer.Verify("/api/v1/assets/t/mix.wav", expires, signature, 1999), SignatureCheck::kValid);
    EXPECT_EQ(signer.Verify("/api/v1/assets/t/mix.wav", expires, signature, 2001), SignatureCheck::kExpired);
    EXPECT_EQ(signer.Verify("/api/v1/assets/t/mix.mp3", expires, signature, 1999), SignatureCheck::kInvalid);
    EXPECT_EQ(signer.Verify("/api/v1/assets/t/mix.wav", "2001", signature, 1999), SignatureCheck::kInvalid);
    EXPECT_EQ(signer.Verify("/api/v1/assets/t/mix.wav", "", signature, 1999), SignatureCheck::kInvalid);
    std::string flipped = signature;
    flipped[0] = flipped[0] == 'a' ? 'b' : 'a';
    EXPECT_EQ(signer.Verify("/api/v1/assets/t/mix.wav", expires, flipped, 1999), SignatureCheck::kInvalid);
    UrlSigner other(std::vector<uint8_t>(32, 2));
    EXPECT_EQ(other.Verify("/api/v1/assets/t/mix.wav", expires, signature, 1999), SignatureCheck::kInvalid);
}

TEST(RateLimiterTest, BucketPerClientRefillsOverTime) {
    RateLimiter limiter(60);  // one a second, bursts of 60
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < 60; ++i) EXPECT_TRUE(limiter.Allow("a", t0));
    EXPECT_FALSE(limiter.Allow("a", t0));
    EXPECT_TRUE(limiter.Allow("b", t0)) << "clients do not share buckets";
    EXPECT_TRUE(limiter.Allow("a", t0 + std::chrono::seconds(1)));
    EXPECT_FALSE(limiter.Allow("a", t0 + std::chrono::seconds(1)));
    RateLimiter off(0);
    for (int i = 0; i < 1000; ++i) EXPECT_TRUE(off.Allow("a", t0));
}

TEST(MetricsTest, PrometheusTextHasCumulativeBuckets) {
    Metrics m;
    m.ObserveRequest("GET", "/api/v1/tracks", 200, 0.003);
    m.ObserveRequest("GET", "/api/v1/tracks", 200, 0.2);
    m.ObserveRequest("GET", "/api/v1/tracks", 404, 0.001);
    m.ObserveJob("generation", "succeeded", 1.5);
    const std::string text = m.Render({{"amapiano_job_queue_depth", "Jobs waiting", 3}});
    EXPECT_NE(
        text.find("amapiano_http_requests_total{method=\"GET\",route=\"/api/v1/tracks\",status=\"200\"} 2"),
        std::string::npos);
    EXPECT_NE(
        text.find("amapiano_http_request_duration_seconds_bucket{route=\"/api/v1/tracks\",le=\"0.001\"} 1"),
        std::string::npos);
    EXPECT_NE(
        text.find("amapiano_http_request_duration_seconds_bucket{route=\"/api/v1/tracks\",le=\"0.005\"} 2"),
        std::string::npos);
    EXPECT_NE(
        text.find("amapiano_http_request_duration_seconds_bucket{route=\"/api/v1/tracks\",le=\"+Inf\"} 3"),
        std::string::npos);
    EXPECT_NE(text.find("amapiano_http_request_duration_seconds_count{route=\"/api/v1/tracks\"} 3"),
              std::string::npos);
    EXPECT_NE(text.find("amapiano_jobs_total{kind=\"generation\",outcome=\"succeeded\"} 1"),
              std::string::npos);
    EXPECT_NE(
        text.find(
            "amapiano_job_duration_seconds_bucket{kind=\"generation\",outcome=\"succeeded\",le=\"2\"} 1"),
        std::string::npos);
    EXPECT_NE(text.find("# TYPE amapiano_job_queue_depth gauge\namapiano_job_queue_depth 3\n"),
              std::string::npos);
}

}  // namespace
}  // namespace amapiano::server
