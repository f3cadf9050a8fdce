#include "errors.h"

namespace hfos {

const char* ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kUnsupportedFormat:
      return "UNSUPPORTED_FORMAT";
    case ErrorCode::kReadFailed:
      return "READ_FAILED";
    case ErrorCode::kInvalidArgument:
      return "INVALID_ARGUMENT";
    case ErrorCode::kClosed:
      return "CLOSED";
  }
  return "READ_FAILED";
}

Napi::Error MakeError(Napi::Env env, ErrorCode code, const std::string& path,
                      const std::string& detail) {
  const std::string message = path.empty() ? detail : path + ": " + detail;
  Napi::Error error = code == ErrorCode::kInvalidArgument
                          ? Napi::Error(env, Napi::TypeError::New(env, message).Value())
                          : Napi::Error::New(env, message);
  error.Set("code", Napi::String::New(env, ErrorCodeName(code)));
  error.Set("path", path.empty() ? env.Null() : Napi::String::New(env, path));
  error.Set("detail", Napi::String::New(env, detail));
  return error;
}

}  // namespace hfos
