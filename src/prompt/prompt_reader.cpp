#include "prompt/prompt_reader.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <functional>

namespace amapiano::prompt {
namespace {

using compose::Instrument;
using compose::Subgenre;

struct Token {
    std::string lower;  // lowercase text
    size_t begin = 0;   // span in the original text
    size_t end = 0;
    bool capitalised = false;
};

// Words: runs of letters, digits, '#', '.', '\'' and '%'; '-' and punctuation separate words.
std::vector<Token> Tokenize(std::string_view text) {
    std::vector<Token> tokens;
    size_t i = 0;
    auto is_word = [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '#' || c == '.' || c == '\'' ||
               c == '%';
    };
    while (i < text.size()) {
        if (!is_word(text[i])) {
            ++i;
            continue;
        }
        size_t j = i;
        while (j < text.size() && is_word(text[j])) ++j;
        // Trailing and leading dots are sentence punctuation, not decimals.
        size_t b = i;
        size_t e = j;
        while (b < e && (text[b] == '.' || text[b] == '\'')) ++b;
        while (e > b && (text[e - 1] == '.' || text[e - 1] == '\'')) --e;
        if (b < e) {
            Token t;
            t.begin = b;
            t.end = e;
            t.capitalised = std::isupper(static_cast<unsigned char>(text[b])) != 0;
            for (size_t k = b; k < e; ++k) {
                t.lower += static_cast<char>(std::tolower(static_cast<unsigned char>(text[k])));
            }
            tokens.push_back(std::move(t));
        }
        i = j;
    }
    return tokens;
}

std::optional<double> ParseNumber(std::string_view s) {
    static constexpr std::pair<std::string_view, double> kWords[] = {
        {"one", 1},   {"two", 2},   {"three", 3}, {"four", 4}, {"five", 5},  {"six", 6},
        {"seven", 7}, {"eight", 8}, {"nine", 9},  {"ten", 10}, {"half", 0.5}};
    for (const auto& [word, value] : kWords) {
        if (s == word) return value;
    }
    if (s.empty() || !(std::isdigit(static_cast<unsigned char>(s[0])) != 0)) return std::nullopt;
    double value = 0.0;
    const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (ec != std::errc() || ptr != s.data() + s.size() || !std::isfinite(value)) return std::nullopt;
    return value;
}

// Splits "112bpm" into {112, "bpm"}.
std::optional<std::pair<double, std::string>> NumberWithUnit(std::string_view s) {
    size_t k = 0;
    while (k < s.size() && (std::isdigit(static_cast<unsigned char>(s[k])) != 0 || s[k] == '.')) ++k;
    if (k == 0 || k == s.size()) return std::nullopt;
    const std::optional<double> value = ParseNumber(s.substr(0, k));
    if (!value) return std::nullopt;
    return std::make_pair(*value, std::string(s.substr(k)));
}

bool OneOf(std::string_view word, std::initializer_list<std::string_view> words) {
    return std::find(words.begin(), words.end(), word) != words.end();
}

bool IsStopWord(std::string_view w) {
    return OneOf(w,
                 {"a",     "an",     "the",    "and",      "with",     "in",   "of",     "for",   "to",
                  "some",  "please", "make",   "me",       "track",    "song", "beat",   "tune",  "music",
                  "style", "feel",   "vibe",   "vibes",    "at",       "on",   "by",     "i",     "want",
                  "like",  "that",   "is",     "it",       "my",       "this", "but",    "or",    "around",
                  "about", "really", "very",   "bit",      "little",   "lots", "plus",   "using", "featuring",
                  "ft",    "give",   "create", "generate", "produce",  "lot",  "more",   "less",  "key",
                  "tempo", "long",   "type",   "sound",    "sounding", "kind", "full",   "its",   "it's",
                  "feat",  "also",   "just",   "has",      "have",     "be",   "should", "can",   "us",
                  "we",    "from",   "into",   "over",     "under",    "lots", "loads",  "mix",   "groove"});
}

// Adjectives that may sit in front of an instrument ("jazzy piano", "deep log drums").
bool IsInstrumentAdjective(std::string_view w) {
    return OneOf(w,
                 {"jazzy",   "deep",    "warm",         "soft",  "heavy",     "punchy", "lush",    "live",
                  "smooth",  "rolling", "fat",          "big",   "bouncy",    "wobbly", "gliding", "sliding",
                  "crisp",   "airy",    "gentle",       "busy",  "distorted", "lots",   "of",      "some",
                  "classic", "gospel",  "rhodes-style", "muted", "sparse"});
}

struct InstrumentWord {
    std::vector<std::string_view> words;
    std::vector<Instrument> instruments;  // empty: understood, but nothing we play ("vocals")
};

const std::vector<InstrumentWord>& InstrumentWords() {
    using I = Instrument;
    static const std::vector<InstrumentWord> kWords = {
        {{"log", "drums"}, {I::kLogDrum}},
        {{"log", "drum"}, {I::kLogDrum}},
        {{"logdrum"}, {I::kLogDrum}},
        {{"logdrums"}, {I::kLogDrum}},
        {{"sub", "bass"}, {I::kBass}},
        {{"bassline"}, {I::kBass}},
        {{"bass"}, {I::kBass}},
        {{"piano"}, {I::kKeys}},
        {{"pianos"}, {I::kKeys}},
        {{"keys"}, {I::kKeys}},
        {{"rhodes"}, {I::kKeys}},
        {{"organ"}, {I::kKeys}},
        {{"chords"}, {I::kKeys}},
        {{"pad"}, {I::kPad}},
        {{"pads"}, {I::kPad}},
        {{"strings"}, {I::kPad}},
        {{"sax"}, {I::kLead}},
        {{"saxophone"}, {I::kLead}},
        {{"flute"}, {I::kLead}},
        {{"trumpet"}, {I::kLead}},
        {{"horns"}, {I::kLead}},
        {{"guitar"}, {I::kLead}},
        {{"lead"}, {I::kLead}},
        {{"melody"}, {I::kLead}},
        {{"kick"}, {I::kKick}},
        {{"kicks"}, {I::kKick}},
        {{"shaker"}, {I::kShaker}},
        {{"shakers"}, {I::kShaker}},
        {{"clap"}, {I::kClap}},
        {{"claps"}, {I::kClap}},
        {{"snare"}, {I::kClap}},
        {{"snares"}, {I::kClap}},
        {{"hi", "hats"}, {I::kHats}},
        {{"hihats"}, {I::kHats}},
        {{"hats"}, {I::kHats}},
        {{"hat"}, {I::kHats}},
        {{"rim"}, {I::kRim}},
        {{"rims"}, {I::kRim}},
        {{"rimshots"}, {I::kRim}},
        {{"woodblock"}, {I::kRim}},
        {{"woodblocks"}, {I::kRim}},
        {{"percussion"}, {I::kPerc}},
        {{"perc"}, {I::kPerc}},
        {{"congas"}, {I::kPerc}},
        {{"bongos"}, {I::kPerc}},
        {{"toms"}, {I::kPerc}},
        {{"whistles"}, {I::kPerc}},
        {{"whistle"}, {I::kPerc}},
        {{"drums"}, {I::kKick, I::kShaker, I::kClap, I::kHats, I::kRim, I::kPerc}},
        {{"vocals"}, {}},
        {{"vocal"}, {}},
        {{"vox"}, {}},
        {{"chants"}, {}},
        {{"singing"}, {}},
    };
    return kWords;
}

struct Reader {
    std::string_view text;
    std::vector<Token> tokens;
    PromptReading reading;

