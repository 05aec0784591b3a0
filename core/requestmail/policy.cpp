#include "policy.h"

#include "text.h"
#include "trtext_p.h"

namespace aliassync {

namespace {

bool isLowerAlnum(QChar c)
{
    return (c >= QLatin1Char('a') && c <= QLatin1Char('z')) || (c >= QLatin1Char('0') && c <= QLatin1Char('9'));
}

bool isAsciiAlnum(QChar c)
{
    return isLowerAlnum(c) || (c >= QLatin1Char('A') && c <= QLatin1Char('Z'));
}

QString stripTrailingDot(const QString &domain)
{
    return domain.endsWith(QLatin1Char('.')) ? domain.chopped(1) : domain;
}

// Matches name against a reserved entry; "owner-*" and "*-request" style
// patterns with one leading or trailing '*' are allowed.
bool matchesReserved(const QString &name, const QString &entry)
{
    const QString e = asciiLower(entry.trimmed());
    if (e.isEmpty())
        return false;
    if (e.size() > 1 && e.endsWith(QLatin1Char('*')) && !e.startsWith(QLatin1Char('*')))
        return name.startsWith(e.chopped(1));
    if (e.size() > 1 && e.startsWith(QLatin1Char('*')) && !e.endsWith(QLatin1Char('*')))
        return name.endsWith(e.mid(1));
    return name == e;
}

QString quoted(const QString &value)
{
    return QStringLiteral("\"%1\"").arg(printableForQuote(value, 80));
}

QString localPartProblem(const QString &dest, const QString &local)
{
    if (local.isEmpty())
        return RequestMail::tr("The destination %1 has no user name before the '@'; write it as user@example.org.")
            .arg(quoted(dest));
    if (local.toUtf8().size() > 64)
        return RequestMail::tr("The destination %1 has a user name longer than 64 characters; check the address.")
            .arg(quoted(dest));
    for (QChar c : local) {
        if (isAsciiAlnum(c) || c == QLatin1Char('.') || c == QLatin1Char('_') || c == QLatin1Char('-')
            || c == QLatin1Char('+') || c == QLatin1Char('='))
            continue;
        return RequestMail::tr("The destination %1 contains %2; a destination may only use letters, digits and "
                               "'.', '_', '-', '+', '=' before the '@'.")
            .arg(quoted(dest), quoted(QString(c)));
    }
    if (local.startsWith(QLatin1Char('.')) || local.endsWith(QLatin1Char('.'))
        || local.contains(QLatin1String("..")))
        return RequestMail::tr("The destination %1 has a misplaced dot (first, last or doubled); check the address.")
            .arg(quoted(dest));
    if (local.startsWith(QLatin1Char('-')))
        return RequestMail::tr("The destination %1 starts with '-'; check the address.").arg(quoted(dest));
    return QString();
}

QString domainProblem(const QString &dest, const QString &domain)
{
    const QString bad = RequestMail::tr("The destination %1 has an invalid domain %2; write a domain such as "
                                        "example.org (letters, digits, '-' and single dots).")
                            .arg(quoted(dest), quoted(domain));
    if (domain.isEmpty() || domain.size() > 253)
        return bad;
    const QStringList labels = domain.split(QLatin1Char('.'));
    for (const QString &label : labels) {
        if (label.isEmpty() || label.size() > 63 || label.startsWith(QLatin1Char('-'))
            || label.endsWith(QLatin1Char('-')))
            return bad;
        for (QChar c : label)
            if (!isAsciiAlnum(c) && c != QLatin1Char('-'))
                return bad;
    }
    return QString();
}

} // namespace

QString RequestPolicy::designatedAddress() const
{
    const QString d = primaryDomain();
    return d.isEmpty() ? designatedLocalPart : designatedLocalPart + QLatin1Char('@') + d.toLower();
}

bool RequestPolicy::isServedDomain(const QString &domain) const
{
    const QString d = stripTrailingDot(domain.trimmed());
    if (d.isEmpty())
        return false;
    for (const QString &s : servedDomains)
        if (stripTrailingDot(s.trimmed()).compare(d, Qt::CaseInsensitive) == 0)
            return true;
    return false;
}

QStringList builtInReservedNames()
{
    return {QStringLiteral("postmaster"),    QStringLiteral("abuse"),     QStringLiteral("root"),
            QStringLiteral("mailer-daemon"), QStringLiteral("hostmaster"), QStringLiteral("webmaster"),
            QStringLiteral("admin"),         QStringLiteral("administrator"), QStringLiteral("owner-*"),
            QStringLiteral("*-request")};
}

QString aliasNameProblem(const QString &nameIn, const RequestPolicy &policy)
{
    const QString name = asciiLower(nameIn);
    const QString q = quoted(name);
    if (name.isEmpty())
        return RequestMail::tr("The alias name is empty; write a name after \"alias:\", for example \"alias: team\".");
    for (QChar d : policy.recipientDelimiter) {
        if (!d.isSpace() && name.contains(d))
            return RequestMail::tr("The alias name %1 is invalid: it contains %2, the recipient delimiter of this "
                                   "server; choose a name without it.")
                .arg(q, quoted(QString(d)));
    }
    if (name.contains(QLatin1Char('@')))
        return RequestMail::tr("The alias name %1 is invalid: it contains '@'; write only the part before the '@', "
                               "for example \"alias: team\".")
            .arg(q);
    for (QChar c : name) {
        if (isLowerAlnum(c) || c == QLatin1Char('.') || c == QLatin1Char('-') || c == QLatin1Char('_'))
            continue;
        const QString shown = c.isSpace() ? RequestMail::tr("a space") : quoted(QString(c));
        return RequestMail::tr("The alias name %1 is invalid: it contains %2; use only lower-case letters a-z, "
                               "digits, '.', '-' and '_'.")
            .arg(q, shown);
    }
    if (name.toUtf8().size() > MaxAliasNameLength)
        return RequestMail::tr("The alias name %1 is invalid: it is %2 characters long; use at most %3.")
            .arg(q)
            .arg(name.size())
            .arg(MaxAliasNameLength);
    if (name.startsWith(QLatin1Char('-')) || name.startsWith(QLatin1Char('.')))
        return RequestMail::tr("The alias name %1 is invalid: it starts with %2; start it with a letter, a digit or "
                               "'_'.")
            .arg(q, quoted(name.left(1)));
    if (name.endsWith(QLatin1Char('.')))
        return RequestMail::tr("The alias name %1 is invalid: it ends with '.'; remove the final dot.").arg(q);
    if (name.contains(QLatin1String("..")))
        return RequestMail::tr("The alias name %1 is invalid: it contains \"..\"; use single dots.").arg(q);
    if (name == asciiLower(policy.designatedLocalPart.trimmed()))
        return RequestMail::tr("The alias name %1 is reserved: it is the address of this service; choose another "
                               "name.")
            .arg(q);
    const QStringList builtIn = builtInReservedNames();
    for (const QString &r : builtIn) {
        if (!matchesReserved(name, r))
            continue;
        if (r.contains(QLatin1Char('*')))
            return RequestMail::tr("The alias name %1 is reserved: names of the form owner-* and *-request belong to "
                                   "mailing lists; choose another name.")
                .arg(q);
        return RequestMail::tr("The alias name %1 is reserved for the mail system; choose another name.").arg(q);
    }
    for (const QString &r : policy.extraReservedNames)
        if (matchesReserved(name, r))
            return RequestMail::tr("The alias name %1 is reserved on this server; choose another name.").arg(q);
    return QString();
}

QString mailboxForLogin(const QString &saslLogin, const RequestPolicy &policy)
{
    const QString login = saslLogin.trimmed();
    const qsizetype at = login.lastIndexOf(QLatin1Char('@'));
    if (at <= 0 || at == login.size() - 1)
        return login;
    const QString local = login.left(at);
    const QString domain = login.mid(at + 1);
    if (policy.isServedDomain(domain))
        return local;
    return local + QLatin1Char('@') + domain.toLower();
}

QString replyAddressForLogin(const QString &saslLogin, const RequestPolicy &policy)
{
    const QString login = saslLogin.trimmed();
    if (login.isEmpty())
        return QString();
    const qsizetype at = login.lastIndexOf(QLatin1Char('@'));
    if (at > 0 && at < login.size() - 1)
        return login.left(at) + QLatin1Char('@') + stripTrailingDot(login.mid(at + 1)).toLower();
    if (at >= 0)
        return QString(); // "@x" or "x@": no usable address
    const QString primary = policy.primaryDomain().trimmed();
    if (primary.isEmpty())
        return login;
    return login + QLatin1Char('@') + stripTrailingDot(primary).toLower();
}

bool isAdministrator(const QString &mappedLogin, const RequestPolicy &policy)
{
    if (mappedLogin.isEmpty())
        return false;
    for (const QString &admin : policy.administrators) {
        const QString a = mailboxForLogin(admin, policy);
        if (!a.isEmpty() && a.compare(mappedLogin, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

bool isOwnMailbox(const QString &destination, const QString &mappedLogin, const RequestPolicy &policy)
{
    if (mappedLogin.isEmpty())
        return false;
    return mailboxForLogin(destination, policy).compare(mappedLogin, Qt::CaseInsensitive) == 0;
}

QString destinationProblem(const QString &dest)
{
    const QString q = quoted(dest);
    if (dest.isEmpty())
        return RequestMail::tr("A destination is empty; write a local user name or an address such as "
                               "user@example.org.");
    if (dest.startsWith(QLatin1Char('|')) || dest.startsWith(QLatin1Char('/'))
        || dest.contains(QLatin1String(":include:"), Qt::CaseInsensitive))
        return RequestMail::tr("The destination %1 is not allowed: only local user names and addresses such as "
                               "user@example.org can be destinations, never commands, files or include files.")
            .arg(q);
    for (QChar c : dest) {
        if (c.isSpace() || c == QLatin1Char('"') || c == QLatin1Char('<') || c == QLatin1Char('>')
            || c == QLatin1Char('(') || c == QLatin1Char(')') || c == QLatin1Char(':'))
            return RequestMail::tr("The destination %1 is not a plain address; write only the address, such as "
                                   "user@example.org, without quotes, names or brackets, and separate destinations "
                                   "with commas.")
                .arg(q);
    }
    const qsizetype at = dest.indexOf(QLatin1Char('@'));
    if (at >= 0 && dest.indexOf(QLatin1Char('@'), at + 1) >= 0)
        return RequestMail::tr("The destination %1 contains more than one '@'; check the address.").arg(q);
    const QString local = at < 0 ? dest : dest.left(at);
    if (QString p = localPartProblem(dest, local); !p.isEmpty())
        return p;
    if (at >= 0)
        return domainProblem(dest, dest.mid(at + 1));
    return QString();
}

QString normalizedDestination(const QString &destination)
{
    const qsizetype at = destination.indexOf(QLatin1Char('@'));
    if (at < 0)
        return destination;
    return destination.left(at) + QLatin1Char('@') + destination.mid(at + 1).toLower();
}

} // namespace aliassync
