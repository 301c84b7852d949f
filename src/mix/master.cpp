#include "mix/master.h"

#include <ebur128.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <memory>
#include <numbers>
#include <optional>
#include <string>
#include <vector>

#include "analysis/true_peak.h"

namespace amapiano::mix {
namespace {

using analysis::StereoTruePeak;

// The buffer is analysed in chunks of at most kChunkFrames frames laid out inside the 100 ms
// loudness sub-blocks of BS.1770 (a chunk never straddles a sub-block). Per chunk we keep the
// K-weighted energy and the sample peak once; every loudness iteration after that works on these
// ~250k numbers instead of the 8M frames, and the limiter's gain is computed per chunk boundary and
// interpolated linearly across the chunk.
constexpr size_t kChunkFrames = 32;
constexpr double kSubBlockS = 0.1;
constexpr size_t kSubBlocksPerGatingBlock = 4;  // 400 ms blocks, 75 % overlap
constexpr double kAbsoluteGateLufs = -70.0;
constexpr double kRelativeGateLu = -10.0;
constexpr double kLufsOffset = -0.691;
constexpr double kSilenceLufs = -70.0;

constexpr double kLookaheadS = 0.003;  // attack ramp of the limiter
constexpr double kReleaseS = 0.080;
// Aim slightly below the ceiling: our interpolator and libebur128's differ by a few hundredths of
// a dB on transients.
constexpr double kCeilingMarginDb = 0.08;
// True peak exceeds the sample peak by well under this factor (3.5 dB) on real material; chunks
// whose sample peak is further below the ceiling skip the oversampled measurement.
constexpr float kTruePeakHeadroom = 1.5f;
constexpr int kMaxLoudnessIterations = 12;
constexpr double kLoudnessToleranceLu = 0.02;
constexpr int kMaxPeakCorrections = 4;
constexpr double kFinalToleranceLu = 0.15;

double DbToLinear(double db) { return std::pow(10.0, db / 20.0); }
double LinearToDb(double x) {
    return x > 0.0 ? 20.0 * std::log10(x) : -std::numeric_limits<double>::infinity();
}

// K-weighting (BS.1770 pre-filter + RLB high-pass), designed for any rate exactly as libebur128 does.
struct KWeighting final {
    double b[5] = {};
    double a[5] = {};
    // Two cascaded sections kept separate: better conditioned than the 4th-order product.
    double sb1[3] = {}, sa1[3] = {}, sb2[3] = {}, sa2[3] = {};

    explicit KWeighting(double rate) {
        double f0 = 1681.974450955533;
        const double g = 3.999843853973347;
        double q = 0.7071752369554196;
        double k = std::tan(std::numbers::pi * f0 / rate);
        const double vh = std::pow(10.0, g / 20.0);
        const double vb = std::pow(vh, 0.4996667741545416);
        const double a0 = 1.0 + k / q + k * k;
        sb1[0] = (vh + vb * k / q + k * k) / a0;
        sb1[1] = 2.0 * (k * k - vh) / a0;
        sb1[2] = (vh - vb * k / q + k * k) / a0;
        sa1[0] = 1.0;
        sa1[1] = 2.0 * (k * k - 1.0) / a0;
        sa1[2] = (1.0 - k / q + k * k) / a0;
        f0 = 38.13547087602444;
        q = 0.5003270373238773;
        k = std::tan(std::numbers::pi * f0 / rate);
        sb2[0] = 1.0;
        sb2[1] = -2.0;
        sb2[2] = 1.0;
        sa2[0] = 1.0;
        sa2[1] = 2.0 * (k * k - 1.0) / (1.0 + k / q + k * k);
        sa2[2] = (1.0 - k / q + k * k) / (1.0 + k / q + k * k);
    }
};

// Per-channel K-filter state (transposed direct form II, two sections).
struct KState final {
    double s1 = 0, s2 = 0, t1 = 0, t2 = 0;
};

struct ChunkLayout final {
    size_t frames = 0;
    size_t sub_block_frames = 0;
    size_t chunks_per_sub_block = 0;
    size_t sub_blocks = 0;  // including a final partial one
    size_t complete_sub_blocks = 0;

