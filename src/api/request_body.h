// RequestBody: the Beast body type of every request the server reads. A body
// is kept in memory, or — for upload routes (Router::AddUpload) — written to
// an UploadFile as it arrives; either way bounded by a limit set once the
// headers are known. Internal to api/ (http_connection.cc).
//
// Thread-safety: none; a connection's I/O thread owns both.

#ifndef MODELHOST_API_REQUEST_BODY_H_
#define MODELHOST_API_REQUEST_BODY_H_

#include <boost/beast/core/buffers_range.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/optional.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"
#include "core/status.h"

namespace modelhost::api::internal {

// A file in the uploads directory that receives one request body. It is
// removed on destruction unless Release()d (a client that goes away leaves
// nothing behind); a crash leaves it for the sweep at the next start.
class UploadFile {
 public:
  // Creates a new file, readable only by this user, named uniquely in
  // `directory` (which must exist). Errors name the directory and the OS reason.
  static core::Result<UploadFile> Create(const std::string& directory);

  UploadFile(UploadFile&& other) noexcept;
  UploadFile& operator=(UploadFile&&) = delete;
  ~UploadFile();

  // Appends `size` bytes. Errors name the file and the OS reason.
  core::Status Write(const char* data, size_t size);
  // Closes the file and gives its path to the caller, who owns it from now on.
  std::string Release();

 private:
  UploadFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}

  int fd_ = -1;
  std::string path_;
};

// Removes every file in `directory` (the leftovers of uploads cut short by a
// crash); creates the directory when absent.
core::Status SweepUploads(const std::string& directory);

struct RequestBody {
  struct value_type {
    // The body, when no file is set.
    std::string text;
    // Where the body goes instead; set after the headers, before any of the
    // body is read. Not owned.
    UploadFile* file = nullptr;
    // Most bytes accepted; more is http::error::body_limit.
    uint64_t limit = 0;
    uint64_t received = 0;
    // Why writing to `file` failed; the parse then ends (reader::put) and
    // the connection answers with this instead of a parse error.
    core::Status write_error;
  };

  class reader {
   public:
    template <bool isRequest, class Fields>
    reader(boost::beast::http::header<isRequest, Fields>&, value_type& body) : body_(body) {}

    void init(const boost::optional<uint64_t>& length, boost::system::error_code& error) {
      error = {};
      if (length && *length > body_.limit) {
        error = boost::beast::http::error::body_limit;
      } else if (length && body_.file == nullptr) {
        body_.text.reserve(static_cast<size_t>(*length));
      }
    }

    template <class ConstBufferSequence>
    size_t put(const ConstBufferSequence& buffers, boost::system::error_code& error) {
      error = {};
      size_t taken = 0;
      for (auto buffer : boost::beast::buffers_range_ref(buffers)) {
        if (body_.received + buffer.size() > body_.limit) {
          error = boost::beast::http::error::body_limit;
          return taken;
        }
        const char* data = static_cast<const char*>(buffer.data());
        if (body_.file != nullptr) {
          body_.write_error = body_.file->Write(data, buffer.size());
          if (!body_.write_error.ok()) {
            // Any parse error ends the read; the connection checks write_error
            // first and answers with it.
            error = boost::beast::http::error::body_limit;
            return taken;
          }
        } else {
          body_.text.append(data, buffer.size());
        }
        body_.received += buffer.size();
        taken += buffer.size();
      }
      return taken;
    }

    void finish(boost::system::error_code& error) { error = {}; }

   private:
    value_type& body_;
  };
};

}  // namespace modelhost::api::internal

#endif  // MODELHOST_API_REQUEST_BODY_H_
