// Layering probe: a module may include its own headers.
#include "core/status.h"

int LayeringProbeAllowed() { return modelhost::core::OkStatus().ok() ? 0 : 1; }