    std::string Span(size_t first, size_t last) const {  // tokens [first, last]
        return std::string(text.substr(tokens[first].begin, tokens[last].end - tokens[first].begin));
    }
    bool Is(size_t i, std::string_view word) const { return i < tokens.size() && tokens[i].lower == word; }

    // Each matcher returns the number of tokens consumed at i (0 = no match).
    size_t MatchBpm(size_t i) {
        std::optional<double> value;
        size_t used = 0;
        if (auto nu = NumberWithUnit(tokens[i].lower); nu && nu->second == "bpm") {
            value = nu->first;
            used = 1;
        } else if (auto n = ParseNumber(tokens[i].lower); n && Is(i + 1, "bpm")) {
            value = *n;
            used = 2;
        } else if (Is(i, "bpm") && i + 1 < tokens.size()) {
            if (auto n2 = ParseNumber(tokens[i + 1].lower)) {
                value = *n2;
                used = 2;
            }
        }
        if (!value) return 0;
        const std::string phrase = Span(i, i + used - 1);
        if (*value < compose::kMinBpm || *value > compose::kMaxBpm) {
            reading.ignored.push_back(phrase);
        } else {
            reading.bpm = *value;
            reading.understood.push_back(phrase);
        }
        return used;
    }

    size_t MatchLength(size_t i) {
        std::optional<double> value;
        std::string unit;
        size_t used = 0;
        if (auto nu = NumberWithUnit(tokens[i].lower)) {
            value = nu->first;
            unit = nu->second;
            used = 1;
        } else if (auto n = ParseNumber(tokens[i].lower); n && i + 1 < tokens.size()) {
            value = *n;
            unit = tokens[i + 1].lower;
            used = 2;
        }
        if (!value) return 0;
        double seconds = -1.0;
        std::optional<int> bars;
        if (OneOf(unit, {"minutes", "minute", "min", "mins", "m"})) {
            if (unit == "m" && used == 2) return 0;  // "3 m" is too vague
            seconds = *value * 60.0;
        } else if (OneOf(unit, {"seconds", "second", "secs", "sec", "s"})) {
            seconds = *value;
        } else if (OneOf(unit, {"bars", "bar"})) {
            bars = static_cast<int>(std::lround(*value));
        } else {
            return 0;
        }
        // "3 minute" + "s" not possible; but "a 3 minute track" works.
        const std::string phrase = Span(i, i + used - 1);
        if (bars) {
            if (*bars < compose::kMinLoopBars || *bars > compose::kMaxTrackBars ||
                *value != std::floor(*value)) {
                reading.ignored.push_back(phrase);
            } else {
                reading.bars = *bars;
                reading.seconds.reset();
                reading.understood.push_back(phrase);
            }
        } else if (seconds <= 0.0 || seconds > 3600.0) {
            reading.ignored.push_back(phrase);
        } else {
            reading.seconds = seconds;
            reading.bars.reset();
            reading.understood.push_back(phrase);
        }
        return used;
    }

