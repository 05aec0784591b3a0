// Internal: translation context for every user-visible string of the library.
#pragma once

#include <QCoreApplication>

namespace aliassync {
class RequestMail
{
    Q_DECLARE_TR_FUNCTIONS(RequestMail)
};
} // namespace aliassync
