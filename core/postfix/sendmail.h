// Submitting a message through the local Postfix's sendmail(1).
#pragma once

#include "postfixtools.h"

namespace aliassync {

// Submits message to recipient with envelopeSender ("" for the null sender,
// which RFC 3834 requires of automatic replies so they never bounce into a loop).
// sendmail hands the message to the setgid postdrop. Where the setgid bit
// has no effect (systemd's NoNewPrivileges) and the caller lacks the
// postdrop group, postdrop retries for ever, hence the time limit.
bool submitMail(const QString &sendmailPath, const PostfixTools &tools, const QString &envelopeSender,
                const QString &recipient, const QByteArray &message, QString *error);

} // namespace aliassync
