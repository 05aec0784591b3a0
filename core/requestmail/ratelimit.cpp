#include "ratelimit.h"

namespace aliassync {

RequestRateLimit::RequestRateLimit(int limit, std::chrono::milliseconds window)
    : m_limit(limit)
    , m_windowMs(window.count())
{
}

RequestRateLimit::Result RequestRateLimit::admit(const QString &login, const QString &requestKey, qint64 nowMs)
{
    Result result;
    if (m_limit <= 0)
        return result;

    // Users who went quiet are dropped once per window, so the table holds
    // only the logins of the last window or two.
    if (nowMs - m_lastSweepMs >= m_windowMs) {
        forgetBefore(nowMs - m_windowMs);
        m_lastSweepMs = nowMs;
    }

    User &user = m_users[login.toLower()];
    while (!user.admitted.isEmpty() && user.admitted.first().atMs <= nowMs - m_windowMs)
        user.admitted.removeFirst();

    if (!requestKey.isEmpty()) {
        for (const Admission &admission : std::as_const(user.admitted)) {
            if (admission.requestKey == requestKey) {
                result.count = int(user.admitted.size());
                return result;
            }
        }
    }

    if (user.admitted.size() < m_limit) {
        user.admitted.append(Admission{nowMs, requestKey});
        result.count = int(user.admitted.size());
        return result;
    }

    // One notice per window: a client that keeps sending gets one reply, not
    // one per message.
    result.count = int(user.admitted.size());
    result.retryAtMs = user.admitted.first().atMs + m_windowMs;
    if (user.noticeAtMs >= 0 && nowMs - user.noticeAtMs < m_windowMs) {
        result.verdict = Verdict::RejectedSilently;
        return result;
    }
    user.noticeAtMs = nowMs;
    result.verdict = Verdict::RejectedWithNotice;
    return result;
}

void RequestRateLimit::forgetBefore(qint64 cutoffMs)
{
    for (auto it = m_users.begin(); it != m_users.end();) {
        const bool admittedGone = it->admitted.isEmpty() || it->admitted.last().atMs <= cutoffMs;
        const bool noticeGone = it->noticeAtMs <= cutoffMs;
        if (admittedGone && noticeGone)
            it = m_users.erase(it);
        else
            ++it;
    }
}

} // namespace aliassync
