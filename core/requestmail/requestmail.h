// Umbrella header of the request-mail library (aliassync_requestmail).
#pragma once

#include "compose.h"
#include "headers.h"
#include "policy.h"
#include "ratelimit.h"
#include "request.h"
#include "text.h"
