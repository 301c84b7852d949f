#include "analysis/analyzer.h"

#include <optional>

#include "analysis/key_estimator.h"
#include "analysis/rhythm.h"
#include "analysis/spectral_frames.h"
#include "theory/key.h"

namespace amapiano::analysis {

struct Analyzer::Parts final {
    FeatureSet features;
    int source_rate_hz = 0;
    int channels = 0;
    std::unique_ptr<LoudnessMeter> loudness;
    std::optional<RhythmAnalyzer> rhythm;
    std::optional<KeyEstimator> key;
    std::optional<SpectralFeatures> spectral;
    std::optional<HarmonyAnalyzer> harmony;
    std::unique_ptr<SpectralFrames> frames;
};

Result<std::unique_ptr<Analyzer>> Analyzer::Create(FeatureSet features, int source_rate_hz, int channels) {
    if (source_rate_hz <= 0 || channels <= 0) {
        return Error::InvalidArgument("cannot analyse audio at " + std::to_string(source_rate_hz) +
                                      " Hz with " + std::to_string(channels) + " channels");
    }
    auto parts = std::make_unique<Parts>();
    parts->features = features;
    parts->source_rate_hz = source_rate_hz;
    parts->channels = channels;
    if (features.Has(Feature::kLoudness)) {
        auto meter = LoudnessMeter::Create(source_rate_hz, channels);
        if (!meter) return meter.error();
        parts->loudness = std::move(*meter);
    }
    if (features.NeedsRhythm()) parts->rhythm.emplace();
    if (features.Has(Feature::kKey)) parts->key.emplace();
    if (features.NeedsSpectral()) parts->spectral.emplace();
    if (features.Has(Feature::kHarmony)) parts->harmony.emplace();
    if (features.NeedsFrames()) {
        Parts* p = parts.get();
        parts->frames = std::make_unique<SpectralFrames>([p](const SpectrumView& view) {
            if (p->rhythm) p->rhythm->AddFrame(view);
            if (p->key) p->key->AddFrame(view);
            if (p->spectral) p->spectral->AddFrame(view);
            if (p->harmony) p->harmony->AddFrame(view);
        });
    }
    return std::unique_ptr<Analyzer>(new Analyzer(std::move(parts)));
}

Analyzer::Analyzer(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}
Analyzer::~Analyzer() = default;

bool Analyzer::wants_source() const { return parts_->loudness != nullptr; }
bool Analyzer::wants_mono() const { return parts_->frames != nullptr; }

void Analyzer::PushSource(std::span<const float> interleaved) {
    if (parts_->loudness) parts_->loudness->Push(interleaved);
}

void Analyzer::PushMono(std::span<const float> mono) {
    if (parts_->frames) parts_->frames->Push(mono);
}

Analysis Analyzer::Finish(int64_t source_frames) {
    Parts& p = *parts_;
    Analysis a;
    a.features = p.features;
    a.sample_rate_hz = p.source_rate_hz;
    a.channels = p.channels;
    a.duration_s = double(source_frames) / p.source_rate_hz;
    if (p.frames) p.frames->Finish();
    if (p.loudness) a.loudness = p.loudness->Finish();

    if (p.rhythm) {
        RhythmResult rhythm = p.rhythm->Finish();
        a.has_tempo = rhythm.has_tempo;
        a.bpm = rhythm.bpm;
        a.bpm_confidence = rhythm.bpm_confidence;
        a.beats_s = std::move(rhythm.beats_s);
        a.downbeats_s = std::move(rhythm.downbeats_s);
        a.onset_times_s = std::move(rhythm.onset_times_s);
        a.onset_rate_hz = rhythm.onset_rate_hz;
        a.swing_ratio = rhythm.swing_ratio;
        a.swing_confidence = rhythm.swing_confidence;
        a.sixteenth_coverage = rhythm.sixteenth_coverage;
    }
    if (p.key) {
        const KeyEstimate key = p.key->Finish();
        a.has_key = key.has_key;
        if (key.has_key) {
            a.key = std::string(theory::PitchClassName(key.tonic_pc));
            a.mode = key.mode == theory::Mode::kMinor ? "minor" : "major";
            a.key_confidence = key.confidence;
        }
        a.tuning_hz = key.tuning_hz;
    }
    if (p.spectral) {
        a.spectral = p.spectral->Summary();
        a.bands = p.spectral->Bands();
        if (p.features.Has(Feature::kLogDrum)) a.log_drum = DetectLogDrum(p.spectral->frames(), a.beats_s);
        if (p.features.Has(Feature::kSections)) {
            a.sections = FindSections(p.spectral->frames(), a.downbeats_s, a.duration_s);
        }
    }
    if (p.harmony) a.harmony = p.harmony->Finish(a.beats_s, a.duration_s);
    return a;
}

}  // namespace amapiano::analysis
