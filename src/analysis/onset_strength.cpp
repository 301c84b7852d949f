#include "analysis/onset_strength.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <numbers>

#include "analysis/real_fft.h"

namespace amapiano::analysis {
namespace {

constexpr int kShortFft = 1024;  // 46 ms: the onset spectrum
constexpr int kShortBins = kShortFft / 2 + 1;
constexpr float kLogGain = 1000.0f;
constexpr size_t kTailFrames = kShortFft / 2 / kHopFrames;  // frames whose window passes the signal's end
constexpr double kChromaMinHz = 130.0;
constexpr double kChromaMaxHz = 2100.0;
// Bands whose mean rise is below this share of the loudest band's are not boosted to equal weight.
constexpr double kBandFloorShare = 0.05;
// Below this mean rise (log units per frame, all bands) the signal counts as silent.
constexpr double kSilentFlux = 1e-4;

// ln(x) for x >= 1 from the float's exponent and a quartic in the mantissa (|error| < 1e-4):
// the per-bin logarithm is the hot spot of the onset stage.
inline float FastLog(float x) {
    const uint32_t bits = std::bit_cast<uint32_t>(x);
    const float exponent = float(int((bits >> 23) & 0xffu) - 127);
    const float m = std::bit_cast<float>((bits & 0x7fffffu) | 0x3f800000u);  // [1, 2)
    const float log2m =
        -1.7417939f + (2.8212026f + (-1.4699568f + (0.44717955f - 0.056570851f * m) * m) * m) * m;
    return (exponent + log2m) * float(std::numbers::ln2);
}

int ShortBinOf(double hz) {
    return std::clamp(int(std::lround(hz * kShortFft / kAnalysisRateHz)), 1, kShortBins - 1);
}

}  // namespace

// The onset stage's own short FFT (46 ms: sharper in time than the shared 93 ms frames) and the
// tables that map its bins to bands and the shared spectrum's bins to pitch classes.
struct OnsetStrength::Fft final {
    RealFft fft{kShortFft};
    std::vector<float> window = UnitSumHannWindow(kShortFft);
    std::array<float, kShortBins> power{};
    std::array<int, kOnsetBands + 1> band_bin{};  // first short-FFT bin of each band (last: end)
    std::vector<int8_t> chroma_class;             // pitch class of each shared-spectrum bin, or -1
    int chroma_first = 0, chroma_end = 0;         // the bins that have one
    std::array<float, kShortBins> rise{};

    Fft() {
        for (int b = 0; b <= kOnsetBands; ++b) band_bin[b] = ShortBinOf(kOnsetBandEdgesHz[b]);
        band_bin[kOnsetBands] = kShortBins;
        chroma_class.assign(kSpectrumBins, -1);
        for (int k = 0; k < kSpectrumBins; ++k) {
            const double hz = BinFrequencyHz(k);
            if (hz < kChromaMinHz || hz > kChromaMaxHz) continue;
            const long semitones_from_a = std::lround(12.0 * std::log2(hz / 440.0));
            chroma_class[k] = int8_t(((semitones_from_a + 9) % 12 + 12) % 12);
            if (chroma_first == 0) chroma_first = k;
            chroma_end = k + 1;
        }
    }

