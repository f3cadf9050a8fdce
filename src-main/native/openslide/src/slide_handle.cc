#include "slide_handle.h"

namespace hfos {

std::shared_ptr<SlideHandle> SlideHandle::Open(const std::string& path, Failure* failure) {
  const char* detected = openslide_detect_vendor(path.c_str());
  std::string vendor = detected != nullptr ? detected : "";
  openslide_t* osr = openslide_open(path.c_str());
  if (osr == nullptr) {
    failure->code = ErrorCode::kUnsupportedFormat;
    failure->message = "not a file that OpenSlide can recognize";
    return nullptr;
  }
  if (const char* error = openslide_get_error(osr)) {
    failure->code = ErrorCode::kUnsupportedFormat;
    failure->message =
                       (vendor.empty() ? std::string("OpenSlide cannot open it")
                                       : "recognized as " + vendor + " but OpenSlide cannot open it") +
                       ": " + error;
    openslide_close(osr);
    return nullptr;
  }
  return std::shared_ptr<SlideHandle>(new SlideHandle(osr, path, std::move(vendor)));
}

std::atomic<int64_t> SlideHandle::live_{0};

SlideHandle::~SlideHandle() {
  openslide_close(osr_);
  --live_;
}

}  // namespace hfos
