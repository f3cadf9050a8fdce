{
  "targets": [
    {
      "target_name": "openslide_binding",
      "sources": [
        "src/addon.cc",
        "src/arguments.cc",
        "src/errors.cc",
        "src/pixels.cc",
        "src/slide_handle.cc",
        "src/slide.cc",
        "src/open_worker.cc",
        "src/read_region.cc",
        "src/associated_image.cc"
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "<!@(pkg-config --cflags-only-I openslide | sed s/-I//g)"
      ],
      "libraries": ["<!@(pkg-config --libs openslide)"],
      "defines": [
        "NAPI_VERSION=8",
        "NODE_ADDON_API_CPP_EXCEPTIONS",
        # A worker thread that exits with reads in flight: settling them after its environment is
        # gone must be dropped, not abort the process (test/native/concurrency.test.ts).
        "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS",
        "NODE_API_NO_EXTERNAL_BUFFERS_ALLOWED"
      ],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17", "-std=gnu++20"],
      "cflags_cc": ["-std=c++17", "-O3", "-Wall", "-Wextra"],
      "xcode_settings": {
        "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
        "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
        "OTHER_CPLUSPLUSFLAGS": ["-O3"]
      },
      "msvs_settings": {
        "VCCLCompilerTool": { "ExceptionHandling": 1, "AdditionalOptions": ["/std:c++17"] }
      }
    }
  ]
}
