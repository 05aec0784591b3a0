// The daemon's outgoing mail: rejections, results and confirmations, each
// submitted through this server's own sendmail with the null sender.
#pragma once

#include "config.h"
#include "postfixtools.h"

#include <requestmail/request.h>

namespace aliassync {

class Mailer
{
public:
    Mailer(const Config &config, const PostfixTools &tools, const RequestPolicy &policy);

    bool sendRejection(const RequestDecision &decision, QString *error);
    bool sendResult(const AliasRequest &request, bool ok, const QString &text, QString *error);
    // Sends a new alias's confirmation to the alias itself, so its arrival
    // proves the alias works here; a removal's goes to the requester.
    bool sendConfirmation(const AliasRequest &request, const QStringList &addresses, QString *error);

private:
    bool submit(const QString &recipient, const QByteArray &message, QString *error);

    const Config &m_config;
    const PostfixTools &m_tools;
    const RequestPolicy &m_policy;
};

} // namespace aliassync
