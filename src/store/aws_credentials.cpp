#include "store/aws_credentials.h"

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "core/text.h"
#include "store/http_client.h"

namespace amapiano::store {
namespace {

// The link-local address where ECS (and EKS Pod Identity's agent) serves task credentials.
constexpr std::string_view kEcsHost = "http://169.254.170.2";

std::optional<std::string> Env(const char* name) {
    const char* value = std::getenv(name);
    if (!value || !*value) return std::nullopt;
    return std::string(value);
}

// "2026-11-27T18:10:45Z" (also with fractional seconds), or nullopt.
std::optional<std::chrono::system_clock::time_point> ParseIso8601Utc(const std::string& text) {
    std::tm tm{};
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &year, &month, &day, &hour, &minute, &second) !=
        6) {
        return std::nullopt;
    }
    tm.tm_year = year - 1900;
    tm.tm_mon = month - 1;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = minute;
    tm.tm_sec = second;
    const std::time_t t = timegm(&tm);
    if (t == std::time_t(-1)) return std::nullopt;
    return std::chrono::system_clock::from_time_t(t);
}

class StaticProvider final : public AwsCredentialsProvider {
public:
    explicit StaticProvider(AwsCredentials credentials) : credentials_(std::move(credentials)) {}
    Result<AwsCredentials> Get() override { return credentials_; }

private:
    const AwsCredentials credentials_;
};

class EnvironmentProvider final : public AwsCredentialsProvider {
public:
    Result<AwsCredentials> Get() override {
        auto id = Env("AWS_ACCESS_KEY_ID");
        auto secret = Env("AWS_SECRET_ACCESS_KEY");
        if (!id || !secret) {
            return Error::Unauthenticated("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not both set");
        }
        return AwsCredentials{*id, *secret, Env("AWS_SESSION_TOKEN").value_or(""), std::nullopt};
    }
};

class EcsProvider final : public AwsCredentialsProvider {
public:
    explicit EcsProvider(std::chrono::seconds refresh_before) : refresh_before_(refresh_before) {}

    Result<AwsCredentials> Get() override {
        std::lock_guard lock(mutex_);
        const auto now = std::chrono::system_clock::now();
        if (cached_ && (!cached_->expiration || now + refresh_before_ < *cached_->expiration))
            return *cached_;
        Result<AwsCredentials> fresh = Fetch();
        if (fresh) {
            cached_ = *fresh;
            return fresh;
        }
        // The endpoint is briefly unwell: keys that still work are better than none.
        if (cached_ && cached_->expiration && now < *cached_->expiration) return *cached_;
        return fresh;
    }

private:
    static Result<AwsCredentials> Fetch() {
        HttpRequest request;
        if (auto relative = Env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")) {
            request.url = std::string(kEcsHost) + *relative;
        } else if (auto full = Env("AWS_CONTAINER_CREDENTIALS_FULL_URI")) {
            request.url = *full;
        } else {
            return Error::Unauthenticated(
                "no ECS task role: neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor "
                "AWS_CONTAINER_CREDENTIALS_FULL_URI is set");
        }
        std::optional<std::string> token = Env("AWS_CONTAINER_AUTHORIZATION_TOKEN");
        if (!token) {
            if (auto token_file = Env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")) {
                std::ifstream in(*token_file);
                std::stringstream text;
                text << in.rdbuf();
                if (!in)
                    return Error::Io("cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE " + *token_file);
                token = std::string(TrimWhitespace(text.str()));
            }
        }
        if (token) request.headers.emplace_back("Authorization", *token);
        request.headers.emplace_back("Accept", "application/json");
        request.connect_timeout = std::chrono::seconds(2);
        request.low_speed_time = std::chrono::seconds(5);
        request.max_memory_body_bytes = 64 << 10;

        Result<HttpResponse> response = PerformHttp(request);
        if (!response) {
            return Error::Unavailable("cannot reach the ECS credentials endpoint: " +
                                      response.error().message);
        }
        if (response->status == 401 || response->status == 403) {
            return Error::Unauthenticated("the ECS credentials endpoint refused the request (HTTP " +
                                          std::to_string(response->status) + ")");
        }
        if (response->status != 200) {
            return Error::Unavailable("the ECS credentials endpoint answered HTTP " +
                                      std::to_string(response->status));
        }
        const nlohmann::json body =
            nlohmann::json::parse(response->body, nullptr, /*allow_exceptions=*/false);
        auto text = [&](const char* field) -> std::string {
            if (!body.is_object() || !body.contains(field) || !body[field].is_string()) return {};
            return body[field].get<std::string>();
        };
        AwsCredentials credentials{text("AccessKeyId"), text("SecretAccessKey"), text("Token"), std::nullopt};
        if (credentials.access_key_id.empty() || credentials.secret_access_key.empty()) {
            return Error::CorruptData(
                "the ECS credentials endpoint's answer has no AccessKeyId/SecretAccessKey");
        }
        if (const std::string expiration = text("Expiration"); !expiration.empty()) {
            credentials.expiration = ParseIso8601Utc(expiration);
            if (!credentials.expiration) {
                return Error::CorruptData("the ECS credentials endpoint's Expiration '" + expiration +
                                          "' is not an ISO 8601 UTC time");
            }
        }
        return credentials;
    }

    const std::chrono::seconds refresh_before_;
    std::mutex mutex_;
    std::optional<AwsCredentials> cached_;
};

class DefaultProvider final : public AwsCredentialsProvider {
public:
    Result<AwsCredentials> Get() override {
        if (Env("AWS_ACCESS_KEY_ID")) return environment_->Get();
        if (Env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") || Env("AWS_CONTAINER_CREDENTIALS_FULL_URI")) {
            return ecs_->Get();
        }
        return Error::Unauthenticated(
            "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run with an ECS task "
            "role");
    }

private:
    std::shared_ptr<AwsCredentialsProvider> environment_ = EnvironmentCredentialsProvider();
    std::shared_ptr<AwsCredentialsProvider> ecs_ = EcsCredentialsProvider();
};

}  // namespace

std::shared_ptr<AwsCredentialsProvider> StaticCredentialsProvider(AwsCredentials credentials) {
    return std::make_shared<StaticProvider>(std::move(credentials));
}

std::shared_ptr<AwsCredentialsProvider> EnvironmentCredentialsProvider() {
    return std::make_shared<EnvironmentProvider>();
}

std::shared_ptr<AwsCredentialsProvider> EcsCredentialsProvider(std::chrono::seconds refresh_before) {
    return std::make_shared<EcsProvider>(refresh_before);
}

std::shared_ptr<AwsCredentialsProvider> DefaultCredentialsProvider() {
    return std::make_shared<DefaultProvider>();
}

}  // namespace amapiano::store
