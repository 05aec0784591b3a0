// The request policy both the pipe and the daemon apply, built from the
// alias-sync configuration and the Postfix instance it serves, so that
// the two processes can never judge a request by different rules.
#pragma once

#include "config.h"
#include "postfixtools.h"

#include <requestmail/policy.h>

#include <optional>

namespace aliassync {

// Reads recipient_delimiter with postconf; returns nothing with *error when that fails.
std::optional<RequestPolicy> requestPolicyFor(const Config &config, const PostfixTools &tools, QString *error);

} // namespace aliassync
