// Layering probe: core sits below api, so this include must not resolve.
#include "api/http_server.h"

int LayeringProbeForbidden() { return 0; }
