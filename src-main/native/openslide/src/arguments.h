// Reading and checking JavaScript arguments on the JS thread. The TypeScript facade validates first
// with friendlier messages; these checks keep the addon safe when it is called directly.
#pragma once

#include <napi.h>

#include <cstdint>
#include <string>

#include "pixels.h"

namespace hfos {

// Largest region (in pixels) the addon allocates for one read: 2^28, i.e. 1 GiB of RGBA.
constexpr int64_t kMaxRegionPixels = int64_t{1} << 28;

// info[index] as an integer: a finite JS number without fraction, within +-2^53.
int64_t IntegerArgument(const Napi::CallbackInfo& info, size_t index, const char* name,
                        const std::string& path);
double NumberArgument(const Napi::CallbackInfo& info, size_t index, const char* name,
                      const std::string& path);
std::string StringArgument(const Napi::CallbackInfo& info, size_t index, const char* name,
                           const std::string& path);
// 'rgb' or 'rgba'; undefined means 'rgb'.
PixelFormat FormatArgument(const Napi::CallbackInfo& info, size_t index, const std::string& path);
// [r, g, b] with 0..255 integers; undefined means white.
Rgb BackgroundArgument(const Napi::CallbackInfo& info, size_t index, const std::string& path);

}  // namespace hfos
