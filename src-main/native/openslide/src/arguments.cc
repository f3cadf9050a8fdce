#include "arguments.h"

#include <cmath>

#include "errors.h"

namespace hfos {
namespace {

constexpr double kMaxSafeInteger = 9007199254740991.0;

[[noreturn]] void Invalid(Napi::Env env, const std::string& path, const std::string& message) {
  throw MakeError(env, ErrorCode::kInvalidArgument, path, message);
}

}  // namespace

double NumberArgument(const Napi::CallbackInfo& info, size_t index, const char* name,
                      const std::string& path) {
  if (index >= info.Length() || !info[index].IsNumber()) {
    Invalid(info.Env(), path, std::string("Expected a number for ") + name);
  }
  const double value = info[index].As<Napi::Number>().DoubleValue();
  if (!std::isfinite(value)) {
    Invalid(info.Env(), path, std::string("Expected a finite number for ") + name);
  }
  return value;
}

int64_t IntegerArgument(const Napi::CallbackInfo& info, size_t index, const char* name,
                        const std::string& path) {
  const double value = NumberArgument(info, index, name, path);
  if (std::trunc(value) != value || std::fabs(value) > kMaxSafeInteger) {
    Invalid(info.Env(), path, std::string("Expected a safe integer for ") + name);
  }
  return static_cast<int64_t>(value);
}

std::string StringArgument(const Napi::CallbackInfo& info, size_t index, const char* name,
                           const std::string& path) {
  if (index >= info.Length() || !info[index].IsString()) {
    Invalid(info.Env(), path, std::string("Expected a string for ") + name);
  }
  return info[index].As<Napi::String>().Utf8Value();
}

PixelFormat FormatArgument(const Napi::CallbackInfo& info, size_t index, const std::string& path) {
  if (index >= info.Length() || info[index].IsUndefined()) return PixelFormat::kRgb;
  const std::string format = StringArgument(info, index, "format", path);
  if (format == "rgb") return PixelFormat::kRgb;
  if (format == "rgba") return PixelFormat::kRgba;
  Invalid(info.Env(), path, "Expected 'rgb' or 'rgba' for format but received '" + format + "'");
}

Rgb BackgroundArgument(const Napi::CallbackInfo& info, size_t index, const std::string& path) {
  if (index >= info.Length() || info[index].IsUndefined()) return Rgb{};
  if (!info[index].IsArray() || info[index].As<Napi::Array>().Length() != 3) {
    Invalid(info.Env(), path, "Expected [r, g, b] for background");
  }
  const Napi::Array array = info[index].As<Napi::Array>();
  uint8_t channels[3];
  for (uint32_t i = 0; i < 3; ++i) {
    const Napi::Value item = array.Get(i);
    const double value = item.IsNumber() ? item.As<Napi::Number>().DoubleValue() : -1;
    if (!(value >= 0 && value <= 255) || std::trunc(value) != value) {
      Invalid(info.Env(), path, "Expected integers 0-255 in background");
    }
    channels[i] = static_cast<uint8_t>(value);
  }
  return Rgb{channels[0], channels[1], channels[2]};
}

}  // namespace hfos
