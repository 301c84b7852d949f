#include "audio/mono_resampler.h"

#include <algorithm>
#include <string>

extern "C" {
#include <libavutil/channel_layout.h>
#include <libavutil/mathematics.h>
#include <libavutil/opt.h>
#include <libavutil/samplefmt.h>
#include <libswresample/swresample.h>
}

namespace amapiano::audio {
namespace {

constexpr int kMaxRateHz = 768000;
constexpr int kMaxChannels = 64;
// Beyond this rate ratio the filter (and the silence Flush() feeds it) grows absurdly long.
constexpr int64_t kMaxRatio = 256;
// libswresample's default filter length (taps per phase at the lower of the two rates).
constexpr int kFilterTaps = 32;

struct SwrContextDeleter final {
    void operator()(SwrContext* swr) const { swr_free(&swr); }
};

}  // namespace

struct MonoResampler::Impl final {
    int input_rate_hz = 0;
    int channels = 0;
    int output_rate_hz = 0;
    std::unique_ptr<SwrContext, SwrContextDeleter> swr;  // null when the rates are equal
    std::vector<float> mono;                             // the downmixed block
    int64_t frames_in = 0;                               // this stream, so far
    int64_t samples_out = 0;

    void Resample(const float* input, int count, std::vector<float>& out) {
        const int capacity = swr_get_out_samples(swr.get(), count);
        if (capacity <= 0) return;
        const size_t used = out.size();
        out.resize(used + static_cast<size_t>(capacity));
        auto* output = reinterpret_cast<uint8_t*>(out.data() + used);
        const auto* in = reinterpret_cast<const uint8_t*>(input);
        const int converted =
            swr_convert(swr.get(), &output, capacity, input != nullptr ? &in : nullptr, count);
        out.resize(used + static_cast<size_t>(converted > 0 ? converted : 0));
        samples_out += converted > 0 ? converted : 0;
    }
};

MonoResampler::MonoResampler(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
MonoResampler::~MonoResampler() = default;

Result<std::unique_ptr<MonoResampler>> MonoResampler::Create(int input_rate_hz, int channels,
                                                             int output_rate_hz) {
    if (input_rate_hz <= 0 || input_rate_hz > kMaxRateHz) {
        return Error::InvalidArgument("input sample rate " + std::to_string(input_rate_hz) +
                                      " Hz is outside 1..768000 Hz");
    }
    if (output_rate_hz <= 0 || output_rate_hz > kMaxRateHz) {
        return Error::InvalidArgument("output sample rate " + std::to_string(output_rate_hz) +
                                      " Hz is outside 1..768000 Hz");
    }
    if (input_rate_hz > kMaxRatio * int64_t{output_rate_hz} ||
        output_rate_hz > kMaxRatio * int64_t{input_rate_hz}) {
        return Error::InvalidArgument("cannot resample from " + std::to_string(input_rate_hz) + " Hz to " +
                                      std::to_string(output_rate_hz) + " Hz: the ratio exceeds 256");
    }
    if (channels <= 0 || channels > kMaxChannels) {
        return Error::InvalidArgument("channel count " + std::to_string(channels) + " is outside 1..64");
    }
    auto impl = std::make_unique<Impl>();
    impl->input_rate_hz = input_rate_hz;
    impl->channels = channels;
    impl->output_rate_hz = output_rate_hz;
    if (input_rate_hz != output_rate_hz) {
        AVChannelLayout mono = AV_CHANNEL_LAYOUT_MONO;
        SwrContext* swr = nullptr;
        if (swr_alloc_set_opts2(&swr, &mono, AV_SAMPLE_FMT_FLT, output_rate_hz, &mono, AV_SAMPLE_FMT_FLT,
                                input_rate_hz, 0, nullptr) < 0) {
            return Error::Internal("cannot set up a resampler from " + std::to_string(input_rate_hz) +
                                   " Hz to " + std::to_string(output_rate_hz) + " Hz");
        }
        impl->swr.reset(swr);
        // libswresample's default windowed-sinc filter (32 taps, Kaiser window, cut-off at 97 % of
        // the lower Nyquist frequency), evaluated at exact phases for rational rate ratios such as
        // 44100:22050 or 48000:22050 rather than interpolated between precomputed ones.
        av_opt_set_int(swr, "linear_interp", 0, 0);
        av_opt_set_int(swr, "exact_rational", 1, 0);
        if (swr_init(swr) < 0) {
            return Error::Internal("cannot set up a resampler from " + std::to_string(input_rate_hz) +
                                   " Hz to " + std::to_string(output_rate_hz) + " Hz");
        }
    }
    return std::unique_ptr<MonoResampler>(new MonoResampler(std::move(impl)));
}

void MonoResampler::Push(std::span<const float> interleaved, std::vector<float>& mono_out) {
    Impl& impl = *impl_;
    const auto channels = static_cast<size_t>(impl.channels);
    const size_t frames = interleaved.size() / channels;
    if (frames == 0) return;
    const float* input = interleaved.data();
    std::vector<float>& target = impl.swr ? impl.mono : mono_out;
    const size_t used = impl.swr ? 0 : mono_out.size();
    target.resize(used + frames);
    float* mono = target.data() + used;
    if (channels == 1) {
        std::copy_n(input, frames, mono);
    } else {
        const float scale = 1.0f / static_cast<float>(channels);
        for (size_t i = 0; i < frames; ++i) {
            const float* frame = input + i * channels;
            float sum = 0.0f;
            for (size_t c = 0; c < channels; ++c) sum += frame[c];
            mono[i] = sum * scale;
        }
    }
    if (!impl.swr) return;
    impl.frames_in += static_cast<int64_t>(frames);
    // swr_convert takes an int count: feed huge blocks in slices.
    constexpr size_t kSlice = size_t{1} << 20;
    for (size_t start = 0; start < frames; start += kSlice) {
        const size_t count = std::min(kSlice, frames - start);
        impl.Resample(impl.mono.data() + start, static_cast<int>(count), mono_out);
    }
}

void MonoResampler::Flush(std::vector<float>& mono_out) {
    Impl& impl = *impl_;
    if (!impl.swr) return;
    // The signal ends here: feed silence until the filter has passed the last input sample (rather
    // than letting libswresample reflect the end, which invents signal and gives nothing at all for
    // inputs shorter than the filter), then keep exactly the samples that the input's duration spans.
    const int64_t wanted =
        av_rescale_rnd(impl.frames_in, impl.output_rate_hz, impl.input_rate_hz, AV_ROUND_NEAR_INF);
    const auto filter_span = static_cast<size_t>(av_rescale_rnd(
        kFilterTaps, impl.input_rate_hz, std::min(impl.input_rate_hz, impl.output_rate_hz), AV_ROUND_UP));
    impl.mono.assign(2 * filter_span + 64, 0.0f);
    std::vector<float> tail;
    impl.Resample(impl.mono.data(), static_cast<int>(impl.mono.size()), tail);
    while (true) {
        const size_t before = tail.size();
        impl.Resample(nullptr, 0, tail);
        if (tail.size() == before) break;
    }
    const int64_t kept_samples =
        std::clamp<int64_t>(wanted - (impl.samples_out - static_cast<int64_t>(tail.size())), 0,
                            static_cast<int64_t>(tail.size()));
    mono_out.insert(mono_out.end(), tail.begin(), tail.begin() + kept_samples);
    // Ready for a new stream.
    swr_init(impl.swr.get());
    impl.frames_in = 0;
    impl.samples_out = 0;
}

int MonoResampler::input_rate_hz() const { return impl_->input_rate_hz; }
int MonoResampler::channels() const { return impl_->channels; }
int MonoResampler::output_rate_hz() const { return impl_->output_rate_hz; }

}  // namespace amapiano::audio