    // Squared magnitudes of the Hann-windowed central kShortFft samples of a frame.
    void Run(std::span<const float> frame_samples) {
        const float* x = frame_samples.data() + (frame_samples.size() - kShortFft) / 2;
        std::span<float> input = fft.input();
        for (int i = 0; i < kShortFft; ++i) input[size_t(i)] = x[i] * window[size_t(i)];
        fft.Run();
        for (int k = 0; k < kShortBins; ++k) power[size_t(k)] = fft.Power(k);
    }
};

// The frame before the first is silence (SpectralFrames zero-pads the signal's start).
OnsetStrength::OnsetStrength() : fft_(std::make_unique<Fft>()), previous_(kShortBins, 0.0f) {}
OnsetStrength::~OnsetStrength() = default;
OnsetStrength::OnsetStrength(OnsetStrength&&) noexcept = default;
OnsetStrength& OnsetStrength::operator=(OnsetStrength&&) noexcept = default;

void OnsetStrength::AddFrame(const SpectrumView& frame) {
    OnsetFrame out;
    Fft& fft = *fft_;
    if (frame.samples.size() >= size_t(kShortFft)) {
        fft.Run(frame.samples);
        current_.resize(kShortBins);
        // log(1 + g |X|), computed as log(1 + g^2 |X|^2) / 2 (no square root; the same compression
        // wherever it matters, g |X| >> 1).
        constexpr float kGain2 = kLogGain * kLogGain;
        for (int k = 0; k < kShortBins; ++k) current_[k] = 0.5f * FastLog(1.0f + kGain2 * fft.power[k]);
        const float* p = previous_.data();
        fft.rise[0] = 0.0f;  // DC
        fft.rise[kShortBins - 1] =
            std::max(0.0f, current_[kShortBins - 1] - std::max(p[kShortBins - 2], p[kShortBins - 1]));
        for (int k = 1; k < kShortBins - 1; ++k) {
            fft.rise[k] = std::max(0.0f, current_[k] - std::max(std::max(p[k - 1], p[k]), p[k + 1]));
        }
        for (int b = 0; b < kOnsetBands; ++b) {
            float sum = 0.0f;
            for (int k = fft.band_bin[b]; k < fft.band_bin[b + 1]; ++k) sum += fft.rise[k];
            out.band_flux[b] = sum;
        }
        std::swap(previous_, current_);
    }
    if (frame.magnitude.size() == size_t(kSpectrumBins)) {
        std::array<float, 12> chroma{};
        for (int k = fft.chroma_first; k < fft.chroma_end; ++k) {
            const int pc = fft.chroma_class[k];
            if (pc >= 0) chroma[pc] += frame.magnitude[k] * frame.magnitude[k];
        }
        const float peak = *std::max_element(chroma.begin(), chroma.end());
        if (peak > 1e-14f) {
            for (int pc = 0; pc < 12; ++pc) {
                out.chroma[pc] = uint8_t(std::lround(255.0f * std::sqrt(chroma[pc] / peak)));
            }
            const double level_db = 10.0 * std::log10(double(peak));  // amplitude dB of the strongest class
            out.chroma_level = uint8_t(std::clamp(std::lround(2.0 * (level_db + 120.0)), 0L, 240L));
        }
    }
    frames_.push_back(out);
}

OnsetEnvelopes OnsetStrength::Envelopes() const {
    OnsetEnvelopes env;
    const size_t n = frames_.size();
    env.all.assign(n, 0.0f);
    env.low.assign(n, 0.0f);
    env.high.assign(n, 0.0f);
    if (n == 0) return env;
    std::array<double, kOnsetBands> mean{};
    for (size_t i = 0; i + kTailFrames < n; ++i) {
        for (int b = 0; b < kOnsetBands; ++b) mean[b] += frames_[i].band_flux[b];
    }
    double loudest = 0.0, total = 0.0;
    for (double& m : mean) {
        m /= double(n);
        loudest = std::max(loudest, m);
        total += m;
    }
    if (total < kSilentFlux) return env;
    env.silent = false;
    std::array<float, kOnsetBands> weight{};
    for (int b = 0; b < kOnsetBands; ++b) {
        weight[b] = float(1.0 / (kOnsetBands * std::max(mean[b], kBandFloorShare * loudest)));
    }
    double high_mean = 0.0;
    for (int b = kHighOnsetFirstBand; b < kOnsetBands; ++b) high_mean += mean[b];
    const float low_weight = float(1.0 / std::max(mean[0], kBandFloorShare * loudest));
    const float high_weight = float(1.0 / std::max(high_mean, kBandFloorShare * loudest));
    // The last two frames' windows reach past the end of the signal, into SpectralFrames' zero
    // padding: a signal that stops mid-note would show a cut there, not an onset.
    const size_t usable = n > kTailFrames ? n - kTailFrames : 0;
    for (size_t i = 0; i < usable; ++i) {
        const OnsetFrame& f = frames_[i];
        float all = 0.0f, high = 0.0f;
        for (int b = 0; b < kOnsetBands; ++b) all += weight[b] * f.band_flux[b];
        for (int b = kHighOnsetFirstBand; b < kOnsetBands; ++b) high += f.band_flux[b];
        env.all[i] = all;
        env.low[i] = low_weight * f.band_flux[0];
        env.high[i] = high_weight * high;
    }
    return env;
}

std::vector<double> PickOnsets(std::span<const float> envelope, double threshold) {
    constexpr int kMaxRadius = 3;  // local maximum within ±35 ms; also the minimum gap
    constexpr int kMeanBefore = 10, kMeanAfter = 7;
    std::vector<double> onsets;
    const int n = int(envelope.size());
    if (n == 0) return onsets;
    double mean = 0.0;
    for (float v : envelope) mean += v;
    mean /= n;
    if (mean <= 0.0) return onsets;
    // Prefix sums for the moving mean.
    std::vector<double> prefix(size_t(n) + 1, 0.0);
    for (int i = 0; i < n; ++i) prefix[i + 1] = prefix[i] + envelope[i];
    int last = -kMaxRadius - 1;
    for (int t = 0; t < n; ++t) {
        const float v = envelope[t];
        if (v <= 0.0f || t - last < kMaxRadius) continue;
        bool is_max = true;
        for (int j = std::max(0, t - kMaxRadius); j <= std::min(n - 1, t + kMaxRadius) && is_max; ++j) {
            if (j < t ? envelope[j] >= v : envelope[j] > v) is_max = false;
        }
        if (!is_max) continue;
        const int lo = std::max(0, t - kMeanBefore), hi = std::min(n, t + kMeanAfter + 1);
        const double local = (prefix[hi] - prefix[lo]) / (hi - lo);
        if (v < local + threshold * mean) continue;
        // Outside the signal counts as silence (the first frame's rise is measured from it).
        const double a = t > 0 ? envelope[t - 1] : 0.0, b = v, c = t + 1 < n ? envelope[t + 1] : 0.0;
        const double denom = a - 2.0 * b + c;
        const double offset = denom < 0.0 ? std::clamp(0.5 * (a - c) / denom, -0.5, 0.5) : 0.0;
        onsets.push_back(t + offset + kOnsetLatencyFrames);
        last = t;
    }
    return onsets;
}

}  // namespace amapiano::analysis
