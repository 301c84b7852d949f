// Opens an ObjectStore from one URL, so configuration and the migration tools name a store the same
// way: `file:///abs/dir` or `file://relative/dir` (local directory) and `s3://bucket/optional/prefix`.
//
//   Result<std::unique_ptr<ObjectStore>> store = OpenObjectStoreUrl("s3://media/prod");
//   Result<std::unique_ptr<ObjectStore>> local = OpenObjectStoreUrl("file:///var/lib/amapiano/objects");
//
// For s3:// the bucket and prefix come from the URL (an s3:// URL without a prefix means none) and the
// rest — region, endpoint, CloudFront URL, credentials, multipart sizes — from `base`.
#pragma once

#include <memory>
#include <string_view>

#include "store/object_store.h"
#include "store/s3_object_store.h"

namespace amapiano::store {

// Errors: kInvalidArgument for any other form (naming the accepted ones) or bad S3 options; kIo when a
// local directory cannot be created. Does not contact S3.
Result<std::unique_ptr<ObjectStore>> OpenObjectStoreUrl(std::string_view url,
                                                        const S3Options& base = S3OptionsFromEnvironment());

}  // namespace amapiano::store
