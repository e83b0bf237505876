#include "linkwatch/base/zstd.h"

#include <zstd.h>

#include <cstdlib>
#include <memory>

namespace linkwatch {
namespace {

struct DctxFree {
  void operator()(ZSTD_DCtx* d) const noexcept { ZSTD_freeDCtx(d); }
};

Status TooLarge(size_t max_bytes) {
  return Status::InvalidArgument("zstd frame holds more than " + std::to_string(max_bytes) +
                                 " bytes");
}

}  // namespace

std::string ZstdCompress(std::string_view data, int level) {
  std::string out(ZSTD_compressBound(data.size()), '\0');
  const size_t n = ZSTD_compress(out.data(), out.size(), data.data(), data.size(), level);
  // With a bound-sized buffer compression cannot fail; a failure is a bug.
  if (ZSTD_isError(n)) std::abort();
  out.resize(n);
  return out;
}

Result<std::string> ZstdDecompress(std::string_view frame, size_t max_bytes) {
  const unsigned long long declared = ZSTD_getFrameContentSize(frame.data(), frame.size());
  if (declared == ZSTD_CONTENTSIZE_ERROR) return Status::Corruption("not a zstd frame");
  if (declared != ZSTD_CONTENTSIZE_UNKNOWN && declared > max_bytes) return TooLarge(max_bytes);
  std::unique_ptr<ZSTD_DCtx, DctxFree> dctx(ZSTD_createDCtx());
  std::string out;
  if (declared != ZSTD_CONTENTSIZE_UNKNOWN) out.reserve(declared);
  std::string chunk(ZSTD_DStreamOutSize(), '\0');
  ZSTD_inBuffer in{frame.data(), frame.size(), 0};
  size_t last = 1;
  while (in.pos < in.size) {
    ZSTD_outBuffer o{chunk.data(), chunk.size(), 0};
    last = ZSTD_decompressStream(dctx.get(), &o, &in);
    if (ZSTD_isError(last)) {
      return Status::Corruption(std::string("corrupt zstd frame: ") + ZSTD_getErrorName(last));
    }
    if (out.size() + o.pos > max_bytes) return TooLarge(max_bytes);
    out.append(chunk.data(), o.pos);
    if (last == 0 && in.pos < in.size) return Status::Corruption("bytes after the zstd frame");
  }
  if (last != 0) return Status::Corruption("truncated zstd frame");
  return out;
}

}  // namespace linkwatch