    size_t MatchKey(size_t i) {
        size_t start = i;
        bool introduced = false;  // "in F#m", "key of C"
        if (Is(i, "in") || Is(i, "key")) {
            introduced = true;
            ++i;
            if (Is(start, "key") && Is(i, "of")) ++i;
            if (i >= tokens.size()) return 0;
        }
        const Token& t = tokens[i];
        if (t.lower.empty() || t.lower[0] < 'a' || t.lower[0] > 'g') return 0;
        // Tonic word: "f#", "eb", "f", "fsharp", "bflat", optionally glued to m/min/maj ("f#m").
        std::string key_text = t.lower;
        size_t last = i;
        if (i + 1 < tokens.size() && OneOf(tokens[i + 1].lower, {"minor", "major", "min", "maj"})) {
            // "A minor", "C# major", "f sharp minor" is not supported (sharp must be glued or '#').
            if (t.lower.size() > 3) return 0;
            key_text += " " + tokens[i + 1].lower;
            last = i + 1;
        } else {
            const bool single_letter = t.lower.size() == 1;
            // A bare "a"/"b" or a lowercase "am"/"eb" is ordinary English unless introduced.
            if (single_letter && !(introduced && t.capitalised)) return 0;
            if (!single_letter && !introduced && !t.capitalised) return 0;
            if (t.lower.size() > 4) return 0;
        }
        Result<theory::Key> key = theory::ParseKey(key_text);
        if (!key) return 0;
        reading.key = *key;
        reading.understood.push_back(Span(start, last));
        return last - start + 1;
    }

