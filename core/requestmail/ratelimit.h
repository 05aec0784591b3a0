// The per-login limit on request mail: at most `limit` requests in any
// sliding window of `window`. It protects the two servers and the user's
// own mailbox from a flood of requests and replies (a looping client, a
// stolen password).
#pragma once

#include <QHash>
#include <QList>
#include <QString>

#include <chrono>

namespace aliassync {

class RequestRateLimit
{
public:
    enum class Verdict {
        Admitted,           // carry the request out
        RejectedWithNotice, // reject it with one reply that explains the limit
        RejectedSilently,   // reject it without a reply, because the notice went out already
    };

    struct Result
    {
        Verdict verdict = Verdict::Admitted;
        int count = 0;      // requests admitted in the window, this one included when admitted
        qint64 retryAtMs = 0; // when rejected: the time the oldest admitted request leaves the window
    };

    // limit 0 admits everything.
    RequestRateLimit(int limit, std::chrono::milliseconds window);

    // login is compared case-insensitively. A non-empty requestKey that was
    // admitted within the window is a redelivery of that request (Postfix
    // after a temporary failure): it is admitted again without counting.
    Result admit(const QString &login, const QString &requestKey, qint64 nowMs);

private:
    struct Admission
    {
        qint64 atMs;
        QString requestKey;
    };
    struct User
    {
        QList<Admission> admitted; // oldest first
        qint64 noticeAtMs = -1;    // the time the last notice was sent
    };

    void forgetBefore(qint64 cutoffMs);

    int m_limit;
    qint64 m_windowMs;
    QHash<QString, User> m_users;
    qint64 m_lastSweepMs = 0;
};

} // namespace aliassync
