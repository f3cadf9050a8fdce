#include "associated_image.h"

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

void ThrowIfFailed(Napi::Env env, const SlideHandle& handle) {
  if (const char* error = handle.Error()) {
    throw MakeError(env, ErrorCode::kReadFailed, handle.path(), error);
  }
}

struct Size {
  int64_t width;
  int64_t height;
};

Size DimensionsOrThrow(Napi::Env env, const SlideHandle& handle, const std::string& name) {
  ThrowIfFailed(env, handle);
  Size size{-1, -1};
  openslide_get_associated_image_dimensions(handle.osr(), name.c_str(), &size.width, &size.height);
  ThrowIfFailed(env, handle);
  if (size.width < 0 || size.height < 0) {
    throw MakeError(env, ErrorCode::kInvalidArgument, handle.path(),
                    "the slide has no associated image '" + name + "'");
  }
  return size;
}

class ReadAssociatedImageWorker : public PromiseWorker {
 public:
  ReadAssociatedImageWorker(Napi::Env env, std::shared_ptr<SlideHandle> handle, std::string name,
                            Size size, PixelFormat format, Rgb background,
                            Napi::Buffer<uint8_t> out)
      : PromiseWorker(env, "openslide.readAssociatedImage", handle->path()),
        handle_(std::move(handle)), name_(std::move(name)), size_(size), format_(format),
        background_(background), out_(Napi::Persistent(out)), data_(out.Data()) {}

  void Execute() override {
    const size_t count = static_cast<size_t>(size_.width * size_.height);
    std::unique_ptr<uint32_t[]> argb(new (std::nothrow) uint32_t[count]);
    if (!argb) {
      Fail(ErrorCode::kReadFailed, "out of memory reading associated image " + name_);
      return;
    }
    openslide_read_associated_image(handle_->osr(), name_.c_str(), argb.get());
    if (const char* error = handle_->Error()) {
      Fail(ErrorCode::kReadFailed,
           "cannot read associated image '" + name_ + "': " + error);
      return;
    }
    if (format_ == PixelFormat::kRgb) {
      ArgbToRgb(argb.get(), data_, count, background_);
    } else {
      ArgbToRgbaInPlace(argb.get(), count);
      std::memcpy(data_, argb.get(), count * 4);
    }
  }

  void OnOK() override {
    Napi::Env env = Env();
    Napi::Object result = Napi::Object::New(env);
    result.Set("width", Napi::Number::New(env, static_cast<double>(size_.width)));
    result.Set("height", Napi::Number::New(env, static_cast<double>(size_.height)));
    result.Set("data", out_.Value());
    deferred_.Resolve(result);
  }

 private:
  const std::shared_ptr<SlideHandle> handle_;
  const std::string name_;
  const Size size_;
  const PixelFormat format_;
  const Rgb background_;
  Napi::Reference<Napi::Buffer<uint8_t>> out_;
  uint8_t* const data_;
};

}  // namespace

Napi::Value AssociatedImageNames(Napi::Env env, const SlideHandle& handle) {
  ThrowIfFailed(env, handle);
  const char* const* names = openslide_get_associated_image_names(handle.osr());
  ThrowIfFailed(env, handle);
  Napi::Array result = Napi::Array::New(env);
  for (uint32_t i = 0; names != nullptr && names[i] != nullptr; ++i) {
    result.Set(i, Napi::String::New(env, names[i]));
  }
  return result;
}

Napi::Value AssociatedImageDimensions(const Napi::CallbackInfo& info, const SlideHandle& handle) {
  Napi::Env env = info.Env();
  const std::string name = StringArgument(info, 0, "name", handle.path());
  const Size size = DimensionsOrThrow(env, handle, name);
  Napi::Object result = Napi::Object::New(env);
  result.Set("width", Napi::Number::New(env, static_cast<double>(size.width)));
  result.Set("height", Napi::Number::New(env, static_cast<double>(size.height)));
  return result;
}

Napi::Value QueueReadAssociatedImage(const Napi::CallbackInfo& info,
                                     std::shared_ptr<SlideHandle> handle) {
  Napi::Env env = info.Env();
  std::string name = StringArgument(info, 0, "name", handle->path());
  const PixelFormat format = FormatArgument(info, 1, handle->path());
  const Rgb background = BackgroundArgument(info, 2, handle->path());
  const Size size = DimensionsOrThrow(env, *handle, name);
  if (size.width == 0 || size.height == 0 || size.width > kMaxRegionPixels / size.height) {
    throw MakeError(env, ErrorCode::kReadFailed, handle->path(),
                    "associated image '" + name + "' has an unusable size " +
                        std::to_string(size.width) + "x" + std::to_string(size.height));
  }
  const size_t bytes = static_cast<size_t>(size.width * size.height) * ChannelCount(format);
  Napi::Buffer<uint8_t> out = Napi::Buffer<uint8_t>::New(env, bytes);
  auto* worker = new ReadAssociatedImageWorker(env, std::move(handle), std::move(name), size,
                                               format, background, out);
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

}  // namespace hfos
