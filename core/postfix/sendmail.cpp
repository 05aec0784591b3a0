#include "sendmail.h"
#include "logging.h"

namespace aliassync {

namespace {
constexpr int sendmailTimeoutMs = 60000;
}

bool submitMail(const QString &sendmailPath, const PostfixTools &tools, const QString &envelopeSender,
                const QString &recipient, const QByteArray &message, QString *error)
{
    QStringList arguments;
    if (!tools.isDefaultInstance())
        arguments << QStringLiteral("-C") << tools.configDirectory();

    // -i: a line with a single '.' is not the end of the message.
    // "<>" is how Postfix's sendmail spells the null sender after -f.
    arguments << QStringLiteral("-i") << QStringLiteral("-f")
              << (envelopeSender.isEmpty() ? QStringLiteral("<>") : envelopeSender) << QStringLiteral("--") << recipient;

    const ToolResult result = runProcess(sendmailPath, arguments, message, sendmailTimeoutMs);
    if (!result.succeeded()) {
        *error = result.describe(QStringLiteral("%1 to %2").arg(sendmailPath, recipient));
        return false;
    }
    qCInfo(lcPostfix).noquote() << "submitted a message to" << recipient << "through" << sendmailPath;
    return true;
}

} // namespace aliassync
