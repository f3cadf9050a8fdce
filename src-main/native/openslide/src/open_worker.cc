#include "open_worker.h"

#include <memory>
#include <string>

#include "arguments.h"
#include "promise_worker.h"
#include "slide.h"
#include "slide_handle.h"

namespace hfos {
namespace {

class OpenWorker : public PromiseWorker {
 public:
  OpenWorker(Napi::Env env, const std::string& path) : PromiseWorker(env, "openslide.open", path) {}

  void Execute() override {
    Failure failure;
    handle_ = SlideHandle::Open(path_, &failure);
    if (!handle_) Fail(failure.code, failure.message);
  }

  void OnOK() override { deferred_.Resolve(Slide::NewInstance(Env(), std::move(handle_))); }

 private:
  std::shared_ptr<SlideHandle> handle_;
};

}  // namespace

Napi::Value QueueOpen(const Napi::CallbackInfo& info) {
  const std::string path = StringArgument(info, 0, "path", "");
  auto* worker = new OpenWorker(info.Env(), path);
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

}  // namespace hfos
