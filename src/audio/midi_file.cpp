#include "audio/midi_file.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "core/atomic_file.h"

namespace amapiano::audio {
namespace {

constexpr int kMaxTicksPerBeat = 0x7fff;  // division with bit 15 clear = ticks per quarter note

struct MidiEvent final {
    int64_t tick = 0;
    int kind = 0;  // 0 note-off, 1 note-on: offs sort first at equal ticks
    int pitch = 0;
    int velocity = 0;
};

void PutU32(std::vector<uint8_t>& out, uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(v >> shift));
}

void PutU16(std::vector<uint8_t>& out, uint32_t v) {
    out.push_back(static_cast<uint8_t>(v >> 8));
    out.push_back(static_cast<uint8_t>(v));
}

void PutVarLen(std::vector<uint8_t>& out, uint64_t v) {
    v = std::min<uint64_t>(v, 0x0fffffff);  // the largest SMF variable-length quantity
    uint8_t groups[4];
    int count = 0;
    do {
        groups[count++] = static_cast<uint8_t>(v & 0x7f);
        v >>= 7;
    } while (v != 0);
    while (count > 1) out.push_back(static_cast<uint8_t>(groups[--count] | 0x80));
    out.push_back(groups[0]);
}

void PutMeta(std::vector<uint8_t>& out, uint8_t type, const std::vector<uint8_t>& data) {
    out.push_back(0xff);
    out.push_back(type);
    PutVarLen(out, data.size());
    out.insert(out.end(), data.begin(), data.end());
}

void PutTrackName(std::vector<uint8_t>& out, const std::string& name) {
    PutVarLen(out, 0);
    PutMeta(out, 0x03, std::vector<uint8_t>(name.begin(), name.end()));
}

void PutEndOfTrack(std::vector<uint8_t>& out) {
    PutVarLen(out, 0);
    PutMeta(out, 0x2f, {});
}

// Wraps a track body in its MTrk chunk.
void AppendChunk(std::vector<uint8_t>& out, const std::vector<uint8_t>& body) {
    out.insert(out.end(), {'M', 'T', 'r', 'k'});
    PutU32(out, static_cast<uint32_t>(body.size()));
    out.insert(out.end(), body.begin(), body.end());
}

std::vector<uint8_t> ConductorTrack(const MidiSong& song) {
    std::vector<uint8_t> body;
    PutTrackName(body, "amapiano");
    const double bpm = song.bpm > 0.0 ? song.bpm : 120.0;
    const auto us_per_beat = static_cast<uint32_t>(std::clamp(std::lround(60e6 / bpm), 1L, 0xffffffL));
    PutVarLen(body, 0);
    PutMeta(body, 0x51,
            {static_cast<uint8_t>(us_per_beat >> 16), static_cast<uint8_t>(us_per_beat >> 8),
             static_cast<uint8_t>(us_per_beat)});
    PutVarLen(body, 0);
    PutMeta(body, 0x58, {4, 2, 24, 8});  // 4/4, 24 clocks per click, 8 32nds per quarter
    PutVarLen(body, 0);
    const int sf = std::clamp(song.key_accidentals, -7, 7);
    PutMeta(body, 0x59,
            {static_cast<uint8_t>(static_cast<int8_t>(sf)), static_cast<uint8_t>(song.minor ? 1 : 0)});
    PutEndOfTrack(body);
    return body;
}

std::vector<MidiEvent> NoteEvents(const MidiTrack& track, int ticks_per_beat) {
    struct Span final {
        int64_t on = 0;
        int64_t off = 0;
        int velocity = 0;
    };
    std::map<int, std::vector<Span>> by_pitch;
    for (const MidiNote& note : track.notes) {
        const int64_t on = std::max<int64_t>(0, std::llround(note.start_beats * ticks_per_beat));
        int64_t off = std::llround((note.start_beats + std::max(0.0, note.duration_beats)) * ticks_per_beat);
        off = std::max(off, on + 1);
        by_pitch[std::clamp(note.pitch, 0, 127)].push_back({on, off, std::clamp(note.velocity, 1, 127)});
    }
    std::vector<MidiEvent> events;
    for (auto& [pitch, spans] : by_pitch) {
        std::stable_sort(spans.begin(), spans.end(),
                         [](const Span& a, const Span& b) { return a.on < b.on; });
        for (size_t i = 0; i < spans.size(); ++i) {
            Span span = spans[i];
            // A repeated start on the same tick would restart a note that is not yet sounding.
            if (i + 1 < spans.size() && spans[i + 1].on == span.on) continue;
            if (i + 1 < spans.size()) span.off = std::min(span.off, spans[i + 1].on);
            events.push_back({span.on, 1, pitch, span.velocity});
            events.push_back({span.off, 0, pitch, 0});
        }
    }
    std::sort(events.begin(), events.end(), [](const MidiEvent& a, const MidiEvent& b) {
        if (a.tick != b.tick) return a.tick < b.tick;
        if (a.kind != b.kind) return a.kind < b.kind;
        return a.pitch < b.pitch;
    });
    return events;
}

std::vector<uint8_t> PartTrack(const MidiTrack& track, int ticks_per_beat) {
    std::vector<uint8_t> body;
    PutTrackName(body, track.name);
    const auto channel = static_cast<uint8_t>(std::clamp(track.channel, 0, 15));
    if (track.program >= 0) {
        PutVarLen(body, 0);
        body.push_back(static_cast<uint8_t>(0xc0 | channel));
        body.push_back(static_cast<uint8_t>(std::min(track.program, 127)));
    }
    int64_t last_tick = 0;
    for (const MidiEvent& event : NoteEvents(track, ticks_per_beat)) {
        PutVarLen(body, static_cast<uint64_t>(event.tick - last_tick));
        last_tick = event.tick;
        body.push_back(static_cast<uint8_t>((event.kind == 1 ? 0x90 : 0x80) | channel));
        body.push_back(static_cast<uint8_t>(event.pitch));
        body.push_back(static_cast<uint8_t>(event.kind == 1 ? event.velocity : 64));
    }
    PutEndOfTrack(body);
    return body;
}

}  // namespace

std::vector<uint8_t> EncodeMidi(const MidiSong& song) {
    const int ticks_per_beat = std::clamp(song.ticks_per_beat, 1, kMaxTicksPerBeat);
    std::vector<uint8_t> out = {'M', 'T', 'h', 'd'};
    PutU32(out, 6);
    PutU16(out, 1);
    PutU16(out, static_cast<uint32_t>(std::min<size_t>(song.tracks.size() + 1, 0xffff)));
    PutU16(out, static_cast<uint32_t>(ticks_per_beat));
    AppendChunk(out, ConductorTrack(song));
    for (const MidiTrack& track : song.tracks) AppendChunk(out, PartTrack(track, ticks_per_beat));
    return out;
}

Status WriteMidiFile(const std::filesystem::path& path, const MidiSong& song) {
    const std::vector<uint8_t> bytes = EncodeMidi(song);
    return WriteFileAtomically(path, bytes);
}

}  // namespace amapiano::audio
