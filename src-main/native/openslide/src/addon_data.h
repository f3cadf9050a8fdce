// Per-environment state (one per Node.js main thread or worker thread), so the addon is
// context-aware and can be loaded from worker_threads.
#pragma once

#include <napi.h>

namespace hfos {

struct AddonData {
  Napi::FunctionReference slideConstructor;
};

}  // namespace hfos
