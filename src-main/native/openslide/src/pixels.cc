#include "pixels.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#error "pixels.cc assumes a little-endian target (x86-64, arm64)"
#endif

namespace hfos {
namespace {

inline uint32_t Unpremultiply(uint32_t channel, uint32_t alpha) {
  const uint32_t value = (channel * 255 + alpha / 2) / alpha;
  return value > 255 ? 255 : value;
}

}  // namespace

void ArgbToRgbaInPlace(uint32_t* pixels, size_t count) {
  // Swap R and B (on little-endian the word's bytes go from B,G,R,A to R,G,B,A) while ANDing the
  // alphas; one pass that vectorises. Only partly transparent regions need the second pass.
  uint32_t all = 0xffffffffu;
  for (size_t i = 0; i < count; ++i) {
    const uint32_t p = pixels[i];
    all &= p;
    pixels[i] = (p & 0xff00ff00u) | ((p >> 16) & 0xffu) | ((p & 0xffu) << 16);
  }
  if ((all >> 24) == 255) return;
  for (size_t i = 0; i < count; ++i) {
    const uint32_t p = pixels[i];
    const uint32_t a = p >> 24;
    if (a == 255) continue;
    if (a == 0) {
      pixels[i] = 0;
      continue;
    }
    const uint32_t r = Unpremultiply(p & 0xffu, a);
    const uint32_t g = Unpremultiply((p >> 8) & 0xffu, a);
    const uint32_t b = Unpremultiply((p >> 16) & 0xffu, a);
    pixels[i] = r | (g << 8) | (b << 16) | (a << 24);
  }
}

void ArgbToRgb(const uint32_t* src, uint8_t* dst, size_t count, Rgb background) {
  // First as if every pixel were opaque (the common case), ANDing the alphas on the way.
  uint32_t all = 0xffffffffu;
  for (size_t i = 0; i < count; ++i) {
    const uint32_t p = src[i];
    all &= p;
    dst[3 * i] = static_cast<uint8_t>(p >> 16);
    dst[3 * i + 1] = static_cast<uint8_t>(p >> 8);
    dst[3 * i + 2] = static_cast<uint8_t>(p);
  }
  if ((all >> 24) == 255) return;
  // Then premultiplied "over" for the others: c + background * (255 - a) / 255, rounded.
  for (size_t i = 0; i < count; ++i) {
    const uint32_t p = src[i];
    const uint32_t inverse = 255 - (p >> 24);
    if (inverse == 0) continue;
    const uint32_t r = ((p >> 16) & 0xffu) + (background.r * inverse + 127) / 255;
    const uint32_t g = ((p >> 8) & 0xffu) + (background.g * inverse + 127) / 255;
    const uint32_t b = (p & 0xffu) + (background.b * inverse + 127) / 255;
    dst[3 * i] = static_cast<uint8_t>(r > 255 ? 255 : r);
    dst[3 * i + 1] = static_cast<uint8_t>(g > 255 ? 255 : g);
    dst[3 * i + 2] = static_cast<uint8_t>(b > 255 ? 255 : b);
  }
}

}  // namespace hfos
