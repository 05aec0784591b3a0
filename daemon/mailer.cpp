#include "mailer.h"
#include "logging.h"
#include "sendmail.h"

#include <requestmail/compose.h>

namespace aliassync {

Mailer::Mailer(const Config &config, const PostfixTools &tools, const RequestPolicy &policy)
    : m_config(config)
    , m_tools(tools)
    , m_policy(policy)
{
}

bool Mailer::submit(const QString &recipient, const QByteArray &message, QString *error)
{
    // The composer returns nothing when the requester has no usable
    // address. Retrying cannot change that, so the request counts as handled.
    if (message.isEmpty() || recipient.isEmpty()) {
        qCWarning(lcRequest).noquote() << "no usable address to reply to" << (recipient.isEmpty() ? QStringLiteral("(none)") : recipient)
                                       << "- nothing sent";
        return true;
    }
    return submitMail(m_config.sendmailPath, m_tools, QString(), recipient, message, error);
}

bool Mailer::sendRejection(const RequestDecision &decision, QString *error)
{
    return submit(decision.request.replyAddress, composeRejection(decision, m_policy, m_config.serverName), error);
}

bool Mailer::sendResult(const AliasRequest &request, bool ok, const QString &text, QString *error)
{
    return submit(request.replyAddress, composeResult(request, ok, text, m_policy, m_config.serverName), error);
}

bool Mailer::sendConfirmation(const AliasRequest &request, const QStringList &addresses, QString *error)
{
    // A new alias is confirmed through itself; a removed one can only be
    // confirmed to the requester.
    const QString recipient = request.kind == RequestKind::Create
        ? request.name + QLatin1Char('@') + m_policy.primaryDomain()
        : request.replyAddress;
    return submit(recipient, composeConfirmation(request, addresses, m_policy, m_config.serverName), error);
}

} // namespace aliassync