    ChunkLayout(size_t total_frames, double rate) : frames(total_frames) {
        sub_block_frames = std::max<size_t>(1, static_cast<size_t>(std::lround(rate * kSubBlockS)));
        chunks_per_sub_block = (sub_block_frames + kChunkFrames - 1) / kChunkFrames;
        sub_blocks = (frames + sub_block_frames - 1) / sub_block_frames;
        complete_sub_blocks = frames / sub_block_frames;
    }
    size_t chunks() const { return sub_blocks * chunks_per_sub_block; }
    size_t Begin(size_t k) const {
        const size_t s = k / chunks_per_sub_block, c = k % chunks_per_sub_block;
        return std::min(frames, s * sub_block_frames + std::min(sub_block_frames, c * kChunkFrames));
    }
    size_t End(size_t k) const {
        const size_t s = k / chunks_per_sub_block, c = k % chunks_per_sub_block;
        return std::min(frames, s * sub_block_frames + std::min(sub_block_frames, (c + 1) * kChunkFrames));
    }
};

struct ChunkStats final {
    std::vector<double> energy;  // K-weighted sum of squares over both channels
    std::vector<float> peak;     // sample peak, both channels
};

// One pass: K-weighted chunk energies and sample peaks. Non-finite samples are zeroed on the way
// (so nothing downstream ever sees NaN or Inf).
ChunkStats Analyse(std::span<float> x, const ChunkLayout& layout, const KWeighting& kw, bool sanitise) {
    ChunkStats stats;
    stats.energy.assign(layout.chunks(), 0.0);
    stats.peak.assign(layout.chunks(), 0.0f);
    KState left, right;
    const double b10 = kw.sb1[0], b11 = kw.sb1[1], b12 = kw.sb1[2], a11 = kw.sa1[1], a12 = kw.sa1[2];
    const double b20 = kw.sb2[0], b21 = kw.sb2[1], b22 = kw.sb2[2], a21 = kw.sa2[1], a22 = kw.sa2[2];
    auto filter = [&](KState& st, double in) {
        const double y1 = b10 * in + st.s1;
        st.s1 = b11 * in - a11 * y1 + st.s2;
        st.s2 = b12 * in - a12 * y1;
        const double y2 = b20 * y1 + st.t1;
        st.t1 = b21 * y1 - a21 * y2 + st.t2;
        st.t2 = b22 * y1 - a22 * y2;
        return y2;
    };
    for (size_t k = 0; k < layout.chunks(); ++k) {
        const size_t begin = layout.Begin(k), end = layout.End(k);
        double energy = 0.0;
        float peak = 0.0f;
        for (size_t t = begin; t < end; ++t) {
            float l = x[2 * t], r = x[2 * t + 1];
            if (sanitise) {
                if (!std::isfinite(l)) x[2 * t] = l = 0.0f;
                if (!std::isfinite(r)) x[2 * t + 1] = r = 0.0f;
            }
            peak = std::max(peak, std::max(std::fabs(l), std::fabs(r)));
            const double kl = filter(left, l), kr = filter(right, r);
            energy += kl * kl + kr * kr;
        }
        stats.energy[k] = energy;
        stats.peak[k] = peak;
    }
    return stats;
}

// Gated integrated loudness (BS.1770-4) of the sub-block energies, or nullopt when no block passes
// the absolute gate.
std::optional<double> GatedLoudness(const std::vector<double>& sub_energy, const ChunkLayout& layout) {
    if (layout.complete_sub_blocks < kSubBlocksPerGatingBlock) return std::nullopt;
    const size_t blocks = layout.complete_sub_blocks - kSubBlocksPerGatingBlock + 1;
    const double norm = 1.0 / static_cast<double>(kSubBlocksPerGatingBlock * layout.sub_block_frames);
    const double abs_gate = std::pow(10.0, (kAbsoluteGateLufs - kLufsOffset) / 10.0);
    std::vector<double> z(blocks);
    double sum = 0.0;
    size_t count = 0;
    double window = 0.0;
    for (size_t s = 0; s < kSubBlocksPerGatingBlock; ++s) window += sub_energy[s];
    for (size_t j = 0; j < blocks; ++j) {
        if (j > 0) {
            // Recomputed rather than slid, to avoid accumulating rounding over thousands of blocks.
            window = 0.0;
            for (size_t s = j; s < j + kSubBlocksPerGatingBlock; ++s) window += sub_energy[s];
        }
        z[j] = window * norm;
        if (z[j] > abs_gate) {
            sum += z[j];
            ++count;
        }
    }
    if (count == 0) return std::nullopt;
    const double rel_gate = sum / static_cast<double>(count) * std::pow(10.0, kRelativeGateLu / 10.0);
    double gated_sum = 0.0;
    size_t gated_count = 0;
    for (double v : z) {
        if (v > abs_gate && v > rel_gate) {
            gated_sum += v;
            ++gated_count;
        }
    }
    if (gated_count == 0) return std::nullopt;
    return kLufsOffset + 10.0 * std::log10(gated_sum / static_cast<double>(gated_count));
}

// The limiter's gain at each chunk boundary (chunks + 1 points) for static gain `gain` and linear
// `ceiling`. Guarantees gain * peak_k * max(b_k, b_k+1) <= ceiling for every chunk k, where peak_k
// is the chunk's true peak when it is near the ceiling (computed lazily into `true_peak`).
class GainComputer final {
public:
    GainComputer(std::span<const float> audio, const ChunkLayout& layout,
                 const std::vector<float>& sample_peak, double rate)
        : audio_(audio), layout_(layout), sample_peak_(sample_peak) {
        true_peak_.assign(sample_peak.size(), -1.0f);
        lookahead_ = std::max<size_t>(1, static_cast<size_t>(std::ceil(kLookaheadS * rate / kChunkFrames)));
        release_ = std::exp(-static_cast<double>(kChunkFrames) / (kReleaseS * rate));
    }

