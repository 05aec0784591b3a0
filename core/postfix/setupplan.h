// The changes `alias-sync configure-postfix` will make, as data.
//
// Contract: a plan lists every file it writes with its content, every
// main.cf parameter with its old and new value, and every master.cf
// service, each with the reason. Planning changes nothing; rendering is
// separate, so the admin GUI can show the same plan.
#pragma once

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

namespace aliassync {

struct FileChange {
    QString path;
    QByteArray content;     // the whole new content; empty with remove
    bool remove = false;    // undo: delete the file (and its database)
    QString databaseTable;  // "hash:PATH" to build with postmap/postalias after writing, or empty
    bool aliasFile = false; // built with postalias instead of postmap
    QString reason;
};

struct ParameterChange {
    QString name;
    QString oldValue;          // as main.cf has it, unexpanded
    bool wasExplicit = false;  // set in main.cf, not a built-in default
    QString newValue;
    bool remove = false;       // `postconf -X`: back to the built-in default
    QString reason;
};

struct ServiceChange {
    QString service;    // "alias-sync/unix"
    QString oldEntry;   // the current master.cf entry, empty when absent
    QString newEntry;   // empty with remove
    bool remove = false;
    QString reason;
};

struct SetupPlan {
    enum class Kind { Configure, Undo };
    Kind kind = Kind::Configure;
    QString configDirectory;
    QList<FileChange> files;
    QList<ParameterChange> parameters;
    QList<ServiceChange> services;
    QStringList notes;       // facts the admin should know: what is left alone and why
    QStringList problems;    // reasons the plan must not be applied
    bool postfixRunning = false;
    bool firstConfiguration = false; // Configure: Postfix has none of alias-sync's settings yet
    bool keepAliasMaps = false;      // Undo: the managed aliases stay in alias_maps

    bool hasChanges() const { return !files.isEmpty() || !parameters.isEmpty() || !services.isEmpty(); }
};

// The plan as the text configure-postfix prints.
QString renderPlan(const SetupPlan &plan);

} // namespace aliassync
