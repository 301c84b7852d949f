#include "store/object_store_url.h"

#include "store/local_object_store.h"

namespace amapiano::store {

Result<std::unique_ptr<ObjectStore>> OpenObjectStoreUrl(std::string_view url, const S3Options& base) {
    auto bad = [&](const std::string& why) {
        return Error::InvalidArgument(
            "object store URL '" + std::string(url) + "' " + why +
            "; use file:///absolute/dir, file://relative/dir or s3://bucket[/prefix]");
    };
    if (url.starts_with("file://")) {
        // file:///abs/dir → "/abs/dir"; file://relative/dir → "relative/dir".
        const std::string_view path = url.substr(7);
        if (path.empty()) return bad("names no directory");
        return OpenLocalObjectStore(std::string(path));
    }
    if (url.starts_with("s3://")) {
        std::string_view rest = url.substr(5);
        while (rest.ends_with('/')) rest.remove_suffix(1);
        const size_t slash = rest.find('/');
        S3Options options = base;
        options.bucket = std::string(rest.substr(0, slash));
        options.prefix =
            slash == std::string_view::npos ? std::string() : std::string(rest.substr(slash + 1));
        if (options.bucket.empty()) return bad("names no bucket");
        return OpenS3ObjectStore(std::move(options));
    }
    return bad("is not a supported form");
}

}  // namespace amapiano::store
