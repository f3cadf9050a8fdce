// Base for the addon's async operations: runs Execute() on the libuv thread pool and settles a
// promise; V8 is touched only in the constructor and in OnOK/OnError (on the JS thread).
#pragma once

#include <napi.h>

#include <string>

#include "errors.h"

namespace hfos {

class PromiseWorker : public Napi::AsyncWorker {
 public:
  PromiseWorker(Napi::Env env, const char* resourceName, std::string path)
      : Napi::AsyncWorker(env, resourceName), deferred_(Napi::Promise::Deferred::New(env)),
        path_(std::move(path)) {}

  Napi::Promise Promise() const { return deferred_.Promise(); }

 protected:
  // Called on the worker thread; the message becomes the rejection's message.
  void Fail(ErrorCode code, const std::string& message) {
    code_ = code;
    SetError(message);
  }

  void OnError(const Napi::Error& error) override {
    deferred_.Reject(MakeError(Env(), code_, path_, error.Message()).Value());
  }

  Napi::Promise::Deferred deferred_;
  const std::string path_;

 private:
  ErrorCode code_ = ErrorCode::kReadFailed;
};

}  // namespace hfos
