#include "server/metrics.h"

#include <cstdio>
#include <sstream>

namespace amapiano::server {
namespace {

const std::vector<double> kRequestBounds = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                            0.25,  0.5,    1.0,   2.5,  5.0,   10.0};
const std::vector<double> kJobBounds = {0.1,  0.25, 0.5,  1.0,   2.0,   3.0,  5.0,
                                        10.0, 30.0, 60.0, 120.0, 300.0, 900.0};

std::string Num(double v) {
    char buf[40];
    std::snprintf(buf, sizeof(buf), "%.9g", v);
    return buf;
}

// Label values are our own route patterns and names, but escape as the format requires anyway.
std::string Escape(std::string_view v) {
    std::string out;
    for (char c : v) {
        if (c == '\\' || c == '"') out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
    return out;
}

}  // namespace

void Metrics::Observe(Histogram& h, const std::vector<double>& bounds, double value) {
    if (h.buckets.empty()) h.buckets.assign(bounds.size(), 0);
    for (size_t i = 0; i < bounds.size(); ++i) {
        if (value <= bounds[i]) {
            ++h.buckets[i];
            break;
        }
    }
    h.sum += value;
    ++h.count;
}

void Metrics::ObserveRequest(std::string_view method, std::string_view route, int status, double seconds) {
    std::lock_guard lock(mutex_);
    ++requests_[{std::string(method), std::string(route), status}];
    Observe(request_seconds_[std::string(route)], kRequestBounds, seconds);
}

void Metrics::ObserveJob(std::string_view kind, std::string_view outcome, double seconds) {
    std::lock_guard lock(mutex_);
    ++jobs_[{std::string(kind), std::string(outcome)}];
    Observe(job_seconds_[{std::string(kind), std::string(outcome)}], kJobBounds, seconds);
}

std::string Metrics::Render(const std::vector<Gauge>& gauges) const {
    std::ostringstream out;
    auto histogram = [&](const std::string& name, const std::string& labels, const Histogram& h,
                         const std::vector<double>& bounds) {
        uint64_t cumulative = 0;
        for (size_t i = 0; i < bounds.size(); ++i) {
            cumulative += h.buckets.empty() ? 0 : h.buckets[i];
            out << name << "_bucket{" << labels << ",le=\"" << Num(bounds[i]) << "\"} " << cumulative << "\n";
        }
        out << name << "_bucket{" << labels << ",le=\"+Inf\"} " << h.count << "\n";
        out << name << "_sum{" << labels << "} " << Num(h.sum) << "\n";
        out << name << "_count{" << labels << "} " << h.count << "\n";
    };
    std::lock_guard lock(mutex_);
    out << "# HELP amapiano_http_requests_total HTTP requests by method, route and status.\n"
           "# TYPE amapiano_http_requests_total counter\n";
    for (const auto& [key, n] : requests_) {
        out << "amapiano_http_requests_total{method=\"" << Escape(std::get<0>(key)) << "\",route=\""
            << Escape(std::get<1>(key)) << "\",status=\"" << std::get<2>(key) << "\"} " << n << "\n";
    }
    out << "# HELP amapiano_http_request_duration_seconds Time from the request's first byte to the "
           "response.\n"
           "# TYPE amapiano_http_request_duration_seconds histogram\n";
    for (const auto& [route, h] : request_seconds_) {
        histogram("amapiano_http_request_duration_seconds", "route=\"" + Escape(route) + "\"", h,
                  kRequestBounds);
    }
    out << "# HELP amapiano_jobs_total Jobs run by this process, by kind and outcome.\n"
           "# TYPE amapiano_jobs_total counter\n";
    for (const auto& [key, n] : jobs_) {
        out << "amapiano_jobs_total{kind=\"" << Escape(key.first) << "\",outcome=\"" << Escape(key.second)
            << "\"} " << n << "\n";
    }
    out << "# HELP amapiano_job_duration_seconds Time a worker spent on a job, by kind and outcome.\n"
           "# TYPE amapiano_job_duration_seconds histogram\n";
    for (const auto& [key, h] : job_seconds_) {
        histogram("amapiano_job_duration_seconds",
                  "kind=\"" + Escape(key.first) + "\",outcome=\"" + Escape(key.second) + "\"", h, kJobBounds);
    }
    for (const Gauge& g : gauges) {
        out << "# HELP " << g.name << " " << g.help << "\n# TYPE " << g.name << " gauge\n"
            << g.name << " " << Num(g.value) << "\n";
    }
    return out.str();
}

}  // namespace amapiano::server
