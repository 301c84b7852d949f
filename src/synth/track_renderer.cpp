#include "synth/track_renderer.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "synth/bass.h"
#include "synth/drum_voices.h"
#include "synth/instrument_engine.h"
#include "synth/keys.h"
#include "synth/lead.h"
#include "synth/log_drum.h"
#include "synth/pad.h"

namespace amapiano::synth {
namespace {

using compose::Instrument;

std::unique_ptr<InstrumentEngine> CreateEngine(Instrument instrument, const compose::SoundDesign& sound,
                                               double sample_rate_hz) {
    switch (instrument) {
        case Instrument::kLogDrum: return std::make_unique<LogDrum>(sound, sample_rate_hz);
        case Instrument::kKeys: return std::make_unique<Keys>(sound, sample_rate_hz);
        case Instrument::kPad: return std::make_unique<Pad>(sound, sample_rate_hz);
        case Instrument::kBass: return std::make_unique<Bass>(sound, sample_rate_hz);
        case Instrument::kLead: return std::make_unique<Lead>(sound, sample_rate_hz);
        case Instrument::kKick:
        case Instrument::kShaker:
        case Instrument::kClap:
        case Instrument::kHats:
        case Instrument::kRim:
        case Instrument::kPerc: break;
    }
    return std::make_unique<DrumVoices>(instrument, sound, sample_rate_hz);
}

// A per-event seed for noise sources: depends on the event's position in the track and its grid
// step, never on time or global state.
uint32_t EventSeed(size_t index, const compose::NoteEvent& event) {
    uint64_t x = static_cast<uint64_t>(index) * 0x9E3779B97F4A7C15ull ^
                 static_cast<uint64_t>(event.step) * 0xC2B2AE3D27D4EB4Full ^
                 static_cast<uint64_t>(event.pitch);
    x ^= x >> 31;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 29;
    return static_cast<uint32_t>(x ^ (x >> 32));
}

// Schedules a track's events onto an InstrumentEngine. Render() splits each block at event onsets,
// so every event starts at its exact frame whatever the block size.
class ScheduledTrackRenderer final : public TrackRenderer {
public:
    ScheduledTrackRenderer(const compose::Track& track, const compose::Score& score, double sample_rate_hz)
        : track_(track), engine_(CreateEngine(track.instrument, score.sound, sample_rate_hz)) {
        const double bpm = score.bpm > 0.0 ? score.bpm : 112.0;
        schedule_.reserve(track.events.size());
        for (size_t i = 0; i < track.events.size(); ++i) {
            const compose::NoteEvent& e = track.events[i];
            if (!std::isfinite(e.start_beats) || !std::isfinite(e.duration_beats)) continue;
            const double start_beats = std::max(0.0, e.start_beats);
            const int64_t start = BeatsToFrame(start_beats, bpm, sample_rate_hz);
            const int64_t end =
                BeatsToFrame(start_beats + std::max(0.0, e.duration_beats), bpm, sample_rate_hz);
            schedule_.push_back({start, std::max<int64_t>(1, end - start), i, EventSeed(i, e)});
        }
        // Events should arrive sorted; a stable sort makes out-of-order input harmless.
        std::stable_sort(schedule_.begin(), schedule_.end(), [](const Scheduled& a, const Scheduled& b) {
            return a.start_frame < b.start_frame;
        });
    }

    void Render(std::span<float> out) override {
        std::fill(out.begin(), out.end(), 0.0f);
        const int64_t block_frames = static_cast<int64_t>(out.size());
        int64_t pos = 0;
        while (pos < block_frames) {
            while (next_ < schedule_.size() && schedule_[next_].start_frame <= frame_ + pos) {
                const Scheduled& s = schedule_[next_];
                engine_->NoteOn(track_.events[s.event_index], s.duration_frames, s.seed);
                ++next_;
            }
            int64_t end = block_frames;
            if (next_ < schedule_.size()) end = std::min(end, schedule_[next_].start_frame - frame_);
            engine_->Process(out.subspan(static_cast<size_t>(pos), static_cast<size_t>(end - pos)));
            pos = end;
        }
        frame_ += block_frames;
    }

private:
    struct Scheduled final {
        int64_t start_frame;
        int64_t duration_frames;
        size_t event_index;
        uint32_t seed;
    };

    const compose::Track& track_;
    std::unique_ptr<InstrumentEngine> engine_;
    std::vector<Scheduled> schedule_;
    size_t next_ = 0;
    int64_t frame_ = 0;
};

}  // namespace

std::unique_ptr<TrackRenderer> CreateTrackRenderer(const compose::Track& track, const compose::Score& score,
                                                   double sample_rate_hz) {
    return std::make_unique<ScheduledTrackRenderer>(track, score, sample_rate_hz);
}

int64_t BeatsToFrame(double beats, double bpm, double sample_rate_hz) {
    return std::llround(beats * 60.0 / bpm * sample_rate_hz);
}

}  // namespace amapiano::synth
