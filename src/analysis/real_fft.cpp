#include "analysis/real_fft.h"

#include <fftw3.h>

#include <cmath>
#include <mutex>
#include <numbers>

namespace amapiano::analysis {
namespace {

std::mutex& PlannerMutex() {
    static std::mutex mutex;
    return mutex;
}

}  // namespace

std::vector<float> UnitSumHannWindow(int size) {
    std::vector<float> window(static_cast<size_t>(size));
    double sum = 0.0;
    for (int i = 0; i < size; ++i) {
        window[size_t(i)] = float(0.5 - 0.5 * std::cos(2.0 * std::numbers::pi * i / size));
        sum += window[size_t(i)];
    }
    for (float& w : window) w = float(w / sum);
    return window;
}

RealFft::RealFft(int size) : size_(size) {
    std::lock_guard lock(PlannerMutex());
    input_ = fftwf_alloc_real(size_t(size));
    output_ = fftwf_alloc_complex(size_t(size / 2 + 1));
    plan_ = fftwf_plan_dft_r2c_1d(size, input_, output_, FFTW_ESTIMATE);
}

RealFft::~RealFft() {
    std::lock_guard lock(PlannerMutex());
    fftwf_destroy_plan(static_cast<fftwf_plan>(plan_));
    fftwf_free(input_);
    fftwf_free(output_);
}

void RealFft::Run() { fftwf_execute(static_cast<fftwf_plan>(plan_)); }

}  // namespace amapiano::analysis