    size_t MatchSubgenre(size_t i) {
        size_t used = 0;
        std::optional<Subgenre> subgenre;
        if (Is(i, "private") && Is(i + 1, "school")) {
            subgenre = Subgenre::kPrivateSchool;
            used = 2;
        } else if (Is(i, "privateschool")) {
            subgenre = Subgenre::kPrivateSchool;
            used = 1;
        } else if (Is(i, "bacardi")) {
            subgenre = Subgenre::kBacardi;
            used = 1;
        } else if (Is(i, "sgija") || Is(i, "quantum")) {
            subgenre = Subgenre::kSgija;
            used = 1;
        } else if (Is(i, "classic")) {
            subgenre = Subgenre::kClassic;
            used = 1;
        } else if (Is(i, "amapiano") || Is(i, "piano-house")) {
            reading.understood.push_back(Span(i, i));  // the genre itself: nothing to set
            return 1;
        }
        if (!subgenre) return 0;
        reading.subgenre = subgenre;
        reading.understood.push_back(Span(i, i + used - 1));
        return used;
    }

    size_t MatchEnergy(size_t i) {
        std::optional<double> energy;
        size_t used = 0;
        if ((Is(i, "high") || Is(i, "low") || Is(i, "medium")) && Is(i + 1, "energy")) {
            energy = Is(i, "high") ? 0.85 : (Is(i, "low") ? 0.25 : 0.5);
            used = 2;
        } else if (Is(i, "laid") && Is(i + 1, "back")) {
            energy = 0.3;
            used = 2;
        } else if (OneOf(tokens[i].lower, {"chilled", "chill", "calm", "laidback", "relaxed", "gentle"})) {
            energy = 0.25;
            used = 1;
        } else if (OneOf(tokens[i].lower, {"banger", "hard", "intense", "pumping", "frantic", "heavy"})) {
            energy = 0.85;
            used = 1;
        }
        if (!energy) return 0;
        reading.energy = energy;
        if (reading.mood.empty() && *energy < 0.4) reading.mood = "mellow";
        reading.understood.push_back(Span(i, i + used - 1));
        return used;
    }

    size_t MatchSwing(size_t i) {
        std::optional<double> swing;
        size_t used = 1;
        if ((Is(i, "heavy") || Is(i, "lots")) && (Is(i + 1, "swing") || Is(i + 1, "swung"))) {
            swing = 62.0;
            used = 2;
        } else if (OneOf(tokens[i].lower, {"swung", "swingy", "swing", "shuffled", "shuffle"})) {
            swing = 58.0;
        } else if (OneOf(tokens[i].lower, {"straight", "unswung", "quantized", "quantised"})) {
            swing = 50.0;
        }
        if (!swing) return 0;
        reading.swing_percent = swing;
        reading.understood.push_back(Span(i, i + used - 1));
        return used;
    }

    size_t MatchMood(size_t i) {
        static constexpr std::pair<std::string_view, std::string_view> kMoods[] = {
            {"soulful", "soulful"},
            {"soul", "soulful"},
            {"dark", "dark"},
            {"moody", "dark"},
            {"gritty", "dark"},
            {"uplifting", "uplifting"},
            {"happy", "uplifting"},
            {"joyful", "uplifting"},
            {"bright", "uplifting"},
            {"euphoric", "uplifting"},
            {"mellow", "mellow"},
            {"smooth", "mellow"},
            {"energetic", "energetic"},
            {"hype", "energetic"},
            {"driving", "energetic"},
            {"party", "energetic"},
            {"dreamy", "dreamy"},
            {"romantic", "romantic"},
            {"aggressive", "aggressive"},
            {"sad", "dark"},
            {"melancholic", "dark"},
            {"emotional", "soulful"},
            {"spiritual", "soulful"},
            {"groovy", "uplifting"},
        };
        for (const auto& [word, mood] : kMoods) {
            if (tokens[i].lower == word) {
                reading.mood = std::string(mood);
                reading.understood.push_back(Span(i, i));
                return 1;
            }
        }
        return 0;
    }