    // Fills `points` (chunks + 1) and returns the smallest gain.
    double Compute(double gain, double ceiling, std::vector<float>& points) {
        const size_t n = sample_peak_.size();
        required_.resize(n);
        for (size_t k = 0; k < n; ++k) {
            double peak = sample_peak_[k];
            if (gain * peak * kTruePeakHeadroom > ceiling) peak = TruePeakOf(k);
            required_[k] = gain * peak > ceiling ? static_cast<float>(ceiling / (gain * peak)) : 1.0f;
        }
        // Hold: the minimum requirement over [i-1, i+lookahead]; then release towards 1.
        held_.resize(n + 1);
        double previous = 1.0;
        for (size_t i = 0; i <= n; ++i) {
            float m = 1.0f;
            const size_t lo = i == 0 ? 0 : i - 1;
            const size_t hi = std::min(n, i + lookahead_ + 1);
            for (size_t j = lo; j < hi; ++j) m = std::min(m, required_[j]);
            const double released = 1.0 - (1.0 - previous) * release_;
            previous = std::min<double>(m, released);
            held_[i] = static_cast<float>(previous);
        }
        // Box smoothing over lookahead + 1 points turns steps into ramps without losing the bound.
        points.resize(n + 1);
        double smallest = 1.0;
        const size_t width = lookahead_ + 1;
        for (size_t i = 0; i <= n; ++i) {
            double sum = 0.0;
            for (size_t d = 0; d < width; ++d) sum += held_[i >= d ? i - d : 0];
            const double b = std::min(1.0, sum / static_cast<double>(width));
            points[i] = static_cast<float>(b);
            smallest = std::min(smallest, b);
        }
        return smallest;
    }

