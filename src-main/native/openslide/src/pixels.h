// Conversion of OpenSlide's pixels (premultiplied ARGB, one native-endian uint32 per pixel) into the
// byte layouts JavaScript gets. Runs on worker threads.
#pragma once

#include <cstddef>
#include <cstdint>

namespace hfos {

enum class PixelFormat { kRgb, kRgba };

struct Rgb {
  uint8_t r = 255;
  uint8_t g = 255;
  uint8_t b = 255;
};

inline size_t ChannelCount(PixelFormat format) { return format == PixelFormat::kRgb ? 3 : 4; }

// In place: premultiplied ARGB words become straight-alpha R,G,B,A bytes. Fully transparent pixels
// become 0,0,0,0; partly transparent ones are un-premultiplied with rounding, exactly as
// openslide-write-png does, so PNGs we write match the reference tool byte for byte.
void ArgbToRgbaInPlace(uint32_t* pixels, size_t count);

// Premultiplied ARGB composited over an opaque background, written as R,G,B bytes.
void ArgbToRgb(const uint32_t* src, uint8_t* dst, size_t count, Rgb background);

}  // namespace hfos
