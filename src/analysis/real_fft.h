// RealFft: a real-input FFT of one fixed size (FFTW, single precision), for the STFT stages.
//
// FFTW's planner is not thread-safe; plans are made and destroyed under one process-wide lock here,
// and executing a finished plan (Run) is safe on any thread. FFTW_ESTIMATE: no timing runs, so
// plans — and results — are the same on every run.
//
//   RealFft fft(1024);
//   std::span<float> in = fft.input();   // fill with (windowed) samples
//   fft.Run();
//   float p = fft.Power(k);              // |X[k]|^2, k in [0, size/2]
#pragma once

#include <complex>
#include <span>
#include <vector>

namespace amapiano::analysis {

// A periodic Hann window of `size` points scaled to sum to 1, so that a full-scale sine at a bin
// centre reads 0.5 in the magnitude spectrum whatever the FFT size.
std::vector<float> UnitSumHannWindow(int size);

class RealFft final {
public:
    explicit RealFft(int size);
    ~RealFft();
    RealFft(const RealFft&) = delete;
    RealFft& operator=(const RealFft&) = delete;

    int size() const { return size_; }
    int bins() const { return size_ / 2 + 1; }
    std::span<float> input() { return {input_, size_t(size_)}; }
    void Run();
    float Power(int bin) const {
        const float re = output_[bin][0], im = output_[bin][1];
        return re * re + im * im;
    }

private:
    int size_;
    float* input_;
    float (*output_)[2];
    void* plan_;
};

}  // namespace amapiano::analysis
