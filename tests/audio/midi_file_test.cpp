#include "audio/midi_file.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "audio/audio_test_util.h"

namespace amapiano::audio {
namespace {

uint32_t U32At(const std::vector<uint8_t>& b, size_t i) {
    return (uint32_t(b[i]) << 24) | (uint32_t(b[i + 1]) << 16) | (uint32_t(b[i + 2]) << 8) | b[i + 3];
}

bool Contains(const std::vector<uint8_t>& haystack, const std::vector<uint8_t>& needle) {
    return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end()) != haystack.end();
}

// Splits an SMF into its MTrk bodies.
std::vector<std::vector<uint8_t>> Tracks(const std::vector<uint8_t>& b) {
    std::vector<std::vector<uint8_t>> tracks;
    size_t pos = 14;
    while (pos + 8 <= b.size()) {
        EXPECT_EQ(std::string(b.begin() + long(pos), b.begin() + long(pos) + 4), "MTrk");
        const uint32_t size = U32At(b, pos + 4);
        tracks.emplace_back(b.begin() + long(pos) + 8, b.begin() + long(pos) + 8 + long(size));
        pos += 8 + size;
    }
    EXPECT_EQ(pos, b.size());
    return tracks;
}

MidiSong ExampleSong() {
    MidiSong song;
    song.bpm = 112;
    song.key_accidentals = 3;
    song.minor = true;
    song.tracks.push_back(
        {.name = "log-drum",
         .channel = 1,
         .program = 38,
         .notes = {{.start_beats = 1.0, .duration_beats = 0.5, .pitch = 42, .velocity = 100},
                   {.start_beats = 0.0, .duration_beats = 1.0, .pitch = 42, .velocity = 90}}});
    song.tracks.push_back(
        {.name = "kick",
         .channel = 9,
         .program = -1,
         .notes = {{.start_beats = 0.0, .duration_beats = 0.25, .pitch = 36, .velocity = 127}}});
    return song;
}

TEST(EncodeMidi, HeaderAndConductorTrack) {
    const std::vector<uint8_t> b = EncodeMidi(ExampleSong());
    ASSERT_GE(b.size(), 14u);
    EXPECT_EQ(std::vector<uint8_t>(b.begin(), b.begin() + 14),
              (std::vector<uint8_t>{'M', 'T', 'h', 'd', 0, 0, 0, 6, 0, 1, 0, 3, 0x01, 0xe0}));
    const auto tracks = Tracks(b);
    ASSERT_EQ(tracks.size(), 3u);
    // 112 BPM: round(60e6 / 112) = 535714 us = 0x082CA2.
    EXPECT_TRUE(Contains(tracks[0], {0x00, 0xff, 0x51, 0x03, 0x08, 0x2c, 0xa2}));
    // F# minor: three sharps, minor.
    EXPECT_TRUE(Contains(tracks[0], {0x00, 0xff, 0x59, 0x02, 0x03, 0x01}));
    EXPECT_TRUE(Contains(tracks[0], {0x00, 0xff, 0x58, 0x04, 0x04, 0x02, 0x18, 0x08}));
    const std::vector<uint8_t> end = {0x00, 0xff, 0x2f, 0x00};
    for (const auto& t : tracks) EXPECT_TRUE(std::equal(end.begin(), end.end(), t.end() - 4));
}

TEST(EncodeMidi, FlatKeySignatureIsTwosComplement) {
    MidiSong song;
    song.bpm = 120;
    song.key_accidentals = -2;
    song.minor = false;
    const auto tracks = Tracks(EncodeMidi(song));
    EXPECT_TRUE(Contains(tracks[0], {0xff, 0x59, 0x02, 0xfe, 0x00}));
    EXPECT_TRUE(Contains(tracks[0], {0xff, 0x51, 0x03, 0x07, 0xa1, 0x20}));  // 500000 us
}

TEST(EncodeMidi, NotesAreSortedWithOffsBeforeOnsAtTheSameTick) {
    const auto tracks = Tracks(EncodeMidi(ExampleSong()));
    const std::vector<uint8_t> expected = {
        0x00, 0xff, 0x03, 8,   'l', 'o', 'g', '-', 'd', 'r', 'u', 'm', 0x00, 0xc1, 38,  // program change
        0x00, 0x91, 42,   90,                                                           // note on at beat 0
        0x83, 0x60, 0x81, 42,  64,  // 480 ticks later: off (before the next on)
        0x00, 0x91, 42,   100,      // on at beat 1
        0x81, 0x70, 0x81, 42,  64,  // off 240 ticks later
        0x00, 0xff, 0x2f, 0x00};
    EXPECT_EQ(tracks[1], expected);
    // No program change for program -1; drum channel 9.
    const std::vector<uint8_t> kick = {0x00, 0xff, 0x03, 4,    'k', 'i', 'c',  'k',  0x00, 0x99,
                                       36,   127,  0x78, 0x89, 36,  64,  0x00, 0xff, 0x2f, 0x00};
    EXPECT_EQ(tracks[2], kick);
}

TEST(EncodeMidi, OverlappingSamePitchIsEndedBeforeRestart) {
    MidiSong song;
    song.tracks.push_back(
        {.name = "keys",
         .channel = 0,
         .program = 0,
         .notes = {{.start_beats = 0.0, .duration_beats = 2.0, .pitch = 60, .velocity = 80},
                   {.start_beats = 1.0, .duration_beats = 1.0, .pitch = 60, .velocity = 80}}});
    const auto tracks = Tracks(EncodeMidi(song));
    // on@0, off@480, on@480, off@960.
    EXPECT_TRUE(Contains(tracks[1], {0x00, 0x90, 60, 80, 0x83, 0x60, 0x80, 60, 64, 0x00, 0x90, 60, 80, 0x83,
                                     0x60, 0x80, 60, 64}));
}

TEST(WriteMidiFile, IsDeterministicAndAtomic) {
    testing_util::ScratchDir dir;
    const auto path = dir.path() / "song.mid";
    ASSERT_TRUE(WriteMidiFile(path, ExampleSong()).ok());
    const auto first = testing_util::ReadBytes(path);
    ASSERT_TRUE(WriteMidiFile(path, ExampleSong()).ok());
    EXPECT_EQ(first, testing_util::ReadBytes(path));
    const auto encoded = EncodeMidi(ExampleSong());
    EXPECT_EQ(first, std::vector<char>(encoded.begin(), encoded.end()));
    EXPECT_EQ(dir.EntryCount(), 1u);
    EXPECT_EQ(WriteMidiFile(dir.path() / "missing" / "x.mid", ExampleSong()).error().code, ErrorCode::kIo);
}

}  // namespace
}  // namespace amapiano::audio
