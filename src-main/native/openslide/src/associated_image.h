// Associated images (label, macro, thumbnail, ...): names, sizes, and reading one on the thread pool.
#pragma once

#include <napi.h>

#include <memory>

#include "slide_handle.h"

namespace hfos {

// string[] of the slide's associated image names.
Napi::Value AssociatedImageNames(Napi::Env env, const SlideHandle& handle);

// { width, height } of info[0]; INVALID_ARGUMENT when the slide has no such image.
Napi::Value AssociatedImageDimensions(const Napi::CallbackInfo& info, const SlideHandle& handle);

// readAssociatedImage(name, format?, background?): Promise<{ width, height, data }>.
Napi::Value QueueReadAssociatedImage(const Napi::CallbackInfo& info,
                                     std::shared_ptr<SlideHandle> handle);

}  // namespace hfos
