// Reader for the admin-edited `key = value` file format of alias-sync.
//
// Contract: every line is blank, a comment starting with '#', or
// `key = value`. Each problem is reported as "FILE:LINE: message" so an
// admin can jump to it; the reader never guesses what a bad line meant.
#pragma once

#include <QList>
#include <QString>

namespace aliassync {

struct ConfigLine {
    int lineNumber = 0;
    QString key;
    QString value;
};

// Splits the file into settings; returns false with *error naming the file
// and line of the first malformed or repeated line.
bool readConfigLines(const QString &fileName, QList<ConfigLine> *lines, QString *error);

} // namespace aliassync
