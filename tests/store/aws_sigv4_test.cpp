// SigV4 against published values only: the worked S3 examples of AWS's "Signature Calculations for
// the Authorization Header: Transferring Payload in a Single Chunk" and "Authenticating Requests:
// Using Query Parameters" pages (Amazon S3 API reference), the signing-key and ListUsers walkthrough
// of the IAM SigV4 guide, and the cases of AWS's SigV4 test suite (as kept in awslabs/aws-c-auth,
// tests/aws-signing-test-suite/v4) whose rules are S3's: the "-unnormalized" path cases (S3 never
// normalises paths) and none of the "-normalized" ones.
#include "store/aws_sigv4.h"

#include <gtest/gtest.h>

#include "store/checksum.h"

namespace amapiano::store {
namespace {

using Clock = std::chrono::system_clock;

// 20130524T000000Z, the time of every S3 example.
const Clock::time_point kS3ExampleTime = Clock::from_time_t(1369353600);
// 20150830T123600Z, the time of the test suite.
const Clock::time_point kSuiteTime = Clock::from_time_t(1440938160);

const AwsCredentials kS3ExampleKeys{
    "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "", {}};
const AwsCredentials kSuiteKeys{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "", {}};

std::string Header(const AwsRequest& request, std::string_view name) {
    for (const auto& [n, v] : request.headers) {
        if (n == name) return v;
    }
    return "<missing>";
}

TEST(AwsSigv4, TimestampAndEncoding) {
    EXPECT_EQ(AwsTimestamp(kS3ExampleTime), "20130524T000000Z");
    EXPECT_EQ(AwsTimestamp(kSuiteTime), "20150830T123600Z");
    EXPECT_EQ(AwsUriEncode("a-b_c.d~e/f g$h+i", true), "a-b_c.d~e/f%20g%24h%2Bi");
    EXPECT_EQ(AwsUriEncode("a/b=c&d", false), "a%2Fb%3Dc%26d");
    EXPECT_EQ(AwsUriEncode("\xe1\x88\xb4", false), "%E1%88%B4");
    EXPECT_EQ(AwsCanonicalQuery({{"b", "2"}, {"a", "z"}, {"a", "y"}, {"c", ""}}), "a=y&a=z&b=2&c=");
}

// Example: GET Object (the first 10 bytes of test.txt).
TEST(AwsSigv4, S3ExampleGetObject) {
    AwsRequest request{.method = "GET", .host = "examplebucket.s3.amazonaws.com", .path = "/test.txt"};
    request.headers = {{"Range", "bytes=0-9"}};
    const AwsSignature s = SignRequest(request, kS3ExampleKeys, "us-east-1", "s3", kS3ExampleTime);
    EXPECT_EQ(s.canonical_request,
              "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n"
              "x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
              "x-amz-date:20130524T000000Z\n\nhost;range;x-amz-content-sha256;x-amz-date\n"
              "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(s.string_to_sign,
              "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
              "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
    EXPECT_EQ(s.signature, "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
    // AWS prints the header without spaces after the commas; S3 accepts both forms (botocore sends ", ").
    EXPECT_EQ(s.authorization,
              "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
              "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
              "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
    EXPECT_EQ(Header(request, "Authorization"), s.authorization);
    EXPECT_EQ(Header(request, "x-amz-date"), "20130524T000000Z");
    EXPECT_EQ(Header(request, "x-amz-content-sha256"), kEmptyPayloadSha256);
    EXPECT_EQ(Header(request, "Host"), "examplebucket.s3.amazonaws.com");
}

// Example: PUT Object ("Welcome to Amazon S3." as test$file.text, reduced redundancy).
TEST(AwsSigv4, S3ExamplePutObject) {
    const std::string payload_sha256 = Sha256Hex(std::string_view("Welcome to Amazon S3."));
    EXPECT_EQ(payload_sha256, "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
    AwsRequest request{.method = "PUT", .host = "examplebucket.s3.amazonaws.com", .path = "/test$file.text"};
    request.headers = {{"Date", "Fri, 24 May 2013 00:00:00 GMT"},
                       {"x-amz-storage-class", "REDUCED_REDUNDANCY"}};
    request.payload_sha256 = payload_sha256;
    const AwsSignature s = SignRequest(request, kS3ExampleKeys, "us-east-1", "s3", kS3ExampleTime);
    EXPECT_EQ(
        s.canonical_request,
        "PUT\n/test%24file.text\n\ndate:Fri, 24 May 2013 00:00:00 GMT\nhost:examplebucket.s3.amazonaws.com\n"
        "x-amz-content-sha256:44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072\n"
        "x-amz-date:20130524T000000Z\nx-amz-storage-class:REDUCED_REDUNDANCY\n\n"
        "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class\n"
        "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
    EXPECT_EQ(s.string_to_sign,
              "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
              "9e0e90d9c76de8fa5b200d8c849cd5b8dc7a3be3951ddb7f6a76b4158342019d");
    EXPECT_EQ(s.signature, "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
    EXPECT_EQ(s.signed_headers, "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class");
}

// Example: GET Bucket Lifecycle (?lifecycle).
TEST(AwsSigv4, S3ExampleGetBucketLifecycle) {
    AwsRequest request{.method = "GET", .host = "examplebucket.s3.amazonaws.com", .path = "/"};
    request.query = {{"lifecycle", ""}};
    const AwsSignature s = SignRequest(request, kS3ExampleKeys, "us-east-1", "s3", kS3ExampleTime);
    EXPECT_EQ(s.canonical_request,
              "GET\n/\nlifecycle=\nhost:examplebucket.s3.amazonaws.com\n"
              "x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
              "x-amz-date:20130524T000000Z\n\nhost;x-amz-content-sha256;x-amz-date\n"
              "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(s.string_to_sign,
              "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
              "9766c798316ff2757b517bc739a67f6213b4ab36dd5da2f94eaebf79c77395ca");
    EXPECT_EQ(s.signature, "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
}

// Example: Get Bucket (List Objects) ?max-keys=2&prefix=J.
TEST(AwsSigv4, S3ExampleListObjects) {
    AwsRequest request{.method = "GET", .host = "examplebucket.s3.amazonaws.com", .path = "/"};
    request.query = {{"prefix", "J"}, {"max-keys", "2"}};  // sorted by the signer
    const AwsSignature s = SignRequest(request, kS3ExampleKeys, "us-east-1", "s3", kS3ExampleTime);
    EXPECT_EQ(s.canonical_request,
              "GET\n/\nmax-keys=2&prefix=J\nhost:examplebucket.s3.amazonaws.com\n"
              "x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
              "x-amz-date:20130524T000000Z\n\nhost;x-amz-content-sha256;x-amz-date\n"
              "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(s.string_to_sign,
              "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
              "df57d21db20da04d7fa30298dd4488ba3a2b47ca3a489c74750e0f1e7df1b9b7");
    EXPECT_EQ(s.signature, "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

// "Authenticating Requests: Using Query Parameters": the presigned GET of test.txt for 86400 s.
TEST(AwsSigv4, S3ExamplePresignedUrl) {
    const AwsRequest request{.method = "GET", .host = "examplebucket.s3.amazonaws.com", .path = "/test.txt"};
    const AwsPresignedUrl p =
        PresignUrl(request, kS3ExampleKeys, "us-east-1", "s3", kS3ExampleTime, std::chrono::seconds(86400));
    EXPECT_EQ(
        p.signature.canonical_request,
        "GET\n/test.txt\n"
        "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%"
        "2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host\n"
        "host:examplebucket.s3.amazonaws.com\n\nhost\nUNSIGNED-PAYLOAD");
    EXPECT_EQ(p.signature.string_to_sign,
              "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
              "3bfa292879f6447bbcda7001decf97f4a54dc650c8942174ae0a9121cf58ad04");
    EXPECT_EQ(p.signature.signature, "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
    EXPECT_EQ(
        p.url,
        "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential="
        "AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-"
        "Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature="
        "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
}

// IAM guide: the derived signing key and the ListUsers walkthrough (a non-S3 service: no
// x-amz-content-sha256 header is added).
TEST(AwsSigv4, IamSigningKeyAndListUsersExample) {
    AwsRequest request{.method = "GET", .host = "iam.amazonaws.com", .path = "/"};
    request.query = {{"Action", "ListUsers"}, {"Version", "2010-05-08"}};
    request.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
    const AwsSignature s = SignRequest(request, kSuiteKeys, "us-east-1", "iam", kSuiteTime);
    EXPECT_EQ(s.signing_key_hex, "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9");
    EXPECT_EQ(s.canonical_request,
              "GET\n/\nAction=ListUsers&Version=2010-05-08\n"
              "content-type:application/x-www-form-urlencoded; charset=utf-8\nhost:iam.amazonaws.com\n"
              "x-amz-date:20150830T123600Z\n\ncontent-type;host;x-amz-date\n"
              "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(s.string_to_sign,
              "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/iam/aws4_request\n"
              "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59");
    EXPECT_EQ(s.signature, "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7");
}

struct SuiteCase {
    std::string name;
    std::string method;
    std::string path;
    std::vector<std::pair<std::string, std::string>> query;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string payload_sha256;
    std::string session_token;
    std::string signed_headers;
    std::string signature;
};

// The suite's header-signed-request.txt values (request line, headers, and the Authorization header's
// SignedHeaders and Signature).
TEST(AwsSigv4, TestSuiteCasesThatFollowS3Rules) {
    const std::string empty(kEmptyPayloadSha256);
    const std::string form = "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e";
    EXPECT_EQ(Sha256Hex(std::string_view("Param1=value1")), form);
    const std::string unreserved = "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    const std::vector<SuiteCase> cases = {
        {"get-vanilla",
         "GET",
         "/",
         {},
         {},
         empty,
         "",
         "host;x-amz-date",
         "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
        {"get-vanilla-query",
         "GET",
         "/",
         {},
         {},
         empty,
         "",
         "host;x-amz-date",
         "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
        {"get-vanilla-empty-query-key",
         "GET",
         "/",
         {{"Param1", "value1"}},
         {},
         empty,
         "",
         "host;x-amz-date",
         "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb"},
        {"get-vanilla-query-order-key-case",
         "GET",
         "/",
         {{"Param2", "value2"}, {"Param1", "value1"}},
         {},
         empty,
         "",
         "host;x-amz-date",
         "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"},
        {"get-vanilla-query-unreserved",
         "GET",
         "/",
         {{unreserved, unreserved}},
         {},
         empty,
         "",
         "host;x-amz-date",
         "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197"},
        {"get-vanilla-utf8-query",
         "GET",
         "/",
         {{"\xe1\x88\xb4", "bar"}},
         {},
         empty,
         "",
         "host;x-amz-date",
         "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"},
        {"get-unreserved",
         "GET",
         "/" + unreserved,
         {},
         {},
         empty,
         "",
         "host;x-amz-date",
         "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"},
        {"get-utf8",
         "GET",
         "/\xe1\x88\xb4",
         {},
         {},
         empty,
         "",
         "host;x-amz-date",
         "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"},
        {"get-space-unnormalized",
         "GET",
         "/example space/",
         {},
         {},
         empty,
         "",
         "host;x-amz-date",
         "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741"},
        {"get-slashes-unnormalized",
         "GET",
         "//example//",
         {},
         {},
         empty,
         "",
         "host;x-amz-date",
         "87cca117541a147f6df867677d98a7d80dff226d2bfca9e4ffa899665623c7e5"},
        {"get-slash-dot-slash-unnormalized",
         "GET",
         "/./",
         {},
         {},
         empty,
         "",
         "host;x-amz-date",
         "68714168e6557f8f2de0ef956fc24dc2593a4bd2961f8df51898d8a134695145"},
        {"get-relative-relative-unnormalized",
         "GET",
         "/example1/example2/../..",
         {},
         {},
         empty,
         "",
         "host;x-amz-date",
         "dc33e0856fd4baca4d7aa2146c38958283844764f38c74252a333df5e613003b"},
        {"get-header-value-trim",
         "GET",
         "/",
         {},
         {{"My-Header1", " value1"}, {"My-Header2", "\"a   b   c\""}},
         empty,
         "",
         "host;my-header1;my-header2;x-amz-date",
         "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"},
        {"get-header-key-duplicate",
         "GET",
         "/",
         {},
         {{"My-Header1", "value2"}, {"My-Header1", "value2"}, {"My-Header1", "value1"}},
         empty,
         "",
         "host;my-header1;x-amz-date",
         "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"},
        {"get-header-value-order",
         "GET",
         "/",
         {},
         {{"My-Header1", "value4"},
          {"My-Header1", "value1"},
          {"My-Header1", "value3"},
          {"My-Header1", "value2"}},
         empty,
         "",
         "host;my-header1;x-amz-date",
         "08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01"},
        {"get-vanilla-with-session-token",
         "GET",
         "/",
         {},
         {},
         empty,
         "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267",
         "host;x-amz-date;x-amz-security-token",
         "07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8"},
        {"post-vanilla",
         "POST",
         "/",
         {},
         {},
         empty,
         "",
         "host;x-amz-date",
         "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"},
        {"post-vanilla-query",
         "POST",
         "/",
         {{"Param1", "value1"}},
         {},
         empty,
         "",
         "host;x-amz-date",
         "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11"},
        {"post-header-key-sort",
         "POST",
         "/",
         {},
         {{"My-Header1", "value1"}},
         empty,
         "",
         "host;my-header1;x-amz-date",
         "c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c"},
        {"post-header-value-case",
         "POST",
         "/",
         {},
         {{"My-Header1", "VALUE1"}},
         empty,
         "",
         "host;my-header1;x-amz-date",
         "cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d"},
        {"post-x-www-form-urlencoded",
         "POST",
         "/",
         {},
         {{"Content-Type", "application/x-www-form-urlencoded"},
          {"Content-Length", "13"},
          {"x-amz-content-sha256", form}},
         form,
         "",
         "content-length;content-type;host;x-amz-content-sha256;x-amz-date",
         "d3875051da38690788ef43de4db0d8f280229d82040bfac253562e56c3f20e0b"},
        {"post-x-www-form-urlencoded-parameters",
         "POST",
         "/",
         {},
         {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"},
          {"Content-Length", "13"},
          {"x-amz-content-sha256", form}},
         form,
         "",
         "content-length;content-type;host;x-amz-content-sha256;x-amz-date",
         "328d1b9eaadca9f5818ef05e8392801e091653bafec24fcab71e7344e7f51422"},
    };
    for (const SuiteCase& c : cases) {
        SCOPED_TRACE(c.name);
        AwsRequest request{.method = c.method, .host = "example.amazonaws.com", .path = c.path};
        request.query = c.query;
        request.headers = c.headers;
        request.payload_sha256 = c.payload_sha256;
        AwsCredentials keys = kSuiteKeys;
        keys.session_token = c.session_token;
        const AwsSignature s = SignRequest(request, keys, "us-east-1", "service", kSuiteTime);
        EXPECT_EQ(s.authorization,
                  "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
                  "SignedHeaders=" +
                      c.signed_headers + ", Signature=" + c.signature)
            << s.canonical_request;
        if (c.name == "get-vanilla") {
            EXPECT_EQ(
                s.canonical_request,
                "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" +
                    empty);
            EXPECT_EQ(s.string_to_sign,
                      "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
                      "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63");
        }
    }
}

TEST(AwsSigv4, ResigningReplacesTheOldSignature) {
    AwsRequest request{.method = "GET", .host = "examplebucket.s3.amazonaws.com", .path = "/test.txt"};
    request.headers = {{"Range", "bytes=0-9"}};
    SignRequest(request, kS3ExampleKeys, "us-east-1", "s3", kS3ExampleTime);
    const AwsSignature again = SignRequest(request, kS3ExampleKeys, "us-east-1", "s3", kS3ExampleTime);
    EXPECT_EQ(again.signature, "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
    int authorizations = 0;
    for (const auto& [name, value] : request.headers) authorizations += name == "Authorization";
    EXPECT_EQ(authorizations, 1);
}

TEST(AwsSigv4, SessionTokenIsSignedAndPresigned) {
    AwsCredentials keys = kS3ExampleKeys;
    keys.session_token = "token/with+chars=";
    AwsRequest request{.method = "GET", .host = "examplebucket.s3.amazonaws.com", .path = "/test.txt"};
    const AwsPresignedUrl p =
        PresignUrl(request, keys, "us-east-1", "s3", kS3ExampleTime, std::chrono::seconds(60));
    EXPECT_NE(p.url.find("&X-Amz-Security-Token=token%2Fwith%2Bchars%3D&"), std::string::npos) << p.url;
    const AwsSignature s = SignRequest(request, keys, "us-east-1", "s3", kS3ExampleTime);
    EXPECT_EQ(s.signed_headers, "host;x-amz-content-sha256;x-amz-date;x-amz-security-token");
    EXPECT_EQ(Header(request, "x-amz-security-token"), "token/with+chars=");
}

}  // namespace
}  // namespace amapiano::store
