// Owns one openslide_t. Held through std::shared_ptr: the JS Slide object and every read in flight
// keep a reference, so close() from JavaScript only drops the JS side's reference and
// openslide_close() runs when the last read has finished (openslide_close is the one call that is not
// thread-safe).
#pragma once

#include <openslide.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "errors.h"

namespace hfos {

class SlideHandle {
 public:
  // Detects the vendor and opens the slide (blocking file I/O: call it off the JS thread). On failure
  // returns nullptr and fills `failure` (code kUnsupportedFormat).
  static std::shared_ptr<SlideHandle> Open(const std::string& path, Failure* failure);

  ~SlideHandle();

  // openslide_t handles currently open in this process (all threads): lets tests prove that close()
  // during reads neither leaks the handle nor closes it early.
  static int64_t LiveCount() { return live_.load(); }
  SlideHandle(const SlideHandle&) = delete;
  SlideHandle& operator=(const SlideHandle&) = delete;

  openslide_t* osr() const { return osr_; }
  const std::string& path() const { return path_; }
  // Vendor from openslide_detect_vendor; empty when OpenSlide names none.
  const std::string& vendor() const { return vendor_; }
  // The handle's error, or nullptr. OpenSlide errors latch: once set, every later call fails too.
  const char* Error() const { return openslide_get_error(osr_); }

 private:
  SlideHandle(openslide_t* osr, std::string path, std::string vendor)
      : osr_(osr), path_(std::move(path)), vendor_(std::move(vendor)) {
    ++live_;
  }

  static std::atomic<int64_t> live_;

  openslide_t* const osr_;
  const std::string path_;
  const std::string vendor_;
};

}  // namespace hfos
