#include "store/database.h"

namespace amapiano::store {

std::string SqlRow::Text(size_t i, std::string fallback) const {
    if (const auto* s = std::get_if<std::string>(&columns.at(i))) return *s;
    if (const auto* n = std::get_if<int64_t>(&columns.at(i))) return std::to_string(*n);
    return fallback;
}

int64_t SqlRow::Int(size_t i, int64_t fallback) const {
    if (const auto* n = std::get_if<int64_t>(&columns.at(i))) return *n;
    if (const auto* d = std::get_if<double>(&columns.at(i))) return int64_t(*d);
    return fallback;
}

double SqlRow::Real(size_t i, double fallback) const {
    if (const auto* d = std::get_if<double>(&columns.at(i))) return *d;
    if (const auto* n = std::get_if<int64_t>(&columns.at(i))) return double(*n);
    return fallback;
}

Result<std::vector<SqlRow>> Database::Query(std::string_view sql, std::initializer_list<SqlValue> params) {
    std::vector<SqlRow> rows;
    const Status s = Read([&](SqlSession& session) -> Status {
        auto r = session.Query(sql, params);
        if (!r) return r.error();
        rows = std::move(*r);
        return {};
    });
    if (!s) return s.error();
    return rows;
}

Result<int64_t> Database::Execute(std::string_view sql, std::initializer_list<SqlValue> params) {
    int64_t changed = 0;
    const Status s = Transaction([&](SqlSession& session) -> Status {
        auto r = session.Execute(sql, params);
        if (!r) return r.error();
        changed = *r;
        return {};
    });
    if (!s) return s.error();
    return changed;
}

}  // namespace amapiano::store
