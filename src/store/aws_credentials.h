// Where the S3 backend gets its AWS credentials: fixed keys, the environment, or the ECS task role
// endpoint (temporary keys, cached and refreshed about 5 minutes before they expire). All providers
// are thread-safe.
//
//   std::shared_ptr<AwsCredentialsProvider> provider = DefaultCredentialsProvider();
//   Result<AwsCredentials> credentials = provider->Get();   // env first, then the ECS task role
//   if (!credentials) return credentials.error();
//
// Environment: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN (optional). ECS:
// AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (fetched from http://169.254.170.2<uri>) or
// AWS_CONTAINER_CREDENTIALS_FULL_URI, with AWS_CONTAINER_AUTHORIZATION_TOKEN (or the file named by
// AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE) sent as the Authorization header when set.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "core/error.h"
#include "store/aws_sigv4.h"

namespace amapiano::store {

class AwsCredentialsProvider {
public:
    virtual ~AwsCredentialsProvider() = default;
    // Credentials valid for at least a few more minutes. Errors: kUnauthenticated when there are none
    // (nothing configured, or the endpoint refused), kUnavailable when the endpoint cannot be reached,
    // kCorruptData when its answer cannot be read.
    virtual Result<AwsCredentials> Get() = 0;
};

// Always the same keys.
std::shared_ptr<AwsCredentialsProvider> StaticCredentialsProvider(AwsCredentials credentials);

// AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, read at each Get.
std::shared_ptr<AwsCredentialsProvider> EnvironmentCredentialsProvider();

// The ECS container credentials endpoint named by the environment (see the top of this file), read at
// the first Get and again whenever the cached keys are within `refresh_before` of their Expiration.
// When a refresh fails while the cached keys are still valid, those are returned.
std::shared_ptr<AwsCredentialsProvider> EcsCredentialsProvider(
    std::chrono::seconds refresh_before = std::chrono::minutes(5));

// The environment's keys when AWS_ACCESS_KEY_ID is set, else the ECS task role when its variables are
// set, else kUnauthenticated saying what to set. Decided at each Get, so a process that gets its
// environment late still works.
std::shared_ptr<AwsCredentialsProvider> DefaultCredentialsProvider();

}  // namespace amapiano::store
