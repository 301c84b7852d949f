#include "analysis/real_fft.h"

#include <fftw3.h>

#include <mutex>

namespace amapiano::analysis {
namespace {

std::mutex& PlannerMutex() {
    static std::mutex mutex;
    return mutex;
}

}  // namespace

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