    float TruePeakOf(size_t k) {
        if (true_peak_[k] < 0.0f) {
            true_peak_[k] =
                std::max(sample_peak_[k], StereoTruePeak(audio_, layout_.Begin(k), layout_.End(k)));
        }
        return true_peak_[k];
    }

private:
    std::span<const float> audio_;
    const ChunkLayout& layout_;
    const std::vector<float>& sample_peak_;
    std::vector<float> true_peak_;
    std::vector<float> required_, held_;
    size_t lookahead_ = 1;
    double release_ = 0.0;
};

// Sub-block energies after static gain and limiting (the gain ramp's mean square per chunk).
std::vector<double> PredictedSubBlockEnergy(const ChunkStats& stats, const ChunkLayout& layout, double gain,
                                            const std::vector<float>* points) {
    std::vector<double> sub(layout.sub_blocks, 0.0);
    const double g2 = gain * gain;
    for (size_t k = 0; k < stats.energy.size(); ++k) {
        double factor = 1.0;
        if (points != nullptr) {
            const double b0 = (*points)[k], b1 = (*points)[k + 1];
            factor = (b0 * b0 + b0 * b1 + b1 * b1) / 3.0;
        }
        sub[k / layout.chunks_per_sub_block] += stats.energy[k] * factor * g2;
    }
    return sub;
}

std::vector<double> SubBlockEnergy(const ChunkStats& stats, const ChunkLayout& layout) {
    return PredictedSubBlockEnergy(stats, layout, 1.0, nullptr);
}

void ApplyGain(std::span<float> x, const ChunkLayout& layout, double gain, const std::vector<float>& points) {
    const auto g = static_cast<float>(gain);
    for (size_t k = 0; k + 1 < points.size(); ++k) {
        const size_t begin = layout.Begin(k), end = layout.End(k);
        if (begin == end) continue;
        const float b0 = points[k] * g, b1 = points[k + 1] * g;
        const float step = (b1 - b0) / static_cast<float>(end - begin);
        float current = b0;
        for (size_t t = begin; t < end; ++t) {
            x[2 * t] *= current;
            x[2 * t + 1] *= current;
            current += step;
        }
    }
}

// The output's true peak, measured only where its sample peak comes within the headroom factor of
// `ceiling` (elsewhere the sample peak stands in).
double MeasuredTruePeak(std::span<const float> x, const ChunkLayout& layout,
                        const std::vector<float>& sample_peak, double ceiling) {
    double peak = 0.0;
    for (size_t k = 0; k < sample_peak.size(); ++k) {
        double p = sample_peak[k];
        if (p * kTruePeakHeadroom > ceiling)
            p = std::max<double>(p, StereoTruePeak(x, layout.Begin(k), layout.End(k)));
        peak = std::max(peak, p);
    }
    return peak;
}

struct EburStateDeleter final {
    void operator()(ebur128_state* state) const { ebur128_destroy(&state); }
};

}  // namespace

Result<MasterReport> MasterInPlace(std::span<float> interleaved_stereo, double sample_rate_hz,
                                   double target_lufs, double ceiling_dbtp) {
    if (interleaved_stereo.size() % 2 != 0) {
        return Error::InvalidArgument("mastering needs interleaved stereo, but the sample count " +
                                      std::to_string(interleaved_stereo.size()) + " is odd");
    }
    if (!(sample_rate_hz > 0.0) || !std::isfinite(sample_rate_hz)) {
        return Error::InvalidArgument("mastering needs a positive sample rate, got " +
                                      std::to_string(sample_rate_hz));
    }
    if (!std::isfinite(target_lufs) || !std::isfinite(ceiling_dbtp)) {
        return Error::InvalidArgument("mastering target and ceiling must be finite");
    }
    const size_t frames = interleaved_stereo.size() / 2;
    const ChunkLayout layout(frames, sample_rate_hz);
    const KWeighting kw(sample_rate_hz);
    const ChunkStats input = Analyse(interleaved_stereo, layout, kw, /*sanitise=*/true);

    MasterReport report;
    const std::optional<double> input_lufs = GatedLoudness(SubBlockEnergy(input, layout), layout);
    if (!input_lufs) {
        float peak = 0.0f;
        for (float p : input.peak) peak = std::max(peak, p);
        report.input_lufs = report.integrated_lufs = kSilenceLufs;
        report.true_peak_dbtp = std::max(kSilenceLufs, LinearToDb(peak));
        return report;
    }
    report.input_lufs = *input_lufs;

    const double ceiling = DbToLinear(ceiling_dbtp);
    const double aim = DbToLinear(ceiling_dbtp - kCeilingMarginDb);

    // Find the static gain whose limited output meets the target (predicted from the chunk energies;
    // loudness is monotonic in the gain, and the secant slope accounts for what the limiter takes).
    GainComputer computer(interleaved_stereo, layout, input.peak, sample_rate_hz);
    std::vector<float> points;
    double gain_db = target_lufs - *input_lufs;
    double previous_gain_db = 0.0, previous_lufs = 0.0;
    double smallest = 1.0;
    for (int iteration = 0; iteration < kMaxLoudnessIterations; ++iteration) {
        smallest = computer.Compute(DbToLinear(gain_db), aim, points);
        const std::optional<double> predicted =
            GatedLoudness(PredictedSubBlockEnergy(input, layout, DbToLinear(gain_db), &points), layout);
        const double lufs = predicted.value_or(kSilenceLufs);
        const double error = target_lufs - lufs;
        if (std::fabs(error) < kLoudnessToleranceLu) break;
        double slope = 1.0;
        if (iteration > 0 && gain_db != previous_gain_db) {
            slope = std::clamp((lufs - previous_lufs) / (gain_db - previous_gain_db), 0.1, 1.0);
        }
        previous_gain_db = gain_db;
        previous_lufs = lufs;
        gain_db += error / slope;
    }
    ApplyGain(interleaved_stereo, layout, DbToLinear(gain_db), points);
    report.gain_db = gain_db;
    report.max_reduction_db = -LinearToDb(smallest);

    // Verify the true peak of the result; where the ramps between chunks let an inter-sample peak
    // slip over, limit the output again against a slightly lower ceiling.
    ChunkStats output = Analyse(interleaved_stereo, layout, kw, /*sanitise=*/false);
    double true_peak = MeasuredTruePeak(interleaved_stereo, layout, output.peak, ceiling);
    double correction_aim = aim;
    for (int round = 0; round < kMaxPeakCorrections && true_peak > ceiling; ++round) {
        correction_aim *= ceiling / true_peak * DbToLinear(-kCeilingMarginDb);
        GainComputer fix(interleaved_stereo, layout, output.peak, sample_rate_hz);
        std::vector<float> fix_points;
        const double fix_smallest = fix.Compute(1.0, correction_aim, fix_points);
        ApplyGain(interleaved_stereo, layout, 1.0, fix_points);
        report.max_reduction_db = std::max(report.max_reduction_db, -LinearToDb(smallest * fix_smallest));
        output = Analyse(interleaved_stereo, layout, kw, /*sanitise=*/false);
        true_peak = MeasuredTruePeak(interleaved_stereo, layout, output.peak, ceiling);
    }

    std::optional<double> final_lufs = GatedLoudness(SubBlockEnergy(output, layout), layout);
    if (final_lufs && std::fabs(*final_lufs - target_lufs) > kFinalToleranceLu && *final_lufs < target_lufs) {
        // The prediction missed (heavy limiting): one in-place correction round.
        const double extra = DbToLinear(target_lufs - *final_lufs);
        GainComputer fix(interleaved_stereo, layout, output.peak, sample_rate_hz);
        std::vector<float> fix_points;
        fix.Compute(extra, correction_aim, fix_points);
        ApplyGain(interleaved_stereo, layout, extra, fix_points);
        report.gain_db += target_lufs - *final_lufs;
        output = Analyse(interleaved_stereo, layout, kw, /*sanitise=*/false);
        true_peak = MeasuredTruePeak(interleaved_stereo, layout, output.peak, ceiling);
        final_lufs = GatedLoudness(SubBlockEnergy(output, layout), layout);
    } else if (final_lufs && *final_lufs > target_lufs + kFinalToleranceLu) {
        const auto down = static_cast<float>(DbToLinear(target_lufs - *final_lufs));
        for (float& v : interleaved_stereo) v *= down;
        report.gain_db += target_lufs - *final_lufs;
        true_peak *= down;
        final_lufs = target_lufs;
    }
    report.integrated_lufs = final_lufs.value_or(kSilenceLufs);
    report.true_peak_dbtp = LinearToDb(true_peak);
    return report;
}

Result<double> MeasureIntegratedLoudness(std::span<const float> interleaved_stereo, double sample_rate_hz) {
    std::unique_ptr<ebur128_state, EburStateDeleter> state(
        ebur128_init(2, static_cast<unsigned long>(std::lround(sample_rate_hz)), EBUR128_MODE_I));
    if (!state) return Error::Internal("libebur128 could not be initialised");
    if (ebur128_add_frames_float(state.get(), interleaved_stereo.data(), interleaved_stereo.size() / 2) !=
        EBUR128_SUCCESS) {
        return Error::Internal("libebur128 rejected the audio");
    }
    double lufs = kSilenceLufs;
    if (ebur128_loudness_global(state.get(), &lufs) != EBUR128_SUCCESS || !std::isfinite(lufs)) {
        return kSilenceLufs;
    }
    return std::max(lufs, kSilenceLufs);
}

}  // namespace amapiano::mix
