// RespondOnWorker: runs a handler's blocking work (store reads and writes,
// file I/O) on a thread pool instead of the I/O thread; the work answers
// through the Responder it is given. When the pool's queue is full the
// request is answered 429 at once, with "Retry-After: 1".
//
// Thread-safety: callable from any thread; `work` runs on one of the pool's.

#ifndef MODELHOST_API_WORKER_HANDOFF_H_
#define MODELHOST_API_WORKER_HANDOFF_H_

#include <functional>

#include "api/responder.h"
#include "core/thread_pool.h"

namespace modelhost::api {

void RespondOnWorker(core::ThreadPool* workers, Responder responder,
                     std::function<void(Responder&)> work);

}  // namespace modelhost::api

#endif  // MODELHOST_API_WORKER_HANDOFF_H_
