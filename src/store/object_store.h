// ObjectStore: the one interface to audio and other blobs (mixes, stems, MIDI, uploads). Two
// backends share it — a local directory (the embedded default, `<data dir>/objects`,
// local_object_store.h) and S3 (production).
//
//   Result<std::unique_ptr<ObjectStore>> objects = OpenLocalObjectStore("data/objects");
//   (*objects)->PutFile("tracks/abc/mix.wav", "/tmp/render.wav");   // atomic: all or nothing
//   auto bytes = (*objects)->GetRange("tracks/abc/mix.wav", 0, 1024);
//
// Keys are 1-1024 bytes of path segments separated by '/': letters, digits, '.', '_', '-', not
// starting with '.', no empty segments (ValidateObjectKey). A write is visible only once complete;
// a reader sees the old object or the new one, never part of one. Thread-safe.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace amapiano::store {

struct ObjectInfo final {
    std::string key;
    int64_t size_bytes = 0;
};

// kInvalidArgument naming what is wrong with `key`, or ok.
Status ValidateObjectKey(std::string_view key);

class ObjectStore {
public:
    virtual ~ObjectStore() = default;

    virtual std::string_view Scheme() const = 0;  // "file" or "s3"

    virtual Status Put(std::string_view key, std::span<const uint8_t> bytes) = 0;
    // Streams a local file into the store (large assets never pass through memory whole).
    virtual Status PutFile(std::string_view key, const std::filesystem::path& source) = 0;
    // Errors: kNotFound for a missing object.
    virtual Result<std::vector<uint8_t>> Get(std::string_view key) = 0;
    // Bytes [offset, offset + length) clipped to the object; kInvalidArgument past its end.
    virtual Result<std::vector<uint8_t>> GetRange(std::string_view key, int64_t offset, int64_t length) = 0;
    virtual Result<ObjectInfo> Stat(std::string_view key) = 0;
    // Removing a missing object is not an error.
    virtual Status Delete(std::string_view key) = 0;
    // Every object whose key starts with `prefix`, sorted by key.
    virtual Result<std::vector<ObjectInfo>> List(std::string_view prefix) = 0;
};

}  // namespace amapiano::store
