// Module entry: open(path), detectVendor(path), version(), liveHandleCount().
#include <napi.h>
#include <openslide.h>

#include <string>

#include "addon_data.h"
#include "arguments.h"
#include "open_worker.h"
#include "slide.h"
#include "slide_handle.h"

namespace hfos {
namespace {

// Vendor name for a file (or null), without opening it. Synchronous: it only reads the header.
Napi::Value DetectVendor(const Napi::CallbackInfo& info) {
  const std::string path = StringArgument(info, 0, "path", "");
  const char* vendor = openslide_detect_vendor(path.c_str());
  return vendor != nullptr ? Napi::String::New(info.Env(), vendor) : info.Env().Null();
}

Napi::Value Version(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), openslide_get_version());
}

Napi::Value LiveHandleCount(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(SlideHandle::LiveCount()));
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  auto* data = new AddonData();
  data->slideConstructor = Napi::Persistent(Slide::Define(env));
  env.SetInstanceData<AddonData>(data);
  exports.Set("open", Napi::Function::New<QueueOpen>(env, "open"));
  exports.Set("detectVendor", Napi::Function::New<DetectVendor>(env, "detectVendor"));
  exports.Set("liveHandleCount", Napi::Function::New<LiveHandleCount>(env, "liveHandleCount"));
  exports.Set("version", Napi::Function::New<Version>(env, "version"));
  return exports;
}

}  // namespace
}  // namespace hfos

static Napi::Object InitOpenSlideBinding(Napi::Env env, Napi::Object exports) {
  return hfos::Init(env, exports);
}

NODE_API_MODULE(openslide_binding, InitOpenSlideBinding)
