#include "requestpolicy.h"

namespace aliassync {

std::optional<RequestPolicy> requestPolicyFor(const Config &config, const PostfixTools &tools, QString *error)
{
    RequestPolicy policy;
    policy.servedDomains = config.domains;
    policy.designatedLocalPart = config.designatedLocalPart;
    policy.administrators = config.administrators;
    policy.extraReservedNames = config.reservedNames;

    // postconf(5): every character of recipient_delimiter separates an extension.
    const auto delimiter = tools.parameter(QStringLiteral("recipient_delimiter"), error);
    if (!delimiter)
        return std::nullopt;
    policy.recipientDelimiter = *delimiter;
    return policy;
}

} // namespace aliassync
