// open(path): Promise<Slide>. Vendor detection and openslide_open (file I/O, header parsing) run on
// the libuv thread pool.
#pragma once

#include <napi.h>

namespace hfos {

Napi::Value QueueOpen(const Napi::CallbackInfo& info);

}  // namespace hfos
