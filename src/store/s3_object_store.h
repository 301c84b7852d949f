// S3 backend of ObjectStore (production): objects are <prefix>/<key> in one bucket, reached over
// HTTPS with SigV4-signed requests (aws_sigv4.h) through libcurl (http_client.h). Works with AWS and
// with S3-compatible servers reached by path style (`endpoint`).
//
//   S3Options options = S3OptionsFromEnvironment();        // S3_BUCKET=media S3_PREFIX=prod ...
//   Result<std::unique_ptr<ObjectStore>> objects = OpenS3ObjectStore(options);
//   (*objects)->PutFile("tracks/abc/mix.wav", "/tmp/render.wav");   // multipart above 16 MiB
//   auto url = (*objects)->DirectUrl("tracks/abc/mix.wav", std::chrono::minutes(15));
//
// Every object written here carries its SHA-256 as metadata (x-amz-meta-sha256), which Stat and List
// return as ObjectInfo::sha256 (Stat only: ListObjectsV2 has no metadata). A PUT is visible only once
// complete; a multipart upload only once CompleteMultipartUpload succeeds (it is aborted on failure).
// Requests are retried with exponential backoff and jitter on 5xx, 429 and network errors; a Read
// that breaks after delivering bytes resumes from there (Range + If-Match on the ETag), never
// restarts. Errors: kNotFound (404), kUnauthenticated (403, or no credentials), kInvalidArgument
// (416, bad keys), kUnavailable (5xx after the retries, unreachable), kIo with S3's error Code and
// Message for anything else. Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "store/aws_credentials.h"
#include "store/object_store.h"

namespace amapiano::store {

struct S3Options final {
    std::string bucket{};
    std::string prefix{};  // key prefix in the bucket, no leading/trailing '/', may be empty
    std::string region = "us-east-1";
    std::string endpoint{};  // "" → https://<bucket>.s3.<region>.amazonaws.com (virtual-hosted style);
                             // else e.g. http://127.0.0.1:4568 → path style <endpoint>/<bucket>/<key>
    std::string cloudfront_url{};  // optional: DirectUrl returns <cloudfront_url>/<prefix/><key> (no signing)
    int64_t multipart_threshold = int64_t(16) << 20;  // PutFile above this uses multipart upload
    int64_t part_size = int64_t(8) << 20;             // >= 5 MiB (S3's minimum except the last part)
    int max_attempts = 4;                             // retries on 5xx, 429/503 SlowDown, network errors
    std::chrono::milliseconds retry_base = std::chrono::milliseconds(200);  // backoff base, with jitter
    std::shared_ptr<AwsCredentialsProvider> credentials{};  // null → DefaultCredentialsProvider()
    int list_page_size = 1000;  // ListObjectsV2 max-keys, 1..1000 (tests use small pages)
};

// Settings from the environment: S3_BUCKET, S3_PREFIX, AWS_REGION (or AWS_DEFAULT_REGION), S3_ENDPOINT,
// CLOUDFRONT_URL. Unset ones keep their defaults; nothing is checked here (OpenS3ObjectStore does).
S3Options S3OptionsFromEnvironment();

// Checks the options; does not contact S3 (Probe does). Errors: kInvalidArgument naming the bad option.
Result<std::unique_ptr<ObjectStore>> OpenS3ObjectStore(S3Options options);

}  // namespace amapiano::store