    // Instrument phrase at i, with leading adjectives; returns tokens used and the instruments.
    size_t InstrumentAt(size_t i, const InstrumentWord** found) const {
        size_t j = i;
        while (j < tokens.size() && IsInstrumentAdjective(tokens[j].lower)) ++j;
        for (const InstrumentWord& entry : InstrumentWords()) {
            bool match = j + entry.words.size() <= tokens.size();
            for (size_t k = 0; match && k < entry.words.size(); ++k)
                match = tokens[j + k].lower == entry.words[k];
            if (match) {
                *found = &entry;
                return j - i + entry.words.size();
            }
        }
        return 0;
    }

    size_t MatchInstrument(size_t i) {
        bool negated = false;
        size_t start = i;
        if (OneOf(tokens[i].lower, {"no", "without", "minus", "skip", "drop", "lose"})) {
            negated = true;
            ++i;
            if (i >= tokens.size()) return 0;
        }
        const InstrumentWord* found = nullptr;
        const size_t used = InstrumentAt(i, &found);
        if (used == 0) return 0;
        for (Instrument instrument : found->instruments) {
            if (negated) {
                reading.exclude.insert(instrument);
                reading.include.erase(instrument);
            } else if (reading.exclude.count(instrument) == 0) {
                reading.include.insert(instrument);
            }
        }
        reading.understood.push_back(Span(start, i + used - 1));
        return i + used - start;
    }

    void Run() {
        using Matcher = size_t (Reader::*)(size_t);
        static constexpr Matcher kMatchers[] = {
            &Reader::MatchBpm,        &Reader::MatchLength, &Reader::MatchKey,    &Reader::MatchSubgenre,
            &Reader::MatchInstrument, &Reader::MatchSwing,  &Reader::MatchEnergy, &Reader::MatchMood};
        size_t i = 0;
        while (i < tokens.size()) {
            size_t used = 0;
            for (Matcher m : kMatchers) {
                used = (this->*m)(i);
                if (used > 0) break;
            }
            if (used > 0) {
                i += used;
                continue;
            }
            if (!IsStopWord(tokens[i].lower)) reading.ignored.push_back(Span(i, i));
            ++i;
        }
    }
};

}  // namespace

PromptReading ReadPrompt(std::string_view text) {
    Reader reader{text, Tokenize(text), {}};
    reader.Run();
    return std::move(reader.reading);
}

void ApplyReading(const PromptReading& reading, compose::GenerationSpec& spec) {
    if (reading.subgenre) spec.subgenre = *reading.subgenre;
    if (reading.bpm) spec.bpm = reading.bpm;
    if (reading.key) spec.key = reading.key;
    if (reading.bars) {
        spec.bars = reading.bars;
        spec.seconds.reset();
    }
    if (reading.seconds) {
        spec.seconds = reading.seconds;
        spec.bars.reset();
    }
    if (reading.energy) spec.energy = reading.energy;
    if (reading.swing_percent) spec.swing_percent = reading.swing_percent;
    if (!reading.mood.empty()) spec.mood = reading.mood;
    spec.include.insert(reading.include.begin(), reading.include.end());
    spec.exclude.insert(reading.exclude.begin(), reading.exclude.end());
    for (Instrument instrument : spec.exclude) spec.include.erase(instrument);
}

}  // namespace amapiano::prompt
