// Errors crossing from C++ to JavaScript: a code the TypeScript facade maps to SlideError, the file
// concerned, and OpenSlide's own message.
#pragma once

#include <napi.h>

#include <string>

namespace hfos {

enum class ErrorCode { kUnsupportedFormat, kReadFailed, kInvalidArgument, kClosed };

// The code string seen by JavaScript (`err.code`), e.g. "READ_FAILED".
const char* ErrorCodeName(ErrorCode code);

// A failure recorded on a worker thread, turned into a JS Error later on the JS thread.
struct Failure {
  ErrorCode code = ErrorCode::kReadFailed;
  std::string message;
};

// A JS Error with `code`, `path` (null when empty), `detail`, and the message "<path>: <detail>".
Napi::Error MakeError(Napi::Env env, ErrorCode code, const std::string& path,
                      const std::string& detail);

}  // namespace hfos
