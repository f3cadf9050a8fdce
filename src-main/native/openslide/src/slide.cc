#include "slide.h"

#include "addon_data.h"
#include "arguments.h"
#include "associated_image.h"
#include "errors.h"
#include "read_region.h"

namespace hfos {

Napi::Function Slide::Define(Napi::Env env) {
  return DefineClass(
      env, "Slide",
      {
          InstanceAccessor<&Slide::GetPath>("path"),
          InstanceAccessor<&Slide::GetVendor>("vendor"),
          InstanceAccessor<&Slide::GetClosed>("closed"),
          InstanceAccessor<&Slide::GetError>("error"),
          InstanceMethod<&Slide::LevelCount>("levelCount"),
          InstanceMethod<&Slide::LevelDimensions>("levelDimensions"),
          InstanceMethod<&Slide::LevelDownsample>("levelDownsample"),
          InstanceMethod<&Slide::BestLevelForDownsample>("bestLevelForDownsample"),
          InstanceMethod<&Slide::Properties>("properties"),
          InstanceMethod<&Slide::AssociatedImageNames>("associatedImageNames"),
          InstanceMethod<&Slide::AssociatedImageDimensions>("associatedImageDimensions"),
          InstanceMethod<&Slide::ReadAssociatedImage>("readAssociatedImage"),
          InstanceMethod<&Slide::ReadRegion>("readRegion"),
          InstanceMethod<&Slide::Close>("close"),
      });
}

Napi::Object Slide::NewInstance(Napi::Env env, std::shared_ptr<SlideHandle> handle) {
  // The handle travels through a napi External (a plain pointer, not an external buffer).
  auto* carrier = new std::shared_ptr<SlideHandle>(std::move(handle));
  Napi::External<std::shared_ptr<SlideHandle>> external =
      Napi::External<std::shared_ptr<SlideHandle>>::New(
          env, carrier, [](Napi::Env, std::shared_ptr<SlideHandle>* p) { delete p; });
  return env.GetInstanceData<AddonData>()->slideConstructor.New({external});
}

Slide::Slide(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Slide>(info) {
  if (info.Length() != 1 || !info[0].IsExternal()) {
    throw Napi::TypeError::New(info.Env(), "Slide cannot be constructed directly; use open(path)");
  }
  // Take the handle out of the carrier: the External lives until GC, and must not keep it open.
  std::shared_ptr<SlideHandle>* carrier = info[0].As<Napi::External<std::shared_ptr<SlideHandle>>>().Data();
  if (!*carrier) throw Napi::TypeError::New(info.Env(), "Slide cannot be constructed directly; use open(path)");
  handle_ = std::move(*carrier);
  path_ = handle_->path();
  vendor_ = handle_->vendor();
}

const std::shared_ptr<SlideHandle>& Slide::Handle(Napi::Env env) const {
  if (!handle_) throw MakeError(env, ErrorCode::kClosed, path_, "the slide is closed");
  return handle_;
}

void Slide::Check(Napi::Env env) const {
  if (const char* error = Handle(env)->Error()) {
    throw MakeError(env, ErrorCode::kReadFailed, path_, error);
  }
}

int32_t Slide::LevelArgument(const Napi::CallbackInfo& info) const {
  const int64_t level = IntegerArgument(info, 0, "level", path_);
  const int32_t count = openslide_get_level_count(Handle(info.Env())->osr());
  Check(info.Env());
  if (level < 0 || level >= count) {
    throw MakeError(info.Env(), ErrorCode::kInvalidArgument, path_,
                    "level " + std::to_string(level) + " is out of range: the slide has " +
                        std::to_string(count) + " levels");
  }
  return static_cast<int32_t>(level);
}

Napi::Value Slide::GetPath(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), path_);
}

Napi::Value Slide::GetVendor(const Napi::CallbackInfo& info) {
  return vendor_.empty() ? info.Env().Null() : Napi::String::New(info.Env(), vendor_);
}

Napi::Value Slide::GetClosed(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), !handle_);
}

Napi::Value Slide::GetError(const Napi::CallbackInfo& info) {
  const char* error = handle_ ? handle_->Error() : nullptr;
  return error ? Napi::String::New(info.Env(), error) : info.Env().Null();
}

Napi::Value Slide::LevelCount(const Napi::CallbackInfo& info) {
  const int32_t count = openslide_get_level_count(Handle(info.Env())->osr());
  Check(info.Env());
  return Napi::Number::New(info.Env(), count);
}

Napi::Value Slide::LevelDimensions(const Napi::CallbackInfo& info) {
  const int32_t level = LevelArgument(info);
  int64_t width = -1;
  int64_t height = -1;
  openslide_get_level_dimensions(handle_->osr(), level, &width, &height);
  Check(info.Env());
  Napi::Array result = Napi::Array::New(info.Env(), 2);
  result.Set(uint32_t{0}, Napi::Number::New(info.Env(), static_cast<double>(width)));
  result.Set(uint32_t{1}, Napi::Number::New(info.Env(), static_cast<double>(height)));
  return result;
}

Napi::Value Slide::LevelDownsample(const Napi::CallbackInfo& info) {
  const int32_t level = LevelArgument(info);
  const double downsample = openslide_get_level_downsample(handle_->osr(), level);
  Check(info.Env());
  return Napi::Number::New(info.Env(), downsample);
}

Napi::Value Slide::BestLevelForDownsample(const Napi::CallbackInfo& info) {
  const double downsample = NumberArgument(info, 0, "downsample", path_);
  const int32_t level =
      openslide_get_best_level_for_downsample(Handle(info.Env())->osr(), downsample);
  Check(info.Env());
  return Napi::Number::New(info.Env(), level);
}

Napi::Value Slide::Properties(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  openslide_t* osr = Handle(env)->osr();
  const char* const* names = openslide_get_property_names(osr);
  Check(env);
  Napi::Object result = Napi::Object::New(env);
  for (size_t i = 0; names != nullptr && names[i] != nullptr; ++i) {
    const char* value = openslide_get_property_value(osr, names[i]);
    Check(env);
    result.Set(names[i], Napi::String::New(env, value != nullptr ? value : ""));
  }
  return result;
}

Napi::Value Slide::AssociatedImageNames(const Napi::CallbackInfo& info) {
  return hfos::AssociatedImageNames(info.Env(), *Handle(info.Env()));
}

Napi::Value Slide::AssociatedImageDimensions(const Napi::CallbackInfo& info) {
  return hfos::AssociatedImageDimensions(info, *Handle(info.Env()));
}

Napi::Value Slide::ReadAssociatedImage(const Napi::CallbackInfo& info) {
  return QueueReadAssociatedImage(info, Handle(info.Env()));
}

Napi::Value Slide::ReadRegion(const Napi::CallbackInfo& info) {
  return QueueReadRegion(info, Handle(info.Env()));
}

Napi::Value Slide::Close(const Napi::CallbackInfo& info) {
  // Reads in flight hold their own references; the last one to finish closes the openslide_t.
  handle_.reset();
  return info.Env().Undefined();
}

}  // namespace hfos
