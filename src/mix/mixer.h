// Mixer: per-instrument channel strips summed to a stereo bus, block by block.
//
// Each channel takes the mono output of one TrackRenderer and applies gain, EQ, pan, sidechain
// ducking (keys, pads and leads duck under the kick and log drum) and a reverb send. The bus adds
// the reverb return and gentle bus compression. The processed stereo signal of each channel is the
// stem a producer gets: stems are pre-master (before loudness normalisation and limiting).
//
//   Mixer mixer({Instrument::kKick, Instrument::kKeys}, 44100.0, score.sound);
//   mixer.Process(inputs, stems, bus);   // per block
//
// Thread: one thread at a time; Process() does not allocate, lock, log or throw.
#pragma once

#include <memory>
#include <span>
#include <vector>

#include "compose/instrument.h"
#include "compose/score.h"

namespace amapiano::mix {

struct ChannelSettings final {
    double gain_db = 0.0;
    double pan = 0.0;               // -1 left .. +1 right
    double highpass_hz = 0.0;       // 0 = off
    double lowpass_hz = 0.0;        // 0 = off
    double low_shelf_hz = 0.0;      // 0 = off
    double low_shelf_gain_db = 0.0;
    double bell_hz = 0.0;           // 0 = off
    double bell_gain_db = 0.0;
    double bell_q = 1.0;
    double duck_depth_db = 0.0;     // > 0: ducked by this much under the kick/log-drum sidechain
    double reverb_send = 0.0;       // 0..1
    double width = 0.0;             // 0 mono .. 1 wide (Haas-style decorrelation)
};

// The house mix for an instrument, shaped by the score's sound design.
ChannelSettings DefaultChannelSettings(compose::Instrument instrument, const compose::SoundDesign& sound);

class Mixer final {
public:
    Mixer(std::vector<compose::Instrument> channels, double sample_rate_hz, const compose::SoundDesign& sound);
    ~Mixer();
    Mixer(const Mixer&) = delete;
    Mixer& operator=(const Mixer&) = delete;

    const std::vector<compose::Instrument>& channels() const;

    // One block of `frames` frames. inputs[i] is channel i's mono signal (frames samples);
    // stems[i] receives channel i's processed stereo stem, interleaved (2 * frames samples);
    // bus receives the stereo mix of all channels plus reverb, after bus compression (2 * frames).
    void Process(std::span<const std::span<const float>> inputs, std::span<const std::span<float>> stems,
                 std::span<float> bus);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace amapiano::mix
