#include "analysis/spectral_frames.h"

#include <algorithm>
#include <cmath>

#include "analysis/real_fft.h"

namespace amapiano::analysis {
SpectralFrames::SpectralFrames(Callback on_frame)
    : on_frame_(std::move(on_frame)),
      fft_(std::make_unique<RealFft>(kFftSize)),
      window_(UnitSumHannWindow(kFftSize)),
      ring_(kFftSize, 0.0f),
      magnitude_(kSpectrumBins, 0.0f),
      fill_(kFftSize / 2) {}

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
    std::span<float> input = fft_->input();
    for (int i = 0; i < kFftSize; ++i) input[size_t(i)] = ring_[size_t(i)] * window_[size_t(i)];
    fft_->Run();
    for (int k = 0; k < kSpectrumBins; ++k) magnitude_[size_t(k)] = std::sqrt(fft_->Power(k));
    SpectrumView view;
    view.index = frames_emitted_;
    view.magnitude = magnitude_;
    view.samples = ring_;
    on_frame_(view);
    ++frames_emitted_;
}

}  // namespace amapiano::analysis
