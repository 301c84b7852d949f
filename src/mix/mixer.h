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
// Thread: one thread at a time, except ProcessChannel as described below; no call allocates, locks,
// logs or throws.
#pragma once

#include <memory>
#include <span>
#include <vector>

#include "compose/instrument.h"
#include "compose/score.h"

namespace amapiano::mix {

struct ChannelSettings final {
    double gain_db = 0.0;
    double pan = 0.0;           // -1 left .. +1 right
    double highpass_hz = 0.0;   // 0 = off
    double lowpass_hz = 0.0;    // 0 = off
    double low_shelf_hz = 0.0;  // 0 = off
    double low_shelf_gain_db = 0.0;
    double bell_hz = 0.0;  // 0 = off
    double bell_gain_db = 0.0;
    double bell_q = 1.0;
    double duck_depth_db = 0.0;  // > 0: ducked by this much under the kick/log-drum sidechain
    double reverb_send = 0.0;    // 0..1
    double width = 0.0;          // 0 mono .. 1 wide (Haas-style decorrelation)
};

// The house mix for an instrument, shaped by the score's sound design (reverb_amount 0..1 scales
// the reverb sends; 0.5 is the house default).
ChannelSettings DefaultChannelSettings(compose::Instrument instrument, const compose::SoundDesign& sound);

// Constant-power pan law: left = cos(theta), right = sin(theta), theta = (pan + 1) * pi / 4, so
// left^2 + right^2 = 1 and the centre is -3 dB per side. `pan` is clamped to -1..+1.
struct PanGains final {
    float left = 0.70710678f;
    float right = 0.70710678f;
};
PanGains ConstantPowerPan(double pan);

// What the bus adds after summing the channels (both on in the house mix; tests switch them off to
// check the plain sum).
struct BusSettings final {
    bool reverb = true;
    bool compression = true;
};

class Mixer final {
public:
    // The house mix: DefaultChannelSettings for each channel, reverb and bus compression on.
    Mixer(std::vector<compose::Instrument> channels, double sample_rate_hz,
          const compose::SoundDesign& sound);
    // Explicit settings, one per channel (settings.size() must equal channels.size()).
    Mixer(std::vector<compose::Instrument> channels, std::vector<ChannelSettings> settings,
          double sample_rate_hz, const BusSettings& bus = {});
    ~Mixer();
    Mixer(const Mixer&) = delete;
    Mixer& operator=(const Mixer&) = delete;

    const std::vector<compose::Instrument>& channels() const;

    // Largest block the three-phase API below accepts (Process() takes any size).
    static constexpr size_t kMaxBlockFrames = 32768;

    // One block of `frames` frames. inputs[i] is channel i's mono signal (frames samples);
    // stems[i] receives channel i's processed stereo stem, interleaved (2 * frames samples);
    // bus receives the stereo mix of all channels plus reverb, after bus compression (2 * frames).
    // `frames` is bus.size() / 2; any block size works (it is processed internally in slices of at most
    // kMaxBlockFrames, so there is no maximum). Kick and log-drum channels feed the ducking sidechain.
    void Process(std::span<const std::span<const float>> inputs, std::span<const std::span<float>> stems,
                 std::span<float> bus);

    // The same work as Process(), in three phases, for callers that spread channels over threads.
    // Per block of at most kMaxBlockFrames: BeginBlock (sidechain from all inputs), then
    // ProcessChannel for every channel — concurrently from different threads is allowed, one call
    // per channel — then FinishBlock (sum in channel order, reverb, bus compression). The result is
    // bit-identical to Process() whatever the thread assignment.
    void BeginBlock(std::span<const std::span<const float>> inputs);
    void ProcessChannel(size_t channel, std::span<const float> input, std::span<float> stem);
    void FinishBlock(std::span<const std::span<const float>> stems, std::span<float> bus);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace amapiano::mix
