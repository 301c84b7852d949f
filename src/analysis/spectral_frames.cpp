#include "analysis/spectral_frames.h"

#include <fftw3.h>

#include <algorithm>
#include <cmath>
#include <mutex>
#include <numbers>

namespace amapiano::analysis {
namespace {

// FFTW's planner is not thread-safe; execution of a finished plan is.
std::mutex& PlannerMutex() {
    static std::mutex mutex;
    return mutex;
}

}  // namespace

struct SpectralFrames::Fft final {
    float* input = nullptr;
    fftwf_complex* output = nullptr;
    fftwf_plan plan = nullptr;

    Fft() {
        std::lock_guard lock(PlannerMutex());
        input = fftwf_alloc_real(kFftSize);
        output = fftwf_alloc_complex(kSpectrumBins);
        // FFTW_ESTIMATE: no timing runs, so plans (and results) are the same on every run.
        plan = fftwf_plan_dft_r2c_1d(kFftSize, input, output, FFTW_ESTIMATE);
    }
    ~Fft() {
        std::lock_guard lock(PlannerMutex());
        fftwf_destroy_plan(plan);
        fftwf_free(input);
        fftwf_free(output);
    }
};

SpectralFrames::SpectralFrames(Callback on_frame)
    : on_frame_(std::move(on_frame)),
      fft_(std::make_unique<Fft>()),
      window_(kFftSize),
      ring_(kFftSize, 0.0f),
      magnitude_(kSpectrumBins, 0.0f),
      fill_(kFftSize / 2) {
    double sum = 0.0;
    for (int i = 0; i < kFftSize; ++i) {
        window_[i] = float(0.5 - 0.5 * std::cos(2.0 * std::numbers::pi * i / kFftSize));
        sum += window_[i];
    }
    // Normalise so that a full-scale sine at a bin centre has magnitude ~0.5.
    for (float& w : window_) w = float(w / sum);
}

SpectralFrames::~SpectralFrames() = default;

void SpectralFrames::Push(std::span<const float> mono) {
    samples_pushed_ += int64_t(mono.size());
    while (!mono.empty()) {
        const int take = std::min<int>(kFftSize - fill_, int(mono.size()));
        std::copy_n(mono.begin(), take, ring_.begin() + fill_);
        fill_ += take;
        mono = mono.subspan(take);
        if (fill_ == kFftSize) {
            EmitFrame();
            std::copy(ring_.begin() + kHopFrames, ring_.end(), ring_.begin());
            fill_ -= kHopFrames;
        }
    }
}

void SpectralFrames::Finish() {
    // Frame i is centred on sample i * hop; emit frames whose centre is inside the signal.
    const int64_t total_frames = samples_pushed_ == 0 ? 0 : (samples_pushed_ - 1) / kHopFrames + 1;
    while (frames_emitted_ < total_frames) {
        std::fill(ring_.begin() + fill_, ring_.end(), 0.0f);
        fill_ = kFftSize;
        EmitFrame();
        std::copy(ring_.begin() + kHopFrames, ring_.end(), ring_.begin());
        fill_ -= kHopFrames;
    }
}

void SpectralFrames::EmitFrame() {
    for (int i = 0; i < kFftSize; ++i) fft_->input[i] = ring_[i] * window_[i];
    fftwf_execute(fft_->plan);
    for (int k = 0; k < kSpectrumBins; ++k) {
        const float re = fft_->output[k][0];
        const float im = fft_->output[k][1];
        magnitude_[k] = std::sqrt(re * re + im * im);
    }
    SpectrumView view;
    view.index = frames_emitted_;
    view.magnitude = magnitude_;
    view.samples = ring_;
    on_frame_(view);
    ++frames_emitted_;
}

}  // namespace amapiano::analysis
