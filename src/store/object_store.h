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

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
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
    // SHA-256 (lowercase hex) when the store knows it without reading the object — S3 objects written
    // by this project carry it as metadata (x-amz-meta-sha256); empty otherwise. A hint for skipping
    // copies, not proof: verification hashes the bytes (Sha256OfObject).
    std::string sha256;
};

// Receives an object's bytes in order, in chunks; an error stops the read and is returned.
using ObjectSink = std::function<Status(std::span<const uint8_t>)>;

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
    // Streams the whole object to `sink` in chunks of at most a few MiB (never whole in memory).
    // Errors: kNotFound, or the sink's error.
    virtual Status Read(std::string_view key, const ObjectSink& sink) = 0;
    // A URL from which a client can GET the object directly for about `ttl` (S3: a presigned URL, or
    // the CloudFront URL when one is configured). kUnsupported for stores that have none (local).
    virtual Result<std::string> DirectUrl(std::string_view key, std::chrono::seconds ttl) = 0;
    // Proves the store is usable right now — reachable, and the credentials accepted (S3: a signed
    // HEAD of the bucket). For readiness checks.
    virtual Status Probe() = 0;
};

// Downloads an object into a local file atomically (temp + rename): the file is complete or absent.
Status GetObjectToFile(ObjectStore& store, std::string_view key, const std::filesystem::path& destination);

// SHA-256 (lowercase hex) of an object's bytes, streamed.
Result<std::string> Sha256OfObject(ObjectStore& store, std::string_view key);

}  // namespace amapiano::store
