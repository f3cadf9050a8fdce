#include "read_region.h"

#include <cstdint>
#include <cstring>
#include <new>
#include <string>

#include "arguments.h"
#include "errors.h"
#include "pixels.h"
#include "promise_worker.h"

namespace hfos {
namespace {

struct Region {
  int64_t level0X;
  int64_t level0Y;
  int32_t level;
  int64_t width;
  int64_t height;
};

std::string Describe(const Region& r) {
  return "region x=" + std::to_string(r.level0X) + " y=" + std::to_string(r.level0Y) + " level " +
         std::to_string(r.level) + " " + std::to_string(r.width) + "x" + std::to_string(r.height);
}

class ReadRegionWorker : public PromiseWorker {
 public:
  ReadRegionWorker(Napi::Env env, std::shared_ptr<SlideHandle> handle, Region region,
                   PixelFormat format, Rgb background, Napi::Buffer<uint8_t> out)
      : PromiseWorker(env, "openslide.readRegion", handle->path()), handle_(std::move(handle)),
        region_(region), format_(format), background_(background), out_(Napi::Persistent(out)),
        data_(out.Data()) {}

  void Execute() override {
    if (const char* error = handle_->Error()) {
      Fail(ErrorCode::kReadFailed, std::string("the slide handle failed earlier: ") + error);
      return;
    }
    const size_t count = static_cast<size_t>(region_.width * region_.height);
    // RGBA has the same size as ARGB, so OpenSlide can write straight into the output when aligned.
    const bool direct = format_ == PixelFormat::kRgba &&
                        reinterpret_cast<uintptr_t>(data_) % alignof(uint32_t) == 0;
    std::unique_ptr<uint32_t[]> scratch;
    uint32_t* argb = reinterpret_cast<uint32_t*>(data_);
    if (!direct) {
      scratch.reset(new (std::nothrow) uint32_t[count]);
      if (!scratch) {
        Fail(ErrorCode::kReadFailed, "out of memory reading " + Describe(region_));
        return;
      }
      argb = scratch.get();
    }
    openslide_read_region(handle_->osr(), argb, region_.level0X, region_.level0Y, region_.level,
                          region_.width, region_.height);
    if (const char* error = handle_->Error()) {
      Fail(ErrorCode::kReadFailed, "cannot read " + Describe(region_) + ": " + error);
      return;
    }
    if (format_ == PixelFormat::kRgb) {
      ArgbToRgb(argb, data_, count, background_);
    } else {
      ArgbToRgbaInPlace(argb, count);
      if (!direct) std::memcpy(data_, argb, count * 4);
    }
  }

  void OnOK() override { deferred_.Resolve(out_.Value()); }

 private:
  // Keeps the openslide_t alive while this read runs, even if the slide is closed meanwhile.
  const std::shared_ptr<SlideHandle> handle_;
  const Region region_;
  const PixelFormat format_;
  const Rgb background_;
  Napi::Reference<Napi::Buffer<uint8_t>> out_;
  uint8_t* const data_;
};

}  // namespace

Napi::Value QueueReadRegion(const Napi::CallbackInfo& info, std::shared_ptr<SlideHandle> handle) {
  Napi::Env env = info.Env();
  const std::string& path = handle->path();
  Region region{};
  region.level0X = IntegerArgument(info, 0, "level0X", path);
  region.level0Y = IntegerArgument(info, 1, "level0Y", path);
  const int64_t level = IntegerArgument(info, 2, "level", path);
  region.width = IntegerArgument(info, 3, "width", path);
  region.height = IntegerArgument(info, 4, "height", path);
  const PixelFormat format = FormatArgument(info, 5, path);
  const Rgb background = BackgroundArgument(info, 6, path);

  if (const char* error = handle->Error()) {
    throw MakeError(env, ErrorCode::kReadFailed, path,
                    std::string("the slide handle failed earlier: ") + error);
  }
  const int32_t levelCount = openslide_get_level_count(handle->osr());
  if (level < 0 || level >= levelCount) {
    throw MakeError(env, ErrorCode::kInvalidArgument, path,
                    "level " + std::to_string(level) + " is out of range: the slide has " +
                        std::to_string(levelCount) + " levels");
  }
  region.level = static_cast<int32_t>(level);
  if (region.width <= 0 || region.height <= 0 ||
      region.width > kMaxRegionPixels / region.height) {
    throw MakeError(env, ErrorCode::kInvalidArgument, path,
                    "region size " + std::to_string(region.width) + "x" +
                        std::to_string(region.height) + " must be positive and at most " +
                        std::to_string(kMaxRegionPixels) + " pixels");
  }
  const size_t bytes =
      static_cast<size_t>(region.width * region.height) * ChannelCount(format);
  Napi::Buffer<uint8_t> out = Napi::Buffer<uint8_t>::New(env, bytes);
  auto* worker = new ReadRegionWorker(env, std::move(handle), region, format, background, out);
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

}  // namespace hfos
