// slide.readRegion(level0X, level0Y, level, width, height, format?, background?): Promise<Buffer>.
// openslide_read_region and the pixel conversion run on the libuv thread pool; the output Buffer is
// allocated on the JS heap before the work is queued (no external buffers, so it loads in Electron).
#pragma once

#include <napi.h>

#include <memory>

#include "slide_handle.h"

namespace hfos {

// Validates the arguments (info[0..6]), allocates the output and queues the read.
Napi::Value QueueReadRegion(const Napi::CallbackInfo& info, std::shared_ptr<SlideHandle> handle);

}  // namespace hfos
