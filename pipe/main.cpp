// alias-sync-pipe: the command Postfix's pipe(8) runs for each message to a
// designated address. It decides what the message requests and hands that
// decision to the local daemon. It has no key and writes no alias file.
//
// Exit status (sysexits.h, as pipe(8) reads it): 0 when the message was
// handled (acted on, rejected with a reply, or ignored), EX_TEMPFAIL (75)
// for anything that may succeed later, so Postfix keeps the message and
// retries. No other status is used: any other non-zero status would make
// Postfix bounce a request that may already have been replied to.

#include "config.h"
#include "localclient.h"
#include "postfixtools.h"
#include "requestmessages.h"
#include "requestpolicy.h"
#include "syslogoutput.h"

#include <requestmail/compose.h>
#include <requestmail/request.h>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QLoggingCategory>
#include <QTextStream>

#include <sysexits.h>
#include <unistd.h>

using namespace aliassync;

Q_LOGGING_CATEGORY(lcPipe, "alias-sync.pipe", QtInfoMsg)

namespace {

struct ReadMessage
{
    QByteArray head;  // the first sizeLimit bytes
    qint64 size = 0;  // every byte on stdin
};

// Keeps at most sizeLimit bytes and drains the rest, so that pipe(8) finds
// the whole message consumed and a huge message costs no more memory than
// sizeLimit.
ReadMessage readMessage(QFile &input, qint64 sizeLimit)
{
    ReadMessage message;
    for (;;) {
        const QByteArray chunk = input.read(64 * 1024);
        if (chunk.isEmpty())
            break;
        message.size += chunk.size();
        if (message.head.size() < sizeLimit)
            message.head.append(chunk.left(sizeLimit - message.head.size()));
    }
    return message;
}

// An ignored message is handled whatever the daemon does: the daemon only
// logs it beside the other requests, so a short wait is enough and a
// failure only costs that log line.
constexpr int ignoreReportTimeoutMs = 2000;

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("alias-sync-pipe"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QCoreApplication::translate(
        "pipe", "Reads one request message on standard input, as Postfix's pipe(8) delivers it."));
    parser.addHelpOption();
    const QCommandLineOption configOption(QStringLiteral("config"),
                                          QCoreApplication::translate("pipe", "Read the settings from <file>."),
                                          QCoreApplication::translate("pipe", "file"), QLatin1String(defaultConfigFile));
    const QCommandLineOption senderOption(QStringLiteral("sender"), QCoreApplication::translate("pipe", "Envelope sender (${sender})."), QStringLiteral("address"));
    const QCommandLineOption recipientOption(QStringLiteral("recipient"), QCoreApplication::translate("pipe", "Envelope recipient (${recipient})."), QStringLiteral("address"));
    const QCommandLineOption originalOption(QStringLiteral("original-recipient"), QCoreApplication::translate("pipe", "Original recipient (${original_recipient})."), QStringLiteral("address"));
    const QCommandLineOption saslOption(QStringLiteral("sasl-username"), QCoreApplication::translate("pipe", "SASL login Postfix recorded (${sasl_username}); empty when unauthenticated."), QStringLiteral("login"));
    const QCommandLineOption queueOption(QStringLiteral("queue-id"), QCoreApplication::translate("pipe", "Postfix queue id (${queue_id}), for log lines."), QStringLiteral("id"));
    const QCommandLineOption dryRunOption(QStringLiteral("dry-run"), QCoreApplication::translate("pipe", "Print the decision and the reply instead of contacting the daemon."));
    parser.addOptions({configOption, senderOption, recipientOption, originalOption, saslOption, queueOption, dryRunOption});

    // A malformed command line is a master.cf mistake: defer, so the admin
    // can fix it without losing the message.
    if (!parser.parse(QCoreApplication::arguments())) {
        // Under pipe(8) the error goes to syslog only. An admin at a terminal also gets it on stderr.
        if (!QCoreApplication::arguments().contains(QStringLiteral("--dry-run")) && !isatty(STDERR_FILENO))
            routeLoggingToSyslog("alias-sync-pipe");
        qCCritical(lcPipe).noquote() << "invalid arguments:" << parser.errorText() << "- check the master.cf entry";
        return EX_TEMPFAIL;
    }
    // addHelpOption() also accepts --help-all, which lists Qt's own options.
    if (parser.isSet(QStringLiteral("help")) || parser.isSet(QStringLiteral("help-all")))
        parser.showHelp(0);

    const bool dryRun = parser.isSet(dryRunOption);
    if (!dryRun)
        routeLoggingToSyslog("alias-sync-pipe");

    QString error;
    const auto config = Config::load(parser.value(configOption), &error);
    if (!config || !config->checkServesMail(&error)) {
        qCCritical(lcPipe).noquote() << error;
        return EX_TEMPFAIL;
    }
    const PostfixTools tools(config->postfixConfigDirectory, config->postfixCommandDirectory);
    const auto loadedPolicy = requestPolicyFor(*config, tools, &error);
    if (!loadedPolicy) {
        qCCritical(lcPipe).noquote() << "cannot read recipient_delimiter:" << error;
        return EX_TEMPFAIL;
    }
    const RequestPolicy &policy = *loadedPolicy;

    Envelope envelope;
    envelope.sender = parser.value(senderOption);
    envelope.recipient = parser.value(recipientOption);
    envelope.originalRecipient = parser.value(originalOption);
    envelope.saslUsername = parser.value(saslOption);
    envelope.queueId = parser.value(queueOption);

    QFile input;
    input.open(stdin, QIODevice::ReadOnly);
    const ReadMessage message = readMessage(input, config->requestSizeLimit);
    const RequestDecision decision = limitMessageSize(decideRequest(message.head, envelope, policy), message.size,
                                                      config->requestSizeLimit);

    if (dryRun) {
        QTextStream out(stdout);
        out << firstLineForDryRun(decision) << '\n';
        if (decision.outcome == RequestDecision::Outcome::Reject)
            out << composeRejection(decision, policy, config->serverName);
        return 0;
    }

    if (decision.outcome == RequestDecision::Outcome::Ignore) {
        qCInfo(lcPipe).noquote() << "queue id" << envelope.queueId << "from" << envelope.sender << "ignored:" << decision.reason;
        LocalCallError callError;
        if (!callLocalSocket(config->requestSocket, encodeDecision(decision, envelope.queueId), ignoreReportTimeoutMs,
                             &callError))
            qCInfo(lcPipe).noquote() << "queue id" << envelope.queueId << "not reported to the daemon:" << callError.message;
        return 0;
    }

    LocalCallError callError;
    const auto reply = callLocalSocket(config->requestSocket, encodeDecision(decision, envelope.queueId),
                                       int(config->requestTimeout.count()), &callError);
    if (!reply) {
        qCWarning(lcPipe).noquote() << "queue id" << envelope.queueId << "deferred:" << callError.message;
        return EX_TEMPFAIL;
    }

    const QString status = reply->value(QStringLiteral("status")).toString();
    const QString detail = reply->value(QStringLiteral("detail")).toString();
    if (status == QStringLiteral("handled")) {
        qCInfo(lcPipe).noquote() << "queue id" << envelope.queueId << "handled:" << detail;
        return 0;
    }
    qCInfo(lcPipe).noquote() << "queue id" << envelope.queueId << "deferred:" << detail;
    return EX_TEMPFAIL;
}
