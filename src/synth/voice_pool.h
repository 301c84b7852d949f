// VoicePool: the fixed set of voices of a polyphonic engine — finding a voice for a new note (a
// free one, else the quietest by the engine's own measure) and visiting the sounding ones.
//
// `Voice` is the engine's voice struct; it needs a `bool active` member.
//
//   VoicePool<Voice, 32> voices_;
//   Voice& v = voices_.Allocate([](const Voice& v) { return v.env.Level(); });
//   voices_.ForEachActive([&](Voice& v) { ProcessVoice(v, out); });
//
// Thread: owned by one engine; used on the renderer thread only. Storage is inline: never allocates.
#pragma once

#include <array>
#include <cstddef>

namespace amapiano::synth {

template <typename Voice, size_t kSize>
class VoicePool final {
public:
    // The first free voice; if all are active, the one with the smallest `loudness(voice)` (the
    // earliest on ties). The voice is returned as it is: the caller resets and activates it.
    template <typename LoudnessFn>
    Voice& Allocate(LoudnessFn&& loudness) {
        Voice* voice = nullptr;
        float quietest = 0.0f;
        for (Voice& v : voices_) {
            if (!v.active) return v;
            const float level = loudness(v);
            if (voice == nullptr || level < quietest) {
                voice = &v;
                quietest = level;
            }
        }
        return *voice;
    }

    // Calls `fn(voice)` for every active voice, in pool order.
    template <typename Fn>
    void ForEachActive(Fn&& fn) {
        for (Voice& v : voices_) {
            if (v.active) fn(v);
        }
    }

    auto begin() { return voices_.begin(); }
    auto end() { return voices_.end(); }

private:
    std::array<Voice, kSize> voices_{};
};

}  // namespace amapiano::synth
