// The JS `Slide` class: a thin wrapper holding a shared reference to a SlideHandle. Metadata getters
// are synchronous (cheap, in-memory in OpenSlide); reads are promises (read_region.h,
// associated_image.h). close() drops this object's reference only, see slide_handle.h.
#pragma once

#include <napi.h>

#include <memory>
#include <string>

#include "slide_handle.h"

namespace hfos {

class Slide : public Napi::ObjectWrap<Slide> {
 public:
  // Defines the class; its constructor is stored in AddonData, never exported (use open()).
  static Napi::Function Define(Napi::Env env);
  // A JS Slide owning `handle` (called on the JS thread when an open completes).
  static Napi::Object NewInstance(Napi::Env env, std::shared_ptr<SlideHandle> handle);

  explicit Slide(const Napi::CallbackInfo& info);

 private:
  // The open handle, or throws CLOSED.
  const std::shared_ptr<SlideHandle>& Handle(Napi::Env env) const;
  // Throws READ_FAILED with OpenSlide's message when the handle is in error state.
  void Check(Napi::Env env) const;

  Napi::Value GetPath(const Napi::CallbackInfo& info);
  Napi::Value GetVendor(const Napi::CallbackInfo& info);
  Napi::Value GetClosed(const Napi::CallbackInfo& info);
  Napi::Value GetError(const Napi::CallbackInfo& info);
  Napi::Value LevelCount(const Napi::CallbackInfo& info);
  Napi::Value LevelDimensions(const Napi::CallbackInfo& info);
  Napi::Value LevelDownsample(const Napi::CallbackInfo& info);
  Napi::Value BestLevelForDownsample(const Napi::CallbackInfo& info);
  Napi::Value Properties(const Napi::CallbackInfo& info);
  Napi::Value AssociatedImageNames(const Napi::CallbackInfo& info);
  Napi::Value AssociatedImageDimensions(const Napi::CallbackInfo& info);
  Napi::Value ReadAssociatedImage(const Napi::CallbackInfo& info);
  Napi::Value ReadRegion(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);

  int32_t LevelArgument(const Napi::CallbackInfo& info) const;

  std::shared_ptr<SlideHandle> handle_;
  // Kept after close so errors and `path` still name the file.
  std::string path_;
  std::string vendor_;
};

}  // namespace hfos
